//! Log loss (binary cross-entropy) of predicted probabilities.

use core_linalg::{bce_from_probability, kernels};

use crate::{Argument, MetricsError, validate};

/// Mean binary cross-entropy of predicted probabilities against true labels:
/// `(1/n) Σᵢ −[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]`.
///
/// Each term is [`core_linalg::bce_from_probability`], which clips `pᵢ` to
/// `[PROBABILITY_EPSILON, 1 − PROBABILITY_EPSILON]` (see [`core_linalg::PROBABILITY_EPSILON`],
/// 1e-15, scikit-learn's long-standing default). The trap: a probability of exactly 0 or 1 is
/// therefore legal and the result is always finite, but a confidently wrong prediction costs at
/// most about 34.54 rather than infinity, and a confidently right one costs about 1e-15 rather
/// than 0. The terms are summed in the fixed order of [`core_linalg::kernels::sum`].
///
/// # Errors
/// [`MetricsError::LengthMismatch`] or [`MetricsError::Empty`] for mismatched or empty slices,
/// [`MetricsError::InvalidLabel`] for a label other than 0.0 or 1.0, and
/// [`MetricsError::InvalidProbability`] for a probability that is NaN, infinite or outside
/// `[0, 1]` (logits are not probabilities: apply a sigmoid first).
///
/// # Example
/// ```
/// // scikit-learn: log_loss([1, 0, 1], [0.9, 0.2, 0.6]) == -(ln 0.9 + ln 0.8 + ln 0.6) / 3
/// let loss = metrics::log_loss(&[1.0, 0.0, 1.0], &[0.9, 0.2, 0.6])?;
/// assert!((loss - 0.2797765635793422).abs() < 1e-15);
///
/// // Certain and wrong: clipped, so finite.
/// assert!(metrics::log_loss(&[1.0], &[0.0])?.is_finite());
/// # Ok::<(), metrics::MetricsError>(())
/// ```
pub fn log_loss(y_true: &[f64], probabilities: &[f64]) -> Result<f64, MetricsError> {
    validate::check_labelled(y_true, probabilities, Argument::Probabilities)?;
    validate::check_probabilities(probabilities)?;
    let losses: Vec<f64> = y_true
        .iter()
        .zip(probabilities)
        .map(|(&y, &p)| bce_from_probability(p, y))
        .collect();
    Ok(kernels::sum(&losses) / losses.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn single_sample_is_the_elementwise_loss() {
        assert_relative_eq!(
            log_loss(&[1.0], &[0.25]).unwrap(),
            -(0.25f64.ln()),
            max_relative = 1e-15
        );
        assert_relative_eq!(
            log_loss(&[0.0], &[0.25]).unwrap(),
            -(0.75f64.ln()),
            max_relative = 1e-15
        );
    }

    #[test]
    fn rejects_bad_probabilities_by_index() {
        for bad in [f64::NAN, f64::INFINITY, -0.1, 1.5] {
            let err = log_loss(&[0.0, 1.0], &[0.5, bad]).unwrap_err();
            assert!(
                matches!(err, MetricsError::InvalidProbability { index: 1, value } if value.to_bits() == bad.to_bits()),
                "{err}"
            );
        }
    }
}
