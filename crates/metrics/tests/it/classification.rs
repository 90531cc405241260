//! Pinned confusion matrices and threshold metrics, derived by hand; each matches scikit-learn's
//! `confusion_matrix`, `precision_score`, `recall_score`, `f1_score` and `accuracy_score`.

use approx::assert_relative_eq;
use metrics::{ConfusionMatrix, accuracy, f1_score, precision, recall};

#[test]
fn five_sample_example() {
    // y_true = [0, 1, 1, 0, 1], y_pred = [0, 1, 0, 0, 1]
    // index:     0  1  2  3  4
    // TP: 1, 4 → 2;  FN: 2 → 1;  TN: 0, 3 → 2;  FP: none → 0.
    // precision = 2/2 = 1;  recall = 2/3;  F1 = 2·2 / (2·2 + 0 + 1) = 4/5;  accuracy = 4/5.
    let y_true = [0.0, 1.0, 1.0, 0.0, 1.0];
    let y_pred = [0.0, 1.0, 0.0, 0.0, 1.0];
    let cm = ConfusionMatrix::from_labels(&y_true, &y_pred).unwrap();
    assert_eq!(
        cm,
        ConfusionMatrix {
            true_positives: 2,
            false_positives: 0,
            true_negatives: 2,
            false_negatives: 1
        }
    );
    assert_eq!(cm.n_samples(), 5);
    assert_relative_eq!(precision(&y_true, &y_pred).unwrap(), 1.0);
    assert_relative_eq!(
        recall(&y_true, &y_pred).unwrap(),
        2.0 / 3.0,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        f1_score(&y_true, &y_pred).unwrap(),
        0.8,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        accuracy(&y_true, &y_pred).unwrap(),
        0.8,
        max_relative = 1e-15
    );
}

#[test]
fn eight_sample_example() {
    // y_true = [1, 1, 0, 0, 1, 0, 1, 0], y_pred = [1, 0, 0, 1, 1, 0, 1, 1]
    // TP: 0, 4, 6 → 3;  FN: 1 → 1;  FP: 3, 7 → 2;  TN: 2, 5 → 2.
    // precision = 3/5;  recall = 3/4;  F1 = 6 / (6 + 2 + 1) = 2/3
    //   (check: 2·(3/5)(3/4) / (3/5 + 3/4) = (9/10) / (27/20) = 2/3);  accuracy = 5/8.
    let y_true = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let y_pred = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let cm = ConfusionMatrix::from_labels(&y_true, &y_pred).unwrap();
    assert_eq!(
        (
            cm.true_positives,
            cm.false_positives,
            cm.true_negatives,
            cm.false_negatives
        ),
        (3, 2, 2, 1)
    );
    assert_relative_eq!(cm.precision(), 0.6, max_relative = 1e-15);
    assert_relative_eq!(cm.recall(), 0.75, max_relative = 1e-15);
    assert_relative_eq!(cm.f1(), 2.0 / 3.0, max_relative = 1e-15);
    assert_relative_eq!(cm.accuracy(), 0.625, max_relative = 1e-15);
}

#[test]
fn perfect_and_inverted_predictions() {
    let y = [0.0, 1.0, 1.0, 0.0];
    let inverted = [1.0, 0.0, 0.0, 1.0];
    let perfect = ConfusionMatrix::from_labels(&y, &y).unwrap();
    for value in [
        perfect.precision(),
        perfect.recall(),
        perfect.f1(),
        perfect.accuracy(),
    ] {
        assert_relative_eq!(value, 1.0);
    }
    let wrong = ConfusionMatrix::from_labels(&y, &inverted).unwrap();
    for value in [
        wrong.precision(),
        wrong.recall(),
        wrong.f1(),
        wrong.accuracy(),
    ] {
        assert_relative_eq!(value, 0.0);
    }
}

#[test]
fn serialises_as_four_named_counts() {
    let cm = ConfusionMatrix::from_labels(&[1.0, 0.0], &[1.0, 1.0]).unwrap();
    assert_eq!(
        serde_json::to_string(&cm).unwrap(),
        r#"{"true_positives":1,"false_positives":1,"true_negatives":0,"false_negatives":0}"#
    );
}
