//! Every hand-written gradient against central finite differences in f64.
//!
//! The measure is per tensor, `‖a − n‖ / (‖a‖ + ‖n‖)`, and must be ≤ 1e-6. Deliberately broken
//! gradients must be caught with an error ≥ 1e-3, so the check is known to fail when it should.

use models::{
    Activation, Differentiable, LogisticRegressionConfig, MlpConfig, check_gradients,
    compare_gradients, finite_difference_gradient,
};

use crate::common::{random_dataset, rng};

const TOLERANCE: f64 = 1e-6;

/// Moves every parameter by a small random amount. A fresh network has all biases at exactly
/// zero, so a ReLU unit whose inputs are all zero sits exactly on its kink, where the function
/// has no derivative and finite differences measure half of one side. Checking at a generic
/// point avoids that; it is how the checker should be used.
fn jitter<M: Differentiable>(model: &mut M, seed: u64) {
    use rand::Rng;
    let mut r = rng(seed ^ 0x5eed);
    for t in 0..model.n_tensors() {
        for v in model.tensor_mut(t) {
            *v += 0.1 * (r.random::<f64>() - 0.5);
        }
    }
}

fn check_mlp(sizes: &[usize], activation: Activation, seed: u64, l2: f64) {
    let data = random_dataset(7, sizes[0], seed);
    let mut mlp = MlpConfig::new(sizes)
        .with_hidden_activation(activation)
        .initialise(&mut rng(seed))
        .expect("valid config");
    jitter(&mut mlp, seed);
    let check = check_gradients(&mlp, &data, l2).expect("shapes agree");
    assert!(
        check.passes(TOLERANCE),
        "{activation} {sizes:?} seed {seed} l2 {l2}: {:#?}",
        check.tensors
    );
}

fn sizes(depth: usize, width: usize) -> Vec<usize> {
    let mut s = vec![2];
    s.extend(std::iter::repeat_n(width, depth));
    s.push(1);
    s
}

#[test]
fn logistic_regression_gradient_matches_finite_differences() {
    for seed in 0..5 {
        let data = random_dataset(9, 3, seed);
        // Start away from zero so the check is not at a symmetric point.
        let config = LogisticRegressionConfig::new().with_epochs(3);
        let (model, _) = config.fit(&data, &mut rng(seed)).expect("fits");
        for l2 in [0.0, 0.3] {
            let check = check_gradients(&model, &data, l2).expect("shapes agree");
            assert!(check.passes(TOLERANCE), "seed {seed}: {check:?}");
        }
    }
}

#[test]
fn mlp_gradients_every_activation_depths_1_to_10() {
    for activation in Activation::ALL {
        // Sigmoid nets deeper than 4 have gradients so small that finite differences are noise.
        let max_depth = if activation == Activation::Sigmoid {
            4
        } else {
            10
        };
        for depth in 1..=max_depth {
            for seed in 0..3 {
                check_mlp(&sizes(depth, 4), activation, 100 * depth as u64 + seed, 0.0);
            }
        }
    }
}

#[test]
fn mlp_gradients_widths_3_to_50() {
    for activation in Activation::ALL {
        for width in [3, 6, 20, 50] {
            for seed in 0..3 {
                check_mlp(&sizes(2, width), activation, 1000 + seed, 0.0);
            }
        }
    }
}

#[test]
fn mlp_gradients_deep_and_wide() {
    check_mlp(&sizes(10, 50), Activation::Relu, 7, 0.0);
    check_mlp(&sizes(10, 50), Activation::Tanh, 7, 0.0);
    check_mlp(&sizes(10, 20), Activation::Identity, 7, 0.0);
    check_mlp(&sizes(4, 50), Activation::Sigmoid, 7, 0.0);
}

#[test]
fn mlp_gradients_with_l2_and_more_features() {
    for activation in Activation::ALL {
        check_mlp(&[5, 6, 3, 1], activation, 3, 0.1);
        check_mlp(&[1, 1], activation, 4, 0.5);
    }
}

/// The negative controls: break the analytic gradient in three ways and require the check to
/// see each one.
#[test]
fn broken_gradients_are_caught() {
    for (sizes, activation) in [
        (vec![2, 5, 5, 1], Activation::Relu),
        (vec![2, 20, 20, 20, 1], Activation::Tanh),
        (vec![2, 6, 1], Activation::Sigmoid),
    ] {
        let data = random_dataset(7, 2, 11);
        let mut mlp = MlpConfig::new(&sizes)
            .with_hidden_activation(activation)
            .initialise(&mut rng(11))
            .expect("valid");
        jitter(&mut mlp, 11);
        let names: Vec<String> = (0..mlp.n_tensors()).map(|t| mlp.tensor_name(t)).collect();
        let analytic = mlp.gradient(&data, 0.0);
        let numeric = finite_difference_gradient(&mlp, &data, 0.0, mlp.finite_difference_step());
        assert!(compare_gradients(&names, &analytic, &numeric).passes(TOLERANCE));

        for tensor in 0..analytic.len() {
            let values = &analytic[tensor];
            if values.iter().all(|&v| v == 0.0) {
                continue; // Nothing to break (e.g. a dead ReLU unit's bias).
            }
            let (imax, imin) = argmax_argmin(values);

            let mut scaled = analytic.clone();
            scaled[tensor].iter_mut().for_each(|v| *v *= 1.01);
            let mut zeroed = analytic.clone();
            zeroed[tensor][imax] = 0.0;
            let mut swapped = analytic.clone();
            swapped[tensor].swap(imax, imin);

            for (what, broken) in [("scaled", scaled), ("zeroed", zeroed), ("swapped", swapped)] {
                if what == "swapped" && values.len() < 2 {
                    continue;
                }
                let check = compare_gradients(&names, &broken, &numeric);
                assert!(
                    check.tensors[tensor].relative_error >= 1e-3,
                    "{what} {} of {sizes:?} not caught: {}",
                    names[tensor],
                    check.tensors[tensor].relative_error
                );
            }
        }
    }
}

/// Indices of the entries with the largest and smallest absolute value.
fn argmax_argmin(values: &[f64]) -> (usize, usize) {
    let by_abs = |a: &(usize, &f64), b: &(usize, &f64)| a.1.abs().total_cmp(&b.1.abs());
    let imax = values.iter().enumerate().max_by(by_abs).map(|(i, _)| i);
    let imin = values.iter().enumerate().min_by(by_abs).map(|(i, _)| i);
    (imax.unwrap_or(0), imin.unwrap_or(0))
}
