//! Every threshold metric and the log loss of one set of predicted probabilities.

use serde::Serialize;

use crate::{ConfusionMatrix, MetricsError, log_loss, validate};

/// The metrics of one evaluated run: the confusion matrix at a decision threshold, the ratios
/// read from it, and the log loss of the probabilities themselves.
///
/// A sample is predicted 1 when its probability `p ≥ threshold`, and 0 otherwise, so threshold
/// 0 predicts every sample positive and threshold 1 predicts positive only where `p = 1`. The
/// ratios follow the [zero-division policy](crate#the-zero-division-policy), so none is NaN.
///
/// The struct is `#[non_exhaustive]`: build it with [`ClassificationReport::new`], read its
/// fields directly, or serialise it (every field is a finite number or a count).
///
/// # Example
/// ```
/// use metrics::ClassificationReport;
/// let y_true = [0.0, 1.0, 1.0, 0.0, 1.0];
/// let probabilities = [0.1, 0.8, 0.4, 0.3, 0.5];
/// let report = ClassificationReport::new(&y_true, &probabilities, 0.5)?;
/// // Predictions at 0.5 are [0, 1, 0, 0, 1]: TP 2, FP 0, TN 2, FN 1.
/// assert_eq!(report.precision, 1.0);
/// assert_eq!(report.f1, 0.8);
/// assert_eq!(report.confusion.false_negatives, 1);
/// # Ok::<(), metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ClassificationReport {
    /// The decision threshold the labels were predicted at.
    pub threshold: f64,
    /// `TP / (TP + FP)`; see [`ConfusionMatrix::precision`].
    pub precision: f64,
    /// `TP / (TP + FN)`; see [`ConfusionMatrix::recall`].
    pub recall: f64,
    /// `2·TP / (2·TP + FP + FN)`; see [`ConfusionMatrix::f1`].
    pub f1: f64,
    /// `(TP + TN) / n`; see [`ConfusionMatrix::accuracy`].
    pub accuracy: f64,
    /// Mean clipped binary cross-entropy of the probabilities; see [`log_loss`](crate::log_loss).
    pub log_loss: f64,
    /// The counts the ratios are read from.
    pub confusion: ConfusionMatrix,
}

impl ClassificationReport {
    /// Evaluates predicted probabilities of class 1 against true labels, predicting 1 where
    /// `p ≥ threshold`.
    ///
    /// # Errors
    /// [`MetricsError::InvalidThreshold`] if `threshold` is NaN or outside `[0, 1]` (checked
    /// first), then the errors of [`log_loss`](crate::log_loss): mismatched or empty slices, a
    /// label other than 0.0 or 1.0, or a probability that is NaN, infinite or outside `[0, 1]`.
    ///
    /// # Example
    /// ```
    /// use metrics::ClassificationReport;
    /// let report = ClassificationReport::new(&[0.0, 1.0], &[0.5, 0.5], 0.5)?;
    /// // p = 0.5 meets the threshold, so both samples are predicted 1.
    /// assert_eq!(report.confusion.false_positives, 1);
    /// assert!(ClassificationReport::new(&[0.0, 1.0], &[0.5, 0.5], 1.5).is_err());
    /// # Ok::<(), metrics::MetricsError>(())
    /// ```
    pub fn new(
        y_true: &[f64],
        probabilities: &[f64],
        threshold: f64,
    ) -> Result<Self, MetricsError> {
        validate::check_threshold(threshold)?;
        let log_loss = log_loss(y_true, probabilities)?;
        let confusion = ConfusionMatrix::count(
            y_true
                .iter()
                .zip(probabilities)
                .map(|(&y, &p)| (y == 1.0, p >= threshold)),
        );
        Ok(ClassificationReport {
            threshold,
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            accuracy: confusion.accuracy(),
            log_loss,
            confusion,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_thresholds() {
        let y = [0.0, 1.0, 1.0];
        let p = [0.0, 0.7, 1.0];
        let all = ClassificationReport::new(&y, &p, 0.0).unwrap();
        assert_eq!(all.confusion.n_samples(), 3);
        assert_eq!(all.confusion.true_negatives, 0);
        let strict = ClassificationReport::new(&y, &p, 1.0).unwrap();
        assert_eq!(strict.confusion.true_positives, 1);
        assert_eq!(strict.confusion.false_negatives, 1);
    }

    #[test]
    fn threshold_is_checked_before_data() {
        for bad in [f64::NAN, -0.01, 1.01, f64::INFINITY] {
            let err = ClassificationReport::new(&[], &[1.0], bad).unwrap_err();
            assert!(
                matches!(err, MetricsError::InvalidThreshold { .. }),
                "{err}"
            );
        }
    }
}
