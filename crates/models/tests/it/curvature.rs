//! The loss surface's curvature, checked as mathematics, and the parameter view training hands
//! its observer.
//!
//! Hessian-vector products are compared with central differences of the analytic gradient
//! (itself proven in `gradients.rs`), `(g(θ + h v) − g(θ − h v)) / 2h`, by the project's
//! measure `‖a − n‖ / (‖a‖ + ‖n‖)`, which must be ≤ 1e-6. The Lanczos eigenvalues are compared
//! with those of the dense Hessian built column by column from the same differences (nalgebra's
//! `SymmetricEigen`): λ_max to 1e-6 relative, and λ_min to 1e-6 of the spectral radius
//! `max |λ|` (Weyl: a perturbation `E` moves every eigenvalue by at most `‖E‖₂`, so the
//! differences' noise is absolute), and to 1e-6 of itself wherever `|λ_min| ≥ 1e-3 max |λ|`
//! (after training λ_min can sit at 1e-9, inside that noise). Deliberately broken products
//! must fail both checks. All models have at most 100 parameters.

use std::ops::ControlFlow;

use core_linalg::{Activation, Dataset, Matrix, Vector};
use models::{
    Classifier, Curvature, Differentiable, EpochProgress, Hessian, HessianFault, LanczosConfig,
    LanczosStop, LogisticRegression, LogisticRegressionConfig, Mlp, MlpConfig, ModelError,
    ModelView, TrainingObserver, curvature, extreme_eigenvalues,
};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::common::{random_dataset, rng};

/// The bound on `‖a − n‖ / (‖a‖ + ‖n‖)` for a Hessian-vector product, and on the eigenvalue
/// errors (see the module comment).
const TOLERANCE: f64 = 1e-6;
/// What a broken product must exceed in the product check.
const BROKEN: f64 = 1e-3;

/// Lanczos run to (nearly) machine precision: these operators have ≤ 100 dimensions.
fn exact_lanczos() -> LanczosConfig {
    LanczosConfig::new()
        .with_tolerance(1e-12)
        .with_max_iterations(1000)
}

fn parameters<M: Differentiable>(model: &M) -> Vec<f64> {
    let mut copy = model.clone();
    (0..copy.n_tensors())
        .flat_map(|t| copy.tensor_mut(t).to_vec())
        .collect()
}

fn set_parameters<M: Differentiable>(model: &mut M, theta: &[f64]) {
    let mut rest = theta;
    for t in 0..model.n_tensors() {
        let tensor = model.tensor_mut(t);
        let (head, tail) = rest.split_at(tensor.len());
        tensor.copy_from_slice(head);
        rest = tail;
    }
}

fn gradient<M: Differentiable>(model: &M, data: &Dataset, l2: f64) -> Vec<f64> {
    model.gradient(data, l2).concat()
}

/// `model` moved to `θ + step · v`.
fn moved<M: Differentiable>(model: &M, v: &[f64], step: f64) -> M {
    let theta: Vec<f64> = parameters(model)
        .iter()
        .zip(v)
        .map(|(t, v)| t + step * v)
        .collect();
    let mut copy = model.clone();
    set_parameters(&mut copy, &theta);
    copy
}

/// `(g(θ + h v) − g(θ − h v)) / 2h`.
fn finite_difference_product<M: Differentiable>(
    model: &M,
    data: &Dataset,
    l2: f64,
    v: &[f64],
    step: f64,
) -> Vec<f64> {
    let plus = gradient(&moved(model, v, step), data, l2);
    let minus = gradient(&moved(model, v, -step), data, l2);
    plus.iter()
        .zip(&minus)
        .map(|(p, m)| (p - m) / (2.0 * step))
        .collect()
}

/// `‖a − n‖ / (‖a‖ + ‖n‖)`.
fn relative_error(a: &[f64], n: &[f64]) -> f64 {
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
    let diff = norm(&mut a.iter().zip(n).map(|(x, y)| x - y));
    let scale = norm(&mut a.iter().copied()) + norm(&mut n.iter().copied());
    if scale == 0.0 { diff } else { diff / scale }
}

/// The signs of every hidden ReLU pre-activation on `data`: a finite difference is only
/// meaningful between two points with the same pattern (no kink crossed).
fn relu_pattern(mlp: &Mlp, data: &Dataset) -> Vec<bool> {
    let mut pattern = Vec::new();
    let mut a = data.features().clone();
    let layers = mlp.layers();
    for layer in &layers[..layers.len() - 1] {
        let mut z = &a * &layer.weights;
        for mut row in z.row_iter_mut() {
            row += layer.biases.transpose();
        }
        pattern.extend(z.iter().map(|&v| v > 0.0));
        a = z.map(|v| v.max(0.0));
    }
    pattern
}

/// A model under test: what it is, the model, its data and its L2 penalty.
enum Subject {
    Mlp(String, Mlp, Dataset, f64),
    Logistic(String, LogisticRegression, Dataset, f64),
}

impl Subject {
    fn name(&self) -> &str {
        match self {
            Subject::Mlp(name, ..) | Subject::Logistic(name, ..) => name,
        }
    }

    fn hessian(&self) -> Hessian<'_> {
        match self {
            Subject::Mlp(_, m, d, l2) => Hessian::new(m, d, *l2),
            Subject::Logistic(_, m, d, l2) => Hessian::new(m, d, *l2),
        }
        .expect("valid model and data")
    }

    fn finite_difference_product(&self, v: &[f64]) -> Vec<f64> {
        match self {
            Subject::Mlp(name, m, d, l2) => {
                let step = m.finite_difference_step();
                let (plus, minus) = (moved(m, v, step), moved(m, v, -step));
                if m.hidden_activation() == Activation::Relu {
                    assert_eq!(
                        relu_pattern(&plus, d),
                        relu_pattern(&minus, d),
                        "{name}: the difference crosses a ReLU kink; choose another point"
                    );
                }
                finite_difference_product(m, d, *l2, v, step)
            }
            Subject::Logistic(_, m, d, l2) => {
                finite_difference_product(m, d, *l2, v, m.finite_difference_step())
            }
        }
    }

    /// The dense Hessian from central differences along each coordinate, symmetrised, and how
    /// asymmetric it was before (relative to its largest entry).
    fn finite_difference_hessian(&self) -> (Matrix, f64) {
        let n = self.hessian().n_parameters();
        let mut dense = Matrix::zeros(n, n);
        for i in 0..n {
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            dense.set_column(i, &Vector::from_vec(self.finite_difference_product(&e)));
        }
        let asymmetry = (&dense - dense.transpose()).amax() / dense.amax();
        ((&dense + dense.transpose()) / 2.0, asymmetry)
    }
}

/// Moves every parameter by a small random amount, so no ReLU input sits on its kink and
/// biases are not all zero (as in `gradients.rs`).
fn jitter<M: Differentiable>(model: &mut M, seed: u64) {
    let mut r = rng(seed ^ 0x5eed);
    for t in 0..model.n_tensors() {
        for v in model.tensor_mut(t) {
            *v += 0.1 * (r.random::<f64>() - 0.5);
        }
    }
}

/// Nets of at most 100 parameters with every activation, depths 1 to 4, at initialisation
/// (jittered) and after training, with and without L2; and logistic regression.
fn subjects() -> Vec<Subject> {
    let mut subjects = Vec::new();
    let shapes: [&[usize]; 5] = [
        &[2, 4, 1],
        &[2, 3, 3, 1],
        &[3, 5, 4, 1],
        &[2, 6, 6, 1],
        &[2, 3, 3, 3, 3, 1],
    ];
    for (a, activation) in Activation::ALL.into_iter().enumerate() {
        for (s, sizes) in shapes.iter().enumerate() {
            let seed = 10 * a as u64 + s as u64;
            let data = random_dataset(12, sizes[0], seed);
            let config = MlpConfig::new(sizes)
                .with_hidden_activation(activation)
                .with_learning_rate(0.5)
                .with_epochs(200);
            let mut initial = config.initialise(&mut rng(seed)).expect("valid");
            jitter(&mut initial, seed);
            let n: usize = sizes.windows(2).map(|p| (p[0] + 1) * p[1]).sum();
            assert!(n <= 100, "{sizes:?} has {n} parameters");
            let l2 = if s % 2 == 0 { 0.0 } else { 0.1 };
            let name = format!("{activation} {sizes:?} l2 {l2}");
            subjects.push(Subject::Mlp(
                format!("{name} at initialisation"),
                initial,
                data.clone(),
                l2,
            ));
            if s < 3 {
                let (trained, _) = config
                    .with_l2(l2)
                    .fit(&data, &mut rng(seed))
                    .expect("trains");
                subjects.push(Subject::Mlp(
                    format!("{name} after 200 epochs"),
                    trained,
                    data,
                    l2,
                ));
            }
        }
    }
    for (seed, l2) in [(1, 0.0), (2, 0.3)] {
        let data = random_dataset(15, 3, seed);
        let config = LogisticRegressionConfig::new().with_epochs(20).with_l2(l2);
        let (model, _) = config.fit(&data, &mut rng(seed)).expect("fits");
        subjects.push(Subject::Logistic(
            format!("logistic regression l2 {l2}"),
            model,
            data,
            l2,
        ));
    }
    subjects
}

fn unit_direction(n: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    let v: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut r)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

/// The worst product error over three random directions.
fn product_error(subject: &Subject, hessian: &mut Hessian<'_>) -> f64 {
    let n = hessian.n_parameters();
    (0..3)
        .map(|k| {
            let v = unit_direction(n, 77 + k);
            let mut analytic = vec![0.0; n];
            hessian
                .product_into(&v, &mut analytic)
                .expect("lengths agree");
            relative_error(&analytic, &subject.finite_difference_product(&v))
        })
        .fold(0.0, f64::max)
}

/// The errors of the Lanczos extreme eigenvalues of `hessian` against the dense ones: λ_max
/// relative to itself, λ_min relative to the spectral radius.
fn eigenvalue_errors(hessian: &mut Hessian<'_>, dense: &Matrix) -> (f64, f64, Curvature) {
    let eigenvalues = dense.clone().symmetric_eigen().eigenvalues;
    let (max, min) = (eigenvalues.max(), eigenvalues.min());
    let radius = max.abs().max(min.abs());
    let n = hessian.n_parameters();
    let reading = extreme_eigenvalues(
        n,
        |v, out| hessian.product_into(v, out),
        &exact_lanczos(),
        &mut rng(3),
    )
    .expect("finite products");
    let max_error = (reading.lambda_max - max).abs() / max.abs();
    let min_error = (reading.lambda_min - min).abs() / radius;
    (max_error, min_error, reading)
}

#[test]
fn hessian_vector_products_match_finite_differences_of_the_gradient() {
    let mut worst = (0.0, String::new());
    for subject in subjects() {
        let error = product_error(&subject, &mut subject.hessian());
        assert!(error <= TOLERANCE, "{}: {error:e}", subject.name());
        if error > worst.0 {
            worst = (error, subject.name().to_owned());
        }
    }
    // Shown with --nocapture; the commit message quotes it.
    println!("worst product error {:e} ({})", worst.0, worst.1);
}

#[test]
fn lanczos_extreme_eigenvalues_match_the_dense_finite_difference_hessian() {
    let (mut worst_max, mut worst_min, mut worst_asymmetry) = (0.0f64, 0.0f64, 0.0f64);
    let mut worst_own = 0.0f64;
    for subject in subjects() {
        let (dense, asymmetry) = subject.finite_difference_hessian();
        let (max_error, min_error, reading) = eigenvalue_errors(&mut subject.hessian(), &dense);
        let name = subject.name();
        assert!(
            asymmetry < 1e-7,
            "{name}: the difference Hessian is asymmetric by {asymmetry:e}"
        );
        assert!(
            max_error <= TOLERANCE,
            "{name}: λ_max off by {max_error:e}: {reading:?}"
        );
        assert!(
            min_error <= TOLERANCE,
            "{name}: λ_min off by {min_error:e}: {reading:?}"
        );
        assert_eq!(reading.stop_reason, LanczosStop::Converged, "{name}");
        worst_max = worst_max.max(max_error);
        worst_min = worst_min.max(min_error);
        worst_asymmetry = worst_asymmetry.max(asymmetry);
        // Relative to itself too, wherever λ_min is not lost in the spectrum's scale.
        let min = dense.clone().symmetric_eigen().eigenvalues.min();
        let radius = reading.lambda_max.abs().max(min.abs());
        if min.abs() >= 1e-3 * radius {
            let own = (reading.lambda_min - min).abs() / min.abs();
            assert!(own <= TOLERANCE, "{name}: λ_min off by {own:e} of itself");
            worst_own = worst_own.max(own);
        }
    }
    println!(
        "worst λ_max error {worst_max:e}, λ_min error {worst_min:e} of max |λ| ({worst_own:e} \
         of itself where |λ_min| ≥ 1e-3 max |λ|), asymmetry {worst_asymmetry:e}"
    );
}

/// The negative controls: each deliberately broken product must fail the product check by
/// more than [`BROKEN`] and the eigenvalue check by more than [`TOLERANCE`] on at least one
/// eigenvalue.
#[test]
fn broken_hessian_vector_products_are_caught() {
    let cases = [
        (HessianFault::DropActivationCurvature, Activation::Tanh),
        (HessianFault::DropActivationCurvature, Activation::Sigmoid),
        (
            HessianFault::LossCurvatureWithoutComplement,
            Activation::Relu,
        ),
        (
            HessianFault::LossCurvatureWithoutComplement,
            Activation::Identity,
        ),
        (HessianFault::DropWeightTermOfBackward, Activation::Relu),
        (HessianFault::DropWeightTermOfBackward, Activation::Tanh),
    ];
    for (fault, activation) in cases {
        let seed = 5;
        let data = random_dataset(12, 2, seed);
        let (mlp, _) = MlpConfig::new(&[2, 4, 4, 1])
            .with_hidden_activation(activation)
            .with_learning_rate(0.5)
            .with_epochs(100)
            .fit(&data, &mut rng(seed))
            .expect("trains");
        let subject = Subject::Mlp(format!("{activation}"), mlp, data, 0.0);
        let correct = product_error(&subject, &mut subject.hessian());
        assert!(correct <= TOLERANCE, "{fault:?} {activation}: {correct:e}");
        let mut broken = subject.hessian().with_fault(fault);
        let product = product_error(&subject, &mut broken);
        let (dense, _) = subject.finite_difference_hessian();
        let (max_error, min_error, _) = eigenvalue_errors(&mut broken, &dense);
        println!(
            "{fault:?} on {activation}: product error {product:e}, λ_max error {max_error:e}, \
             λ_min error {min_error:e}"
        );
        assert!(
            product > BROKEN,
            "{fault:?} on {activation} not caught: {product:e}"
        );
        assert!(
            max_error.max(min_error) > TOLERANCE,
            "{fault:?} on {activation} not caught by the eigenvalues: {max_error:e}, {min_error:e}"
        );
    }
}

/// Logistic regression's Hessian in closed form:
/// `H = (1/n) Σ_i σ(z_i) σ(−z_i) [x_i 1]ᵀ[x_i 1] + λ diag(1, …, 1, 0)`.
#[test]
fn logistic_regression_hessian_has_its_closed_form() {
    let data = random_dataset(30, 3, 8);
    let (model, _) = LogisticRegressionConfig::new()
        .with_epochs(50)
        .fit(&data, &mut rng(0))
        .expect("fits");
    let l2 = 0.2;
    let (w, b) = (model.weights(), model.bias());
    let n = data.n_samples() as f64;
    let mut exact = Matrix::zeros(4, 4);
    // The labels do not enter: ℓ'' is the same for y = 0 and y = 1.
    for x in data.features().row_iter() {
        let z = x.dot(&w.transpose()) + b;
        let s = 1.0 / (1.0 + (-z).exp()) / (1.0 + z.exp());
        let row = Vector::from_vec(vec![x[0], x[1], x[2], 1.0]);
        exact += (s / n) * &row * row.transpose();
    }
    for i in 0..3 {
        exact[(i, i)] += l2;
    }
    let mut hessian = Hessian::new(&model, &data, l2).expect("valid");
    for i in 0..4 {
        let mut e = [0.0; 4];
        e[i] = 1.0;
        let mut column = [0.0; 4];
        hessian.product_into(&e, &mut column).expect("lengths");
        for j in 0..4 {
            assert!((column[j] - exact[(j, i)]).abs() < 1e-14, "({j}, {i})");
        }
    }
}

/// The prediction `2 / λ_max` separates learning rates that settle back into a minimum from
/// those that are thrown out of it: logistic regression with L2 has one minimum, and near it
/// the quadratic model is the whole story.
#[test]
fn two_over_lambda_max_is_the_edge_of_stability_at_a_minimum() {
    let data = random_dataset(40, 2, 3);
    let l2 = 0.05;
    let at_minimum = |lr: f64, epochs: usize, start: Option<LogisticRegression>| {
        let config = LogisticRegressionConfig::new()
            .with_l2(l2)
            .with_learning_rate(lr)
            .with_epochs(epochs);
        match start {
            None => config.fit(&data, &mut rng(0)),
            Some(m) => config.fit_from(m, &data, None, &mut rng(0), &mut models::NoObserver),
        }
        .expect("trains")
    };
    let (minimum, report) = at_minimum(1.0, 5000, None);
    assert!(report.train_loss[4999] - report.final_train_loss() < 1e-15);
    let reading = curvature(&minimum, &data, l2, &exact_lanczos(), &mut rng(1)).expect("ok");
    let edge = reading.max_stable_learning_rate().expect("convex with L2");
    // A small push off the minimum, then 300 steps at 0.98 and 1.02 times the predicted edge.
    let mut pushed = minimum.clone();
    jitter(&mut pushed, 4);
    let (_, below) = at_minimum(0.98 * edge, 300, Some(pushed.clone()));
    let (_, above) = at_minimum(1.02 * edge, 300, Some(pushed));
    let (start, minimum_loss) = (below.train_loss[0], report.final_train_loss());
    let (settled, thrown) = (below.final_train_loss(), above.final_train_loss());
    println!(
        "edge {edge}: objective at the minimum {minimum_loss}, pushed off {start}, 300 steps \
         later at 0.98 × edge {settled}, at 1.02 × edge {thrown}"
    );
    assert!(settled - minimum_loss < 1e-3 * (start - minimum_loss));
    assert!(thrown > start);
}

#[test]
fn lanczos_reports_its_stopping_rule() {
    // diag(1, 2, …, 400): well separated at the top, so a handful of steps find λ_max, but
    // not λ_min to 1e-10 in 10 steps.
    let n = 400;
    let apply = |v: &[f64], out: &mut [f64]| {
        for (i, (o, x)) in out.iter_mut().zip(v).enumerate() {
            *o = (i + 1) as f64 * x;
        }
        Ok(())
    };
    let capped = LanczosConfig::new()
        .with_tolerance(1e-10)
        .with_max_iterations(10);
    let reading = extreme_eigenvalues(n, apply, &capped, &mut rng(0)).expect("finite");
    assert_eq!(reading.stop_reason, LanczosStop::MaxIterations);
    assert_eq!(reading.iterations, 10);
    assert!(reading.residual_min > 1e-10 * 400.0);
    // Ritz values lie inside the spectrum.
    assert!(reading.lambda_max <= 400.0 + 1e-9 && reading.lambda_min >= 1.0 - 1e-9);

    let full = LanczosConfig::new()
        .with_tolerance(1e-8)
        .with_max_iterations(n);
    let reading = extreme_eigenvalues(n, apply, &full, &mut rng(0)).expect("finite");
    assert_eq!(reading.stop_reason, LanczosStop::Converged);
    assert!(reading.iterations < n, "{reading:?}");
    assert!((reading.lambda_max - 400.0).abs() <= reading.residual_max);
    assert!((reading.lambda_min - 1.0).abs() <= reading.residual_min.max(1e-12));
    assert!(reading.residual_max.max(reading.residual_min) <= 1e-8 * 400.0);
}

#[test]
fn same_seed_same_bits_and_the_observer_reads_what_the_model_reads() {
    let data = random_dataset(20, 2, 6);
    let config = MlpConfig::new(&[2, 5, 5, 1]).with_epochs(30);
    let (mlp, _) = config.fit(&data, &mut rng(2)).expect("fits");
    let read = |seed| curvature(&mlp, &data, 0.0, &LanczosConfig::new(), &mut rng(seed));
    assert_eq!(read(4).expect("ok"), read(4).expect("ok"));

    struct Last<'d>(&'d Dataset, Option<Curvature>);
    impl TrainingObserver for Last<'_> {
        fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
            let config = LanczosConfig::new();
            self.1 =
                Some(curvature(progress.model, self.0, 0.0, &config, &mut rng(4)).expect("ok"));
            ControlFlow::Continue(())
        }
    }
    let mut last = Last(&data, None);
    config
        .fit_with(&data, None, &mut rng(2), &mut last)
        .expect("fits");
    assert_eq!(last.1, Some(read(4).expect("ok")));
}

#[test]
fn bad_inputs_are_typed_errors() {
    let data = random_dataset(10, 2, 1);
    let mlp = MlpConfig::new(&[2, 3, 1])
        .initialise(&mut rng(0))
        .expect("valid");
    let config = LanczosConfig::new();
    let message = |e: ModelError| e.to_string();

    let mut broken = mlp.clone();
    broken.tensor_mut(2)[1] = f64::NAN;
    let err = curvature(&broken, &data, 0.0, &config, &mut rng(0)).expect_err("NaN");
    assert!(
        matches!(
            err,
            ModelError::NonFiniteParameter {
                layer: 1,
                tensor: "weights",
                index: 1,
                ..
            }
        ),
        "{err:?}"
    );

    let three = random_dataset(10, 3, 1);
    let err = curvature(&mlp, &three, 0.0, &config, &mut rng(0)).expect_err("3 ≠ 2");
    assert!(
        message(err).starts_with("curvature data has 3 features but the model's first layer has 2")
    );

    for l2 in [-1.0, f64::NAN, f64::INFINITY] {
        let err = curvature(&mlp, &data, l2, &config, &mut rng(0)).expect_err("bad l2");
        assert!(message(err).starts_with("invalid l2"));
    }
    for (bad, field) in [
        (config.with_max_iterations(0), "max_iterations"),
        (config.with_tolerance(0.0), "tolerance"),
        (config.with_tolerance(1.0), "tolerance"),
        (config.with_tolerance(f64::NAN), "tolerance"),
    ] {
        let err = curvature(&mlp, &data, 0.0, &bad, &mut rng(0)).expect_err("bad config");
        assert!(
            message(err).starts_with(&format!("invalid {field}")),
            "{field}"
        );
    }

    let mut hessian = Hessian::new(&mlp, &data, 0.0).expect("valid");
    let n = hessian.n_parameters();
    let err = hessian
        .product_into(&vec![0.0; n + 1], &mut vec![0.0; n])
        .expect_err("long v");
    assert_eq!(
        message(err),
        "the direction vector has 14 entries but the model has 13 parameters: pass one entry \
         per weight and bias"
    );
    let err = hessian
        .product_into(&vec![0.0; n], &mut [])
        .expect_err("short out");
    assert!(matches!(
        err,
        ModelError::ParameterCountMismatch {
            name: "output",
            expected: 13,
            found: 0
        }
    ));

    let err = extreme_eigenvalues(0, |_, _| Ok(()), &config, &mut rng(0)).expect_err("n = 0");
    assert!(message(err).starts_with("invalid n = 0"));

    // Finite parameters whose outputs overflow: a linear net with weights of 1e200.
    let mut huge = MlpConfig::new(&[2, 3, 3, 1])
        .with_hidden_activation(Activation::Identity)
        .initialise(&mut rng(0))
        .expect("valid");
    for t in [0, 2] {
        huge.tensor_mut(t).iter_mut().for_each(|w| *w = 1e200);
    }
    let err = curvature(&huge, &data, 0.0, &config, &mut rng(0)).expect_err("overflow");
    assert!(
        message(err)
            .starts_with("the curvature cannot be measured: layer 1's output is not finite"),
    );
}

/// Keeps a logistic-regression copy of the model at every epoch (when there is one) and the
/// layer sizes seen.
#[derive(Default)]
struct EveryEpoch {
    taken: Vec<LogisticRegression>,
    shapes: Vec<Vec<usize>>,
}

impl TrainingObserver for EveryEpoch {
    fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
        self.shapes.push(progress.model.layer_sizes());
        if let Some(model) = progress.model.to_logistic_regression() {
            self.taken.push(model);
        }
        ControlFlow::Continue(())
    }
}

#[test]
fn observer_view_snapshots_the_model_at_each_epoch() {
    let data = random_dataset(20, 3, 5);
    let config = LogisticRegressionConfig::new().with_epochs(4);
    let mut seen = EveryEpoch::default();
    let (model, report) = config
        .fit_with(&data, None, &mut rng(0), &mut seen)
        .expect("fits");
    assert_eq!(seen.taken.len(), 5);
    assert_eq!(
        seen.taken[4], model,
        "the last snapshot is the fitted model"
    );
    assert_eq!(seen.taken[0].weights().as_slice(), &[0.0; 3]);
    for (epoch, snapshot) in seen.taken.iter().enumerate() {
        let loss = snapshot.loss(&data).expect("same features");
        assert_eq!(
            loss.to_bits(),
            report.train_loss[epoch].to_bits(),
            "{epoch}"
        );
        assert_eq!(snapshot.trained_with(), model.trained_with());
    }

    // An MLP's view has hidden layers, so no logistic-regression copy.
    let mut seen = EveryEpoch::default();
    let (mlp, _) = MlpConfig::new(&[3, 4, 1])
        .with_epochs(2)
        .fit_with(&data, None, &mut rng(1), &mut seen)
        .expect("fits");
    assert!(seen.taken.is_empty());
    assert_eq!(seen.shapes, vec![vec![3, 4, 1]; 3]);
    let view = ModelView::from(&mlp);
    assert_eq!(view.to_mlp(), mlp);
    assert_eq!(view.n_parameters(), 4 * 4 + 5);
    assert_eq!(
        format!("{view:?}"),
        "ModelView { layer_sizes: [3, 4, 1], hidden_activation: Relu, .. }"
    );
    assert_eq!(
        ModelView::from(&model)
            .to_mlp()
            .predict_proba(data.features()),
        model.predict_proba(data.features())
    );
}
