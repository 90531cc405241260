//! The training loop: determinism, stopping rules, divergence, diagnostics and bad input.

use std::ops::ControlFlow;

use core_linalg::{Dataset, Matrix, Vector};
use models::{
    Activation, BatchMode, Classifier, EarlyStopping, EpochProgress, LogisticRegressionConfig,
    MlpConfig, ModelError, StopReason, TrainingObserver,
};

use crate::common::{random_dataset, rng, two_clusters};

#[test]
fn same_seed_gives_bit_identical_weights_and_curves() {
    let data = two_clusters(40, 5);
    for batch in [BatchMode::Full, BatchMode::MiniBatch { batch_size: 16 }] {
        let config = MlpConfig::new(&[2, 8, 8, 1])
            .with_epochs(200)
            .with_batch(batch);
        let (a, ra) = config.fit(&data, &mut rng(9)).expect("fits");
        let (b, rb) = config.fit(&data, &mut rng(9)).expect("fits");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (la, lb) in a.layers().iter().zip(b.layers()) {
            assert_eq!(bits(la.weights.as_slice()), bits(lb.weights.as_slice()));
            assert_eq!(bits(la.biases.as_slice()), bits(lb.biases.as_slice()));
        }
        assert_eq!(bits(&ra.train_loss), bits(&rb.train_loss));
        let (c, _) = config.fit(&data, &mut rng(10)).expect("fits");
        assert_ne!(a, c, "a different seed gives a different start");
    }
}

#[test]
fn curve_lengths_and_epoch_counts_agree() {
    let data = two_clusters(20, 1);
    let (_, report) = MlpConfig::new(&[2, 4, 1])
        .with_epochs(50)
        .with_learning_rate(0.05)
        .fit_with(&data, Some(&data), &mut rng(1), &mut models::NoObserver)
        .expect("fits");
    assert_eq!(report.stop_reason, StopReason::Completed);
    assert_eq!(report.epochs_run, 50);
    assert_eq!(report.train_loss.len(), 51);
    // Evaluating on the training set itself gives the same numbers (no L2).
    assert_eq!(report.eval_loss, report.train_loss);
    assert!(report.final_train_loss() < report.train_loss[0]);
}

#[test]
fn a_strided_evaluation_loss_is_the_every_epoch_curve_at_its_epochs() {
    struct StopAt(usize);
    impl TrainingObserver for StopAt {
        fn on_epoch(&mut self, p: &EpochProgress) -> ControlFlow<()> {
            if p.epoch == self.0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let data = two_clusters(20, 3);
    let eval = two_clusters(12, 4);
    let config = MlpConfig::new(&[2, 4, 1])
        .with_epochs(53)
        .with_learning_rate(0.05);
    let (_, every) = config
        .clone()
        .fit_with(&data, Some(&eval), &mut rng(1), &mut models::NoObserver)
        .expect("fits");
    assert_eq!(every.eval_epochs, (0..=53).collect::<Vec<_>>());
    // Completed, and stopped by the observer between two strided epochs: the last epoch run
    // is always measured.
    for (stop_at, expected) in [
        (usize::MAX, vec![0, 10, 20, 30, 40, 50, 53]),
        (27, vec![0, 10, 20, 27]),
        (30, vec![0, 10, 20, 30]),
    ] {
        let (_, strided) = config
            .clone()
            .with_eval_stride(10)
            .fit_with(&data, Some(&eval), &mut rng(1), &mut StopAt(stop_at))
            .expect("fits");
        assert_eq!(strided.eval_epochs, expected);
        let picked: Vec<u64> = expected
            .iter()
            .map(|&e| every.eval_loss[e].to_bits())
            .collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&strided.eval_loss),
            picked,
            "the same values, measured less often"
        );
        assert_eq!(
            bits(&strided.train_loss),
            bits(&every.train_loss[..strided.train_loss.len()]),
            "training itself is untouched"
        );
    }
}

#[test]
fn epochs_to_fraction_is_the_first_epoch_below_the_fraction() {
    let data = two_clusters(30, 2);
    let (_, report) = LogisticRegressionConfig::new()
        .with_epochs(400)
        .with_loss_fraction(0.3)
        .fit(&data, &mut rng(0))
        .expect("fits");
    let k = report
        .epochs_to_fraction
        .expect("separable data gets there");
    let target = 0.3 * report.train_loss[0];
    assert!(report.train_loss[k] <= target);
    assert!(report.train_loss[..k].iter().all(|&l| l > target));
}

#[test]
fn early_stopping_stops_and_off_runs_every_epoch() {
    let data = two_clusters(30, 3);
    let base = MlpConfig::new(&[2, 6, 1])
        .with_epochs(5000)
        .with_learning_rate(0.1);
    let (_, off) = base.fit(&data, &mut rng(1)).expect("fits");
    assert_eq!(off.epochs_run, 5000);
    let on = base.with_early_stopping(Some(EarlyStopping {
        tolerance: 1e-4,
        patience: 5,
    }));
    let (_, report) = on.fit(&data, &mut rng(1)).expect("fits");
    let StopReason::EarlyStopped { epoch } = report.stop_reason else {
        panic!("expected early stopping, got {:?}", report.stop_reason);
    };
    assert!(epoch < 5000 && epoch == report.epochs_run);
    // The last `patience` epochs each failed to improve on the best before them by the
    // tolerance.
    let curve = &report.train_loss;
    for i in curve.len() - 5..curve.len() {
        let best_before = curve[..i].iter().copied().fold(f64::INFINITY, f64::min);
        assert!(curve[i] > best_before - 1e-4, "epoch {i}");
    }
}

#[test]
fn huge_learning_rate_diverges_with_epoch_and_curve() {
    // Random labels: no parameters fit them, so a huge step overshoots further every epoch.
    let data = random_dataset(60, 2, 4);
    for config in [
        MlpConfig::new(&[2, 10, 10, 1]).with_learning_rate(1000.0),
        MlpConfig::new(&[2, 1]).with_learning_rate(1000.0),
    ] {
        let err = config.fit(&data, &mut rng(2)).expect_err("diverges");
        let ModelError::Diverged {
            epoch,
            loss,
            first_loss,
            report,
        } = err
        else {
            panic!("expected divergence, got {err:?}");
        };
        assert!((1..1000).contains(&epoch));
        assert!(!loss.is_finite() || loss > 100.0 * first_loss);
        assert_eq!(report.train_loss.len(), epoch + 1);
        assert!(report.train_loss[..epoch].iter().all(|l| l.is_finite()));
        assert_eq!(report.stop_reason, StopReason::Diverged { epoch, loss });
    }
}

#[test]
fn observer_sees_every_epoch_and_can_interrupt() {
    struct StopAt(usize, Vec<usize>);
    impl TrainingObserver for StopAt {
        fn on_epoch(&mut self, p: &EpochProgress) -> ControlFlow<()> {
            self.1.push(p.epoch);
            if p.epoch == self.0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let data = two_clusters(10, 5);
    let mut observer = StopAt(7, Vec::new());
    let (_, report) = MlpConfig::new(&[2, 3, 1])
        .fit_with(&data, None, &mut rng(0), &mut observer)
        .expect("fits");
    assert_eq!(observer.1, (0..=7).collect::<Vec<_>>());
    assert_eq!(report.stop_reason, StopReason::Interrupted { epoch: 7 });
    assert_eq!(report.train_loss.len(), 8);
}

#[test]
fn gradient_norms_are_sampled_per_layer() {
    let data = random_dataset(20, 2, 6);
    let (_, report) = MlpConfig::new(&[2, 5, 5, 5, 1])
        .with_hidden_activation(Activation::Sigmoid)
        .with_epochs(100)
        .with_gradient_norm_stride(10)
        .fit(&data, &mut rng(6))
        .expect("fits");
    let norms = &report.gradient_norms;
    assert_eq!(norms.n_layers(), 4);
    assert_eq!(norms.epochs(), &[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    for i in 0..norms.n_samples() {
        assert!(norms.sample(i).iter().all(|&g| g.is_finite() && g >= 0.0));
    }
}

#[test]
fn hyperparameters_are_rejected_with_field_value_and_fix() {
    let cases: Vec<(MlpConfig, &str, &str)> = vec![
        (
            MlpConfig::new(&[2, 4, 1]).with_learning_rate(0.0),
            "learning_rate",
            "0",
        ),
        (
            MlpConfig::new(&[2, 4, 1]).with_learning_rate(-1.0),
            "learning_rate",
            "-1",
        ),
        (
            MlpConfig::new(&[2, 4, 1]).with_learning_rate(f64::NAN),
            "learning_rate",
            "NaN",
        ),
        (
            MlpConfig::new(&[2, 4, 1]).with_learning_rate(f64::INFINITY),
            "learning_rate",
            "inf",
        ),
        (MlpConfig::new(&[2, 4, 1]).with_epochs(0), "epochs", "0"),
        (MlpConfig::new(&[]), "layer_sizes", "[]"),
        (MlpConfig::new(&[2]), "layer_sizes", "[2]"),
        (MlpConfig::new(&[2, 0, 1]), "layer_sizes", "entry 1 is 0"),
        (MlpConfig::new(&[2, 4, 2]), "layer_sizes", "last size of 1"),
        (MlpConfig::new(&[2, 1_000_000, 1]), "layer_sizes", "1000000"),
        (
            MlpConfig::new(&[2, 20_000, 20_000, 1]),
            "layer_sizes",
            "parameters",
        ),
        (MlpConfig::new(&[2, 1]).with_l2(-0.1), "l2", "-0.1"),
        (MlpConfig::new(&[2, 1]).with_l2(f64::NAN), "l2", "NaN"),
        (
            MlpConfig::new(&[2, 1]).with_threshold(1.5),
            "threshold",
            "1.5",
        ),
        (
            MlpConfig::new(&[2, 1]).with_threshold(-0.1),
            "threshold",
            "-0.1",
        ),
        (
            MlpConfig::new(&[2, 1]).with_threshold(f64::NAN),
            "threshold",
            "NaN",
        ),
        (
            MlpConfig::new(&[2, 1]).with_loss_fraction(1.0),
            "loss_fraction",
            "1",
        ),
        (
            MlpConfig::new(&[2, 1]).with_early_stopping(Some(EarlyStopping {
                tolerance: f64::NAN,
                patience: 3,
            })),
            "tolerance",
            "NaN",
        ),
        (
            MlpConfig::new(&[2, 1]).with_early_stopping(Some(EarlyStopping {
                tolerance: -1e-4,
                patience: 3,
            })),
            "tolerance",
            "-0.0001",
        ),
        (
            MlpConfig::new(&[2, 1]).with_early_stopping(Some(EarlyStopping {
                tolerance: 1e-4,
                patience: 0,
            })),
            "patience",
            "0",
        ),
        (
            MlpConfig::new(&[2, 1]).with_batch(BatchMode::MiniBatch { batch_size: 0 }),
            "batch_size",
            "0",
        ),
        (
            MlpConfig::new(&[2, 1]).with_eval_stride(0),
            "eval_stride",
            "0",
        ),
    ];
    let data = two_clusters(5, 0);
    for (config, field, value) in cases {
        let err = config.validate().expect_err(field);
        let msg = err.to_string();
        assert!(
            matches!(err, ModelError::InvalidHyperparameter { field: f, .. } if f == field),
            "{msg}"
        );
        assert!(
            msg.contains(field) && msg.contains(value) && msg.contains("expected"),
            "{msg}"
        );
        // fit reports the same error before touching the data.
        assert_eq!(config.fit(&data, &mut rng(0)).expect_err(field), err);
    }
}

#[test]
fn bad_data_is_a_typed_error() {
    let data = two_clusters(5, 0);
    let err = MlpConfig::new(&[3, 4, 1])
        .fit(&data, &mut rng(0))
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::FeatureCountMismatch {
            expected: 3,
            found: 2,
            ..
        }
    ));
    assert!(err.to_string().contains("first layer"), "{err}");

    let one_class = Dataset::new(Matrix::zeros(4, 2), Vector::from_element(4, 1.0)).unwrap();
    for err in [
        MlpConfig::new(&[2, 1])
            .fit(&one_class, &mut rng(0))
            .unwrap_err(),
        LogisticRegressionConfig::new()
            .fit(&one_class, &mut rng(0))
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                ModelError::SingleClass {
                    class: 1,
                    n_samples: 4
                }
            ),
            "{err}"
        );
    }

    let (model, _) = MlpConfig::new(&[2, 4, 1])
        .with_epochs(5)
        .fit(&data, &mut rng(0))
        .unwrap();
    assert_eq!(
        model.predict_proba(&Matrix::zeros(0, 2)),
        Err(ModelError::EmptyInput)
    );
    assert!(matches!(
        model.predict(&Matrix::zeros(3, 5)),
        Err(ModelError::FeatureCountMismatch {
            expected: 2,
            found: 5,
            ..
        })
    ));
    let mut nan = Matrix::zeros(2, 2);
    nan[(1, 0)] = f64::NAN;
    assert!(matches!(
        model.predict(&nan),
        Err(ModelError::NonFiniteInput {
            row: 1,
            column: 0,
            ..
        })
    ));
}

#[test]
fn extreme_features_stay_finite_or_diverge_cleanly() {
    let mut x = Matrix::zeros(4, 2);
    x[(0, 0)] = 1e300;
    x[(1, 0)] = -1e300;
    x[(2, 1)] = 1e-300;
    let data = Dataset::new(x, Vector::from_vec(vec![1.0, 0.0, 1.0, 0.0])).unwrap();
    for sizes in [vec![2, 1], vec![2, 4, 1]] {
        match MlpConfig::new(&sizes)
            .with_epochs(20)
            .fit(&data, &mut rng(1))
        {
            Ok((_, report)) => assert!(report.train_loss.iter().all(|l| l.is_finite())),
            Err(ModelError::Diverged { .. }) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn predictions_are_probabilities_consistent_with_threshold() {
    let data = two_clusters(25, 8);
    let (model, _) = MlpConfig::new(&[2, 6, 1])
        .with_epochs(100)
        .with_threshold(0.7)
        .fit(&data, &mut rng(8))
        .unwrap();
    let p = model.predict_proba(data.features()).unwrap();
    let y = model.predict(data.features()).unwrap();
    for (p, y) in p.iter().zip(y.iter()) {
        assert!((0.0..=1.0).contains(p));
        assert_eq!(*y, if *p >= 0.7 { 1.0 } else { 0.0 });
    }
}
