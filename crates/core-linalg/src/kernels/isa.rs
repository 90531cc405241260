//! Runtime choice between an AVX-512, an AVX2 + FMA and a baseline build of the same kernel
//! bodies.
//!
//! This is the only module with `unsafe`: calling a `#[target_feature(enable = "avx2,fma")]`
//! (or `"avx2,fma,avx512f"`) function is unsafe because it would fault on a CPU without those
//! instructions, and so is every intrinsic. [`Isa`] can only be obtained through
//! [`Isa::detect`] (or, in tests, `Isa::available`, which lists the kinds up to it), which
//! checks the CPU first (a `BINCLASS_ISA` ceiling can only narrow what the check found), or by
//! narrowing one of those (`Isa::for_finish`, `Isa::for_shape`: AVX-512 to AVX2, which an
//! AVX-512 CPU passed too), so holding an `Isa` of kind `Avx2` (or `Avx512`) is the proof that
//! the call is sound.
//!
//! Every build compiles the same `#[inline(always)]` code from [`super::blocked`] and
//! [`super::vmath`]; only the vector width differs, never the operations or their order, so
//! the results are bit-identical. The AVX-512 build runs the products eight rows at a time
//! (each lane its own output entry, or in the weight gradient two entries' four-lane sums side
//! by side) and everything else on four lanes, as the AVX2 build does. A fused multiply-add is
//! one correctly rounded operation, so the baseline build's `f64::mul_add` gives the same bits
//! as `vfmadd` (Rust never fuses a multiply and an add on its own: only the explicit `mul_add`
//! calls are fused).
#![allow(unsafe_code)]

use super::blocked::{self, ByColumn, ByRow, Finish, Product};
use super::lanes::{F64x4, Portable, RowLanes, Simd};
use super::vmath;
use crate::Activation;
use std::sync::OnceLock;

/// An instruction set the kernels can run with on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Isa(Kind);

/// Declared narrowest first: the derived order is what [`Kind::capped`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 and FMA, which this CPU has been checked to support.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512F as well as AVX2 and FMA, all checked.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The instruction set the kernels use: the widest this CPU supports, or a narrower one if
    /// [`super::INSTRUCTION_SET_VARIABLE`] asks for it. Decided once per process.
    #[inline]
    pub(crate) fn detect() -> Self {
        static CHOSEN: OnceLock<Kind> = OnceLock::new();
        Isa(*CHOSEN.get_or_init(|| Kind::widest().capped(Kind::ceiling())))
    }

    /// The name of this instruction set, as [`super::INSTRUCTION_SET_VARIABLE`] spells it.
    pub(crate) fn name(self) -> &'static str {
        self.0.name()
    }

    /// The instruction set for `product`: this one, narrowed by [`Isa::for_finish`] and
    /// [`Isa::for_shape`].
    #[inline]
    pub(crate) fn for_product<B>(self, product: &Product<'_, B>) -> Self {
        self.for_finish(&product.finish)
            .for_shape(product.inner, product.m)
    }

    /// The instruction set for a product finished by `finish`: this one, except that a
    /// sigmoid or tanh finish runs on the AVX2 build of an AVX-512 CPU. Those functions are
    /// written for four lanes, and their AVX2 build is the faster one (the measurements are in
    /// `bench/results/kernel-notes.md`).
    #[inline]
    fn for_finish(self, finish: &Finish<'_>) -> Self {
        #[cfg(target_arch = "x86_64")]
        if let (
            Kind::Avx512,
            Finish::BiasActivate {
                activation: Activation::Sigmoid | Activation::Tanh,
                ..
            },
        ) = (self.0, finish)
        {
            return Isa(Kind::Avx2);
        }
        self
    }

    /// The instruction set for a product with `inner` terms in each of `m` sums per row: this
    /// one, except that products of at most two multiply-adds per row (logistic regression's
    /// two inputs and one output) run on the AVX2 build of an AVX-512 CPU. Each is faster
    /// alone on AVX-512, yet a logistic-regression epoch, mostly the four-lane loss, is faster
    /// with them on AVX2; moving wider products as well slowed nets with three-wide layers
    /// (measured in `bench/results/kernel-notes.md`).
    #[inline]
    pub(crate) fn for_shape(self, inner: usize, m: usize) -> Self {
        #[cfg(target_arch = "x86_64")]
        if self.0 == Kind::Avx512 && inner * m <= 2 {
            return Isa(Kind::Avx2);
        }
        self
    }

    /// Every instruction set this process may use, baseline first, widest last: those up to
    /// the choice of [`Isa::detect`] (for tests comparing them, so `BINCLASS_ISA=avx2` makes
    /// an AVX-512 machine test what an AVX2 one can).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let chosen = Isa::detect().0;
        Kind::ALL
            .iter()
            .copied()
            .filter(|&kind| kind <= chosen)
            .map(Isa)
            .collect()
    }

    /// Each instruction set of [`super::INSTRUCTION_SET_NAMES`] that [`Isa::available`]
    /// leaves out, with the reason: for tests to report what they could not compare.
    #[cfg(test)]
    pub(crate) fn unavailable() -> Vec<(&'static str, String)> {
        let chosen = Isa::detect().0;
        super::INSTRUCTION_SET_NAMES
            .into_iter()
            .filter_map(|name| match Kind::from_name(name) {
                None => Some((
                    name,
                    format!("the kernels have no {name} build for this target"),
                )),
                Some(kind) if kind > Kind::widest() => {
                    Some((name, format!("this CPU lacks {name}")))
                }
                Some(kind) if kind > chosen => Some((
                    name,
                    format!(
                        "{}={} caps the kernels below it",
                        super::INSTRUCTION_SET_VARIABLE,
                        chosen.name()
                    ),
                )),
                Some(_) => None,
            })
            .collect()
    }
}

impl Kind {
    /// Every kind this target has a build for, narrowest first.
    #[cfg(test)]
    const ALL: &[Kind] = &[
        Kind::Baseline,
        #[cfg(target_arch = "x86_64")]
        Kind::Avx2,
        #[cfg(target_arch = "x86_64")]
        Kind::Avx512,
    ];

    /// The ceiling [`super::INSTRUCTION_SET_VARIABLE`] names, if any.
    fn ceiling() -> Option<Kind> {
        Kind::from_name(&std::env::var(super::INSTRUCTION_SET_VARIABLE).ok()?)
    }

    /// The widest instruction set this CPU supports (the checks are cached by `std`).
    fn widest() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kind::Avx512;
            }
            return Kind::Avx2;
        }
        Kind::Baseline
    }

    /// `self`, or `ceiling` if that is narrower. Only ever narrows: a ceiling the CPU lacks
    /// changes nothing, so no name can make a kernel run instructions the CPU does not have.
    fn capped(self, ceiling: Option<Kind>) -> Self {
        ceiling.map_or(self, |c| self.min(c))
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Baseline => "baseline",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Kind::Avx512 => "avx512",
        }
    }

    /// The kind a ceiling name stands for: only ever used as a ceiling in [`Kind::capped`],
    /// never run with itself. On other targets `avx2` and `avx512` are still valid names (a
    /// study script need not know the machine); they cap nothing there.
    fn from_name(name: &str) -> Option<Kind> {
        match name {
            "baseline" => Some(Kind::Baseline),
            #[cfg(target_arch = "x86_64")]
            "avx2" => Some(Kind::Avx2),
            #[cfg(target_arch = "x86_64")]
            "avx512" => Some(Kind::Avx512),
            _ => None,
        }
    }
}

/// The AVX2 + FMA back end of [`Simd`]: one 256-bit instruction per operation.
///
/// The private field means only this module can make one, and it does so only in the
/// `Kind::Avx2` and `Kind::Avx512` arms of [`dispatch!`] and in [`Avx512::four`], that is, only
/// once the CPU was checked for AVX2 and FMA (an AVX-512 CPU passed those checks too): holding
/// an `Avx2` proves the CPU runs AVX2 and FMA instructions. That is the safety argument for
/// every `unsafe` block below.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2(());

/// Wraps one intrinsic as an operation of the [`Avx2`] or [`Avx512`] back end.
#[cfg(target_arch = "x86_64")]
macro_rules! intrinsic_op {
    ($name:ident($($arg:ident),*) => $expr:expr) => {
        #[inline(always)]
        fn $name(self, $($arg: Self::V),*) -> Self::V {
            use std::arch::x86_64::*;
            // SAFETY: `self` exists only on a CPU with its back end's instruction set (see
            // `Avx2` and `Avx512`); the intrinsic touches no memory.
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
        Simd::load(self, &x)
    }
    #[inline(always)]
    fn to_array(self, v: Self::V) -> [f64; 4] {
        let mut out = [0.0; 4];
        Simd::store(self, v, &mut out);
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
    intrinsic_op!(add(a, b) => _mm256_add_pd(a, b));
    intrinsic_op!(sub(a, b) => _mm256_sub_pd(a, b));
    intrinsic_op!(mul(a, b) => _mm256_mul_pd(a, b));
    intrinsic_op!(div(a, b) => _mm256_div_pd(a, b));
    intrinsic_op!(mul_add(a, b, c) => _mm256_fmadd_pd(a, b, c));
    // Ordered, non-signalling predicates: false when either lane is NaN, like Rust's `<`.
    intrinsic_op!(lt(a, b) => _mm256_cmp_pd::<_CMP_LT_OQ>(a, b));
    intrinsic_op!(gt(a, b) => _mm256_cmp_pd::<_CMP_GT_OQ>(a, b));
    intrinsic_op!(ge(a, b) => _mm256_cmp_pd::<_CMP_GE_OQ>(a, b));
    intrinsic_op!(eq(a, b) => _mm256_cmp_pd::<_CMP_EQ_OQ>(a, b));
    intrinsic_op!(and(a, b) => _mm256_and_pd(a, b));
    intrinsic_op!(and_not(a, b) => _mm256_andnot_pd(a, b));
    intrinsic_op!(or(a, b) => _mm256_or_pd(a, b));
    intrinsic_op!(xor(a, b) => _mm256_xor_pd(a, b));
    // `blendv` takes each lane from `yes` where the mask's sign bit is set: for the all-ones
    // and all-zeros masks of the comparisons, exactly the portable and/or select.
    intrinsic_op!(blend(mask, yes, no) => _mm256_blendv_pd(no, yes, mask));
    intrinsic_op!(int_sub(a, b) => _mm256_castsi256_pd(_mm256_sub_epi64(
        _mm256_castpd_si256(a),
        _mm256_castpd_si256(b)
    )));
    intrinsic_op!(int_add(a, b) => _mm256_castsi256_pd(_mm256_add_epi64(
        _mm256_castpd_si256(a),
        _mm256_castpd_si256(b)
    )));
    intrinsic_op!(shl52(a) => _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(a))));
}

/// The AVX-512 back end of [`RowLanes`]: eight lanes, one 512-bit instruction per operation.
///
/// As with [`Avx2`], only a `Kind::Avx512` arm of [`dispatch!`] makes one, after
/// [`Isa::detect`] saw AVX-512F, AVX2 and FMA: that is the safety argument for every `unsafe`
/// block below.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx512(());

#[cfg(target_arch = "x86_64")]
impl RowLanes for Avx512 {
    const LANES: usize = 8;
    type V = std::arch::x86_64::__m512d;
    type Four = Avx2;
    #[inline(always)]
    fn four(self) -> Avx2 {
        // An AVX-512 CPU was checked for AVX2 and FMA as well (see `Isa::detect`).
        Avx2(())
    }
    #[inline(always)]
    fn splat(self, x: f64) -> Self::V {
        // SAFETY: `self` proves AVX-512F; no memory is touched.
        unsafe { std::arch::x86_64::_mm512_set1_pd(x) }
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> Self::V {
        let s = &s[..8];
        // SAFETY: `self` proves AVX-512F; `s` has eight readable f64s (checked by the slicing)
        // and the load is unaligned.
        unsafe { std::arch::x86_64::_mm512_loadu_pd(s.as_ptr()) }
    }
    #[inline(always)]
    fn load_fours(self, parts: &[&[f64]]) -> Self::V {
        use std::arch::x86_64::*;
        let (low, high) = (&parts[0][..4], &parts[1][..4]);
        // SAFETY: `self` proves AVX-512F and AVX (see `four`); `low` and `high` have four
        // readable f64s each (checked by the slicing); the loads are unaligned.
        unsafe {
            let low = _mm512_castpd256_pd512(_mm256_loadu_pd(low.as_ptr()));
            _mm512_insertf64x4::<1>(low, _mm256_loadu_pd(high.as_ptr()))
        }
    }
    #[inline(always)]
    fn load_repeated(self, s: &[f64]) -> Self::V {
        use std::arch::x86_64::*;
        let s = &s[..4];
        // SAFETY: as in `load_fours`, for the four f64s of `s`.
        unsafe { _mm512_broadcast_f64x4(_mm256_loadu_pd(s.as_ptr())) }
    }
    #[inline(always)]
    fn store(self, v: Self::V, s: &mut [f64]) {
        let s = &mut s[..8];
        // SAFETY: `self` proves AVX-512F; `s` has eight writable f64s (checked by the slicing)
        // and the store is unaligned.
        unsafe { std::arch::x86_64::_mm512_storeu_pd(s.as_mut_ptr(), v) }
    }
    intrinsic_op!(add(a, b) => _mm512_add_pd(a, b));
    intrinsic_op!(sub(a, b) => _mm512_sub_pd(a, b));
    intrinsic_op!(mul(a, b) => _mm512_mul_pd(a, b));
    intrinsic_op!(mul_add(a, b, c) => _mm512_fmadd_pd(a, b, c));
    // Ordered predicates, false for NaN, as the four-lane `relu` and `relu_gate`; the lanes
    // they clear become +0.
    intrinsic_op!(relu(v) => _mm512_maskz_mov_pd(
        _mm512_cmp_pd_mask::<_CMP_GT_OQ>(v, _mm512_setzero_pd()),
        v
    ));
    intrinsic_op!(relu_gate(g, output) => _mm512_mask_mov_pd(
        g,
        _mm512_cmp_pd_mask::<_CMP_GE_OQ>(_mm512_setzero_pd(), output),
        _mm512_setzero_pd()
    ));
    #[inline(always)]
    fn by_fours(self, v: Self::V, f: impl Fn(F64x4<Avx2>) -> F64x4<Avx2>) -> Self::V {
        use std::arch::x86_64::*;
        let four = self.four();
        // SAFETY: `self` proves AVX-512F; the intrinsics touch no memory.
        let (low, high) = unsafe { (_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd::<1>(v)) };
        let low = f(F64x4::from_raw(four, low)).raw();
        let high = f(F64x4::from_raw(four, high)).raw();
        // SAFETY: as above.
        unsafe { _mm512_insertf64x4::<1>(_mm512_castpd256_pd512(low), high) }
    }
    #[inline(always)]
    fn reduce_fours(self, v: Self::V) -> [f64; 2] {
        let mut l = [0.0; 8];
        self.store(v, &mut l);
        [(l[0] + l[1]) + (l[2] + l[3]), (l[4] + l[5]) + (l[6] + l[7])]
    }
}

/// Defines `pub(crate) fn $name(isa, args…)` that runs `$body`, generic over the back end
/// `$simd` (a four-lane [`Simd`] or a [`RowLanes`] of any width), compiled for the chosen `isa`.
macro_rules! dispatch {
    // On an AVX-512 CPU, four-lane bodies run their AVX2 build: compiled with AVX-512 enabled,
    // the loss kernels came out slower (see bench/results/kernel-notes.md). Only the products,
    // whose rows fill eight lanes, get an AVX-512 build.
    (@avx512 Simd, ($($arg:ident: $ty:ty),*) [$($ret:tt)*]) => { avx2($($arg),*) };
    (@avx512 RowLanes, ($($arg:ident: $ty:ty),*) [$($ret:tt)*]) => {{
        #[target_feature(enable = "avx2,fma,avx512f")]
        fn avx512($($arg: $ty),*) $($ret)* {
            body(Avx512(()), $($arg),*)
        }
        avx512($($arg),*)
    }};
    ($(
        $(#[$doc:meta])*
        fn $name:ident<$simd:ident: $bound:ident>($($arg:ident: $ty:ty),* $(,)?)
            $(-> $ret:ty)? $body:block
    )*) => {$(
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name(isa: Isa, $($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body<S: $bound>($simd: S, $($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                body(Avx2(()), $($arg),*)
            }

            match isa.0 {
                Kind::Baseline => body(Portable, $($arg),*),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: an `Isa` of `Kind::Avx2` only comes from `Isa::detect` (or
                // `Isa::available`, which lists the kinds up to its choice) after
                // `is_x86_feature_detected!` returned true for "avx2" and "fma" (a ceiling never
                // widens), or from narrowing an `Avx512` one, whose CPU passed those checks too;
                // so this CPU runs AVX2 and FMA code.
                Kind::Avx2 => unsafe { avx2($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: an `Isa` of `Kind::Avx512` only comes from `Isa::detect` (or
                // `Isa::available`) after `is_x86_feature_detected!` returned true for "avx2",
                // "fma" and "avx512f", so this CPU runs AVX2, FMA and AVX-512F code.
                Kind::Avx512 => unsafe {
                    dispatch!(@avx512 $bound, ($($arg: $ty),*) [$(-> $ret)?])
                },
            }
        }
    )*};
}

dispatch! {
    /// `out = finish(a · w)`, `a` `n × inner`, `w` `inner × m`.
    fn product_by_column<simd: RowLanes>(out: &mut [f64], p: Product<'_, ByColumn<'_>>) {
        blocked::product(simd, out, p)
    }

    /// `out = finish(a · wᵀ)`, `a` `n × inner`, `w` `m × inner`.
    fn product_by_row<simd: RowLanes>(out: &mut [f64], p: Product<'_, ByRow<'_>>) {
        blocked::product(simd, out, p)
    }

    /// `out = aᵀ · b`.
    fn product_transpose_a<simd: RowLanes>(
        out: &mut [f64],
        a: &[f64],
        b: &[f64],
        shape: (usize, usize, usize),
    ) {
        blocked::product_transpose_a(simd, out, a, b, shape)
    }

    /// `out[j] = Σ_i b[i, j]`, `b` `n × out.len()`.
    fn column_sums<simd: Simd>(out: &mut [f64], b: &[f64], n: usize) {
        blocked::column_sums(simd, out, b, n)
    }

    /// In place, `column = activation(column + bias)`.
    fn bias_then_activate<simd: Simd>(column: &mut [f64], bias: f64, activation: Activation) {
        blocked::bias_then_activate(simd, column, bias, activation)
    }

    /// `Σ bce(z, y)` and optionally the scaled gradient.
    fn bce_sum_and_gradient<simd: Simd>(
        logits: &[f64],
        labels: &[f64],
        gradient: Option<(&mut [f64], f64)>,
    ) -> f64 {
        vmath::bce_sum_and_gradient(simd, logits, labels, gradient)
    }

    /// The scaled gradient of the BCE.
    fn bce_gradient<simd: Simd>(gradient: &mut [f64], logits: &[f64], labels: &[f64], scale: f64) {
        vmath::bce_gradient(simd, gradient, logits, labels, scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ceiling_only_ever_narrows_the_instruction_set() {
        #[cfg(target_arch = "x86_64")]
        assert!(Kind::Baseline < Kind::Avx2 && Kind::Avx2 < Kind::Avx512);
        let widest = Kind::widest();
        for name in crate::kernels::INSTRUCTION_SET_NAMES {
            let ceiling = Kind::from_name(name);
            let chosen = widest.capped(ceiling);
            assert!(chosen <= widest, "{name} widened {widest:?}");
            if let Some(c) = ceiling {
                assert!(chosen <= c, "{name} left {chosen:?}");
                assert_eq!(chosen, if c < widest { c } else { widest });
            }
        }
        assert_eq!(widest.capped(Kind::from_name("avx3")), widest);
        assert_eq!(
            widest.capped(Kind::from_name("AVX2")),
            widest,
            "names are lower case"
        );
        assert_eq!(widest.capped(None), widest);
        assert_eq!(widest.capped(Some(Kind::Baseline)), Kind::Baseline);
    }

    #[test]
    fn every_kind_is_named_as_the_variable_spells_it() {
        for isa in Isa::available() {
            let name = isa.name();
            assert!(crate::kernels::INSTRUCTION_SET_NAMES.contains(&name));
            assert_eq!(Kind::from_name(name), Some(isa.0));
        }
    }
}
