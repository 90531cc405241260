//! Threshold metrics: the confusion matrix and the ratios read from it.

use serde::Serialize;

use crate::{Argument, MetricsError, validate};

/// The four counts of a binary classification: each sample is a true or false positive or
/// negative, according to its label in `y_true` and its label in `y_pred`.
///
/// |              | predicted 1       | predicted 0       |
/// |--------------|-------------------|-------------------|
/// | **actual 1** | `true_positives`  | `false_negatives` |
/// | **actual 0** | `false_positives` | `true_negatives`  |
///
/// The ratios ([`precision`](Self::precision), [`recall`](Self::recall), [`f1`](Self::f1),
/// [`accuracy`](Self::accuracy)) follow the crate's
/// [zero-division policy](crate#the-zero-division-policy): a ratio whose denominator is zero is
/// 0.0, never NaN. The fields are public, so a hand-built matrix (even an all-zero one) is
/// valid input to every method.
///
/// # Example
/// ```
/// use metrics::ConfusionMatrix;
/// let cm = ConfusionMatrix::from_labels(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(
///     cm,
///     ConfusionMatrix { true_positives: 2, false_positives: 0, true_negatives: 2, false_negatives: 1 }
/// );
/// assert_eq!(cm.f1(), 0.8);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ConfusionMatrix {
    /// Samples labelled 1 and predicted 1 (TP).
    pub true_positives: usize,
    /// Samples labelled 0 but predicted 1 (FP).
    pub false_positives: usize,
    /// Samples labelled 0 and predicted 0 (TN).
    pub true_negatives: usize,
    /// Samples labelled 1 but predicted 0 (FN).
    pub false_negatives: usize,
}

impl ConfusionMatrix {
    /// Counts true/false positives/negatives from true and predicted labels.
    ///
    /// # Errors
    /// [`MetricsError::LengthMismatch`] if the slices differ in length, [`MetricsError::Empty`] if
    /// they are empty, and [`MetricsError::InvalidLabel`] if any value of either is not exactly
    /// 0.0 or 1.0 (NaN included).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix::from_labels(&[1.0, 1.0, 0.0], &[1.0, 0.0, 1.0])?;
    /// assert_eq!((cm.true_positives, cm.false_negatives, cm.false_positives), (1, 1, 1));
    /// assert_eq!(cm.n_samples(), 3);
    /// # Ok::<(), metrics::MetricsError>(())
    /// ```
    pub fn from_labels(y_true: &[f64], y_pred: &[f64]) -> Result<Self, MetricsError> {
        validate::check_labelled(y_true, y_pred, Argument::YPred)?;
        validate::check_binary(Argument::YPred, y_pred)?;
        Ok(Self::count(y_true.iter().zip(y_pred).map(
            |(&actual, &predicted)| (actual == 1.0, predicted == 1.0),
        )))
    }

    /// Tallies `(actual is 1, predicted is 1)` pairs. Inputs are already validated.
    pub(crate) fn count(pairs: impl IntoIterator<Item = (bool, bool)>) -> Self {
        let mut cm = ConfusionMatrix::default();
        for pair in pairs {
            match pair {
                (true, true) => cm.true_positives += 1,
                (false, true) => cm.false_positives += 1,
                (false, false) => cm.true_negatives += 1,
                (true, false) => cm.false_negatives += 1,
            }
        }
        cm
    }

    /// The number of samples, `TP + FP + TN + FN` (saturating at `usize::MAX`, which only a
    /// hand-built matrix can reach).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix { true_positives: 3, false_positives: 1, true_negatives: 5, false_negatives: 2 };
    /// assert_eq!(cm.n_samples(), 11);
    /// ```
    pub fn n_samples(&self) -> usize {
        self.true_positives
            .saturating_add(self.false_positives)
            .saturating_add(self.true_negatives)
            .saturating_add(self.false_negatives)
    }

    /// Precision, the fraction of predicted positives that are positive: `TP / (TP + FP)`.
    ///
    /// With no predicted positives (`TP + FP = 0`) it is 0.0, by the
    /// [zero-division policy](crate#the-zero-division-policy).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix { true_positives: 3, false_positives: 1, true_negatives: 5, false_negatives: 2 };
    /// assert_eq!(cm.precision(), 0.75);
    /// assert_eq!(ConfusionMatrix { true_negatives: 4, ..Default::default() }.precision(), 0.0);
    /// ```
    pub fn precision(&self) -> f64 {
        ratio(
            &[self.true_positives],
            &[self.true_positives, self.false_positives],
        )
    }

    /// Recall (sensitivity, true-positive rate), the fraction of positives predicted positive:
    /// `TP / (TP + FN)`.
    ///
    /// With no actual positives (`TP + FN = 0`) it is 0.0, by the
    /// [zero-division policy](crate#the-zero-division-policy).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix { true_positives: 3, false_positives: 1, true_negatives: 5, false_negatives: 2 };
    /// assert_eq!(cm.recall(), 0.6);
    /// ```
    pub fn recall(&self) -> f64 {
        ratio(
            &[self.true_positives],
            &[self.true_positives, self.false_negatives],
        )
    }

    /// F1 score, the harmonic mean of precision `P` and recall `R`:
    /// `2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)`.
    ///
    /// It is computed from the counts (the right-hand form), so it is exact up to one rounding.
    /// When `P + R = 0` (no true positives) it is 0.0, by the
    /// [zero-division policy](crate#the-zero-division-policy).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix { true_positives: 3, false_positives: 1, true_negatives: 5, false_negatives: 2 };
    /// // P = 3/4, R = 3/5: 2·(9/20) / (27/20) = 2/3 = 2·3 / (6 + 1 + 2).
    /// assert!((cm.f1() - 2.0 / 3.0).abs() < 1e-15);
    /// ```
    pub fn f1(&self) -> f64 {
        let tp = self.true_positives;
        ratio(
            &[tp, tp],
            &[tp, tp, self.false_positives, self.false_negatives],
        )
    }

    /// Accuracy, the fraction of samples predicted correctly: `(TP + TN) / n`.
    ///
    /// Only a hand-built all-zero matrix has `n = 0`; its accuracy is 0.0, by the
    /// [zero-division policy](crate#the-zero-division-policy).
    ///
    /// # Example
    /// ```
    /// use metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix { true_positives: 3, false_positives: 1, true_negatives: 5, false_negatives: 2 };
    /// assert_eq!(cm.accuracy(), 8.0 / 11.0);
    /// ```
    pub fn accuracy(&self) -> f64 {
        ratio(
            &[self.true_positives, self.true_negatives],
            &[
                self.true_positives,
                self.false_positives,
                self.true_negatives,
                self.false_negatives,
            ],
        )
    }
}

/// `Σ numerator / Σ denominator`, summed in `u128` (cannot overflow) and divided once; 0.0 when
/// the denominator is zero (the zero-division policy).
fn ratio(numerator: &[usize], denominator: &[usize]) -> f64 {
    let total = |counts: &[usize]| counts.iter().map(|&c| c as u128).sum::<u128>();
    let denominator = total(denominator);
    if denominator == 0 {
        0.0
    } else {
        total(numerator) as f64 / denominator as f64
    }
}

/// Precision of predicted labels against true labels: `TP / (TP + FP)`; see
/// [`ConfusionMatrix::precision`].
///
/// With no predicted positives it is 0.0, by the
/// [zero-division policy](crate#the-zero-division-policy).
///
/// # Errors
/// As [`ConfusionMatrix::from_labels`]: mismatched lengths, empty slices, or a value that is
/// not exactly 0.0 or 1.0.
///
/// # Example
/// ```
/// // scikit-learn: precision_score([0, 1, 1, 0, 1], [0, 1, 0, 0, 1]) == 1.0
/// let p = metrics::precision(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(p, 1.0);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn precision(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MetricsError> {
    Ok(ConfusionMatrix::from_labels(y_true, y_pred)?.precision())
}

/// Recall of predicted labels against true labels: `TP / (TP + FN)`; see
/// [`ConfusionMatrix::recall`].
///
/// With no actual positives it is 0.0, by the
/// [zero-division policy](crate#the-zero-division-policy).
///
/// # Errors
/// As [`ConfusionMatrix::from_labels`]: mismatched lengths, empty slices, or a value that is
/// not exactly 0.0 or 1.0.
///
/// # Example
/// ```
/// let r = metrics::recall(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 0.0, 1.0])?;
/// assert!((r - 2.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn recall(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MetricsError> {
    Ok(ConfusionMatrix::from_labels(y_true, y_pred)?.recall())
}

/// F1 score of predicted labels against true labels: `2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)`;
/// see [`ConfusionMatrix::f1`].
///
/// When `P + R = 0` it is 0.0, by the [zero-division policy](crate#the-zero-division-policy).
///
/// # Errors
/// As [`ConfusionMatrix::from_labels`]: mismatched lengths, empty slices, or a value that is
/// not exactly 0.0 or 1.0.
///
/// # Example
/// ```
/// let f1 = metrics::f1_score(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(f1, 0.8);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn f1_score(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MetricsError> {
    Ok(ConfusionMatrix::from_labels(y_true, y_pred)?.f1())
}

/// Accuracy of predicted labels against true labels: `(TP + TN) / n`; see
/// [`ConfusionMatrix::accuracy`].
///
/// # Errors
/// As [`ConfusionMatrix::from_labels`]: mismatched lengths, empty slices, or a value that is
/// not exactly 0.0 or 1.0.
///
/// # Example
/// ```
/// let acc = metrics::accuracy(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(acc, 0.8);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn accuracy(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MetricsError> {
    Ok(ConfusionMatrix::from_labels(y_true, y_pred)?.accuracy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_cell() {
        let cm =
            ConfusionMatrix::from_labels(&[1.0, 0.0, 0.0, 1.0], &[1.0, 1.0, 0.0, 0.0]).unwrap();
        assert_eq!(
            cm,
            ConfusionMatrix {
                true_positives: 1,
                false_positives: 1,
                true_negatives: 1,
                false_negatives: 1
            }
        );
    }

    #[test]
    fn negative_zero_is_a_zero_label() {
        let cm = ConfusionMatrix::from_labels(&[-0.0, 1.0], &[-0.0, 1.0]).unwrap();
        assert_eq!((cm.true_negatives, cm.true_positives), (1, 1));
    }

    #[test]
    fn all_zero_matrix_gives_zero_everywhere() {
        let cm = ConfusionMatrix::default();
        assert_eq!(cm.n_samples(), 0);
        for value in [cm.precision(), cm.recall(), cm.f1(), cm.accuracy()] {
            assert_eq!(value, 0.0);
        }
    }

    #[test]
    fn huge_hand_built_counts_do_not_overflow() {
        let cm = ConfusionMatrix {
            true_positives: usize::MAX,
            false_positives: usize::MAX,
            true_negatives: usize::MAX,
            false_negatives: usize::MAX,
        };
        assert_eq!(cm.n_samples(), usize::MAX);
        assert_eq!(cm.precision(), 0.5);
        assert_eq!(cm.f1(), 0.5);
        assert_eq!(cm.accuracy(), 0.5);
    }

    #[test]
    fn prediction_labels_are_validated_after_true_labels() {
        let err = ConfusionMatrix::from_labels(&[0.5, 1.0], &[f64::NAN, 1.0]).unwrap_err();
        assert!(matches!(
            err,
            MetricsError::InvalidLabel {
                argument: Argument::YTrue,
                index: 0,
                ..
            }
        ));
        let err = ConfusionMatrix::from_labels(&[0.0, 1.0], &[1.0, f64::NAN]).unwrap_err();
        assert!(matches!(
            err,
            MetricsError::InvalidLabel {
                argument: Argument::YPred,
                index: 1,
                ..
            }
        ));
    }
}
