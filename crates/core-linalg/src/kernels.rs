//! Allocation-free kernels over column-major matrices, written into caller-owned buffers.
//!
//! The three matrix products backpropagation needs are each written for nalgebra's column-major
//! layout so that no operand is ever transposed or copied:
//!
//! | kernel | computes | used for |
//! |---|---|---|
//! | [`matmul_into`] | `C = A·B` | forward pass `Z = A_prev·W` |
//! | [`matmul_transpose_a_into`] | `C = Aᵀ·B` | weight gradient `∂W = A_prevᵀ·∂Z` |
//! | [`matmul_transpose_b_into`] | `C = A·Bᵀ` | input gradient `∂A_prev = ∂Z·Wᵀ` |
//!
//! Two fused variants save a pass over memory each: [`matmul_add_bias_activate_into`] (forward
//! product, bias and activation) and [`matmul_transpose_b_times_derivative_into`] (input
//! gradient and activation derivative). [`mean_bce_with_logits_and_gradient_into`] computes the
//! loss and its gradient from one exponential per sample.
//!
//! Every sum is taken in one fixed order (documented per kernel), so results are bit-identical
//! on every run. The products are register-blocked (a block of the output stays in registers
//! while the inner dimension runs) and compiled three times, for AVX-512 (eight rows to a
//! vector), AVX2 + FMA and baseline x86-64, with the CPU checked at run time; every build
//! performs the same IEEE operations in the same order for each entry, so the bits do not
//! depend on the CPU either. Each term of a sum is added with a fused multiply-add (`a·b + s`
//! rounded once): one instruction on the AVX2 and AVX-512 paths, `f64::mul_add` on the
//! portable one, which is exact everywhere but slow on the rare x86-64 CPU without FMA. None
//! allocates.
//!
//! The tests hold them to that: every product and fused kernel is compared with nalgebra's
//! product within the rounding bound of its sum length, on every block edge and every
//! instruction set the machine has, and every instruction set's output with the others' to
//! the bit (`kernels/tests/`).
//!
//! nalgebra's own `gemm` hands large products to `matrixmultiply`, which allocates its packing
//! buffers on every call; a training loop that must not allocate per epoch cannot use it.

mod blocked;
pub(crate) use blocked::activate;
mod isa;
mod lanes;
mod vmath;

use blocked::{ByColumn, ByRow, Finish, Product};
use isa::Isa;

use crate::{Activation, Matrix, Vector};

/// The environment variable that caps the instruction set the kernels use, read once per
/// process: `baseline`, `avx2` or `avx512` (see [`INSTRUCTION_SET_NAMES`]). Unset or empty,
/// the kernels use the widest this CPU has. It can only narrow the choice, never widen it, and
/// since every build gives the same bits it changes speed alone: it exists so one machine can
/// time the path another machine would take (an AVX-512 machine timing the AVX2 path of an
/// AVX2 one), and so the tests can check what a narrower machine checks. A name not in the
/// list caps nothing; programs should check it with [`INSTRUCTION_SET_NAMES`] and report it,
/// as the `experiments` binary does.
pub const INSTRUCTION_SET_VARIABLE: &str = "BINCLASS_ISA";

/// The values [`INSTRUCTION_SET_VARIABLE`] accepts, narrowest first.
pub const INSTRUCTION_SET_NAMES: [&str; 3] = ["baseline", "avx2", "avx512"];

/// The instruction set the kernels run with in this process: `"baseline"`, `"avx2"` (AVX2 and
/// FMA) or `"avx512"`, the widest the CPU has unless [`INSTRUCTION_SET_VARIABLE`] capped it.
///
/// # Example
/// ```
/// let isa = core_linalg::kernels::instruction_set();
/// assert!(core_linalg::kernels::INSTRUCTION_SET_NAMES.contains(&isa));
/// ```
pub fn instruction_set() -> &'static str {
    Isa::detect().name()
}

/// The dot product of two equal-length slices, accumulated by fused multiply-adds in four
/// interleaved lanes (`lane k` sums elements `k, k+4, k+8, …`), combined as
/// `(l0 + l1) + (l2 + l3)`, then the remaining tail added in order. Fixed order, so
/// deterministic; interleaved, so vectorisable.
///
/// # Panics
/// If the lengths differ.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "dot: lengths differ");
    let mut lanes = [0.0f64; 4];
    let xc = x.chunks_exact(4);
    let yc = y.chunks_exact(4);
    let (x_tail, y_tail) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for k in 0..4 {
            lanes[k] = a[k].mul_add(b[k], lanes[k]);
        }
    }
    let mut sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (a, b) in x_tail.iter().zip(y_tail) {
        sum = a.mul_add(*b, sum);
    }
    sum
}

/// `out = a · b` for `a` of shape `n×k` and `b` of shape `k×m`.
///
/// Entry `(i, j)` is summed over `p` in order, each term added by one fused multiply-add:
/// `s ← a[i,p]·b[p,j] + s` rounded once, from `s = 0`.
///
/// # Panics
/// If the shapes do not agree (an internal bug in the caller).
///
/// # Example
/// ```
/// use core_linalg::{Matrix, kernels::matmul_into};
/// let a = Matrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let b = Matrix::from_row_slice(3, 1, &[1.0, 0.0, -1.0]);
/// let mut c = Matrix::zeros(2, 1);
/// matmul_into(&mut c, &a, &b);
/// assert_eq!(c.as_slice(), &[-2.0, -2.0]);
/// ```
pub fn matmul_into(out: &mut Matrix, a: &Matrix, b: &Matrix) {
    let (n, k) = a.shape();
    let m = b.ncols();
    assert_eq!(b.nrows(), k, "matmul_into: inner dimensions differ");
    assert_eq!(out.shape(), (n, m), "matmul_into: output shape");
    let product = forward(a, b, Finish::Plain);
    isa::product_by_column(
        Isa::detect().for_product(&product),
        out.as_mut_slice(),
        product,
    );
}

/// `out = activation(a · w + 1·biasᵀ)`: [`matmul_into`] fused with [`add_bias_and_activate`],
/// for `a` of shape `n×k`, `w` of shape `k×m` and `bias` of length `m`: the forward step of a
/// dense layer.
///
/// Entry `(i, j)` is `activation(s + bias[j])` with `s` summed as in [`matmul_into`], so the
/// result is bit-identical to calling the two kernels one after the other.
///
/// # Panics
/// If the shapes do not agree (an internal bug in the caller).
///
/// # Example
/// ```
/// use core_linalg::{Activation, Matrix, Vector, kernels::matmul_add_bias_activate_into};
/// let a = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let w = Matrix::from_row_slice(2, 1, &[1.0, -1.0]);
/// let mut z = Matrix::zeros(2, 1);
/// matmul_add_bias_activate_into(&mut z, &a, &w, &Vector::from_vec(vec![0.5]), Activation::Relu);
/// assert_eq!(z.as_slice(), &[0.0, 0.0]);
/// ```
pub fn matmul_add_bias_activate_into(
    out: &mut Matrix,
    a: &Matrix,
    w: &Matrix,
    bias: &Vector,
    activation: Activation,
) {
    let (n, k) = a.shape();
    let m = w.ncols();
    assert_eq!(
        w.nrows(),
        k,
        "matmul_add_bias_activate_into: inner dimensions differ"
    );
    assert_eq!(
        out.shape(),
        (n, m),
        "matmul_add_bias_activate_into: output shape"
    );
    assert_eq!(bias.len(), m, "matmul_add_bias_activate_into: bias length");
    let finish = Finish::BiasActivate {
        bias: bias.as_slice(),
        activation,
    };
    let product = forward(a, w, finish);
    isa::product_by_column(
        Isa::detect().for_product(&product),
        out.as_mut_slice(),
        product,
    );
}

/// `finish(a · w)` as the blocked kernels take it, for `a` of shape `n×k` and `w` of shape
/// `k×m` (shapes already checked).
fn forward<'a>(a: &'a Matrix, w: &'a Matrix, finish: Finish<'a>) -> Product<'a, ByColumn<'a>> {
    let (n, k) = a.shape();
    Product {
        a: a.as_slice(),
        n,
        inner: k,
        m: w.ncols(),
        coef: ByColumn {
            data: w.as_slice(),
            inner: k,
        },
        finish,
    }
}

/// `out = aᵀ · b` for `a` of shape `n×k` and `b` of shape `n×m`; `out` is `k×m`.
///
/// Entry `(p, j)` is [`dot`]`(a[:, p], b[:, j])`, with the same bits, so nothing is transposed
/// in memory; blocks of up to 2 × 4 entries are accumulated in one pass over the rows.
///
/// # Panics
/// If the shapes do not agree (an internal bug in the caller).
///
/// # Example
/// ```
/// use core_linalg::{Matrix, kernels::matmul_transpose_a_into};
/// let a = Matrix::from_row_slice(2, 1, &[1.0, 2.0]);
/// let b = Matrix::from_row_slice(2, 2, &[3.0, 4.0, 5.0, 6.0]);
/// let mut c = Matrix::zeros(1, 2);
/// matmul_transpose_a_into(&mut c, &a, &b);
/// assert_eq!(c.as_slice(), &[13.0, 16.0]);
/// ```
pub fn matmul_transpose_a_into(out: &mut Matrix, a: &Matrix, b: &Matrix) {
    let (n, k) = a.shape();
    let m = b.ncols();
    assert_eq!(
        b.nrows(),
        n,
        "matmul_transpose_a_into: inner dimensions differ"
    );
    assert_eq!(out.shape(), (k, m), "matmul_transpose_a_into: output shape");
    isa::product_transpose_a(
        Isa::detect().for_shape(k, m),
        out.as_mut_slice(),
        a.as_slice(),
        b.as_slice(),
        (n, k, m),
    );
}

/// `out = a · bᵀ` for `a` of shape `n×m` and `b` of shape `k×m`; `out` is `n×k`.
///
/// Entry `(i, p)` is summed over `j` in order, each term added by one fused multiply-add:
/// `s ← a[i,j]·b[p,j] + s` rounded once, from `s = 0`.
///
/// # Panics
/// If the shapes do not agree (an internal bug in the caller).
///
/// # Example
/// ```
/// use core_linalg::{Matrix, kernels::matmul_transpose_b_into};
/// let a = Matrix::from_row_slice(1, 2, &[1.0, 2.0]);
/// let b = Matrix::from_row_slice(2, 2, &[3.0, 4.0, 5.0, 6.0]);
/// let mut c = Matrix::zeros(1, 2);
/// matmul_transpose_b_into(&mut c, &a, &b);
/// assert_eq!(c.as_slice(), &[11.0, 17.0]);
/// ```
pub fn matmul_transpose_b_into(out: &mut Matrix, a: &Matrix, b: &Matrix) {
    let (n, m) = a.shape();
    let k = b.nrows();
    assert_eq!(
        b.ncols(),
        m,
        "matmul_transpose_b_into: inner dimensions differ"
    );
    assert_eq!(out.shape(), (n, k), "matmul_transpose_b_into: output shape");
    let product = backward(a, b, Finish::Plain);
    isa::product_by_row(
        Isa::detect().for_product(&product),
        out.as_mut_slice(),
        product,
    );
}

/// `out = (a · bᵀ) ⊙ activation'(output)`: [`matmul_transpose_b_into`] fused with
/// [`multiply_by_activation_derivative`], for `a` of shape `n×m`, `b` of shape `k×m` and
/// `output` (the stored activations `f(z)`) of shape `n×k`: the step of backpropagation from
/// one layer's `∂Z` to the layer below.
///
/// Bit-identical to calling the two kernels one after the other.
///
/// # Panics
/// If the shapes do not agree (an internal bug in the caller).
///
/// # Example
/// ```
/// use core_linalg::{Activation, Matrix, kernels::matmul_transpose_b_times_derivative_into};
/// let delta = Matrix::from_row_slice(1, 1, &[2.0]);
/// let w = Matrix::from_row_slice(2, 1, &[3.0, 4.0]);
/// let output = Matrix::from_row_slice(1, 2, &[0.0, 1.5]); // relu outputs
/// let mut below = Matrix::zeros(1, 2);
/// matmul_transpose_b_times_derivative_into(&mut below, &delta, &w, &output, Activation::Relu);
/// assert_eq!(below.as_slice(), &[0.0, 8.0]);
/// ```
pub fn matmul_transpose_b_times_derivative_into(
    out: &mut Matrix,
    a: &Matrix,
    b: &Matrix,
    output: &Matrix,
    activation: Activation,
) {
    let (n, m) = a.shape();
    let k = b.nrows();
    assert_eq!(
        b.ncols(),
        m,
        "matmul_transpose_b_times_derivative_into: inner dimensions differ"
    );
    assert_eq!(
        out.shape(),
        (n, k),
        "matmul_transpose_b_times_derivative_into: output shape"
    );
    assert_eq!(
        output.shape(),
        (n, k),
        "matmul_transpose_b_times_derivative_into: activations shape"
    );
    let finish = Finish::TimesDerivative {
        output: output.as_slice(),
        activation,
    };
    let product = backward(a, b, finish);
    isa::product_by_row(
        Isa::detect().for_product(&product),
        out.as_mut_slice(),
        product,
    );
}

/// `finish(a · bᵀ)` as the blocked kernels take it, for `a` of shape `n×m` and `b` of shape
/// `k×m` (shapes already checked): the sums run over the `m` columns of both.
fn backward<'a>(a: &'a Matrix, b: &'a Matrix, finish: Finish<'a>) -> Product<'a, ByRow<'a>> {
    let (n, m) = a.shape();
    let k = b.nrows();
    Product {
        a: a.as_slice(),
        n,
        inner: m,
        m: k,
        coef: ByRow {
            data: b.as_slice(),
            m: k,
        },
        finish,
    }
}

/// In place, `z[i, j] = activation(z[i, j] + bias[j])`: the bias broadcast over rows fused with
/// the element-wise activation, in one pass down each column.
///
/// # Panics
/// If `bias.len() != z.ncols()`.
///
/// # Example
/// ```
/// use core_linalg::{Activation, Matrix, Vector, kernels::add_bias_and_activate};
/// let mut z = Matrix::from_row_slice(2, 2, &[-1.0, 0.5, 2.0, -3.0]);
/// add_bias_and_activate(&mut z, &Vector::from_vec(vec![0.5, 1.0]), Activation::Relu);
/// assert_eq!(z, Matrix::from_row_slice(2, 2, &[0.0, 1.5, 2.5, 0.0]));
/// ```
pub fn add_bias_and_activate(z: &mut Matrix, bias: &Vector, activation: Activation) {
    assert_eq!(bias.len(), z.ncols(), "add_bias_and_activate: bias length");
    let n = z.nrows();
    if n == 0 {
        return;
    }
    // Four rows at a time on the four-lane build (as the fused kernel's sigmoid and tanh), each
    // lane following the fused kernel's scalar rule, so the two agree to the bit (even on ±0).
    let isa = Isa::detect();
    for (col, &b) in z.as_mut_slice().chunks_exact_mut(n).zip(bias.iter()) {
        isa::bias_then_activate(isa, col, b, activation);
    }
}

/// In place, `upstream[i, j] *= activation'(z)` where the derivative is computed from the
/// stored output `output[i, j] = activation(z)`: the chain-rule step through an activation.
///
/// # Panics
/// If the shapes differ.
///
/// # Example
/// ```
/// use core_linalg::{Activation, Matrix, kernels::multiply_by_activation_derivative};
/// let output = Matrix::from_row_slice(1, 2, &[0.0, 3.0]); // relu outputs
/// let mut grad = Matrix::from_row_slice(1, 2, &[5.0, 7.0]);
/// multiply_by_activation_derivative(&mut grad, &output, Activation::Relu);
/// assert_eq!(grad.as_slice(), &[0.0, 7.0]);
/// ```
pub fn multiply_by_activation_derivative(
    upstream: &mut Matrix,
    output: &Matrix,
    activation: Activation,
) {
    assert_eq!(
        upstream.shape(),
        output.shape(),
        "multiply_by_activation_derivative: shapes differ"
    );
    let g = upstream.as_mut_slice().iter_mut();
    let a = output.as_slice().iter();
    match activation {
        Activation::Identity => {}
        Activation::Relu => g.zip(a).for_each(|(g, &a)| {
            if a <= 0.0 {
                *g = 0.0;
            }
        }),
        Activation::Sigmoid => g.zip(a).for_each(|(g, &a)| *g *= a * (1.0 - a)),
        Activation::Tanh => g.zip(a).for_each(|(g, &a)| *g *= 1.0 - a * a),
    }
}

/// `out[j] = Σ_i m[i, j]`, each column with the bits of [`sum`] (the lane order of [`dot`]);
/// eight columns are summed side by side, so their additions overlap.
///
/// # Panics
/// If `out.len() != m.ncols()`.
///
/// # Example
/// ```
/// use core_linalg::{Matrix, Vector, kernels::column_sums_into};
/// let m = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let mut sums = Vector::zeros(2);
/// column_sums_into(&mut sums, &m);
/// assert_eq!(sums.as_slice(), &[4.0, 6.0]);
/// ```
pub fn column_sums_into(out: &mut Vector, m: &Matrix) {
    assert_eq!(out.len(), m.ncols(), "column_sums_into: output length");
    isa::column_sums(Isa::detect(), out.as_mut_slice(), m.as_slice(), m.nrows());
}

/// The sum of a slice in the lane order of [`dot`]: deterministic and vectorisable.
#[inline]
pub fn sum(x: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let chunks = x.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            lanes[k] += c[k];
        }
    }
    let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for v in tail {
        total += v;
    }
    total
}

/// `target -= step · gradient`, element by element: one gradient-descent update.
///
/// # Panics
/// If the lengths differ.
#[inline]
pub fn descend(target: &mut [f64], step: f64, gradient: &[f64]) {
    assert_eq!(target.len(), gradient.len(), "descend: lengths differ");
    for (t, g) in target.iter_mut().zip(gradient) {
        *t -= step * g;
    }
}

/// The mean binary cross-entropy of `logits` against 0/1 `labels`,
/// `(1/n) Σ_i bce_with_logits(z_i, y_i)`.
///
/// Finite for every finite logit; see [`crate::bce_with_logits`] for the formula. The
/// exponential and logarithm are evaluated four samples at a time by fdlibm's algorithms
/// (error below one ulp), and groups of four samples share one logarithm
/// (`Σ ln(1 + eᵢ) = ln Π(1 + eᵢ)`), so the result may differ from summing
/// [`crate::bce_with_logits`] in the last bits (tested to 2e-15 relative), but never between
/// runs or CPUs.
///
/// # Panics
/// If the lengths differ or are zero.
///
/// # Example
/// ```
/// use core_linalg::kernels::mean_bce_with_logits;
/// let loss = mean_bce_with_logits(&[0.0, 0.0], &[0.0, 1.0]);
/// assert!((loss - 2f64.ln()).abs() < 1e-15);
/// ```
pub fn mean_bce_with_logits(logits: &[f64], labels: &[f64]) -> f64 {
    assert_eq!(
        logits.len(),
        labels.len(),
        "mean_bce_with_logits: lengths differ"
    );
    assert!(!logits.is_empty(), "mean_bce_with_logits: no samples");
    isa::bce_sum_and_gradient(Isa::detect(), logits, labels, None) / logits.len() as f64
}

/// [`mean_bce_with_logits`] and [`mean_bce_gradient_into`] at once, sharing one exponential
/// per sample: returns the mean loss and writes `out_i = (σ(z_i) − y_i) / n`. Both results are
/// bit-identical to those of the two separate kernels.
///
/// # Panics
/// If the lengths differ or are zero.
///
/// # Example
/// ```
/// use core_linalg::kernels::mean_bce_with_logits_and_gradient_into;
/// let mut g = [0.0; 2];
/// let loss = mean_bce_with_logits_and_gradient_into(&mut g, &[0.0, 0.0], &[0.0, 1.0]);
/// assert!((loss - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(g, [0.25, -0.25]);
/// ```
pub fn mean_bce_with_logits_and_gradient_into(
    out: &mut [f64],
    logits: &[f64],
    labels: &[f64],
) -> f64 {
    check_bce_gradient_lengths(out, logits, labels);
    let n = logits.len() as f64;
    let gradient = Some((out, 1.0 / n));
    isa::bce_sum_and_gradient(Isa::detect(), logits, labels, gradient) / n
}

fn check_bce_gradient_lengths(out: &[f64], logits: &[f64], labels: &[f64]) {
    assert_eq!(
        logits.len(),
        labels.len(),
        "mean_bce_gradient_into: lengths differ"
    );
    assert_eq!(
        out.len(),
        logits.len(),
        "mean_bce_gradient_into: output length"
    );
    assert!(!logits.is_empty(), "mean_bce_gradient_into: no samples");
}

/// The gradient of the *mean* loss of [`mean_bce_with_logits`] with respect to each logit,
/// `out_i = (σ(z_i) − y_i) / n`, written into `out`.
///
/// # Panics
/// If the lengths differ or are zero.
///
/// # Example
/// ```
/// use core_linalg::kernels::mean_bce_gradient_into;
/// let mut g = [0.0; 2];
/// mean_bce_gradient_into(&mut g, &[0.0, 0.0], &[0.0, 1.0]);
/// assert_eq!(g, [0.25, -0.25]);
/// ```
pub fn mean_bce_gradient_into(out: &mut [f64], logits: &[f64], labels: &[f64]) {
    check_bce_gradient_lengths(out, logits, labels);
    let scale = 1.0 / logits.len() as f64;
    isa::bce_gradient(Isa::detect(), out, logits, labels, scale);
}

#[cfg(test)]
mod tests;
