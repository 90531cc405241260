//! Register-blocked bodies of the product kernels, written once against [`RowLanes`] and
//! compiled three times by [`super::isa`]: eight lanes for AVX-512, four for AVX2 + FMA and for
//! baseline x86-64. Everything here is `#[inline(always)]` so that it is compiled with the
//! features of the function it is inlined into.
//!
//! Two shapes cover the three products of backpropagation:
//!
//! - [`product`]: `out[i, j] = finish(Σ_q a[i, q] · coef(q, j))`, vectorised down the rows: a
//!   block of up to 12 rows (32 with eight lanes) × 4 columns of `out` stays in registers
//!   while `q` runs, so each loaded piece of `a` is used for four columns. Each entry is summed
//!   in the order `fma(a₁, c₁, fma(a₀, c₀, 0))…` (each term added by one fused multiply-add),
//!   the same in every lane and in the scalar tail rows, so the block shape changes no bit.
//!   `coef` is `W` ([`ByColumn`], forward) or `Wᵀ` ([`ByRow`], input gradient), and `finish`
//!   may fuse the bias and activation or the activation derivative.
//! - [`product_transpose_a`]: `out[p, j] = Σ_i a[i, p] · b[i, j]`, a block of up to 2 × 4
//!   entries (4 × 8 with eight lanes, two entries' four lanes to a vector) accumulated at once
//!   in the four-lane order of [`super::dot`].

use super::lanes::{F64x4, Portable, RowLanes, Simd};
use super::vmath;
use crate::Activation;

/// Where the right-hand coefficients `coef(q, j)` of [`product`] come from.
pub(crate) trait Coefficients: Copy {
    /// Whether this is the forward product's `W` (finished with bias and activation) rather
    /// than the input gradient's `Wᵀ` (finished with the activation derivative).
    const FORWARD: bool;
    /// The coefficients of columns `j0..j0 + NR`, set up once per block.
    type Block<const NR: usize>: CoefficientBlock<NR>;
    /// The coefficients of columns `j0..j0 + NR`, for `q < inner`.
    fn block<const NR: usize>(self, j0: usize, inner: usize) -> Self::Block<NR>;
    /// `coef(q, j)`.
    fn at(self, q: usize, j: usize) -> f64;
}

/// A block of columns of coefficients, read one `q` at a time.
pub(crate) trait CoefficientBlock<const NR: usize> {
    /// `[coef(q, j0), …, coef(q, j0 + NR − 1)]`.
    fn row(&self, q: usize) -> [f64; NR];
}

/// `coef(q, j) = data[q + j · inner]`: a column-major `inner × m` matrix, as in `A · W`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByColumn<'a> {
    pub(crate) data: &'a [f64],
    pub(crate) inner: usize,
}

/// `NR` columns of a [`ByColumn`], each sliced to exactly `inner` entries once, so reading
/// `q < inner` needs no bounds check in the loop.
pub(crate) struct ColumnBlock<'a, const NR: usize>([&'a [f64]; NR]);

impl<'a> Coefficients for ByColumn<'a> {
    const FORWARD: bool = true;
    type Block<const NR: usize> = ColumnBlock<'a, NR>;
    #[inline(always)]
    fn block<const NR: usize>(self, j0: usize, inner: usize) -> ColumnBlock<'a, NR> {
        ColumnBlock(std::array::from_fn(|c| {
            &self.data[(j0 + c) * self.inner..][..inner]
        }))
    }
    #[inline(always)]
    fn at(self, q: usize, j: usize) -> f64 {
        self.data[q + j * self.inner]
    }
}

impl<const NR: usize> CoefficientBlock<NR> for ColumnBlock<'_, NR> {
    #[inline(always)]
    fn row(&self, q: usize) -> [f64; NR] {
        let mut row = [0.0; NR];
        for (c, coefficient) in row.iter_mut().enumerate() {
            *coefficient = self.0[c][q];
        }
        row
    }
}

/// `coef(q, j) = data[j + q · m]`: the transpose of a column-major `m × inner` matrix, as in
/// `∂Z · Wᵀ`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByRow<'a> {
    pub(crate) data: &'a [f64],
    pub(crate) m: usize,
}

/// `NR` consecutive entries of each row of a [`ByRow`].
pub(crate) struct RowBlock<'a> {
    data: &'a [f64],
    m: usize,
}

impl<'a> Coefficients for ByRow<'a> {
    const FORWARD: bool = false;
    type Block<const NR: usize> = RowBlock<'a>;
    #[inline(always)]
    fn block<const NR: usize>(self, j0: usize, _inner: usize) -> RowBlock<'a> {
        RowBlock {
            // Empty when `inner == 0`: then no row is ever read.
            data: self.data.get(j0..).unwrap_or(&[]),
            m: self.m,
        }
    }
    #[inline(always)]
    fn at(self, q: usize, j: usize) -> f64 {
        self.data[j + q * self.m]
    }
}

impl<const NR: usize> CoefficientBlock<NR> for RowBlock<'_> {
    #[inline(always)]
    fn row(&self, q: usize) -> [f64; NR] {
        *<&[f64; NR]>::try_from(&self.data[q * self.m..][..NR]).expect("NR coefficients")
    }
}

/// What is done to an accumulated entry of [`product`] before it is stored.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Finish<'a> {
    /// Store the sum.
    Plain,
    /// `activation(sum + bias[j])`, as in [`super::add_bias_and_activate`].
    BiasActivate {
        bias: &'a [f64],
        activation: Activation,
    },
    /// `sum · activation'` from the stored output, as in
    /// [`super::multiply_by_activation_derivative`]; `output` is `n × m` column-major.
    TimesDerivative {
        output: &'a [f64],
        activation: Activation,
    },
}

/// A [`Finish`] resolved to one concrete rule before the loops start, so every block's
/// epilogue is straight-line code for that rule (a `match` per stored vector kept the block's
/// sums out of registers).
pub(crate) trait Rule: Copy {
    /// One entry: the scalar rule every lane of [`Rule::lanes`] follows exactly.
    fn scalar(self, sum: f64, i: usize, j: usize, n: usize) -> f64;
    /// `W::LANES` entries, rows `i..i + W::LANES` of column `j`.
    fn lanes<W: RowLanes>(self, w: W, sum: W::V, i: usize, j: usize, n: usize) -> W::V;
}

/// Store the sum.
#[derive(Clone, Copy)]
struct Plain;

/// `sum + bias[j]`, then the identity (`RELU == false`) or ReLU: the common cases, resolved
/// at compile time.
#[derive(Clone, Copy)]
struct BiasThen<'a, const RELU: bool>(&'a [f64]);

/// `activation(sum + bias[j])` for sigmoid and tanh, four lanes at once by
/// [`super::vmath`] (the function itself dominates, so the activation is matched at run time).
#[derive(Clone, Copy)]
struct BiasThenSmooth<'a>(&'a [f64], Activation);

/// `sum · relu'` from the stored output (`n × m` column-major).
#[derive(Clone, Copy)]
struct TimesReluDerivative<'a>(&'a [f64]);

/// `sum · activation'` from the stored output for the identity, sigmoid or tanh: a product
/// with a polynomial of the output.
#[derive(Clone, Copy)]
struct TimesPolynomialDerivative<'a>(&'a [f64], Activation);

impl Rule for Plain {
    #[inline(always)]
    fn scalar(self, sum: f64, _: usize, _: usize, _: usize) -> f64 {
        sum
    }
    #[inline(always)]
    fn lanes<W: RowLanes>(self, _: W, sum: W::V, _: usize, _: usize, _: usize) -> W::V {
        sum
    }
}

impl<const RELU: bool> Rule for BiasThen<'_, RELU> {
    #[inline(always)]
    fn scalar(self, sum: f64, _: usize, j: usize, _: usize) -> f64 {
        let z = sum + self.0[j];
        if RELU {
            activate(Activation::Relu, z)
        } else {
            z
        }
    }
    #[inline(always)]
    fn lanes<W: RowLanes>(self, w: W, sum: W::V, _: usize, j: usize, _: usize) -> W::V {
        let z = w.add(sum, w.splat(self.0[j]));
        if RELU { w.relu(z) } else { z }
    }
}

impl Rule for BiasThenSmooth<'_> {
    #[inline(always)]
    fn scalar(self, sum: f64, _: usize, j: usize, _: usize) -> f64 {
        activate(self.1, sum + self.0[j])
    }
    #[inline(always)]
    fn lanes<W: RowLanes>(self, w: W, sum: W::V, _: usize, j: usize, _: usize) -> W::V {
        let z = w.add(sum, w.splat(self.0[j]));
        w.by_fours(
            z,
            // A closure compiled apart from its caller loses the caller's instruction set, and
            // every intrinsic in it becomes a function call: it must be inlined.
            #[inline(always)]
            |z| match self.1 {
                Activation::Sigmoid => vmath::sigmoid(z),
                Activation::Tanh => vmath::tanh(z),
                other => z.map(|z| activate(other, z)),
            },
        )
    }
}

impl Rule for TimesReluDerivative<'_> {
    #[inline(always)]
    fn scalar(self, sum: f64, i: usize, j: usize, n: usize) -> f64 {
        times_derivative(Activation::Relu, sum, self.0[i + j * n])
    }
    #[inline(always)]
    fn lanes<W: RowLanes>(self, w: W, sum: W::V, i: usize, j: usize, n: usize) -> W::V {
        w.relu_gate(sum, w.load(&self.0[i + j * n..]))
    }
}

impl Rule for TimesPolynomialDerivative<'_> {
    #[inline(always)]
    fn scalar(self, sum: f64, i: usize, j: usize, n: usize) -> f64 {
        times_derivative(self.1, sum, self.0[i + j * n])
    }
    #[inline(always)]
    fn lanes<W: RowLanes>(self, w: W, sum: W::V, i: usize, j: usize, n: usize) -> W::V {
        let a = w.load(&self.0[i + j * n..]);
        let one = w.splat(1.0);
        // The same operations, in the same order, as `times_derivative`.
        match self.1 {
            Activation::Sigmoid => w.mul(sum, w.mul(a, w.sub(one, a))),
            Activation::Tanh => w.mul(sum, w.sub(one, w.mul(a, a))),
            Activation::Identity | Activation::Relu => sum,
        }
    }
}

/// `activation(z)`: the rule of [`Activation::apply`] and of every kernel. Sigmoid and tanh are
/// [`super::vmath`]'s four-lane functions run on one lane of the portable back end, so a
/// scalar tail gets the same bits as the vector lanes.
#[inline(always)]
pub(crate) fn activate(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Identity => z,
        // `max(z, 0)`, spelled so that −0 and NaN give +0 in every lane of every back end.
        Activation::Relu => {
            if z > 0.0 {
                z
            } else {
                0.0
            }
        }
        Activation::Sigmoid => vmath::sigmoid(F64x4::splat(Portable, z)).to_array()[0],
        Activation::Tanh => vmath::tanh(F64x4::splat(Portable, z)).to_array()[0],
    }
}

/// In place, `column[i] = activation(column[i] + bias)`, four rows at a time: each lane does
/// what [`activate`] does for one entry, so the bits are those of the scalar rule.
#[inline(always)]
pub(crate) fn bias_then_activate<S: Simd>(
    s: S,
    column: &mut [f64],
    bias: f64,
    activation: Activation,
) {
    let b = F64x4::splat(s, bias);
    let mut fours = column.chunks_exact_mut(4);
    // One loop per activation, so no lane calls through a closure or matches per chunk.
    match activation {
        Activation::Sigmoid => {
            for c in &mut fours {
                vmath::sigmoid(F64x4::load(s, c).add(b)).store(c);
            }
        }
        Activation::Tanh => {
            for c in &mut fours {
                vmath::tanh(F64x4::load(s, c).add(b)).store(c);
            }
        }
        Activation::Relu => {
            for c in &mut fours {
                F64x4::load(s, c).add(b).relu().store(c);
            }
        }
        Activation::Identity => {
            for c in &mut fours {
                F64x4::load(s, c).add(b).store(c);
            }
        }
    }
    for v in fours.into_remainder() {
        *v = activate(activation, *v + bias);
    }
}

/// `g · activation'` from the output `a`, written exactly as
/// [`super::multiply_by_activation_derivative`] computes it.
#[inline(always)]
pub(crate) fn times_derivative(activation: Activation, g: f64, a: f64) -> f64 {
    match activation {
        Activation::Identity => g,
        Activation::Relu => {
            if a <= 0.0 {
                0.0
            } else {
                g
            }
        }
        Activation::Sigmoid => g * (a * (1.0 - a)),
        Activation::Tanh => g * (1.0 - a * a),
    }
}

/// The operands of [`product`]: `a` is `n × inner` column-major, `out` is `n × m`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Product<'a, B> {
    pub(crate) a: &'a [f64],
    pub(crate) n: usize,
    pub(crate) inner: usize,
    pub(crate) m: usize,
    pub(crate) coef: B,
    pub(crate) finish: Finish<'a>,
}

/// `out[i, j] = finish(Σ_q a[i, q] · coef(q, j))`; see the module documentation.
///
/// # Panics
/// If the finish does not belong to the product: the bias and activation finish the forward
/// product ([`ByColumn`]), the activation derivative the input gradient ([`ByRow`]). Keeping
/// each to its own product halves the code compiled (every rule is a copy of every block).
#[inline(always)]
pub(crate) fn product<W: RowLanes, B: Coefficients>(w: W, out: &mut [f64], p: Product<'_, B>) {
    assert_eq!(out.len(), p.n * p.m, "product: output length");
    assert_eq!(p.a.len(), p.n * p.inner, "product: input length");
    match (p.finish, B::FORWARD) {
        (Finish::Plain, _) => product_with(w, out, p, Plain),
        (Finish::BiasActivate { bias, activation }, true) => {
            assert_eq!(bias.len(), p.m, "product: bias length");
            match activation {
                Activation::Identity => product_with(w, out, p, BiasThen::<false>(bias)),
                Activation::Relu => product_with(w, out, p, BiasThen::<true>(bias)),
                _ => product_with(w, out, p, BiasThenSmooth(bias, activation)),
            }
        }
        (Finish::TimesDerivative { output, activation }, false) => {
            assert_eq!(output.len(), p.n * p.m, "product: activations length");
            match activation {
                Activation::Relu => product_with(w, out, p, TimesReluDerivative(output)),
                _ => product_with(w, out, p, TimesPolynomialDerivative(output, activation)),
            }
        }
        _ => panic!("product: this finish does not belong to this product"),
    }
}

#[inline(always)]
fn product_with<W: RowLanes, B: Coefficients, R: Rule>(
    w: W,
    out: &mut [f64],
    p: Product<'_, B>,
    rule: R,
) {
    // Narrow outputs get taller row blocks, so a block still holds six or more independent
    // sums (each fused multiply-add waits for the previous one in its chain). Every shape keeps
    // its sums, its pieces of `a` and its coefficients within the sixteen AVX2 registers: one
    // more, and the compiler spills a sum to the stack, which puts a store and a load on every
    // step of that sum's chain. Wide outputs use 12 × 4 blocks on four lanes: 12 sums, 3 pieces
    // of `a` and one broadcast coefficient fill the sixteen exactly, and per `q` the block does
    // 12 fused multiply-adds for 7 loads. On eight lanes (32 registers) they use 32 × 4: 16
    // sums, 4 pieces of `a`.
    match p.m {
        0 => {}
        1 => column_group::<8, 1, W, B, R>(w, out, p, rule, 0..p.n, 0),
        2 => column_group::<3, 2, W, B, R>(w, out, p, rule, 0..p.n, 0),
        3 => column_group::<2, 3, W, B, R>(w, out, p, rule, 0..p.n, 0),
        _ => wide(w, out, p, rule),
    }
}

/// Rows are taken in chunks whose piece of `a` fits comfortably in the L1 cache (16 KiB), and
/// each chunk is swept one group of four columns at a time, so the chunk of `a` is reused
/// from L1 by every group and each group writes four sequential streams of `out`.
#[inline(always)]
fn wide<W: RowLanes, B: Coefficients, R: Rule>(w: W, out: &mut [f64], p: Product<'_, B>, rule: R) {
    if W::LANES > 4 {
        wide_with::<4, W, B, R>(w, out, p, rule);
    } else {
        wide_with::<3, W, B, R>(w, out, p, rule);
    }
}

#[inline(always)]
fn wide_with<const MV: usize, W: RowLanes, B: Coefficients, R: Rule>(
    w: W,
    out: &mut [f64],
    p: Product<'_, B>,
    rule: R,
) {
    const L1_BUDGET: usize = 16 * 1024 / std::mem::size_of::<f64>();
    // A whole number of row blocks (two at least), so only the last chunk has a tail.
    let block_rows = MV * W::LANES;
    let chunk = (L1_BUDGET / p.inner.max(1)).max(2 * block_rows) / block_rows * block_rows;
    let mut r0 = 0;
    while r0 < p.n {
        let rows = r0..(r0 + chunk).min(p.n);
        let mut j0 = 0;
        while j0 < p.m {
            match p.m - j0 {
                1 => column_group::<MV, 1, W, B, R>(w, out, p, rule, rows.clone(), j0),
                2 => column_group::<MV, 2, W, B, R>(w, out, p, rule, rows.clone(), j0),
                3 => column_group::<MV, 3, W, B, R>(w, out, p, rule, rows.clone(), j0),
                _ => column_group::<MV, 4, W, B, R>(w, out, p, rule, rows.clone(), j0),
            }
            j0 += 4;
        }
        r0 = rows.end;
    }
}

/// Columns `j0..j0 + NR` of `out` for `rows`, `LANES·MV` rows at a time, then `LANES`, then
/// 4, then one by one.
#[inline(always)]
fn column_group<const MV: usize, const NR: usize, W: RowLanes, B: Coefficients, R: Rule>(
    w: W,
    out: &mut [f64],
    p: Product<'_, B>,
    rule: R,
    rows: std::ops::Range<usize>,
    j0: usize,
) {
    let mut i0 = rows.start;
    while i0 + W::LANES * MV <= rows.end {
        block::<MV, NR, W, B, R>(w, out, p, rule, (i0, j0));
        i0 += W::LANES * MV;
    }
    while i0 + W::LANES <= rows.end {
        block::<1, NR, W, B, R>(w, out, p, rule, (i0, j0));
        i0 += W::LANES;
    }
    while i0 + 4 <= rows.end {
        block::<1, NR, W::Four, B, R>(w.four(), out, p, rule, (i0, j0));
        i0 += 4;
    }
    for i in i0..rows.end {
        for j in j0..j0 + NR {
            let mut sum = 0.0;
            for q in 0..p.inner {
                sum = p.a[i + q * p.n].mul_add(p.coef.at(q, j), sum);
            }
            out[i + j * p.n] = rule.scalar(sum, i, j, p.n);
        }
    }
}

/// Rows `i0..i0 + LANES·MV`, columns `j0..j0 + NR`, all in registers while `q` runs.
#[inline(always)]
fn block<const MV: usize, const NR: usize, W: RowLanes, B: Coefficients, R: Rule>(
    w: W,
    out: &mut [f64],
    p: Product<'_, B>,
    rule: R,
    (i0, j0): (usize, usize),
) {
    // Set up here, not once per column group: built in view of the loop, its slices are known
    // to hold `inner` entries, so reading them needs no bounds check.
    let coefficients = p.coef.block::<NR>(j0, p.inner);
    let mut acc = [[w.splat(0.0); MV]; NR];
    for q in 0..p.inner {
        let column = &p.a[q * p.n + i0..][..W::LANES * MV];
        let coef = coefficients.row(q);
        // Loops, not `std::array::from_fn`, in every hot loop here: its closure is not always
        // inlined, and compiled apart from this function it loses the instruction set, so
        // every intrinsic in it becomes a function call.
        let mut x = [w.splat(0.0); MV];
        for (v, x) in x.iter_mut().enumerate() {
            *x = w.load(&column[W::LANES * v..]);
        }
        for c in 0..NR {
            let b = w.splat(coef[c]);
            for v in 0..MV {
                acc[c][v] = w.mul_add(x[v], b, acc[c][v]);
            }
        }
    }
    for (c, sums) in acc.into_iter().enumerate() {
        let j = j0 + c;
        for (v, sum) in sums.into_iter().enumerate() {
            let i = i0 + W::LANES * v;
            w.store(rule.lanes(w, sum, i, j, p.n), &mut out[i + j * p.n..]);
        }
    }
}

/// `out[p, j] = Σ_i a[i, p] · b[i, j]` for `a` `n × k`, `b` `n × m`, `out` `k × m`, each entry
/// in the order of [`super::dot`].
#[inline(always)]
pub(crate) fn product_transpose_a<W: RowLanes>(
    w: W,
    out: &mut [f64],
    a: &[f64],
    b: &[f64],
    (n, k, m): (usize, usize, usize),
) {
    assert_eq!(a.len(), n * k, "product_transpose_a: a length");
    assert_eq!(b.len(), n * m, "product_transpose_a: b length");
    assert_eq!(out.len(), k * m, "product_transpose_a: output length");
    let mut j0 = 0;
    // With eight lanes, eight columns at a time: each step's two inserts (the shuffles that put
    // two rows' pieces of `a` in one vector) then serve 16 multiply-adds instead of 8, which
    // outweighs reloading the eight pointers into `b` (too many for the registers) every step.
    if W::LANES > 4 {
        while j0 + WIDE_COLUMNS <= m {
            transpose_a_wide_columns::<WIDE_COLUMNS, W>(w, out, (a, b), (n, k), j0);
            j0 += WIDE_COLUMNS;
        }
        let ab = (a, b);
        match m - j0 {
            0 => {}
            // One to three columns (the output layer's one): on four lanes, where each entry's
            // sum is its own vector and no shuffle pairs rows up. On eight lanes each step needs
            // an insert per two rows' multiply-adds, and the shuffles bound the speed.
            1..=3 => transpose_a_last_columns(w.four(), out, ab, (n, k, m), j0),
            // Four: one 2 × 4 block on eight lanes.
            4 => transpose_a_columns::<2, 2, 4, W>(w, out, a, b, n, k, j0),
            // Five to seven (a 6-wide layer): one block, one pass over the rows, rather than a
            // block of four and one of the rest.
            5 => transpose_a_wide_columns::<5, W>(w, out, ab, (n, k), j0),
            6 => transpose_a_wide_columns::<6, W>(w, out, ab, (n, k), j0),
            7 => transpose_a_wide_columns::<7, W>(w, out, ab, (n, k), j0),
            _ => unreachable!("fewer than eight columns remain"),
        }
        return;
    }
    transpose_a_last_columns(w, out, (a, b), (n, k, m), j0)
}

/// Columns `j0..m` of `out = aᵀ · b` in blocks of four, then the one to three left.
#[inline(always)]
fn transpose_a_last_columns<W: RowLanes>(
    w: W,
    out: &mut [f64],
    (a, b): (&[f64], &[f64]),
    (n, k, m): (usize, usize, usize),
    mut j0: usize,
) {
    // 2 × 4 blocks: 8 sums, 2 pieces of `a` and 4 of `b` per step, 14 of the 16 registers
    // (3 × 4 would need 19, and spill).
    while j0 + 4 <= m {
        transpose_a_columns::<2, 2, 4, W>(w, out, a, b, n, k, j0);
        j0 += 4;
    }
    match m - j0 {
        0 => {}
        1 => transpose_a_columns::<3, 6, 1, W>(w, out, a, b, n, k, j0),
        2 => transpose_a_columns::<2, 4, 2, W>(w, out, a, b, n, k, j0),
        3 => transpose_a_columns::<2, 3, 3, W>(w, out, a, b, n, k, j0),
        _ => unreachable!("fewer than four columns remain"),
    }
}

/// Columns per block of the weight gradient with vectors wider than four lanes.
const WIDE_COLUMNS: usize = 8;

/// Columns `j0..j0 + J` of `out` with vectors wider than four lanes: rows two vectors at a
/// time (`2 · LANES / 4` rows), then one vector, then a last row on four lanes.
#[inline(always)]
fn transpose_a_wide_columns<const J: usize, W: RowLanes>(
    w: W,
    out: &mut [f64],
    ab: (&[f64], &[f64]),
    (n, k): (usize, usize),
    j0: usize,
) {
    let rows = W::LANES / 4;
    let mut p0 = 0;
    while p0 + 2 * rows <= k {
        transpose_a_wide_block::<2, J, W>(w, out, ab, (n, k), (p0, j0));
        p0 += 2 * rows;
    }
    while p0 + rows <= k {
        transpose_a_wide_block::<1, J, W>(w, out, ab, (n, k), (p0, j0));
        p0 += rows;
    }
    while p0 < k {
        transpose_a_block::<1, J, W::Four>(w.four(), out, ab, (n, k), (p0, j0));
        p0 += 1;
    }
}

/// Columns `j0..j0 + J` of `out`: with vectors wider than four lanes, `PV` vectors of
/// `LANES / 4` rows of `out` each at a time first; then `P` rows at a time on four lanes.
#[inline(always)]
fn transpose_a_columns<const PV: usize, const P: usize, const J: usize, W: RowLanes>(
    w: W,
    out: &mut [f64],
    a: &[f64],
    b: &[f64],
    n: usize,
    k: usize,
    j0: usize,
) {
    let mut p0 = 0;
    if W::LANES > 4 {
        let rows = PV * (W::LANES / 4);
        while p0 + rows <= k {
            transpose_a_wide_block::<PV, J, W>(w, out, (a, b), (n, k), (p0, j0));
            p0 += rows;
        }
    }
    let s = w.four();
    while p0 + P <= k {
        transpose_a_block::<P, J, W::Four>(s, out, (a, b), (n, k), (p0, j0));
        p0 += P;
    }
    // The remaining rows in one block, not one by one: each block's sums are independent
    // chains, and a lone chain waits on its own additions.
    let ab = (a, b);
    match k - p0 {
        0 => {}
        1 => transpose_a_block::<1, J, W::Four>(s, out, ab, (n, k), (p0, j0)),
        2 if P > 2 => transpose_a_block::<2, J, W::Four>(s, out, ab, (n, k), (p0, j0)),
        3 if P > 3 => transpose_a_block::<3, J, W::Four>(s, out, ab, (n, k), (p0, j0)),
        4 if P > 4 => transpose_a_block::<4, J, W::Four>(s, out, ab, (n, k), (p0, j0)),
        5 if P > 5 => transpose_a_block::<5, J, W::Four>(s, out, ab, (n, k), (p0, j0)),
        _ => unreachable!("fewer than P rows remain"),
    }
}

/// Rows `p0..p0 + PV · LANES / 4` of `out`, columns `j0..j0 + J`: each group of four lanes of a
/// vector holds one row's four-lane sums of [`transpose_a_block`] (the same chains, in the same
/// order), so a wide vector computes `LANES / 4` rows' sums at once.
#[inline(always)]
fn transpose_a_wide_block<const PV: usize, const J: usize, W: RowLanes>(
    w: W,
    out: &mut [f64],
    (a, b): (&[f64], &[f64]),
    (n, k): (usize, usize),
    (p0, j0): (usize, usize),
) {
    let groups = W::LANES / 4;
    // Row `p0 + v · groups + t` of `out` for lane group `t` of vector `v` (at most two groups).
    let a_cols: [[&[f64]; 2]; PV] = std::array::from_fn(|v| {
        std::array::from_fn(|t| &a[(p0 + v * groups + t.min(groups - 1)) * n..][..n])
    });
    let b_cols: [&[f64]; J] = std::array::from_fn(|j| &b[(j0 + j) * n..][..n]);
    let n4 = n / 4 * 4;
    let mut acc = [[w.splat(0.0); J]; PV];
    let mut i = 0;
    while i < n4 {
        let mut x = [w.splat(0.0); PV];
        for (v, x) in x.iter_mut().enumerate() {
            *x = w.load_fours(&[&a_cols[v][0][i..], &a_cols[v][1][i..]]);
        }
        let mut y = [w.splat(0.0); J];
        for (j, y) in y.iter_mut().enumerate() {
            *y = w.load_repeated(&b_cols[j][i..]);
        }
        for v in 0..PV {
            for j in 0..J {
                acc[v][j] = w.mul_add(x[v], y[j], acc[v][j]);
            }
        }
        i += 4;
    }
    for (v, sums) in acc.iter().enumerate() {
        for (j, &lanes) in sums.iter().enumerate() {
            let fours = w.reduce_fours(lanes);
            for (t, &four) in fours.iter().enumerate().take(groups) {
                let a_col = a_cols[v][t];
                let mut sum = four;
                for r in n4..n {
                    sum = a_col[r].mul_add(b_cols[j][r], sum);
                }
                out[(p0 + v * groups + t) + (j0 + j) * k] = sum;
            }
        }
    }
}

#[inline(always)]
fn transpose_a_block<const P: usize, const J: usize, S: Simd>(
    s: S,
    out: &mut [f64],
    (a, b): (&[f64], &[f64]),
    (n, k): (usize, usize),
    (p0, j0): (usize, usize),
) {
    let a_cols: [&[f64]; P] = std::array::from_fn(|p| &a[(p0 + p) * n..][..n]);
    let b_cols: [&[f64]; J] = std::array::from_fn(|j| &b[(j0 + j) * n..][..n]);
    let n4 = n / 4 * 4;
    let mut acc = [[F64x4::zero(s); J]; P];
    let mut i = 0;
    while i < n4 {
        let mut x = [F64x4::zero(s); P];
        for (p, x) in x.iter_mut().enumerate() {
            *x = F64x4::load(s, &a_cols[p][i..]);
        }
        let mut y = [F64x4::zero(s); J];
        for (j, y) in y.iter_mut().enumerate() {
            *y = F64x4::load(s, &b_cols[j][i..]);
        }
        for p in 0..P {
            for j in 0..J {
                acc[p][j] = x[p].mul_add(y[j], acc[p][j]);
            }
        }
        i += 4;
    }
    for (p, sums) in acc.iter().enumerate() {
        for (j, lanes) in sums.iter().enumerate() {
            let mut sum = lanes.reduce();
            for t in n4..n {
                sum = a_cols[p][t].mul_add(b_cols[j][t], sum);
            }
            out[(p0 + p) + (j0 + j) * k] = sum;
        }
    }
}

/// `out[j] = Σ_i b[i, j]` for `b` `n × out.len()` column-major, each column in the order of
/// [`super::sum`] (four interleaved lanes, `(l0 + l1) + (l2 + l3)`, then the tail in order).
/// Eight columns at a time: one column's four-lane sum is a single chain of additions, each
/// waiting for the last, and eight side by side keep the adders busy.
#[inline(always)]
pub(crate) fn column_sums<S: Simd>(s: S, out: &mut [f64], b: &[f64], n: usize) {
    assert_eq!(b.len(), n * out.len(), "column_sums: input length");
    let m = out.len();
    let mut j0 = 0;
    while j0 + 8 <= m {
        column_sums_block::<8, S>(s, out, b, n, j0);
        j0 += 8;
    }
    // The rest in one block: a lone column's sum waits on its own additions, and the columns
    // of one block overlap theirs (six columns: one pass, not a block of four and two single
    // columns).
    match m - j0 {
        0 => {}
        1 => column_sums_block::<1, S>(s, out, b, n, j0),
        2 => column_sums_block::<2, S>(s, out, b, n, j0),
        3 => column_sums_block::<3, S>(s, out, b, n, j0),
        4 => column_sums_block::<4, S>(s, out, b, n, j0),
        5 => column_sums_block::<5, S>(s, out, b, n, j0),
        6 => column_sums_block::<6, S>(s, out, b, n, j0),
        7 => column_sums_block::<7, S>(s, out, b, n, j0),
        _ => unreachable!("fewer than eight columns remain"),
    }
}

#[inline(always)]
fn column_sums_block<const J: usize, S: Simd>(
    s: S,
    out: &mut [f64],
    b: &[f64],
    n: usize,
    j0: usize,
) {
    let columns: [&[f64]; J] = std::array::from_fn(|j| &b[(j0 + j) * n..][..n]);
    let n4 = n / 4 * 4;
    let mut acc = [F64x4::zero(s); J];
    let mut i = 0;
    while i < n4 {
        for j in 0..J {
            acc[j] = acc[j].add(F64x4::load(s, &columns[j][i..]));
        }
        i += 4;
    }
    for j in 0..J {
        let mut total = acc[j].reduce();
        for &v in &columns[j][n4..] {
            total += v;
        }
        out[j0 + j] = total;
    }
}
