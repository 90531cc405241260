//! The one error type of the crate, and the names of the arguments it can point at.

use std::fmt;

/// The argument of a metric function that an error points at.
///
/// # Example
/// ```
/// use metrics::Argument;
/// assert_eq!(Argument::YPred.to_string(), "y_pred");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Argument {
    /// The true labels, each 0.0 or 1.0.
    YTrue,
    /// The predicted labels, each 0.0 or 1.0.
    YPred,
    /// Predicted probabilities of class 1, each finite and in `[0, 1]`.
    Probabilities,
    /// Ranking scores (probabilities, logits or any finite numbers).
    Scores,
    /// The values given to [`Summary::from_values`](crate::Summary::from_values).
    Values,
}

impl Argument {
    /// The argument's parameter name, as it appears in the function signatures.
    pub fn name(self) -> &'static str {
        match self {
            Argument::YTrue => "y_true",
            Argument::YPred => "y_pred",
            Argument::Probabilities => "probabilities",
            Argument::Scores => "scores",
            Argument::Values => "values",
        }
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a metric could not be computed from its inputs.
///
/// Each variant names the argument, the zero-based index and the offending value where there is
/// one; what is allowed is fixed by the variant and stated in its message. When an input has
/// several problems, the lengths are checked first, then `y_true`, then the other argument, each
/// in index order, and the first problem found is reported.
///
/// # Example
/// ```
/// use metrics::{precision, Argument, MetricsError};
/// let err = precision(&[0.0, 1.0], &[0.0, 2.0]).unwrap_err();
/// assert_eq!(
///     err,
///     MetricsError::InvalidLabel { argument: Argument::YPred, index: 1, value: 2.0 }
/// );
/// assert_eq!(
///     err.to_string(),
///     "y_pred[1] = 2 is not a binary label: labels and predictions must be exactly 0 or 1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// An input slice is empty: no metric is defined over zero samples.
    #[error("{argument} is empty: at least one sample is needed")]
    Empty {
        /// The empty argument.
        argument: Argument,
    },
    /// The second argument does not have one value per label in `y_true`.
    #[error(
        "y_true has {expected} values but {argument} has {found}: give exactly one {argument} value per label"
    )]
    LengthMismatch {
        /// The argument whose length differs from `y_true`'s.
        argument: Argument,
        /// The length of `y_true`.
        expected: usize,
        /// The length of `argument`.
        found: usize,
    },
    /// A label or prediction is not exactly 0.0 or 1.0.
    #[error(
        "{argument}[{index}] = {value} is not a binary label: labels and predictions must be exactly 0 or 1"
    )]
    InvalidLabel {
        /// `y_true` or `y_pred`.
        argument: Argument,
        /// Zero-based index of the offending value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A probability is NaN, infinite, or outside `[0, 1]`.
    #[error(
        "probabilities[{index}] = {value} is not a probability: expected a finite value in [0, 1] (pass probabilities, not logits)"
    )]
    InvalidProbability {
        /// Zero-based index of the offending value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A score or summary value is NaN or infinite.
    #[error(
        "{argument}[{index}] = {value} is not finite: NaN and infinite values cannot be ranked or averaged; remove or replace them"
    )]
    NonFinite {
        /// `scores` or `values`.
        argument: Argument,
        /// Zero-based index of the offending value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// `y_true` holds only one class, so ROC AUC (which compares positives with negatives) is
    /// undefined.
    #[error(
        "y_true contains only class {class} ({n_samples} samples): ROC AUC is undefined with a single class; evaluate on samples of both class 0 and class 1"
    )]
    SingleClass {
        /// The one class present, 0 or 1.
        class: u8,
        /// The number of samples, all of that class.
        n_samples: usize,
    },
    /// A decision threshold is NaN or outside `[0, 1]`.
    #[error(
        "decision threshold {value} is outside [0, 1]: choose a threshold between 0 and 1, such as 0.5"
    )]
    InvalidThreshold {
        /// The offending threshold.
        value: f64,
    },
}
