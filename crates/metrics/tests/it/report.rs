//! ClassificationReport: thresholding, agreement with the free functions, JSON shape.

use approx::assert_relative_eq;
use metrics::{ClassificationReport, MetricsError, f1_score, log_loss, precision, recall};

#[test]
fn agrees_with_the_free_functions() {
    let y_true = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    let probabilities = [0.1, 0.8, 0.45, 0.6, 0.5, 0.3];
    // At 0.5 (p ≥ 0.5 → 1): predictions [0, 1, 0, 1, 1, 0]: TP 2, FP 1, TN 2, FN 1.
    let y_pred = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    let report = ClassificationReport::new(&y_true, &probabilities, 0.5).unwrap();
    assert_eq!(
        (
            report.confusion.true_positives,
            report.confusion.false_positives,
            report.confusion.true_negatives,
            report.confusion.false_negatives
        ),
        (2, 1, 2, 1)
    );
    assert_eq!(report.threshold, 0.5);
    assert_relative_eq!(report.precision, precision(&y_true, &y_pred).unwrap());
    assert_relative_eq!(report.recall, recall(&y_true, &y_pred).unwrap());
    assert_relative_eq!(report.f1, f1_score(&y_true, &y_pred).unwrap());
    assert_relative_eq!(report.accuracy, 4.0 / 6.0, max_relative = 1e-15);
    assert_relative_eq!(report.log_loss, log_loss(&y_true, &probabilities).unwrap());
}

#[test]
fn a_probability_equal_to_the_threshold_is_positive() {
    let report = ClassificationReport::new(&[1.0, 0.0], &[0.7, 0.69], 0.7).unwrap();
    assert_eq!(report.confusion.true_positives, 1);
    assert_eq!(report.confusion.true_negatives, 1);
}

#[test]
fn bad_threshold_names_value_and_range() {
    let err = ClassificationReport::new(&[1.0], &[0.5], 1.5).unwrap_err();
    assert_eq!(err, MetricsError::InvalidThreshold { value: 1.5 });
    assert!(
        err.to_string()
            .starts_with("decision threshold 1.5 is outside [0, 1]"),
        "{err}"
    );
}

#[test]
fn serialises_every_field() {
    let report = ClassificationReport::new(&[0.0, 1.0], &[0.2, 0.9], 0.5).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "threshold",
        "precision",
        "recall",
        "f1",
        "accuracy",
        "log_loss",
        "confusion",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert_eq!(json["confusion"]["true_positives"], 1);
}
