//! Tests of the kernels: against independent references ([`reference`]), across instruction
//! sets ([`same_bits`]), and of the loss and activation functions against the C library's.

mod reference;
mod same_bits;

use super::*;
use approx::assert_relative_eq;
use proptest::prelude::*;
use std::io::Write;
use std::sync::{Mutex, PoisonError};

/// A cheap deterministic fill of a `rows × cols` matrix; values in [-1, 1).
fn matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    Matrix::from_fn(rows, cols, |_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}

/// The instruction sets `test` runs its kernels on: every one this process may use. The first
/// call for each test writes one `SKIPPED: <test>: …` line to stderr for each instruction set
/// it cannot use, with the reason, so a machine without AVX-512 (or a run capped by
/// `BINCLASS_ISA`) says what it did not test instead of passing as if it had.
fn isas_for(test: &'static str) -> Vec<Isa> {
    static REPORTED: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    let mut reported = REPORTED.lock().unwrap_or_else(PoisonError::into_inner);
    if !reported.contains(&test) {
        reported.push(test);
        for (name, reason) in Isa::unavailable() {
            writeln!(
                std::io::stderr(),
                "SKIPPED: {test}: not run on {name}: {reason}"
            )
            .expect("stderr is writable");
        }
    }
    Isa::available()
}

proptest! {
    #[test]
    fn fused_kernels_match_the_separate_ones(
        n in 0usize..23, k in 0usize..9, m in 0usize..9, seed: u64, act in 0usize..4,
    ) {
        let activation = Activation::ALL[act];
        let a = matrix(n, k, seed) * 3.0;
        let w = matrix(k, m, seed ^ 1);
        let bias = Vector::from_iterator(m, matrix(m, 1, seed ^ 2).iter().copied());
        let mut fused = Matrix::from_element(n, m, f64::NAN);
        matmul_add_bias_activate_into(&mut fused, &a, &w, &bias, activation);
        let mut separate = Matrix::from_element(n, m, f64::NAN);
        matmul_into(&mut separate, &a, &w);
        add_bias_and_activate(&mut separate, &bias, activation);
        prop_assert_eq!(&fused, &separate);

        let delta = matrix(n, m, seed ^ 3);
        let output = matrix(n, k, seed ^ 4).map(|x| activation.apply(3.0 * x));
        let mut fused = Matrix::from_element(n, k, f64::NAN);
        matmul_transpose_b_times_derivative_into(&mut fused, &delta, &w, &output, activation);
        let mut separate = Matrix::from_element(n, k, f64::NAN);
        matmul_transpose_b_into(&mut separate, &delta, &w);
        multiply_by_activation_derivative(&mut separate, &output, activation);
        prop_assert_eq!(&fused, &separate);
    }
}

#[test]
fn vector_loss_is_within_an_ulp_or_two_of_the_scalar_forms() {
    // 2001 logits over [-50, 50], plus the extremes.
    let mut logits: Vec<f64> = (0..=2000).map(|i| -50.0 + 0.05 * i as f64).collect();
    logits.extend([-745.0, -700.0, 700.0, 1e308, -1e308, 0.0, -0.0]);
    for y in [0.0, 1.0, 0.3] {
        for &z in &logits {
            let mut g = [0.0];
            let loss = mean_bce_with_logits_and_gradient_into(&mut g, &[z], &[y]);
            let (want_loss, want_g) = (crate::bce_with_logits(z, y), crate::sigmoid(z) - y);
            assert_relative_eq!(loss, want_loss, max_relative = 4e-16, epsilon = 1e-300);
            // σ(z) − y cancels, so compare the error against σ's scale, not the result's.
            assert_relative_eq!(g[0], want_g, max_relative = 4e-16, epsilon = 3e-16);
        }
    }
    let mut g = [0.0; 2];
    let loss = mean_bce_with_logits_and_gradient_into(&mut g, &[f64::NAN, 1.0], &[1.0, 1.0]);
    assert!(loss.is_nan() && g[0].is_nan() && g[1].is_finite());
}

/// `Σ bce_with_logits` of the scalar form, summed with Neumaier's compensation: a
/// reference far more accurate than either side's rounding.
fn compensated_loss_sum(logits: &[f64], labels: &[f64]) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for (&z, &y) in logits.iter().zip(labels) {
        let term = crate::bce_with_logits(z, y);
        let t = sum + term;
        compensation += if sum.abs() >= term.abs() {
            (sum - t) + term
        } else {
            (term - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

#[test]
fn a_batch_loss_sharing_logarithms_is_as_accurate_as_summing_each_sample() {
    let isas = isas_for("a_batch_loss_sharing_logarithms_is_as_accurate_as_summing_each_sample");
    // Sizes with and without a tail of fewer than 16 samples; logits of every scale,
    // including a well-trained net's (all samples right, losses near 1e-8).
    for n in [1, 15, 16, 17, 64, 100, 480] {
        for (scale, offset) in [(1.0, 0.0), (8.0, 0.0), (40.0, 0.0), (2.0, 18.0)] {
            let z: Vec<f64> = matrix(n, 1, n as u64)
                .iter()
                .map(|x| offset + scale * x)
                .collect();
            for labels in [[0.0, 1.0, 0.3], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]] {
                let y: Vec<f64> = (0..n).map(|i| labels[i % 3]).collect();
                // Labels 1 with positive logits: right and confident when offset > 0.
                let reference = compensated_loss_sum(&z, &y) / n as f64;
                let mut g = vec![0.0; n];
                let loss = mean_bce_with_logits_and_gradient_into(&mut g, &z, &y);
                assert_relative_eq!(loss, reference, max_relative = 2e-15);
                assert_eq!(mean_bce_with_logits(&z, &y).to_bits(), loss.to_bits());
                // Every build, the gradient too, against the C library's sigmoid.
                let scale = 1.0 / n as f64;
                for &isa in &isas {
                    let gradient = Some((&mut g[..], scale));
                    let sum = isa::bce_sum_and_gradient(isa, &z, &y, gradient);
                    assert_relative_eq!(sum / n as f64, reference, max_relative = 2e-15);
                    for i in 0..n {
                        let want = (crate::sigmoid(z[i]) - y[i]) * scale;
                        let epsilon = 3e-16 * scale;
                        assert_relative_eq!(g[i], want, max_relative = 4e-16, epsilon = epsilon);
                    }
                }
            }
        }
    }
}

/// The distance in units in the last place between two finite f64s of the same sign.
fn ulps(a: f64, b: f64) -> u64 {
    a.to_bits().abs_diff(b.to_bits())
}

#[test]
fn own_sigmoid_and_tanh_are_within_a_few_ulp_of_the_c_library() {
    // Dense near 0 (the series, and where it meets the exponential form), then wide.
    let mut zs: Vec<f64> = (-20_000..=20_000).map(|i| i as f64 * 5e-5).collect();
    zs.extend((-4000..=4000).map(|i| i as f64 * 0.01));
    zs.extend((-300..=300).map(|i| 1.1f64.powi(i)));
    zs.extend([
        0.3,
        -0.3,
        0.3f64.next_down(),
        1e-300,
        5e-324,
        19.0,
        22.0,
        40.0,
        700.0,
    ]);
    let (mut worst_tanh, mut worst_sigmoid) = (0, 0);
    for &z in &zs {
        for z in [z, -z] {
            let tanh = Activation::Tanh.apply(z);
            assert_eq!(tanh.is_sign_negative(), z.is_sign_negative(), "tanh({z:e})");
            worst_tanh = worst_tanh.max(ulps(tanh, z.tanh()));
            let sigmoid = Activation::Sigmoid.apply(z);
            worst_sigmoid = worst_sigmoid.max(ulps(sigmoid, crate::sigmoid(z)));
        }
    }
    assert!(
        worst_tanh <= 3,
        "tanh is {worst_tanh} ulp from the C library's"
    );
    assert!(
        worst_sigmoid <= 2,
        "σ is {worst_sigmoid} ulp from the libm form"
    );
    for (z, tanh, sigmoid) in [
        (0.0, 0.0, 0.5),
        (f64::INFINITY, 1.0, 1.0),
        (f64::NEG_INFINITY, -1.0, 0.0),
        (-800.0, -1.0, 0.0),
    ] {
        assert_eq!(
            Activation::Tanh.apply(z).to_bits(),
            f64::to_bits(tanh),
            "{z}"
        );
        assert_eq!(Activation::Sigmoid.apply(z), sigmoid, "{z}");
    }
    assert_eq!(Activation::Tanh.apply(-0.0).to_bits(), (-0.0f64).to_bits());
    assert!(Activation::Tanh.apply(f64::NAN).is_nan());
    assert!(Activation::Sigmoid.apply(f64::NAN).is_nan());
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
