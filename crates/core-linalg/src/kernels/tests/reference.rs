//! Every product and fused kernel against an independent reference, on every instruction set
//! this process may use (see [`super::isas_for`]).
//!
//! The reference for a product is nalgebra's own f64 product (its loops, its order of
//! summation); for a fused element-wise part, the textbook formula with the C library's `exp`
//! and `tanh` (through [`crate::sigmoid`] and [`f64::tanh`]); for a sum, the sum taken in order.
//!
//! How close is close enough. A sum of `k` products taken in floating point in any order is
//! within `γ_k · Σ_p |a_ip · b_pj|` of the exact sum, with `γ_k = k·u / (1 − k·u)` and
//! `u = 2⁻⁵³` (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1, §3.5).
//! The kernel and nalgebra each are, so they are within `2·γ_k · Σ|a·b|` of each other; the
//! bound here is `3·γ_k · Σ|a·b|`, the third share covering the rounding of `Σ|a·b|` itself.
//! For `k = 0` the bound is 0: the entry must be exactly the empty sum. A dropped, repeated or
//! misplaced term is off by a whole term, about `10¹⁰` times the bound on these inputs, and
//! [`a_single_dropped_term_is_caught_at_every_block_edge`] checks that the comparison sees it.
//!
//! The shapes are chosen, not multiplied out: every remainder of every row block and chunk,
//! every column remainder, sums of length 0 to 300, and the largest shapes (512 rows, 64
//! columns) on top. Which edges the blocked kernels have is documented in
//! [`super::super::blocked`].

use super::*;

/// The unit roundoff of f64, `u = 2⁻⁵³`.
const U: f64 = f64::EPSILON / 2.0;

/// `γ_k = k·u / (1 − k·u)`: the relative error bound of a `k`-term sum of products.
fn gamma(k: usize) -> f64 {
    let ku = k as f64 * U;
    ku / (1.0 - ku)
}

/// The bound on `|kernel − nalgebra|` for each entry of a product with `k` terms per sum,
/// given `abs_product[i, j] = Σ_p |a_ip · b_pj|`.
fn product_bound(abs_product: &Matrix, k: usize) -> Matrix {
    abs_product.map(|s| 3.0 * gamma(k) * s)
}

/// `Ok` if every entry of `got` is within `bound` of `reference` (all `rows × _`,
/// column-major), else the first entry that is not, with both values.
fn within(got: &[f64], reference: &[f64], bound: &[f64], rows: usize) -> Result<(), String> {
    assert_eq!(got.len(), reference.len(), "output length");
    for (e, ((&g, &r), &b)) in got.iter().zip(reference).zip(bound).enumerate() {
        let error = (g - r).abs();
        // A NaN entry is never within its bound.
        if error.is_nan() || error > b {
            let (i, j) = (e % rows.max(1), e / rows.max(1));
            return Err(format!(
                "entry ({i}, {j}): {g:e}, reference {r:e}, off by {error:e}, allowed {b:e}"
            ));
        }
    }
    Ok(())
}

/// `activation(z)` by the textbook formula and the C library's functions.
fn activation_reference(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Identity => z,
        Activation::Relu => z.max(0.0),
        Activation::Sigmoid => crate::sigmoid(z),
        Activation::Tanh => z.tanh(),
    }
}

/// `activation'(z)` from the output `o = activation(z)`, by the textbook formula.
fn derivative_reference(activation: Activation, o: f64) -> f64 {
    match activation {
        Activation::Identity => 1.0,
        Activation::Relu => f64::from(o > 0.0),
        Activation::Sigmoid => o * (1.0 - o),
        Activation::Tanh => 1.0 - o * o,
    }
}

/// The bound on `|f_kernel(fl(s + b)) − f_C(fl(r + b))|` for a kernel sum `s` within
/// `sum_bound` of the reference sum `r`: the two additions round by `u·|r + b|` each (and `s`
/// may differ from `r` by `sum_bound`), every activation here is 1-Lipschitz, and the kernels'
/// own sigmoid and tanh are within 3 ulp (`6u` relative) of the C library's, so `8u·|f|` plus
/// the smallest normal (for results near 0).
fn activation_bound(sum_bound: f64, r_plus_b: f64, f: f64) -> f64 {
    let z_bound = sum_bound + 2.0 * U * (r_plus_b.abs() + sum_bound);
    z_bound + 8.0 * U * f.abs() + f64::MIN_POSITIVE
}

/// How a test runs a kernel: through one instruction set's build, or through the public
/// function (on the instruction set this process chose, narrowed for the shape and finish as
/// the models get it).
#[derive(Debug, Clone, Copy)]
enum Via {
    Build(Isa),
    Public,
}

/// Every build this process may run (see [`super::isas_for`]), then the public functions.
fn every_way(test: &'static str) -> Vec<Via> {
    let builds = isas_for(test).into_iter().map(Via::Build);
    builds.chain([Via::Public]).collect()
}

/// `finish(a · w)`, column-major.
fn forward_via(via: Via, a: &Matrix, w: &Matrix, finish: Finish<'_>) -> Vec<f64> {
    let (n, m) = (a.nrows(), w.ncols());
    let mut out = Matrix::from_element(n, m, f64::NAN);
    match (via, finish) {
        (Via::Build(isa), finish) => {
            isa::product_by_column(isa, out.as_mut_slice(), forward(a, w, finish));
        }
        (Via::Public, Finish::Plain) => matmul_into(&mut out, a, w),
        (Via::Public, Finish::BiasActivate { bias, activation }) => {
            let bias = Vector::from_column_slice(bias);
            matmul_add_bias_activate_into(&mut out, a, w, &bias, activation);
        }
        (Via::Public, Finish::TimesDerivative { .. }) => unreachable!("not a forward finish"),
    }
    out.as_slice().to_vec()
}

/// `finish(Δ · wᵀ)`, column-major.
fn input_gradient_via(via: Via, delta: &Matrix, w: &Matrix, finish: Finish<'_>) -> Vec<f64> {
    let (n, m) = (delta.nrows(), w.nrows());
    let mut out = Matrix::from_element(n, m, f64::NAN);
    match (via, finish) {
        (Via::Build(isa), finish) => {
            isa::product_by_row(isa, out.as_mut_slice(), backward(delta, w, finish));
        }
        (Via::Public, Finish::Plain) => matmul_transpose_b_into(&mut out, delta, w),
        (Via::Public, Finish::TimesDerivative { output, activation }) => {
            let output = Matrix::from_column_slice(n, m, output);
            matmul_transpose_b_times_derivative_into(&mut out, delta, w, &output, activation);
        }
        (Via::Public, Finish::BiasActivate { .. }) => unreachable!("not a backward finish"),
    }
    out.as_slice().to_vec()
}

/// `aᵀ · b`, column-major.
fn weight_gradient_via(via: Via, a: &Matrix, b: &Matrix) -> Vec<f64> {
    let (n, k, m) = (a.nrows(), a.ncols(), b.ncols());
    let mut out = Matrix::from_element(k, m, f64::NAN);
    match via {
        Via::Build(isa) => {
            isa::product_transpose_a(
                isa,
                out.as_mut_slice(),
                a.as_slice(),
                b.as_slice(),
                (n, k, m),
            );
        }
        Via::Public => matmul_transpose_a_into(&mut out, a, b),
    }
    out.as_slice().to_vec()
}

/// A `rows × cols` matrix of the fill, scaled so the activations reach their saturated parts.
fn data(rows: usize, cols: usize, seed: u64) -> Matrix {
    matrix(rows, cols, seed) * 3.0
}

/// The forward product `A·W` (`n × k` times `k × m`), plain and with bias and each
/// activation.
fn check_forward(via: Via, (n, k, m): (usize, usize, usize), seed: u64) -> Result<(), String> {
    let a = data(n, k, seed);
    let w = matrix(k, m, seed ^ 1);
    let bias = matrix(m, 1, seed ^ 2);
    let reference = &a * &w;
    let bound = product_bound(&(a.abs() * w.abs()), k);
    within(
        &forward_via(via, &a, &w, Finish::Plain),
        reference.as_slice(),
        bound.as_slice(),
        n,
    )
    .map_err(|e| format!("a·w: {e}"))?;
    for activation in Activation::ALL {
        let (mut expected, mut allowed) = (reference.clone(), bound.clone());
        for j in 0..m {
            for i in 0..n {
                let z = reference[(i, j)] + bias[j];
                expected[(i, j)] = activation_reference(activation, z);
                allowed[(i, j)] = activation_bound(bound[(i, j)], z, expected[(i, j)]);
            }
        }
        let finish = Finish::BiasActivate {
            bias: bias.as_slice(),
            activation,
        };
        within(
            &forward_via(via, &a, &w, finish),
            expected.as_slice(),
            allowed.as_slice(),
            n,
        )
        .map_err(|e| format!("{activation}(a·w + b): {e}"))?;
    }
    Ok(())
}

/// The input gradient `Δ·Wᵀ` (`n × k` times the transpose of `m × k`), plain and times each
/// activation's derivative.
fn check_input_gradient(
    via: Via,
    (n, k, m): (usize, usize, usize),
    seed: u64,
) -> Result<(), String> {
    let delta = matrix(n, k, seed ^ 3);
    let w = matrix(m, k, seed ^ 4);
    let reference = &delta * w.transpose();
    let bound = product_bound(&(delta.abs() * w.abs().transpose()), k);
    within(
        &input_gradient_via(via, &delta, &w, Finish::Plain),
        reference.as_slice(),
        bound.as_slice(),
        n,
    )
    .map_err(|e| format!("Δ·wᵀ: {e}"))?;
    for activation in Activation::ALL {
        let output = data(n, m, seed ^ 5).map(|z| activation_reference(activation, z));
        let (mut expected, mut allowed) = (reference.clone(), bound.clone());
        for j in 0..m {
            for i in 0..n {
                let d = derivative_reference(activation, output[(i, j)]);
                expected[(i, j)] = reference[(i, j)] * d;
                let product_bound = d.abs() * bound[(i, j)];
                allowed[(i, j)] =
                    product_bound + 2.0 * U * (expected[(i, j)].abs() + product_bound);
            }
        }
        let finish = Finish::TimesDerivative {
            output: output.as_slice(),
            activation,
        };
        within(
            &input_gradient_via(via, &delta, &w, finish),
            expected.as_slice(),
            allowed.as_slice(),
            n,
        )
        .map_err(|e| format!("(Δ·wᵀ)⊙{activation}': {e}"))?;
    }
    Ok(())
}

/// The weight gradient `Aᵀ·B` (`n × k` and `n × m`, so `k × m` sums of `n` terms).
fn check_weight_gradient(
    via: Via,
    (n, k, m): (usize, usize, usize),
    seed: u64,
) -> Result<(), String> {
    let a = data(n, k, seed);
    let b = matrix(n, m, seed ^ 6);
    let reference = a.transpose() * &b;
    let bound = product_bound(&(a.abs().transpose() * b.abs()), n);
    let out = weight_gradient_via(via, &a, &b);
    within(&out, reference.as_slice(), bound.as_slice(), k).map_err(|e| format!("aᵀ·b: {e}"))
}

/// `(rows, inner, columns)` for the row-blocked products (`A·W` and `Δ·Wᵀ`): rows and columns
/// of the output, and the length of each sum.
///
/// Their blocks: one column runs 8 vectors of rows at once (64 rows on eight lanes, 32 on
/// four), two columns 3 vectors (24 / 12), three columns 2 (16 / 8); four or more go in
/// groups of 4 columns (then a group of the 1 to 3 left) of 4 vectors (32 rows) on eight
/// lanes or 3 (12 rows) on four, in chunks of whole blocks of about 2048 / inner rows (24 rows
/// on four lanes and 64 on eight for 64 terms, 96 for 20). After the full blocks, single
/// vectors (8 or 4 rows), then on eight lanes one step of 4, then rows one at a time.
fn row_blocked_shapes() -> Vec<(usize, usize, usize)> {
    let mut shapes = Vec::new();
    // Every row count to 72 (each remainder of each block, and three 24-row chunks), with
    // each of the 1-, 2- and 3-column kernels and 4 to 9 columns (a group and its remainders).
    for n in 0..=72 {
        for m in 1..=9 {
            for k in [5, 64] {
                shapes.push((n, k, m));
            }
        }
    }
    // Both sides of the multiples of the blocks and chunks (24, 32, 64, 96 rows) up to 512.
    for base in [96, 128, 192, 256, 384, 408, 480, 512] {
        for n in base - 1..=base + 1 {
            for m in [1, 2, 3, 4, 5, 7, 8] {
                for k in [20, 64] {
                    shapes.push((n, k, m));
                }
            }
        }
    }
    // Column counts past the first groups: every remainder of 4, and 64.
    let columns = (10..=20).chain([23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65]);
    for m in columns {
        for n in [0, 1, 7, 12, 13, 31, 32, 33, 75] {
            for k in [1, 7] {
                shapes.push((n, k, m));
            }
        }
    }
    // Sums of every length that changes a chunk, from the empty sum on.
    for k in [0, 1, 2, 3, 4, 8, 9, 17, 50, 100, 300] {
        for n in [13, 45, 100] {
            for m in [1, 2, 3, 5] {
                shapes.push((n, k, m));
            }
        }
    }
    // The workloads' layers (480 samples) and the largest.
    shapes.extend([
        (480, 2, 1),
        (480, 2, 50),
        (480, 50, 50),
        (480, 20, 20),
        (480, 50, 1),
        (511, 64, 64),
        (512, 64, 64),
        (513, 100, 64),
        (512, 300, 64),
    ]);
    shapes
}

/// `(n, k, m)` for the weight gradient `Aᵀ·B`: a `k × m` output of sums of `n` terms.
///
/// Its blocks: on four lanes, 2 rows × 4 columns, the 1 to 3 columns left with up to 6, 4 or
/// 3 rows at once, and the rows left in one block; on eight lanes, 8 columns at a time (rows
/// in pairs of vectors, each holding two rows), the 1 to 3 columns left on four lanes, 4 left
/// as one 2 × 4 block and 5 to 7 as one wide block. Each sum runs four lanes over the first
/// `n − n mod 4` terms, then the last `n mod 4` in order.
fn weight_gradient_shapes() -> Vec<(usize, usize, usize)> {
    let mut shapes = Vec::new();
    let ks = (0..=13).chain([16, 17, 31, 32, 33]);
    for k in ks {
        for m in (0..=19).chain([23, 24, 25, 31, 32, 33]) {
            for n in [0, 1, 3, 4, 5, 37] {
                shapes.push((n, k, m));
            }
        }
    }
    for n in [63, 64, 65, 479, 480, 511, 512, 513] {
        for (k, m) in [
            (1, 1),
            (2, 1),
            (2, 50),
            (50, 1),
            (6, 6),
            (13, 19),
            (20, 20),
            (50, 50),
            (64, 64),
        ] {
            shapes.push((n, k, m));
        }
    }
    shapes
}

#[test]
fn row_blocked_products_match_nalgebra_on_every_block_edge() {
    let ways = every_way("row_blocked_products_match_nalgebra_on_every_block_edge");
    for (index, shape) in row_blocked_shapes().into_iter().enumerate() {
        for &via in &ways {
            let seed = index as u64;
            let checked = check_forward(via, shape, seed)
                .and_then(|()| check_input_gradient(via, shape, seed));
            if let Err(e) = checked {
                panic!("{via:?}, (rows, inner, columns) = {shape:?}: {e}");
            }
        }
    }
}

#[test]
fn weight_gradient_matches_nalgebra_on_every_block_edge() {
    let ways = every_way("weight_gradient_matches_nalgebra_on_every_block_edge");
    for (index, shape) in weight_gradient_shapes().into_iter().enumerate() {
        for &via in &ways {
            if let Err(e) = check_weight_gradient(via, shape, index as u64) {
                panic!("{via:?}, (n, k, m) = {shape:?}: {e}");
            }
        }
    }
}

/// The bound on a sum of `n` terms against the sum in order: `2·γ_n · Σ|x|`, and a share for
/// the rounding of `Σ|x|`.
fn sum_bound(abs_sum: f64, n: usize) -> f64 {
    3.0 * gamma(n) * abs_sum
}

#[test]
fn sums_match_the_sum_in_order() {
    let isas = isas_for("sums_match_the_sum_in_order");
    // Every tail of the four lanes, and long sums.
    let lengths: Vec<usize> = (0..=40).chain([63, 64, 65, 480, 511, 512, 513]).collect();
    for &n in &lengths {
        let (x, y) = (matrix(n, 1, n as u64), matrix(n, 1, !(n as u64)));
        let (x, y) = (x.as_slice(), y.as_slice());
        let in_order: f64 = x.iter().sum();
        let abs: f64 = x.iter().map(|v| v.abs()).sum();
        let s = sum(x);
        assert!(
            (s - in_order).abs() <= sum_bound(abs, n),
            "sum of {n}: {s:e} against {in_order:e}"
        );
        let dot_in_order = x.iter().zip(y).fold(0.0, |acc, (a, b)| acc + a * b);
        let dot_abs: f64 = x.iter().zip(y).map(|(a, b)| (a * b).abs()).sum();
        let d = dot(x, y);
        assert!(
            (d - dot_in_order).abs() <= sum_bound(dot_abs, n),
            "dot of {n}: {d:e} against {dot_in_order:e}"
        );
    }
    // Column sums: every remainder of the 8-column blocks, on every instruction set.
    for n in [0, 1, 3, 4, 5, 37, 480, 512] {
        for m in (0..=19).chain([64]) {
            let b = matrix(n, m, (n * 100 + m) as u64);
            for &isa in &isas {
                let mut out = vec![f64::NAN; m];
                isa::column_sums(isa, &mut out, b.as_slice(), n);
                for (j, &got) in out.iter().enumerate() {
                    let column = b.column(j);
                    let in_order: f64 = column.iter().sum();
                    let abs: f64 = column.iter().map(|v| v.abs()).sum();
                    assert!(
                        (got - in_order).abs() <= sum_bound(abs, n),
                        "{isa:?}, column {j} of {n} × {m}: {got:e} against {in_order:e}"
                    );
                }
            }
        }
    }
}

#[test]
fn bias_and_activation_match_the_c_library() {
    let isas = isas_for("bias_and_activation_match_the_c_library");
    // Every tail of the four lanes, and a long column.
    for n in (0..=9).chain([64, 511]) {
        let column = data(n, 1, n as u64);
        let bias = -0.375;
        for activation in Activation::ALL {
            let mut expected = vec![0.0; n];
            let mut allowed = vec![0.0; n];
            for (i, &z) in column.iter().enumerate() {
                expected[i] = activation_reference(activation, z + bias);
                allowed[i] = activation_bound(0.0, z + bias, expected[i]);
            }
            for &isa in &isas {
                let mut out = column.as_slice().to_vec();
                isa::bias_then_activate(isa, &mut out, bias, activation);
                if let Err(e) = within(&out, &expected, &allowed, n) {
                    panic!("{isa:?}, {activation} of {n} rows: {e}");
                }
            }
        }
    }
}

#[test]
fn a_single_dropped_term_is_caught_at_every_block_edge() {
    // The negative control: an output with one term of one sum left out, at the first and
    // last entry of a row block (rows 0, 11, 12, 31, 32 and the last) and of a column group,
    // must fail the comparison, even for the smallest term of that sum.
    let (n, k, m) = (45, 64, 6);
    let a = data(n, k, 7);
    let w = matrix(k, m, 8);
    let reference = &a * &w;
    let bound = product_bound(&(a.abs() * w.abs()), k);
    let isa = Isa::detect();
    let mut out = vec![f64::NAN; n * m];
    isa::product_by_column(isa, &mut out, forward(&a, &w, Finish::Plain));
    within(&out, reference.as_slice(), bound.as_slice(), n).expect("the kernel is right");
    for i in [0, 3, 11, 12, 31, 32, n - 1] {
        for j in [0, 3, 4, m - 1] {
            let smallest = (0..k)
                .map(|p| a[(i, p)] * w[(p, j)])
                .min_by(|x, y| x.abs().total_cmp(&y.abs()))
                .expect("k > 0");
            let mut broken = out.clone();
            broken[i + j * n] -= smallest;
            assert!(
                within(&broken, reference.as_slice(), bound.as_slice(), n).is_err(),
                "dropping {smallest:e} from ({i}, {j}) went unseen (bound {:e})",
                bound[(i, j)]
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_shapes_match_nalgebra(
        n in 0usize..=520, k in 0usize..=70, m in 0usize..=70, seed: u64,
    ) {
        for via in every_way("random_shapes_match_nalgebra") {
            let checked = check_forward(via, (n, k, m), seed)
                .and_then(|()| check_input_gradient(via, (n, k, m), seed))
                .and_then(|()| check_weight_gradient(via, (n, k, m), seed));
            prop_assert!(checked.is_ok(), "{:?}: {}", via, checked.unwrap_err());
        }
    }
}
