//! `F64x4<S>`: four f64 lanes, computed by a [`Simd`] back end.
//!
//! The kernels are written once against this type. [`Portable`] implements each operation as a
//! plain per-lane loop; the AVX2 back end in [`super::isa`] maps each to one 256-bit
//! instruction. Every operation is a correctly rounded IEEE operation (the fused multiply-add
//! included: `a·b + c` rounded once, in both), a comparison or a bit manipulation with the
//! same per-lane meaning in both, so both back ends give bit-identical results.

/// The operations of a four-lane f64 vector. `Self` is a zero-sized token: holding one proves
/// the CPU can run the back end.
pub(crate) trait Simd: Copy {
    /// Four f64 lanes (or four u64 bit patterns, for the bit operations).
    type V: Copy;
    fn splat(self, x: f64) -> Self::V;
    fn pack(self, x: [f64; 4]) -> Self::V;
    fn to_array(self, v: Self::V) -> [f64; 4];
    /// The first four elements of `s`; panics if there are fewer.
    fn load(self, s: &[f64]) -> Self::V;
    /// Writes the first four elements of `s`; panics if there are fewer.
    fn store(self, v: Self::V, s: &mut [f64]);
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    fn div(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a · b + c` rounded once (a fused multiply-add).
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// All-ones lanes where `a < b` (false for NaN), else zeros.
    fn lt(self, a: Self::V, b: Self::V) -> Self::V;
    /// All-ones lanes where `a > b` (false for NaN), else zeros.
    fn gt(self, a: Self::V, b: Self::V) -> Self::V;
    /// All-ones lanes where `a >= b` (false for NaN), else zeros.
    fn ge(self, a: Self::V, b: Self::V) -> Self::V;
    /// All-ones lanes where `a == b` (false for NaN), else zeros.
    fn eq(self, a: Self::V, b: Self::V) -> Self::V;
    fn and(self, a: Self::V, b: Self::V) -> Self::V;
    /// `!a & b`, bitwise.
    fn and_not(self, a: Self::V, b: Self::V) -> Self::V;
    fn or(self, a: Self::V, b: Self::V) -> Self::V;
    fn xor(self, a: Self::V, b: Self::V) -> Self::V;
    /// Per lane, `yes` where `mask` is all ones, `no` where it is all zeros (a mask from a
    /// comparison is always one or the other).
    fn blend(self, mask: Self::V, yes: Self::V, no: Self::V) -> Self::V;
    /// Lane-wise wrapping `a − b` of the bit patterns as u64.
    fn int_sub(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise wrapping `a + b` of the bit patterns as u64.
    fn int_add(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane-wise `a << 52` of the bit patterns as u64.
    fn shl52(self, a: Self::V) -> Self::V;
}

/// The back end every CPU runs: per-lane loops, vectorised as far as the compiler sees fit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Portable;

#[inline(always)]
fn lanes(f: impl Fn(usize) -> f64) -> [f64; 4] {
    [f(0), f(1), f(2), f(3)]
}

#[inline(always)]
fn mask(condition: bool) -> f64 {
    f64::from_bits((condition as u64).wrapping_neg())
}

#[inline(always)]
fn bits(a: [f64; 4], b: [f64; 4], f: impl Fn(u64, u64) -> u64) -> [f64; 4] {
    lanes(|l| f64::from_bits(f(a[l].to_bits(), b[l].to_bits())))
}

impl Simd for Portable {
    type V = [f64; 4];
    #[inline(always)]
    fn splat(self, x: f64) -> [f64; 4] {
        [x; 4]
    }
    #[inline(always)]
    fn pack(self, x: [f64; 4]) -> [f64; 4] {
        x
    }
    #[inline(always)]
    fn to_array(self, v: [f64; 4]) -> [f64; 4] {
        v
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> [f64; 4] {
        *<&[f64; 4]>::try_from(&s[..4]).expect("four lanes")
    }
    #[inline(always)]
    fn store(self, v: [f64; 4], s: &mut [f64]) {
        s[..4].copy_from_slice(&v);
    }
    #[inline(always)]
    fn add(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| a[l] + b[l])
    }
    #[inline(always)]
    fn sub(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| a[l] - b[l])
    }
    #[inline(always)]
    fn mul(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| a[l] * b[l])
    }
    #[inline(always)]
    fn div(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| a[l] / b[l])
    }
    #[inline(always)]
    fn mul_add(self, a: [f64; 4], b: [f64; 4], c: [f64; 4]) -> [f64; 4] {
        lanes(|l| a[l].mul_add(b[l], c[l]))
    }
    #[inline(always)]
    fn lt(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| mask(a[l] < b[l]))
    }
    #[inline(always)]
    fn gt(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| mask(a[l] > b[l]))
    }
    #[inline(always)]
    fn ge(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| mask(a[l] >= b[l]))
    }
    #[inline(always)]
    fn eq(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        lanes(|l| mask(a[l] == b[l]))
    }
    #[inline(always)]
    fn and(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, |a, b| a & b)
    }
    #[inline(always)]
    fn and_not(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, |a, b| !a & b)
    }
    #[inline(always)]
    fn or(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, |a, b| a | b)
    }
    #[inline(always)]
    fn xor(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, |a, b| a ^ b)
    }
    #[inline(always)]
    fn blend(self, mask: [f64; 4], yes: [f64; 4], no: [f64; 4]) -> [f64; 4] {
        self.or(self.and(mask, yes), self.and_not(mask, no))
    }
    #[inline(always)]
    fn int_sub(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, u64::wrapping_sub)
    }
    #[inline(always)]
    fn int_add(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        bits(a, b, u64::wrapping_add)
    }
    #[inline(always)]
    fn shl52(self, a: [f64; 4]) -> [f64; 4] {
        bits(a, a, |a, _| a << 52)
    }
}

/// Four f64 lanes computed by the back end `S`.
#[derive(Clone, Copy)]
pub(crate) struct F64x4<S: Simd> {
    s: S,
    v: S::V,
}

/// A per-lane condition (all-ones or all-zeros bits), from the comparisons of [`F64x4`].
#[derive(Clone, Copy)]
pub(crate) struct Mask<S: Simd>(F64x4<S>);

impl<S: Simd> Mask<S> {
    /// Per lane, `yes` where the condition holds, else `no`: both are computed, no branch.
    #[inline(always)]
    pub(crate) fn select(self, yes: F64x4<S>, no: F64x4<S>) -> F64x4<S> {
        let s = yes.s;
        F64x4 {
            s,
            v: s.blend(self.0.v, yes.v, no.v),
        }
    }
}

impl<S: Simd> F64x4<S> {
    #[inline(always)]
    fn with(self, v: S::V) -> Self {
        F64x4 { s: self.s, v }
    }
    /// The back-end token.
    #[inline(always)]
    pub(crate) fn token(self) -> S {
        self.s
    }
    #[inline(always)]
    pub(crate) fn splat(s: S, x: f64) -> Self {
        F64x4 { s, v: s.splat(x) }
    }
    #[inline(always)]
    pub(crate) fn zero(s: S) -> Self {
        F64x4::splat(s, 0.0)
    }
    /// The first four elements of `x`. # Panics: if there are fewer.
    #[inline(always)]
    pub(crate) fn load(s: S, x: &[f64]) -> Self {
        F64x4 { s, v: s.load(x) }
    }
    /// Up to four elements of `x`, the missing lanes set to `fill`.
    #[inline(always)]
    pub(crate) fn load_partial(s: S, x: &[f64], fill: f64) -> Self {
        let mut v = [fill; 4];
        for (lane, &x) in v.iter_mut().zip(x) {
            *lane = x;
        }
        F64x4 { s, v: s.pack(v) }
    }
    /// Writes the first four elements of `x`. # Panics: if there are fewer.
    #[inline(always)]
    pub(crate) fn store(self, x: &mut [f64]) {
        self.s.store(self.v, x);
    }
    #[inline(always)]
    pub(crate) fn to_array(self) -> [f64; 4] {
        self.s.to_array(self.v)
    }
    #[inline(always)]
    pub(crate) fn add(self, o: Self) -> Self {
        self.with(self.s.add(self.v, o.v))
    }
    #[inline(always)]
    pub(crate) fn sub(self, o: Self) -> Self {
        self.with(self.s.sub(self.v, o.v))
    }
    #[inline(always)]
    pub(crate) fn mul(self, o: Self) -> Self {
        self.with(self.s.mul(self.v, o.v))
    }
    #[inline(always)]
    pub(crate) fn div(self, o: Self) -> Self {
        self.with(self.s.div(self.v, o.v))
    }
    /// `self · b + c`, rounded once.
    #[inline(always)]
    pub(crate) fn mul_add(self, b: Self, c: Self) -> Self {
        self.with(self.s.mul_add(self.v, b.v, c.v))
    }
    /// Applies `f` lane by lane (one lane at a time: for the rare transcendental activations).
    #[inline(always)]
    pub(crate) fn map(self, f: impl Fn(f64) -> f64) -> Self {
        let a = self.to_array();
        self.with(self.s.pack([f(a[0]), f(a[1]), f(a[2]), f(a[3])]))
    }
    /// `−x`: the sign bit flipped (exact, like unary minus).
    #[inline(always)]
    pub(crate) fn neg(self) -> Self {
        self.with(self.s.xor(self.s.splat(-0.0), self.v))
    }
    /// `|x|`: the sign bit cleared.
    #[inline(always)]
    pub(crate) fn abs(self) -> Self {
        self.with(self.s.and_not(self.s.splat(-0.0), self.v))
    }
    /// `|self|` with the sign of `z` (`self` must have its sign bit clear).
    #[inline(always)]
    pub(crate) fn with_sign_of(self, z: Self) -> Self {
        let sign = self.s.splat(-0.0);
        self.with(self.s.or(self.v, self.s.and(sign, z.v)))
    }
    /// `−|x|`: the sign bit set.
    #[inline(always)]
    pub(crate) fn neg_abs(self) -> Self {
        self.with(self.s.or(self.s.splat(-0.0), self.v))
    }
    /// `x` where `x > 0`, else `+0` (so NaN gives 0, like `max(x, 0)`).
    #[inline(always)]
    pub(crate) fn relu(self) -> Self {
        let positive = self.s.gt(self.v, self.s.splat(0.0));
        self.with(self.s.and(positive, self.v))
    }
    #[inline(always)]
    pub(crate) fn lt(self, o: Self) -> Mask<S> {
        Mask(self.with(self.s.lt(self.v, o.v)))
    }
    #[inline(always)]
    pub(crate) fn ge(self, o: Self) -> Mask<S> {
        Mask(self.with(self.s.ge(self.v, o.v)))
    }
    #[inline(always)]
    pub(crate) fn eq(self, o: Self) -> Mask<S> {
        Mask(self.with(self.s.eq(self.v, o.v)))
    }
    /// Wrapping u64 subtraction of the bit patterns.
    #[inline(always)]
    pub(crate) fn int_sub(self, o: Self) -> Self {
        self.with(self.s.int_sub(self.v, o.v))
    }
    /// Wrapping u64 addition of the bit patterns.
    #[inline(always)]
    pub(crate) fn int_add(self, o: Self) -> Self {
        self.with(self.s.int_add(self.v, o.v))
    }
    /// The bit patterns shifted left by 52 (into the exponent field).
    #[inline(always)]
    pub(crate) fn shl52(self) -> Self {
        self.with(self.s.shl52(self.v))
    }
    /// `(l0 + l1) + (l2 + l3)`: the fixed reduction order of [`super::dot`].
    #[inline(always)]
    pub(crate) fn reduce(self) -> f64 {
        let l = self.to_array();
        (l[0] + l[1]) + (l[2] + l[3])
    }
}

/// The vector a product block runs down the rows with: four lanes ([`F64x4`] of any [`Simd`]
/// back end) or eight (the AVX-512 back end in [`super::isa`]). Only what the products need.
/// Each operation is the same per-lane IEEE operation as [`F64x4`]'s, and every lane is its own
/// entry of the output (or, in the weight gradient, its own four-lane group), so the width
/// changes which entries are computed together, never the bits of any.
pub(crate) trait RowLanes: Copy {
    /// Lanes per vector: a multiple of four.
    const LANES: usize;
    type V: Copy;
    /// The four-lane back end of the same CPU: for the rows a wide vector leaves over, and for
    /// the functions written for four lanes (sigmoid, tanh).
    type Four: Simd;
    fn four(self) -> Self::Four;
    fn splat(self, x: f64) -> Self::V;
    /// The first `LANES` elements of `s`; panics if there are fewer.
    fn load(self, s: &[f64]) -> Self::V;
    /// Four lanes from each of `LANES / 4` slices, in order (the first four elements of each).
    fn load_fours(self, parts: &[&[f64]]) -> Self::V;
    /// The first four elements of `s` in every group of four lanes.
    fn load_repeated(self, s: &[f64]) -> Self::V;
    /// Writes the first `LANES` elements of `s`; panics if there are fewer.
    fn store(self, v: Self::V, s: &mut [f64]);
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a · b + c` rounded once.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// As [`F64x4::relu`]: `x` where `x > 0`, else `+0`.
    fn relu(self, v: Self::V) -> Self::V;
    /// `+0` where `output <= 0`, else `g` (NaN output keeps `g`): ReLU's derivative times `g`,
    /// as [`super::blocked::times_derivative`].
    fn relu_gate(self, g: Self::V, output: Self::V) -> Self::V;
    /// `f` applied to each group of four lanes.
    fn by_fours(self, v: Self::V, f: impl Fn(F64x4<Self::Four>) -> F64x4<Self::Four>) -> Self::V;
    /// Each group of four lanes reduced as [`F64x4::reduce`], first group first; only the
    /// first `LANES / 4` entries are written.
    fn reduce_fours(self, v: Self::V) -> [f64; 2];
}

impl<S: Simd> RowLanes for S {
    const LANES: usize = 4;
    type V = F64x4<S>;
    type Four = S;
    #[inline(always)]
    fn four(self) -> S {
        self
    }
    #[inline(always)]
    fn splat(self, x: f64) -> F64x4<S> {
        F64x4::splat(self, x)
    }
    #[inline(always)]
    fn load(self, s: &[f64]) -> F64x4<S> {
        F64x4::load(self, s)
    }
    #[inline(always)]
    fn load_fours(self, parts: &[&[f64]]) -> F64x4<S> {
        F64x4::load(self, parts[0])
    }
    #[inline(always)]
    fn load_repeated(self, s: &[f64]) -> F64x4<S> {
        F64x4::load(self, s)
    }
    #[inline(always)]
    fn store(self, v: F64x4<S>, s: &mut [f64]) {
        v.store(s);
    }
    #[inline(always)]
    fn add(self, a: F64x4<S>, b: F64x4<S>) -> F64x4<S> {
        a.add(b)
    }
    #[inline(always)]
    fn sub(self, a: F64x4<S>, b: F64x4<S>) -> F64x4<S> {
        a.sub(b)
    }
    #[inline(always)]
    fn mul(self, a: F64x4<S>, b: F64x4<S>) -> F64x4<S> {
        a.mul(b)
    }
    #[inline(always)]
    fn mul_add(self, a: F64x4<S>, b: F64x4<S>, c: F64x4<S>) -> F64x4<S> {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn relu(self, v: F64x4<S>) -> F64x4<S> {
        v.relu()
    }
    #[inline(always)]
    fn relu_gate(self, g: F64x4<S>, output: F64x4<S>) -> F64x4<S> {
        let zero = F64x4::zero(self);
        zero.ge(output).select(zero, g)
    }
    #[inline(always)]
    fn by_fours(self, v: F64x4<S>, f: impl Fn(F64x4<S>) -> F64x4<S>) -> F64x4<S> {
        f(v)
    }
    #[inline(always)]
    fn reduce_fours(self, v: F64x4<S>) -> [f64; 2] {
        [v.reduce(), 0.0]
    }
}

impl<S: Simd> F64x4<S> {
    /// The back end's raw vector.
    #[inline(always)]
    pub(crate) fn raw(self) -> S::V {
        self.v
    }
    /// A raw vector of the back end `s`.
    #[inline(always)]
    pub(crate) fn from_raw(s: S, v: S::V) -> Self {
        F64x4 { s, v }
    }
}
