//! Runtime choice between an AVX2 + FMA build and a baseline build of the same kernel bodies.
//!
//! This is the only module with `unsafe`: calling a `#[target_feature(enable = "avx2,fma")]`
//! function is unsafe because it would fault on a CPU without AVX2 or FMA. [`Isa`] can only be
//! obtained through [`Isa::detect`] or [`Isa::available`], which check the CPU first, so
//! holding an `Isa` of kind `Avx2` is the proof that the call is sound.
//!
//! Both builds compile the same `#[inline(always)]` code from [`super::blocked`] and
//! [`super::vmath`]; only the vector width differs, never the operations or their order, so
//! the results are bit-identical. A fused multiply-add is one correctly rounded operation, so
//! the baseline build's `f64::mul_add` gives the same bits as `vfmadd` (Rust never fuses a
//! multiply and an add on its own: only the explicit `mul_add` calls are fused).
#![allow(unsafe_code)]

use super::blocked::{self, ByColumn, ByRow, Product};
use super::lanes::{Portable, Simd};
use super::vmath;

/// An instruction set the kernels can run with on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Isa(Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 and FMA, which this CPU has been checked to support.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Isa {
    /// The widest instruction set this CPU supports (the check is cached by `std`).
    #[inline]
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Isa(Kind::Avx2);
        }
        Isa(Kind::Baseline)
    }

    /// Every instruction set this CPU supports, baseline first (for tests comparing them).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn available() -> Vec<Self> {
        let mut all = vec![Isa(Kind::Baseline)];
        if Isa::detect() != all[0] {
            all.push(Isa::detect());
        }
        all
    }
}

/// The AVX2 + FMA back end of [`Simd`]: one 256-bit instruction per operation.
///
/// The private field means only this module can make one, and it does so only in a `Kind::Avx2`
/// arm of [`dispatch!`], after [`Isa::detect`] saw AVX2 and FMA: holding an `Avx2` proves the
/// CPU runs AVX2 and FMA instructions. That is the safety argument for every `unsafe` block below.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2(());

/// Wraps one AVX2 intrinsic as an operation of the [`Avx2`] back end.
#[cfg(target_arch = "x86_64")]
macro_rules! avx2_op {
    ($name:ident($($arg:ident),*) => $expr:expr) => {
        #[inline(always)]
        fn $name(self, $($arg: Self::V),*) -> Self::V {
            use std::arch::x86_64::*;
            // SAFETY: `self` exists only on a CPU with AVX2 and FMA (see `Avx2`); the intrinsic
            // touches no memory.
            unsafe { $expr }
        }
    };
}

#[cfg(target_arch = "x86_64")]
impl Simd for Avx2 {
    type V = std::arch::x86_64::__m256d;

    #[inline(always)]
    fn splat(self, x: f64) -> Self::V {
        // SAFETY: `self` proves AVX2 (see `Avx2`); no memory is touched.
        unsafe { std::arch::x86_64::_mm256_set1_pd(x) }
    }
    #[inline(always)]
    fn pack(self, x: [f64; 4]) -> Self::V {
        self.load(&x)
    }
    #[inline(always)]
    fn to_array(self, v: Self::V) -> [f64; 4] {
        let mut out = [0.0; 4];
        self.store(v, &mut out);
        out
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> Self::V {
        let s = &s[..4];
        // SAFETY: `self` proves AVX2; `s` has four readable f64s (checked by the slicing) and
        // the load is unaligned.
        unsafe { std::arch::x86_64::_mm256_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, v: Self::V, s: &mut [f64]) {
        let s = &mut s[..4];
        // SAFETY: `self` proves AVX2; `s` has four writable f64s (checked by the slicing) and
        // the store is unaligned.
        unsafe { std::arch::x86_64::_mm256_storeu_pd(s.as_mut_ptr(), v) }
    }
    avx2_op!(add(a, b) => _mm256_add_pd(a, b));
    avx2_op!(sub(a, b) => _mm256_sub_pd(a, b));
    avx2_op!(mul(a, b) => _mm256_mul_pd(a, b));
    avx2_op!(div(a, b) => _mm256_div_pd(a, b));
    avx2_op!(mul_add(a, b, c) => _mm256_fmadd_pd(a, b, c));
    // Ordered, non-signalling predicates: false when either lane is NaN, like Rust's `<`.
    avx2_op!(lt(a, b) => _mm256_cmp_pd::<_CMP_LT_OQ>(a, b));
    avx2_op!(gt(a, b) => _mm256_cmp_pd::<_CMP_GT_OQ>(a, b));
    avx2_op!(ge(a, b) => _mm256_cmp_pd::<_CMP_GE_OQ>(a, b));
    avx2_op!(eq(a, b) => _mm256_cmp_pd::<_CMP_EQ_OQ>(a, b));
    avx2_op!(and(a, b) => _mm256_and_pd(a, b));
    avx2_op!(and_not(a, b) => _mm256_andnot_pd(a, b));
    avx2_op!(or(a, b) => _mm256_or_pd(a, b));
    avx2_op!(xor(a, b) => _mm256_xor_pd(a, b));
    // `blendv` takes each lane from `yes` where the mask's sign bit is set: for the all-ones
    // and all-zeros masks of the comparisons, exactly the portable and/or select.
    avx2_op!(blend(mask, yes, no) => _mm256_blendv_pd(no, yes, mask));
    avx2_op!(int_sub(a, b) => _mm256_castsi256_pd(_mm256_sub_epi64(
        _mm256_castpd_si256(a),
        _mm256_castpd_si256(b)
    )));
    avx2_op!(int_add(a, b) => _mm256_castsi256_pd(_mm256_add_epi64(
        _mm256_castpd_si256(a),
        _mm256_castpd_si256(b)
    )));
    avx2_op!(shl52(a) => _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(a))));
}

/// Defines `pub(crate) fn $name(isa, args…)` that runs `$body`, generic over the back end
/// `$simd`, compiled for the chosen `isa`.
macro_rules! dispatch {
    ($(
        $(#[$doc:meta])*
        fn $name:ident<$simd:ident>($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name(isa: Isa, $($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body<S: Simd>($simd: S, $($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                body(Avx2(()), $($arg),*)
            }

            match isa.0 {
                Kind::Baseline => body(Portable, $($arg),*),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Kind::Avx2` is only constructed by `Isa::detect` after
                // `is_x86_feature_detected!` returned true for "avx2" and "fma", so this CPU
                // runs AVX2 and FMA code.
                Kind::Avx2 => unsafe { avx2($($arg),*) },
            }
        }
    )*};
}

dispatch! {
    /// `out = finish(a · w)`, `a` `n × inner`, `w` `inner × m`.
    fn product_by_column<simd>(out: &mut [f64], p: Product<'_, ByColumn<'_>>) {
        blocked::product(simd, out, p)
    }

    /// `out = finish(a · wᵀ)`, `a` `n × inner`, `w` `m × inner`.
    fn product_by_row<simd>(out: &mut [f64], p: Product<'_, ByRow<'_>>) {
        blocked::product(simd, out, p)
    }

    /// `out = aᵀ · b`.
    fn product_transpose_a<simd>(
        out: &mut [f64],
        a: &[f64],
        b: &[f64],
        shape: (usize, usize, usize),
    ) {
        blocked::product_transpose_a(simd, out, a, b, shape)
    }

    /// `Σ bce(z, y)` and optionally the scaled gradient.
    fn bce_sum_and_gradient<simd>(
        logits: &[f64],
        labels: &[f64],
        gradient: Option<(&mut [f64], f64)>,
    ) -> f64 {
        vmath::bce_sum_and_gradient(simd, logits, labels, gradient)
    }

    /// The scaled gradient of the BCE.
    fn bce_gradient<simd>(gradient: &mut [f64], logits: &[f64], labels: &[f64], scale: f64) {
        vmath::bce_gradient(simd, gradient, logits, labels, scale)
    }
}
