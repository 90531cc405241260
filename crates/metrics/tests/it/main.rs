//! Integration tests of the public API, one module per concern.

mod bad_inputs;
mod classification;
mod log_loss;
mod properties;
mod report;
mod roc_auc;
mod summary;
mod zero_division;

/// ROC AUC by its definition: over every (positive, negative) pair, 1 if the positive scores
/// higher, 1/2 on a tie. O(n²), independent of the sorting implementation under test.
pub fn auc_by_pairs(y_true: &[f64], scores: &[f64]) -> f64 {
    let mut wins = 0.0;
    let mut pairs = 0.0;
    for (i, &yi) in y_true.iter().enumerate() {
        for (j, &yj) in y_true.iter().enumerate() {
            if yi == 1.0 && yj == 0.0 {
                pairs += 1.0;
                if scores[i] > scores[j] {
                    wins += 1.0;
                } else if scores[i] == scores[j] {
                    wins += 0.5;
                }
            }
        }
    }
    wins / pairs
}
