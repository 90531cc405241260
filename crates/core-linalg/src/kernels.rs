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
//! Every sum is taken in one fixed order (documented per kernel), so results are bit-identical
//! on every run. The inner loops run down contiguous columns and are shaped so the compiler
//! vectorises them; none allocates.
//!
//! nalgebra's own `gemm` hands large products to `matrixmultiply`, which allocates its packing
//! buffers on every call; a training loop that must not allocate per epoch cannot use it.

use crate::{Activation, Matrix, Vector};

/// `out = Σ_p coefficient(p) · column_p`, where `columns` holds `n_columns` contiguous columns
/// of length `out.len()`. Columns are combined four at a time, left to right, each group summed
/// as `out + (((c0·x0 + c1·x1) + c2·x2) + c3·x3)`.
#[inline]
fn combine_columns_into(
    out: &mut [f64],
    columns: &[f64],
    n_columns: usize,
    coefficient: impl Fn(usize) -> f64,
) {
    let n = out.len();
    debug_assert_eq!(columns.len(), n * n_columns);
    out.fill(0.0);
    let mut p = 0;
    while p + 4 <= n_columns {
        let (c0, c1, c2, c3) = (
            coefficient(p),
            coefficient(p + 1),
            coefficient(p + 2),
            coefficient(p + 3),
        );
        let x0 = &columns[p * n..(p + 1) * n];
        let x1 = &columns[(p + 1) * n..(p + 2) * n];
        let x2 = &columns[(p + 2) * n..(p + 3) * n];
        let x3 = &columns[(p + 3) * n..(p + 4) * n];
        for i in 0..n {
            out[i] += c0 * x0[i] + c1 * x1[i] + c2 * x2[i] + c3 * x3[i];
        }
        p += 4;
    }
    while p < n_columns {
        let c = coefficient(p);
        let x = &columns[p * n..(p + 1) * n];
        for (o, &xi) in out.iter_mut().zip(x) {
            *o += c * xi;
        }
        p += 1;
    }
}

/// The dot product of two equal-length slices, accumulated in four interleaved lanes
/// (`lane k` sums elements `k, k+4, k+8, …`), combined as `(l0 + l1) + (l2 + l3)`, then the
/// remaining tail added in order. Fixed order, so deterministic; interleaved, so vectorisable.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "dot: lengths differ");
    let mut lanes = [0.0f64; 4];
    let xc = x.chunks_exact(4);
    let yc = y.chunks_exact(4);
    let (x_tail, y_tail) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for k in 0..4 {
            lanes[k] += a[k] * b[k];
        }
    }
    let mut sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (a, b) in x_tail.iter().zip(y_tail) {
        sum += a * b;
    }
    sum
}

/// `out = a · b` for `a` of shape `n×k` and `b` of shape `k×m`.
///
/// Column `j` of `out` is `Σ_p b[p, j] · a[:, p]`, combined four columns of `a` at a time.
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
    let (a_data, b_data) = (a.as_slice(), b.as_slice());
    for (j, out_col) in out.as_mut_slice().chunks_exact_mut(n.max(1)).enumerate() {
        let b_col = &b_data[j * k..(j + 1) * k];
        combine_columns_into(out_col, a_data, k, |p| b_col[p]);
    }
}

/// `out = aᵀ · b` for `a` of shape `n×k` and `b` of shape `n×m`; `out` is `k×m`.
///
/// Entry `(p, j)` is [`dot`]`(a[:, p], b[:, j])`, so nothing is transposed in memory.
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
    if k == 0 {
        return;
    }
    let (a_data, b_data) = (a.as_slice(), b.as_slice());
    for (j, out_col) in out.as_mut_slice().chunks_exact_mut(k).enumerate() {
        let b_col = &b_data[j * n..(j + 1) * n];
        for (p, o) in out_col.iter_mut().enumerate() {
            *o = dot(&a_data[p * n..(p + 1) * n], b_col);
        }
    }
}

/// `out = a · bᵀ` for `a` of shape `n×m` and `b` of shape `k×m`; `out` is `n×k`.
///
/// Column `p` of `out` is `Σ_j b[p, j] · a[:, j]`, combined four columns of `a` at a time.
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
    let (a_data, b_data) = (a.as_slice(), b.as_slice());
    for (p, out_col) in out.as_mut_slice().chunks_exact_mut(n.max(1)).enumerate() {
        combine_columns_into(out_col, a_data, m, |j| b_data[p + j * k]);
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
    // The match is hoisted out of the loops so each arm is a tight, vectorisable loop.
    for (col, &b) in z.as_mut_slice().chunks_exact_mut(n).zip(bias.iter()) {
        match activation {
            Activation::Identity => col.iter_mut().for_each(|v| *v += b),
            Activation::Relu => col.iter_mut().for_each(|v| *v = (*v + b).max(0.0)),
            Activation::Sigmoid => col.iter_mut().for_each(|v| *v = crate::sigmoid(*v + b)),
            Activation::Tanh => col.iter_mut().for_each(|v| *v = (*v + b).tanh()),
        }
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

/// `out[j] = Σ_i m[i, j]`, each column summed with the lane order of [`dot`].
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
    let n = m.nrows();
    if n == 0 {
        out.fill(0.0);
        return;
    }
    for (o, col) in out.iter_mut().zip(m.as_slice().chunks_exact(n)) {
        *o = sum(col);
    }
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
/// `(1/n) Σ_i bce_with_logits(z_i, y_i)`, summed in the lane order of [`dot`].
///
/// Finite for every finite logit; see [`crate::bce_with_logits`] for the formula.
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
    let mut lanes = [0.0f64; 4];
    let zc = logits.chunks_exact(4);
    let yc = labels.chunks_exact(4);
    let (z_tail, y_tail) = (zc.remainder(), yc.remainder());
    for (z, y) in zc.zip(yc) {
        for k in 0..4 {
            lanes[k] += crate::bce_with_logits(z[k], y[k]);
        }
    }
    let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (&z, &y) in z_tail.iter().zip(y_tail) {
        total += crate::bce_with_logits(z, y);
    }
    total / logits.len() as f64
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
    let scale = 1.0 / logits.len() as f64;
    for ((o, &z), &y) in out.iter_mut().zip(logits).zip(labels) {
        *o = crate::bce_with_logits_gradient(z, y) * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    fn matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
        // A cheap deterministic fill; values in [-1, 1).
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        Matrix::from_fn(rows, cols, |_, _| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
    }

    proptest! {
        #[test]
        fn products_match_nalgebra(n in 0usize..13, k in 0usize..11, m in 0usize..9, seed: u64) {
            let a = matrix(n, k, seed);
            let b = matrix(k, m, seed ^ 1);
            let mut c = Matrix::from_element(n, m, f64::NAN);
            matmul_into(&mut c, &a, &b);
            assert_relative_eq!(c, &a * &b, epsilon = 1e-12);

            let bt = matrix(n, m, seed ^ 2);
            let mut ct = Matrix::from_element(k, m, f64::NAN);
            matmul_transpose_a_into(&mut ct, &a, &bt);
            assert_relative_eq!(ct, a.transpose() * &bt, epsilon = 1e-12);

            let w = matrix(m, k, seed ^ 3);
            let mut cn = Matrix::from_element(n, m, f64::NAN);
            matmul_transpose_b_into(&mut cn, &a, &w);
            assert_relative_eq!(cn, &a * w.transpose(), epsilon = 1e-12);
        }

        #[test]
        fn sums_match_naive(v in proptest::collection::vec(-1e3f64..1e3, 0..40)) {
            let naive: f64 = v.iter().sum();
            prop_assert!((sum(&v) - naive).abs() < 1e-9);
            let ones = vec![1.0; v.len()];
            prop_assert!((dot(&v, &ones) - naive).abs() < 1e-9);
        }
    }

    #[test]
    fn activation_kernels_match_scalar_rules() {
        let z = matrix(7, 3, 9) * 4.0;
        let bias = Vector::from_vec(vec![0.1, -0.2, 0.3]);
        for act in Activation::ALL {
            let mut a = z.clone();
            add_bias_and_activate(&mut a, &bias, act);
            let mut g = Matrix::from_element(7, 3, 2.0);
            multiply_by_activation_derivative(&mut g, &a, act);
            for i in 0..7 {
                for j in 0..3 {
                    assert_eq!(a[(i, j)], act.apply(z[(i, j)] + bias[j]));
                    assert_eq!(g[(i, j)], 2.0 * act.derivative_from_output(a[(i, j)]));
                }
            }
        }
    }

    #[test]
    fn column_sums_and_descend() {
        let m = matrix(9, 4, 3);
        let mut s = Vector::zeros(4);
        column_sums_into(&mut s, &m);
        for j in 0..4 {
            assert_relative_eq!(s[j], m.column(j).sum(), epsilon = 1e-14);
        }
        let mut t = vec![1.0, 2.0];
        descend(&mut t, 0.5, &[2.0, -2.0]);
        assert_eq!(t, vec![0.0, 3.0]);
    }
}
