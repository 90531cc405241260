//! ROC AUC: pinned values with and without ties, counted by hand.

use approx::assert_relative_eq;
use metrics::{Argument, MetricsError, roc_auc};

use crate::auc_by_pairs;

#[test]
fn scikit_learn_documented_example() {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75 in scikit-learn's docs.
    // Positive-negative pairs: (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win,
    // (0.8, 0.4) win → 3/4.
    let auc = roc_auc(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8]).unwrap();
    assert_relative_eq!(auc, 0.75, max_relative = 1e-15);
}

#[test]
fn ties_count_one_half() {
    // y      = [0,   1,   0,   1,   1,   0  ]
    // scores = [0.2, 0.5, 0.5, 0.9, 0.2, 0.1]
    // Positives 0.5, 0.9, 0.2; negatives 0.2, 0.5, 0.1 (P = N = 3, 9 pairs).
    //   0.5 vs (0.2, 0.5, 0.1): 1 + ½ + 1 = 2.5
    //   0.9 vs (0.2, 0.5, 0.1): 1 + 1 + 1 = 3
    //   0.2 vs (0.2, 0.5, 0.1): ½ + 0 + 1 = 1.5   → 7/9.
    // By ranks: 0.1 → 1; 0.2, 0.2 → 2.5 each; 0.5, 0.5 → 4.5 each; 0.9 → 6.
    //   R₊ = 4.5 + 6 + 2.5 = 13, and (13 − 3·4/2) / 9 = 7/9.
    let y = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    let scores = [0.2, 0.5, 0.5, 0.9, 0.2, 0.1];
    let auc = roc_auc(&y, &scores).unwrap();
    assert_relative_eq!(auc, 7.0 / 9.0, max_relative = 1e-15);
    assert_relative_eq!(auc, auc_by_pairs(&y, &scores), max_relative = 1e-15);
}

#[test]
fn only_order_matters_so_logits_work() {
    let y = [0.0, 0.0, 1.0, 1.0];
    let logits = [-2.2, 0.0, -0.6, 3.1];
    let probabilities = logits.map(core_linalg::sigmoid);
    assert_relative_eq!(
        roc_auc(&y, &logits).unwrap(),
        roc_auc(&y, &probabilities).unwrap()
    );
}

#[test]
fn constant_scores_give_one_half() {
    let auc = roc_auc(&[0.0, 1.0, 1.0, 0.0], &[0.3; 4]).unwrap();
    assert_relative_eq!(auc, 0.5);
}

#[test]
fn nan_and_infinite_scores_are_errors() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = roc_auc(&[0.0, 1.0, 1.0], &[0.1, bad, 0.7]).unwrap_err();
        assert!(
            matches!(
                err,
                MetricsError::NonFinite {
                    argument: Argument::Scores,
                    index: 1,
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn one_class_is_an_error_that_says_why() {
    let err = roc_auc(&[1.0, 1.0, 1.0], &[0.1, 0.5, 0.9]).unwrap_err();
    assert_eq!(
        err,
        MetricsError::SingleClass {
            class: 1,
            n_samples: 3
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("only class 1") && message.contains("undefined"),
        "{message}"
    );
}
