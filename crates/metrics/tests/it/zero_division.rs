//! The zero-division policy: a ratio with a zero denominator is exactly +0.0, never NaN.

use metrics::{ClassificationReport, ConfusionMatrix, accuracy, f1_score, precision, recall};

/// Bit-exact +0.0 (not NaN, not −0.0).
fn assert_positive_zero(value: f64, what: &str) {
    assert_eq!(value.to_bits(), 0.0f64.to_bits(), "{what} = {value}");
}

#[test]
fn no_predicted_positives_gives_zero_precision() {
    // TP = 0, FP = 0: precision 0/0 → 0. scikit-learn: precision_score([0, 1], [0, 0],
    // zero_division=0) == 0.0. Recall is a genuine 0/1 and F1 has P + R = 0.
    let (y_true, y_pred) = ([0.0, 1.0], [0.0, 0.0]);
    assert_positive_zero(precision(&y_true, &y_pred).unwrap(), "precision");
    assert_positive_zero(recall(&y_true, &y_pred).unwrap(), "recall");
    assert_positive_zero(f1_score(&y_true, &y_pred).unwrap(), "f1");
    assert_eq!(accuracy(&y_true, &y_pred).unwrap(), 0.5);
}

#[test]
fn no_actual_positives_gives_zero_recall() {
    // TP = 0, FN = 0: recall 0/0 → 0. Precision is a genuine 0/1.
    let (y_true, y_pred) = ([0.0, 0.0], [1.0, 0.0]);
    assert_positive_zero(recall(&y_true, &y_pred).unwrap(), "recall");
    assert_positive_zero(precision(&y_true, &y_pred).unwrap(), "precision");
    assert_positive_zero(f1_score(&y_true, &y_pred).unwrap(), "f1");
}

#[test]
fn all_negative_and_all_correct_still_gives_zero_f1() {
    // Every ratio but accuracy is 0/0: the documented price of the policy.
    let y = [0.0, 0.0, 0.0];
    let cm = ConfusionMatrix::from_labels(&y, &y).unwrap();
    assert_positive_zero(cm.precision(), "precision");
    assert_positive_zero(cm.recall(), "recall");
    assert_positive_zero(cm.f1(), "f1");
    assert_eq!(cm.accuracy(), 1.0);
}

#[test]
fn report_above_every_probability_has_zero_precision() {
    let report = ClassificationReport::new(&[0.0, 1.0, 1.0], &[0.2, 0.3, 0.4], 0.9).unwrap();
    assert_eq!(
        report.confusion.true_positives + report.confusion.false_positives,
        0
    );
    assert_positive_zero(report.precision, "precision");
    assert_positive_zero(report.f1, "f1");
}

#[test]
fn hand_built_empty_matrix_has_zero_accuracy() {
    assert_positive_zero(ConfusionMatrix::default().accuracy(), "accuracy");
}
