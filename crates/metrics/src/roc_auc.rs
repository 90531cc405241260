//! Area under the ROC curve, in its Mann-Whitney form.

use crate::{Argument, MetricsError, validate};

/// Area under the ROC curve: the probability that a random positive is scored above a random
/// negative, counting ties as one half.
///
/// With `P` positives, `N` negatives and `[·]` equal to 1 when its condition holds,
///
/// `AUC = (1 / (P·N)) Σ_{i: yᵢ=1} Σ_{j: yⱼ=0} ([sᵢ > sⱼ] + ½·[sᵢ = sⱼ])`,
///
/// which equals the Mann-Whitney form `(R₊ − P(P+1)/2) / (P·N)`, where `R₊` is the sum of the
/// positives' ranks with tied scores given their average rank. This is what scikit-learn's
/// `roc_auc_score` returns (the trapezoidal area under the ROC curve). A consequence of the ½
/// rule: `AUC(s) + AUC(−s) = 1` for any scores, and constant scores give 0.5.
///
/// Scores may be any finite numbers (probabilities, logits, margins); only their order matters.
/// They are sorted with [`f64::total_cmp`] and equal scores (including `-0.0` and `0.0`) are
/// grouped as ties. The pair counts are accumulated as exact integers and divided once, in
/// O(n log n) time.
///
/// # Errors
/// [`MetricsError::LengthMismatch`] or [`MetricsError::Empty`] for mismatched or empty slices,
/// [`MetricsError::InvalidLabel`] for a label other than 0.0 or 1.0,
/// [`MetricsError::NonFinite`] for a NaN or infinite score (NaN has no rank), and
/// [`MetricsError::SingleClass`] when `y_true` holds only one class: AUC compares positives with
/// negatives, so it is undefined (scikit-learn raises an error too) rather than 0, 0.5 or NaN.
///
/// # Example
/// ```
/// // scikit-learn's documented example: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
/// // Pairs (positive, negative): 0.35 > 0.1, 0.35 < 0.4, 0.8 > 0.1, 0.8 > 0.4 → 3 of 4.
/// let auc = metrics::roc_auc(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8])?;
/// assert_eq!(auc, 0.75);
///
/// // One class only: an error, not a number.
/// assert!(metrics::roc_auc(&[1.0, 1.0], &[0.2, 0.9]).is_err());
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn roc_auc(y_true: &[f64], scores: &[f64]) -> Result<f64, MetricsError> {
    validate::check_labelled(y_true, scores, Argument::Scores)?;
    validate::check_finite(Argument::Scores, scores)?;
    let n_positive = y_true.iter().filter(|&&y| y == 1.0).count();
    let n_negative = y_true.len() - n_positive;
    if n_positive == 0 || n_negative == 0 {
        return Err(MetricsError::SingleClass {
            class: u8::from(n_positive > 0),
            n_samples: y_true.len(),
        });
    }

    let mut scored: Vec<(f64, bool)> = scores
        .iter()
        .zip(y_true)
        .map(|(&s, &y)| (s, y == 1.0))
        .collect();
    scored.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));

    // Walk the groups of equal scores from lowest to highest. A positive in a group beats every
    // negative below the group and ties each negative in it; doubling the count keeps it integral.
    let mut negatives_below: u128 = 0;
    let mut twice_wins: u128 = 0;
    for group in scored.chunk_by(|a, b| a.0 == b.0) {
        let positives = group.iter().filter(|(_, positive)| *positive).count() as u128;
        let negatives = group.len() as u128 - positives;
        twice_wins += positives * (2 * negatives_below + negatives);
        negatives_below += negatives;
    }
    let twice_pairs = 2 * n_positive as u128 * n_negative as u128;
    Ok(twice_wins as f64 / twice_pairs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_scores_give_one_half() {
        assert_eq!(roc_auc(&[0.0, 1.0, 1.0], &[3.0, 3.0, 3.0]).unwrap(), 0.5);
    }

    #[test]
    fn signed_zeros_tie() {
        assert_eq!(roc_auc(&[0.0, 1.0], &[0.0, -0.0]).unwrap(), 0.5);
        assert_eq!(roc_auc(&[1.0, 0.0], &[0.0, -0.0]).unwrap(), 0.5);
    }

    #[test]
    fn perfect_and_reversed_rankings() {
        let y = [0.0, 0.0, 1.0, 1.0];
        assert_eq!(roc_auc(&y, &[1.0, 2.0, 3.0, 4.0]).unwrap(), 1.0);
        assert_eq!(roc_auc(&y, &[4.0, 3.0, 2.0, 1.0]).unwrap(), 0.0);
    }

    #[test]
    fn single_class_names_the_class() {
        assert_eq!(
            roc_auc(&[0.0, 0.0, 0.0], &[0.1, 0.2, 0.3]),
            Err(MetricsError::SingleClass {
                class: 0,
                n_samples: 3
            })
        );
        assert_eq!(
            roc_auc(&[1.0], &[0.1]),
            Err(MetricsError::SingleClass {
                class: 1,
                n_samples: 1
            })
        );
    }
}
