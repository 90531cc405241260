//! scikit-learn's estimator checks, ported: every check runs for both models (the list is in
//! issue #7's bad-input checklist, "Conformance checks worth porting from scikit-learn"), plus
//! its extreme-but-legal data: huge features, constant columns, contradictory duplicates.
//!
//! Both models go through one [`Config`] enum rather than boxed closures: a fit returns a
//! [`SavedModel`], which is a classifier *and* saves itself, so the save/load check
//! needs no second code path, and the config itself can be cloned and compared. Most checks
//! also run with each model standardising its own inputs ([`Config::all`]).

use core_linalg::{Dataset, DatasetError, Matrix, Vector};
use data::{Blobs, Standardizer};
use models::{
    Activation, Classifier, FitReport, LogisticRegressionConfig, MlpConfig, ModelError, SavedModel,
    Standardize, StopReason,
};
use rand::seq::SliceRandom;

use crate::common::{random_dataset, rng, two_clusters};

/// One configuration of either model.
#[derive(Debug, Clone, PartialEq)]
enum Config {
    Logistic(LogisticRegressionConfig),
    Mlp(MlpConfig),
}

impl Config {
    /// Both models, configured for data with `n_features` features.
    fn both(n_features: usize) -> [Config; 2] {
        [
            Config::Logistic(
                LogisticRegressionConfig::new()
                    .with_learning_rate(0.5)
                    .with_epochs(200),
            ),
            Config::Mlp(
                MlpConfig::new(&[n_features, 6, 4, 1])
                    .with_hidden_activation(Activation::Tanh)
                    .with_learning_rate(0.2)
                    .with_epochs(200),
            ),
        ]
    }

    /// Both models as [`Config::both`], then both again standardising their inputs.
    fn all(n_features: usize) -> Vec<Config> {
        let [logistic, mlp] = Config::both(n_features);
        let standardized = |c: &Config| match c.clone() {
            Config::Logistic(c) => {
                Config::Logistic(c.with_standardization(Standardize::FromTrainingData))
            }
            Config::Mlp(c) => Config::Mlp(c.with_standardization(Standardize::FromTrainingData)),
        };
        let (logistic_z, mlp_z) = (standardized(&logistic), standardized(&mlp));
        vec![logistic, mlp, logistic_z, mlp_z]
    }

    fn with_threshold(self, threshold: f64) -> Config {
        match self {
            Config::Logistic(c) => Config::Logistic(c.with_threshold(threshold)),
            Config::Mlp(c) => Config::Mlp(c.with_threshold(threshold)),
        }
    }

    fn with_learning_rate(self, learning_rate: f64) -> Config {
        match self {
            Config::Logistic(c) => Config::Logistic(c.with_learning_rate(learning_rate)),
            Config::Mlp(c) => Config::Mlp(c.with_learning_rate(learning_rate)),
        }
    }

    fn fit(&self, data: &Dataset, seed: u64) -> Result<(SavedModel, FitReport), ModelError> {
        match self {
            Config::Logistic(c) => c
                .fit(data, &mut rng(seed))
                .map(|(m, r)| (SavedModel::Logistic(m), r)),
            Config::Mlp(c) => c
                .fit(data, &mut rng(seed))
                .map(|(m, r)| (SavedModel::Mlp(m), r)),
        }
    }

    /// Fits and expects success.
    #[track_caller]
    fn fit_ok(&self, data: &Dataset, seed: u64) -> (SavedModel, FitReport) {
        self.fit(data, seed)
            .unwrap_or_else(|e| panic!("{self:?} should fit: {e}"))
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn accuracy(model: &dyn Classifier, data: &Dataset) -> f64 {
    let predicted = model.predict(data.features()).expect("valid input");
    let correct = predicted
        .iter()
        .zip(data.labels().iter())
        .filter(|(p, y)| p == y)
        .count();
    correct as f64 / data.n_samples() as f64
}

/// Predicting before fitting cannot be written: the configs are not classifiers, and the only
/// way to a model is `fit` (or `initialise` / `from_parameters`, which build a complete model
/// with explicit parameters, not an "unfitted" one that fails at predict time).
///
/// The block below is a compile-time proof, not a run-time check: if either config ever
/// implemented `Classifier`, the call `<C as AmbiguousIfClassifier<_>>::proof` would match two
/// impls, type inference would fail, and this file would stop compiling (the trick of
/// `static_assertions::assert_not_impl_any!`). Checked the other way: adding `models::Mlp` to
/// the list fails to compile with E0283.
#[test]
fn predict_before_fit_is_a_compile_error() {
    trait AmbiguousIfClassifier<Marker> {
        fn proof() {}
    }
    impl<T: ?Sized> AmbiguousIfClassifier<()> for T {}
    struct IsClassifier;
    impl<T: ?Sized + Classifier> AmbiguousIfClassifier<IsClassifier> for T {}

    <LogisticRegressionConfig as AmbiguousIfClassifier<_>>::proof();
    <MlpConfig as AmbiguousIfClassifier<_>>::proof();
}

#[test]
fn hyperparameters_are_unchanged_by_fit() {
    let data = two_clusters(20, 1);
    for config in Config::all(2) {
        let before = config.clone();
        config.fit_ok(&data, 3);
        assert_eq!(config, before);
    }
}

#[test]
fn input_is_not_mutated_by_fit() {
    let data = two_clusters(20, 2);
    let before = data.clone();
    for config in Config::all(2) {
        config.fit_ok(&data, 3);
        assert_eq!(
            bits(data.features().as_slice()),
            bits(before.features().as_slice())
        );
        assert_eq!(
            bits(data.labels().as_slice()),
            bits(before.labels().as_slice())
        );
    }
}

#[test]
fn fitting_twice_with_one_seed_is_bit_identical() {
    let data = random_dataset(30, 3, 4);
    for config in Config::all(3) {
        let (a, report_a) = config.fit_ok(&data, 11);
        let (b, report_b) = config.fit_ok(&data, 11);
        let proba = |m: &SavedModel| m.classifier().predict_proba(data.features()).unwrap();
        assert_eq!(bits(proba(&a).as_slice()), bits(proba(&b).as_slice()));
        assert_eq!(bits(&report_a.train_loss), bits(&report_b.train_loss));
        assert_eq!(report_a, report_b);
    }
}

#[test]
fn save_and_load_give_bit_identical_predictions() {
    let data = random_dataset(30, 3, 5);
    let unseen = random_dataset(25, 3, 6);
    for config in Config::all(3).into_iter().map(|c| c.with_threshold(0.3)) {
        let (model, _) = config.fit_ok(&data, 1);
        let loaded = SavedModel::from_json(&model.to_json()).expect("reads back");
        assert_eq!(loaded, model);
        for x in [data.features(), unseen.features()] {
            let before = model.classifier().predict_proba(x).unwrap();
            let after = loaded.classifier().predict_proba(x).unwrap();
            assert_eq!(bits(before.as_slice()), bits(after.as_slice()));
            assert_eq!(
                model.classifier().predict(x).unwrap(),
                loaded.classifier().predict(x).unwrap()
            );
        }
    }
}

/// Asserts `a[i]` and `b[i]` agree within 1e-12 for every `i`.
#[track_caller]
fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= 1e-12, "row {i}: {x} vs {y}");
    }
}

#[test]
fn predictions_do_not_depend_on_row_order_or_batch_size() {
    let data = random_dataset(40, 3, 7);
    let x = data.features();
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    order.shuffle(&mut rng(8));
    let permuted = x.select_rows(&order);
    for config in Config::all(3) {
        let (model, _) = config.fit_ok(&data, 2);
        let model = model.classifier();
        let p = model.predict_proba(x).unwrap();
        let p_permuted = model.predict_proba(&permuted).unwrap();
        let p_unpermuted: Vec<f64> = order.iter().map(|&i| p[i]).collect();
        assert_close(p_permuted.as_slice(), &p_unpermuted);
        let one_at_a_time: Vec<f64> = (0..x.nrows())
            .map(|i| model.predict_proba(&x.rows(i, 1).into_owned()).unwrap()[0])
            .collect();
        assert_close(p.as_slice(), &one_at_a_time);
    }
}

#[test]
fn probabilities_are_in_the_unit_interval_and_agree_with_predict() {
    let data = random_dataset(40, 2, 9);
    for threshold in [0.0, 0.3, 0.5, 0.9, 1.0] {
        for config in Config::all(2)
            .into_iter()
            .map(|c| c.with_threshold(threshold))
        {
            let (model, _) = config.fit_ok(&data, 4);
            let model = model.classifier();
            assert_eq!(model.threshold(), threshold);
            let p = model.predict_proba(data.features()).unwrap();
            let labels = model.predict(data.features()).unwrap();
            for (&p, &label) in p.iter().zip(labels.iter()) {
                assert!((0.0..=1.0).contains(&p), "{p}");
                assert_eq!(label, if p >= threshold { 1.0 } else { 0.0 }, "p = {p}");
            }
        }
    }
}

#[test]
fn well_separated_blobs_are_learned() {
    let data = Blobs::new(6.0)
        .unwrap()
        .generate(200, &mut rng(10))
        .unwrap();
    for config in Config::all(2) {
        let (model, report) = config.fit_ok(&data, 5);
        let accuracy = accuracy(model.classifier(), &data);
        assert!(accuracy >= 0.95, "{config:?}: train accuracy {accuracy}");
        assert!(report.final_train_loss() < report.train_loss[0]);
    }
}

#[test]
fn one_feature_works() {
    // Class 1 to the right of 0.5, with a little overlap-free jitter.
    let x: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.05 + 0.01).collect();
    let y: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(v > 0.5))).collect();
    let data = Dataset::new(Matrix::from_column_slice(20, 1, &x), Vector::from_vec(y)).unwrap();
    let configs = [
        Config::Logistic(
            LogisticRegressionConfig::new()
                .with_learning_rate(2.0)
                .with_epochs(2000),
        ),
        Config::Mlp(
            MlpConfig::new(&[1, 4, 1])
                .with_hidden_activation(Activation::Tanh)
                .with_learning_rate(0.5)
                .with_epochs(2000),
        ),
    ];
    for config in configs {
        let (model, report) = config.fit_ok(&data, 6);
        assert_eq!(model.classifier().n_features(), 1);
        let accuracy = accuracy(model.classifier(), &data);
        assert!(accuracy >= 0.9, "{config:?}: train accuracy {accuracy}");
        assert!(report.final_train_loss() < report.train_loss[0]);
        let p = model
            .classifier()
            .predict_proba(&Matrix::from_column_slice(2, 1, &[-10.0, 10.0]))
            .unwrap();
        assert!(p[0] < 0.5 && p[1] > 0.5, "{p:?}");
    }
}

#[test]
fn a_wrong_feature_count_or_no_rows_at_predict_is_an_error() {
    let data = two_clusters(10, 11);
    for config in Config::all(2) {
        let (model, _) = config.fit_ok(&data, 7);
        for n_columns in [0, 1, 3] {
            let x = Matrix::zeros(4, n_columns);
            for result in [
                model.classifier().predict_proba(&x),
                model.classifier().predict(&x),
            ] {
                let err = result.unwrap_err();
                assert_eq!(
                    err,
                    ModelError::FeatureCountMismatch {
                        context: "prediction",
                        expected: 2,
                        found: n_columns
                    }
                );
                assert!(
                    err.to_string().contains(&format!(
                        "prediction data has {n_columns} features but the model's first layer has 2"
                    )),
                    "{err}"
                );
            }
        }
        let err = model
            .classifier()
            .predict(&Matrix::zeros(0, 2))
            .unwrap_err();
        assert_eq!(err, ModelError::EmptyInput);
        assert!(err.to_string().contains("has no rows"), "{err}");
    }
}

#[test]
fn nan_or_infinity_at_predict_is_an_error_naming_the_cell() {
    let data = two_clusters(10, 12);
    for config in Config::all(2) {
        let (model, _) = config.fit_ok(&data, 8);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut x = Matrix::from_element(3, 2, 0.5);
            x[(2, 1)] = bad;
            for result in [
                model.classifier().predict_proba(&x),
                model.classifier().predict(&x),
            ] {
                let err = result.unwrap_err();
                let ModelError::NonFiniteInput { row, column, value } = err else {
                    panic!("expected NonFiniteInput, got {err:?}");
                };
                assert_eq!((row, column, value.to_bits()), (2, 1, bad.to_bits()));
                assert!(err.to_string().contains("row 2, column 1"), "{err}");
            }
        }
    }
}

/// NaN or infinity at fit cannot reach a model: fitting takes a `Dataset`, and
/// `Dataset::new` refuses non-finite features.
#[test]
fn nan_or_infinity_at_fit_is_refused_by_the_dataset() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut x = Matrix::from_element(4, 2, 1.0);
        x[(3, 0)] = bad;
        let err = Dataset::new(x, Vector::from_vec(vec![0.0, 1.0, 0.0, 1.0])).unwrap_err();
        let DatasetError::NonFiniteFeature { row, column, value } = err else {
            panic!("expected NonFiniteFeature, got {err:?}");
        };
        assert_eq!((row, column, value.to_bits()), (3, 0, bad.to_bits()));
    }
}

#[test]
fn a_single_class_is_an_error() {
    let x = Matrix::from_row_slice(3, 2, &[0.0, 1.0, 1.0, 0.0, 2.0, 2.0]);
    for class in [0u8, 1] {
        let data = Dataset::new(x.clone(), Vector::from_element(3, f64::from(class))).unwrap();
        for config in Config::both(2) {
            let err = config.fit(&data, 9).unwrap_err();
            assert_eq!(
                err,
                ModelError::SingleClass {
                    class,
                    n_samples: 3
                }
            );
            assert!(err.to_string().contains("both classes"), "{err}");
        }
    }
}

#[test]
fn labels_other_than_zero_and_one_are_an_error() {
    let x = Matrix::from_row_slice(3, 1, &[0.0, 1.0, 2.0]);
    for bad in [2.0, -1.0, 0.5, -0.5, f64::NAN, f64::INFINITY] {
        let err = Dataset::new(x.clone(), Vector::from_vec(vec![0.0, 1.0, bad])).unwrap_err();
        let DatasetError::InvalidLabel { row, value } = err else {
            panic!("expected InvalidLabel, got {err:?}");
        };
        assert_eq!((row, value.to_bits()), (2, bad.to_bits()));
    }
    // -0.0 == 0.0, so it is a valid label.
    assert!(Dataset::new(x, Vector::from_vec(vec![-0.0, 1.0, 0.0])).is_ok());
}

#[test]
fn at_least_one_epoch_runs() {
    let data = two_clusters(10, 13);
    for config in Config::both(2) {
        for epochs in [1, 2, 7] {
            let config = match config.clone() {
                Config::Logistic(c) => Config::Logistic(c.with_epochs(epochs)),
                Config::Mlp(c) => Config::Mlp(c.with_epochs(epochs)),
            };
            let (_, report) = config.fit_ok(&data, 10);
            assert!(report.epochs_run >= 1);
            assert_eq!(report.epochs_run, epochs);
            assert_eq!(report.train_loss.len(), epochs + 1);
            assert_eq!(report.stop_reason, StopReason::Completed);
        }
    }
}

fn parameters_are_finite(model: &SavedModel) -> bool {
    match model {
        SavedModel::Logistic(m) => {
            m.weights().iter().all(|w| w.is_finite()) && m.bias().is_finite()
        }
        SavedModel::Mlp(m) => m.layers().iter().all(|l| {
            l.weights.iter().all(|w| w.is_finite()) && l.biases.iter().all(|b| b.is_finite())
        }),
    }
}

/// Extreme but legal data: training ends with a finite model or `Diverged`, never a panic, and
/// an `Ok` model predicts probabilities in [0, 1] on its own training data.
#[track_caller]
fn assert_finite_or_diverged(config: &Config, data: &Dataset, what: &str) {
    match config.fit(data, 14) {
        Ok((model, report)) => {
            assert!(
                report.train_loss.iter().all(|l| l.is_finite()),
                "{what}, {config:?}: {:?}",
                report.train_loss
            );
            // A ReLU or a saturated sigmoid can hide an infinite weight from the loss; such a
            // model must come back as diverged, not as a result.
            assert!(
                parameters_are_finite(&model),
                "{what}, {config:?}: a parameter is not finite"
            );
            let p = model.classifier().predict_proba(data.features()).unwrap();
            assert!(
                p.iter().all(|p| (0.0..=1.0).contains(p)),
                "{what}, {config:?}: {p:?}"
            );
        }
        Err(ModelError::Diverged {
            epoch,
            loss,
            report,
            ..
        }) => {
            // The loss is often NaN, so compare its bits.
            assert!(
                matches!(report.stop_reason, StopReason::Diverged { epoch: e, loss: l }
                    if e == epoch && l.to_bits() == loss.to_bits()),
                "{what}: {:?}",
                report.stop_reason
            );
            assert_eq!(report.train_loss.len(), epoch + 1, "{what}");
        }
        Err(other) => panic!("{what}, {config:?}: unexpected error {other}"),
    }
}

#[test]
fn huge_features_end_finite_or_diverged() {
    for scale in [1e300, 1e200, 1e154, -1e300, f64::MAX] {
        let (x, y) = random_dataset(12, 2, 15).into_parts();
        // Rescaled into [-1, 1] first, so even `f64::MAX` stays finite.
        let max_abs = x.amax();
        let data = Dataset::new(x.map(|v| v / max_abs * scale), y).expect("finite features");
        let [logistic, tanh] = Config::both(2);
        let other_activations = [Activation::Relu, Activation::Sigmoid].map(|activation| {
            Config::Mlp(
                MlpConfig::new(&[2, 6, 4, 1])
                    .with_hidden_activation(activation)
                    .with_learning_rate(0.2)
                    .with_epochs(200),
            )
        });
        for config in [logistic, tanh].into_iter().chain(other_activations) {
            for learning_rate in [1e-3, 0.1, 10.0] {
                let config = config.clone().with_learning_rate(learning_rate);
                assert_finite_or_diverged(&config, &data, &format!("features × {scale:e}"));
            }
        }
    }
}

/// A case that came back `Ok` with infinite and NaN weights (found by searching seeds): a ReLU
/// net on 100 points of magnitude about 1e300. The first update overflows the first layer's
/// weights; the ReLU turns the resulting −∞ and NaN pre-activations into 0, so the loss stays
/// finite while the parameters are not. It must come back as diverged.
#[test]
fn a_relu_net_whose_weights_overflow_is_diverged() {
    let (x, y) = random_dataset(100, 2, 3).into_parts();
    let data = Dataset::new(x.map(|v| v * 1e300), y).expect("finite features");
    let config = Config::Mlp(
        MlpConfig::new(&[2, 20, 20, 1])
            .with_hidden_activation(Activation::Relu)
            .with_learning_rate(0.01)
            .with_epochs(20),
    );
    match config.fit(&data, 3) {
        Err(ModelError::Diverged { epoch, loss, .. }) => {
            assert!(loss.is_nan(), "{loss}");
            assert!(epoch >= 1, "{epoch}");
        }
        Ok((model, _)) => panic!(
            "Ok, with every parameter finite: {}",
            parameters_are_finite(&model)
        ),
        Err(other) => panic!("unexpected error {other}"),
    }
}

#[test]
fn a_constant_feature_column_trains_raw_and_standardised() {
    let data = two_clusters(15, 16);
    let (mut x, y) = data.into_parts();
    x.column_mut(1).fill(7.5);
    let raw = Dataset::new(x.clone(), y.clone()).unwrap();
    // Standardising must not divide by zero: a constant column gets scale 1.
    let standardizer = Standardizer::fit(&x);
    assert_eq!(standardizer.scales()[1], 1.0);
    let standardised = standardizer.transform_dataset(&raw).unwrap();
    assert!(standardised.features().column(1).iter().all(|&v| v == 0.0));
    let all_constant = Dataset::new(Matrix::from_element(30, 2, -3.0), y).unwrap();
    for config in Config::both(2) {
        assert_finite_or_diverged(&config, &raw, "a constant column");
        assert_finite_or_diverged(&config, &all_constant, "every column constant");
        let (model, _) = config.fit_ok(&standardised, 14);
        assert!(accuracy(model.classifier(), &standardised) >= 0.95);
    }
}

#[test]
fn duplicate_points_with_opposite_labels_train() {
    // Every point twice, once with each label: the best model says 1/2 everywhere.
    let base = random_dataset(10, 2, 17);
    let x = base.features();
    let doubled = Matrix::from_fn(20, 2, |i, j| x[(i % 10, j)]);
    let y = Vector::from_fn(20, |i, _| f64::from(u8::from(i >= 10)));
    let data = Dataset::new(doubled, y).unwrap();
    // And one point repeated with both labels, nothing else.
    let same = Dataset::new(
        Matrix::from_element(6, 2, 0.25),
        Vector::from_vec(vec![0.0, 1.0, 0.0, 1.0, 1.0, 0.0]),
    )
    .unwrap();
    for config in Config::both(2) {
        assert_finite_or_diverged(&config, &data, "duplicates with opposite labels");
        let (model, report) = config.fit_ok(&same, 14);
        assert!((report.final_train_loss() - std::f64::consts::LN_2).abs() < 1e-3);
        let p = model.classifier().predict_proba(same.features()).unwrap();
        assert!(p.iter().all(|&p| (p - 0.5).abs() < 0.05), "{p:?}");
    }
}
