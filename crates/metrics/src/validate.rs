//! Input checks shared by every metric. Each returns the first problem in index order.

use crate::{Argument, MetricsError};

/// Checks that `other` has one value per label, that there is at least one sample, and that
/// every label in `y_true` is 0 or 1.
pub(crate) fn check_labelled(
    y_true: &[f64],
    other: &[f64],
    argument: Argument,
) -> Result<(), MetricsError> {
    if other.len() != y_true.len() {
        return Err(MetricsError::LengthMismatch {
            argument,
            expected: y_true.len(),
            found: other.len(),
        });
    }
    if y_true.is_empty() {
        return Err(MetricsError::Empty {
            argument: Argument::YTrue,
        });
    }
    check_binary(Argument::YTrue, y_true)
}

/// Checks that every value is exactly 0.0 or 1.0 (`-0.0` counts as 0).
pub(crate) fn check_binary(argument: Argument, values: &[f64]) -> Result<(), MetricsError> {
    match first_index(values, |v| v != 0.0 && v != 1.0) {
        Some((index, value)) => Err(MetricsError::InvalidLabel {
            argument,
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// Checks that every value is finite and within `[0, 1]` (NaN fails the range test).
pub(crate) fn check_probabilities(values: &[f64]) -> Result<(), MetricsError> {
    match first_index(values, |p| !(0.0..=1.0).contains(&p)) {
        Some((index, value)) => Err(MetricsError::InvalidProbability { index, value }),
        None => Ok(()),
    }
}

/// Checks that every value is finite.
pub(crate) fn check_finite(argument: Argument, values: &[f64]) -> Result<(), MetricsError> {
    match first_index(values, |v| !v.is_finite()) {
        Some((index, value)) => Err(MetricsError::NonFinite {
            argument,
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// Checks that a decision threshold is within `[0, 1]` (NaN fails the range test).
pub(crate) fn check_threshold(threshold: f64) -> Result<(), MetricsError> {
    if (0.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(MetricsError::InvalidThreshold { value: threshold })
    }
}

fn first_index(values: &[f64], is_bad: impl Fn(f64) -> bool) -> Option<(usize, f64)> {
    values.iter().copied().enumerate().find(|&(_, v)| is_bad(v))
}
