//! Property tests: any valid configuration fitted on any finite data with both classes either
//! trains to a model whose probabilities are in [0, 1] and do not depend on row order or batch
//! size, or stops as `Diverged`. Never a panic, never another error, never a NaN.
//!
//! The case counts are set explicitly (not left to proptest's default of 256 or to
//! `PROPTEST_CASES`) because they carry the workspace's budget of 10,000 property cases per
//! `cargo test --workspace`; this file holds most of it (see [`MLP_CASES`]).

use core_linalg::{Activation, Dataset, Matrix, Vector};
use models::{
    BatchMode, Classifier, EarlyStopping, FitReport, LogisticRegressionConfig, MlpConfig,
    ModelError, StopReason,
};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::common::rng;

/// Cases of the MLP property. With the 2,000 below this file alone runs 10,000 cases, the
/// workspace's floor per `cargo test --workspace`; core-linalg (640), data (512), metrics
/// (1,792) and experiments add theirs on top. Both properties together take under 2 s on
/// two cores in the test profile (opt-level 3): the nets are tiny.
const MLP_CASES: u32 = 8_000;
/// Cases of the logistic-regression property.
const LOGISTIC_CASES: u32 = 2_000;

/// Feature values in ±1e3: mostly uniform, with small values, exact zeros and small integers
/// (which make ties and duplicate rows) drawn often.
fn feature() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e3..1e3,
        2 => -1.0..1.0,
        1 => Just(0.0),
        1 => (-3i32..=3).prop_map(f64::from),
    ]
}

/// 2 to 40 rows of 1 to 3 finite features, labels 0/1 with both classes present.
fn dataset() -> impl Strategy<Value = Dataset> {
    (2usize..=40, 1usize..=3).prop_flat_map(|(n, d)| {
        (vec(feature(), n * d), vec(any::<bool>(), n), 0..n, 1..n).prop_map(
            move |(values, labels, zero, offset)| {
                let mut labels: Vec<f64> =
                    labels.into_iter().map(|b| f64::from(u8::from(b))).collect();
                labels[zero] = 0.0;
                labels[(zero + offset) % n] = 1.0;
                Dataset::new(
                    Matrix::from_row_slice(n, d, &values),
                    Vector::from_vec(labels),
                )
                .expect("finite features and 0/1 labels")
            },
        )
    })
}

/// A dataset and a random order of its rows.
fn dataset_and_permutation() -> impl Strategy<Value = (Dataset, Vec<usize>)> {
    dataset().prop_flat_map(|data| {
        let order = Just((0..data.n_samples()).collect::<Vec<_>>()).prop_shuffle();
        (Just(data), order)
    })
}

/// Learning rates spread evenly in log scale over [1e-4, 1], ends included.
fn learning_rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => (-4.0f64..=0.0).prop_map(|e| 10f64.powf(e)),
        1 => Just(1e-4),
        1 => Just(1.0),
    ]
}

fn batch() -> impl Strategy<Value = BatchMode> {
    prop_oneof![
        3 => Just(BatchMode::Full),
        1 => (1usize..=48).prop_map(|batch_size| BatchMode::MiniBatch { batch_size }),
    ]
}

fn early_stopping() -> impl Strategy<Value = Option<EarlyStopping>> {
    prop_oneof![
        3 => Just(None),
        1 => (0.0f64..0.1, 1usize..=5)
            .prop_map(|(tolerance, patience)| Some(EarlyStopping { tolerance, patience })),
    ]
}

/// The training settings both models share, applied through their own setters.
#[derive(Debug, Clone)]
struct Training {
    learning_rate: f64,
    epochs: usize,
    l2: f64,
    batch: BatchMode,
    early_stopping: Option<EarlyStopping>,
    threshold: f64,
}

fn training() -> impl Strategy<Value = Training> {
    (
        learning_rate(),
        1usize..=30,
        prop_oneof![3 => Just(0.0), 1 => 0.0f64..0.1],
        batch(),
        early_stopping(),
        prop_oneof![Just(0.5), 0.0f64..=1.0],
    )
        .prop_map(
            |(learning_rate, epochs, l2, batch, early_stopping, threshold)| Training {
                learning_rate,
                epochs,
                l2,
                batch,
                early_stopping,
                threshold,
            },
        )
}

/// Applies [`Training`] through the `with_*` setters every config type has.
macro_rules! with_training {
    ($config:expr, $t:expr) => {
        $config
            .with_learning_rate($t.learning_rate)
            .with_epochs($t.epochs)
            .with_l2($t.l2)
            .with_batch($t.batch)
            .with_early_stopping($t.early_stopping)
            .with_threshold($t.threshold)
    };
}

/// Asserts `a[i]` and `b[i]` agree within 1e-12 for every `i`.
fn close(a: &[f64], b: &[f64]) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        prop_assert!((x - y).abs() <= 1e-12, "row {}: {} vs {}", i, x, y);
    }
    Ok(())
}

/// The property both models share: `Ok` with a sound model, or `Diverged` with a sound report.
fn check_outcome(
    outcome: Result<(impl Classifier, FitReport), ModelError>,
    data: &Dataset,
    order: &[usize],
    epochs: usize,
) -> Result<(), TestCaseError> {
    let (model, report) = match outcome {
        Ok(fitted) => fitted,
        Err(ModelError::Diverged {
            epoch,
            loss,
            first_loss,
            report,
        }) => {
            prop_assert!(epoch <= epochs);
            prop_assert!(
                !loss.is_finite() || loss > first_loss,
                "{} vs {}",
                loss,
                first_loss
            );
            prop_assert_eq!(report.epochs_run, epoch);
            prop_assert_eq!(report.train_loss.len(), epoch + 1);
            prop_assert_eq!(report.train_loss[0].to_bits(), first_loss.to_bits());
            // The loss is often NaN, so compare its bits.
            let StopReason::Diverged { epoch: e, loss: l } = report.stop_reason else {
                return Err(TestCaseError::fail(format!("{:?}", report.stop_reason)));
            };
            prop_assert_eq!((e, l.to_bits()), (epoch, loss.to_bits()));
            return Ok(());
        }
        Err(other) => return Err(TestCaseError::fail(format!("unexpected error: {other}"))),
    };
    prop_assert!((1..=epochs).contains(&report.epochs_run), "{:?}", report);
    prop_assert!(
        !matches!(report.stop_reason, StopReason::Diverged { .. }),
        "{:?}",
        report.stop_reason
    );
    prop_assert_eq!(report.train_loss.len(), report.epochs_run + 1);
    prop_assert!(
        report.train_loss.iter().all(|l| l.is_finite()),
        "{:?}",
        report.train_loss
    );

    let x = data.features();
    let p = model.predict_proba(x).expect("valid input");
    prop_assert!(p.iter().all(|p| (0.0..=1.0).contains(p)), "{:?}", p);
    let labels = model.predict(x).expect("valid input");
    for (&p, &label) in p.iter().zip(labels.iter()) {
        prop_assert_eq!(label, f64::from(u8::from(p >= model.threshold())));
    }

    let permuted = model
        .predict_proba(&x.select_rows(order))
        .expect("valid input");
    let unpermuted: Vec<f64> = order.iter().map(|&i| p[i]).collect();
    close(permuted.as_slice(), &unpermuted)?;
    let one_at_a_time: Vec<f64> = (0..x.nrows())
        .map(|i| {
            model
                .predict_proba(&x.rows(i, 1).into_owned())
                .expect("valid input")[0]
        })
        .collect();
    close(p.as_slice(), &one_at_a_time)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(MLP_CASES))]

    #[test]
    fn any_valid_mlp_on_any_finite_data_fits_or_diverges(
        (data, order) in dataset_and_permutation(),
        hidden in vec(1usize..=12, 1..=4),
        activation in proptest::sample::select(Activation::ALL.to_vec()),
        training in training(),
        seed: u64,
    ) {
        let mut sizes = vec![data.n_features()];
        sizes.extend(&hidden);
        sizes.push(1);
        let config = with_training!(
            MlpConfig::new(&sizes).with_hidden_activation(activation),
            training
        );
        prop_assert_eq!(config.validate(), Ok(()));
        check_outcome(config.fit(&data, &mut rng(seed)), &data, &order, training.epochs)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(LOGISTIC_CASES))]

    #[test]
    fn any_valid_logistic_regression_on_any_finite_data_fits_or_diverges(
        (data, order) in dataset_and_permutation(),
        training in training(),
        seed: u64,
    ) {
        let config = with_training!(LogisticRegressionConfig::new(), training);
        prop_assert_eq!(config.validate(), Ok(()));
        check_outcome(config.fit(&data, &mut rng(seed)), &data, &order, training.epochs)?;
    }
}
