//! A model that standardises its own inputs: the numbers of standardising the data first, bit
//! for bit, carried through saving and loading.

use data::{Blobs, Standardizer, train_test_split};
use models::saved::{from_json, to_json};
use models::{
    Activation, Classifier, Dataset, FitReport, LogisticRegression, LogisticRegressionConfig,
    Matrix, Mlp, MlpConfig, ModelError, NoObserver, SavedModel, StandardizationError, Standardize,
    Vector,
};

use crate::common::rng;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Blobs far from the origin and on very different scales: a column in the thousands, one in
/// thousandths. Split 75/25.
fn raw_split() -> (Dataset, Dataset) {
    let blobs = Blobs::new(5.0)
        .unwrap()
        .generate(200, &mut rng(11))
        .unwrap();
    let x = blobs.features();
    let scaled = Matrix::from_fn(x.nrows(), 2, |i, j| {
        if j == 0 {
            5000.0 + 800.0 * x[(i, 0)]
        } else {
            -0.002 + 0.0004 * x[(i, 1)]
        }
    });
    let dataset = blobs.with_features(scaled).unwrap();
    let split = train_test_split(&dataset, 0.25, &mut rng(12)).unwrap();
    (split.train, split.test)
}

/// Every parameter of a fitted model, layer by layer.
fn parameters(model: &SavedModel) -> Vec<u64> {
    match model {
        SavedModel::Mlp(m) => m
            .layers()
            .iter()
            .flat_map(|l| {
                bits(l.weights.as_slice())
                    .into_iter()
                    .chain(bits(l.biases.as_slice()))
            })
            .collect(),
        SavedModel::Logistic(m) => bits(m.weights().as_slice())
            .into_iter()
            .chain([m.bias().to_bits()])
            .collect(),
    }
}

type Fit = (SavedModel, FitReport);

/// Both models fitted on (train, test), with the model standardising or not.
fn fit_both(train: &Dataset, test: &Dataset, standardize: Standardize) -> [Fit; 2] {
    let logistic = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .with_epochs(150)
        .with_standardization(standardize)
        .fit_with(train, Some(test), &mut rng(3), &mut NoObserver)
        .map(|(m, r)| (SavedModel::Logistic(m), r))
        .unwrap();
    let mlp = MlpConfig::new(&[2, 6, 1])
        .with_hidden_activation(Activation::Tanh)
        .with_learning_rate(0.3)
        .with_epochs(150)
        .with_standardization(standardize)
        .fit_with(train, Some(test), &mut rng(4), &mut NoObserver)
        .map(|(m, r)| (SavedModel::Mlp(m), r))
        .unwrap();
    [logistic, mlp]
}

fn loss(model: &SavedModel, data: &Dataset) -> f64 {
    match model {
        SavedModel::Mlp(m) => m.loss(data),
        SavedModel::Logistic(m) => m.loss(data),
    }
    .unwrap()
}

#[test]
fn standardizing_inside_the_model_gives_the_bits_of_standardizing_the_data_first() {
    let (train, test) = raw_split();
    let standardizer = Standardizer::fit(train.features());
    let (train_z, test_z) = (
        standardizer.transform_dataset(&train).unwrap(),
        standardizer.transform_dataset(&test).unwrap(),
    );
    let inside = fit_both(&train, &test, Standardize::FromTrainingData);
    let outside = fit_both(&train_z, &test_z, Standardize::Off);
    for ((model, report), (reference, reference_report)) in inside.iter().zip(&outside) {
        let kind = model.kind();
        assert_eq!(
            bits(&report.train_loss),
            bits(&reference_report.train_loss),
            "{kind}"
        );
        assert_eq!(
            bits(&report.eval_loss),
            bits(&reference_report.eval_loss),
            "{kind}"
        );
        assert_eq!(parameters(model), parameters(reference), "{kind}");
        // Raw features in, the same probabilities out.
        let p = model.classifier().predict_proba(test.features()).unwrap();
        let p_ref = reference
            .classifier()
            .predict_proba(test_z.features())
            .unwrap();
        assert_eq!(bits(p.as_slice()), bits(p_ref.as_slice()), "{kind}");
        assert_eq!(
            loss(model, &test).to_bits(),
            loss(reference, &test_z).to_bits(),
            "{kind}"
        );
        // It learned well, which it would not on the raw scales with this learning rate.
        let accuracy = model
            .classifier()
            .predict(test.features())
            .unwrap()
            .iter()
            .zip(test.labels().iter())
            .filter(|(p, y)| p == y)
            .count() as f64
            / test.n_samples() as f64;
        assert!(accuracy > 0.95, "{kind}: {accuracy}");
    }
    let SavedModel::Logistic(logistic) = &inside[0].0 else {
        unreachable!()
    };
    let statistics = logistic.standardization().expect("it standardises");
    assert_eq!(statistics, standardizer.statistics());
    // Without standardisation, the same data and learning rate diverge.
    let raw = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .fit(&train, &mut rng(3));
    assert!(matches!(raw, Err(ModelError::Diverged { .. })), "{raw:?}");
}

#[test]
fn a_constant_column_does_not_divide_by_zero() {
    let x = Matrix::from_row_slice(6, 2, &[-3., 7., -2., 7., -1., 7., 1., 7., 2., 7., 3., 7.]);
    let data = Dataset::new(x.clone(), Vector::from_vec(vec![0., 0., 0., 1., 1., 1.])).unwrap();
    let (model, report) = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .with_epochs(300)
        .with_standardization(Standardize::FromTrainingData)
        .fit(&data, &mut rng(1))
        .unwrap();
    let statistics = model.standardization().unwrap();
    assert_eq!((statistics.means()[1], statistics.scales()[1]), (7.0, 1.0));
    assert!(report.train_loss.iter().all(|l| l.is_finite()));
    // The constant column is 0 after standardising, so its weight never moves.
    assert_eq!(model.weights()[1], 0.0);
    assert_eq!(model.predict(&x).unwrap(), *data.labels());
    // At predict, another value of that column is (x − 7) / 1, still finite.
    let p = model
        .predict_proba(&Matrix::from_row_slice(1, 2, &[1.0, 1e6]))
        .unwrap();
    assert!(p[0].is_finite());
}

#[test]
fn a_standardizing_model_saves_its_statistics_and_applies_them_after_loading() {
    let (train, test) = raw_split();
    for (model, _) in fit_both(&train, &test, Standardize::FromTrainingData) {
        let kind = model.kind();
        let loaded = SavedModel::from_json(&model.to_json()).unwrap();
        assert_eq!(loaded, model, "{kind}");
        let p = model.classifier().predict_proba(test.features()).unwrap();
        let p_loaded = loaded.classifier().predict_proba(test.features()).unwrap();
        assert_eq!(bits(p.as_slice()), bits(p_loaded.as_slice()), "{kind}");

        // The older interface hands the statistics out beside a model that takes standardised
        // features, and writes back the same file.
        let split = from_json(&model.to_json()).unwrap();
        let statistics = split.input_standardization.clone().expect("saved with it");
        let standardized = Matrix::from_fn(test.n_samples(), 2, |i, j| {
            (test.features()[(i, j)] - statistics.means[j]) / statistics.scales[j]
        });
        let p_split = split
            .model
            .classifier()
            .predict_proba(&standardized)
            .unwrap();
        assert_eq!(bits(p.as_slice()), bits(p_split.as_slice()), "{kind}");
        assert_eq!(
            to_json(&split.model, split.input_standardization.as_ref()),
            model.to_json(),
            "{kind}"
        );
    }
}

#[test]
fn an_input_whose_standardized_value_overflows_is_an_error() {
    // A column spread over 1e-300 standardises 1e300 to about 1e600.
    let x = Matrix::from_row_slice(4, 1, &[0.0, 1e-300, 2e-300, 3e-300]);
    let data = Dataset::new(x, Vector::from_vec(vec![0., 0., 1., 1.])).unwrap();
    let (model, _) = LogisticRegressionConfig::new()
        .with_standardization(Standardize::FromTrainingData)
        .fit(&data, &mut rng(1))
        .unwrap();
    let err = model
        .predict_proba(&Matrix::from_row_slice(1, 1, &[1e300]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::Standardization(StandardizationError::Overflow {
                row: 0,
                column: 0,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("overflows"), "{err}");
    // Non-finite input is still the model's own error, checked first.
    let err = model
        .predict_proba(&Matrix::from_row_slice(1, 1, &[f64::NAN]))
        .unwrap_err();
    assert!(matches!(err, ModelError::NonFiniteInput { .. }), "{err:?}");
}

#[test]
fn initial_and_hand_built_models_do_not_standardize() {
    let config = MlpConfig::new(&[2, 3, 1]).with_standardization(Standardize::FromTrainingData);
    assert_eq!(config.standardization(), Standardize::FromTrainingData);
    let initial: Mlp = config.initialise(&mut rng(1)).unwrap();
    assert!(initial.standardization().is_none());
    let built = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5).unwrap();
    assert!(built.standardization().is_none());
    // Fitting from an initial model learns the statistics, as fit does.
    let (train, _) = raw_split();
    let (fitted, _) = config
        .fit_from(initial, &train, None, &mut rng(2), &mut NoObserver)
        .unwrap();
    assert_eq!(
        fitted.standardization(),
        Some(Standardizer::fit(train.features()).statistics())
    );
}
