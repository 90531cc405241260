//! Per-column standardisation `x' = (x − mean) / scale`: the one implementation of its
//! statistics and its transform, used by `data` (to standardise a study's data) and by
//! `models` (a fitted model that standardises its own inputs), so both give the same bits.

use crate::Matrix;

/// Why a [`Standardization`] cannot be built or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StandardizationError {
    /// The matrix has a different number of columns than the statistics.
    #[error(
        "the matrix has {found} feature columns but the standardisation was fitted on \
         {expected}: give it data with the same features as the training data"
    )]
    FeatureCountMismatch {
        /// Columns the statistics describe.
        expected: usize,
        /// Columns given.
        found: usize,
    },
    /// A value to standardise is NaN or infinite.
    #[error(
        "feature value {value} at row {row}, column {column} is not finite: remove or impute it \
         before standardizing"
    )]
    NonFiniteValue {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// Standardising a finite value overflowed to infinity.
    #[error(
        "standardizing feature value {value} at row {row}, column {column} overflows: the value \
         is far outside the range seen at fit (mean {mean}, scale {scale})"
    )]
    Overflow {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        column: usize,
        /// The input value.
        value: f64,
        /// The column's mean.
        mean: f64,
        /// The column's scale.
        scale: f64,
    },
    /// Statistics given to [`Standardization::new`] are unusable.
    #[error("invalid standardisation: {reason}")]
    InvalidStatistics {
        /// What is wrong, naming the column.
        reason: String,
    },
}

/// Per-column standardisation `x' = (x − mean_j) / scale_j`, where `mean_j` and `scale_j` are
/// the mean and population standard deviation `sqrt(Σ (x − mean_j)² / n)` of column `j` of the
/// data it was fitted on.
///
/// The traps it handles:
/// - A *constant* column (every finite value equal) gets `mean` = that value and `scale` = 1, so
///   it becomes exactly 0 instead of dividing by zero; likewise any column whose standard
///   deviation underflows to 0.
/// - Extreme but finite values (say 1e300, whose square overflows) are handled by computing the
///   statistics on the column scaled by a power of two, which is exact.
/// - NaN and infinite values are *ignored* at fit (as scikit-learn's `StandardScaler` does): the
///   statistics use the finite values only, and a column with no finite value gets mean 0 and
///   scale 1. [`transform`](Standardization::transform) rejects them.
///
/// # Example
/// ```
/// use core_linalg::{Matrix, Standardization};
/// let train = Matrix::from_row_slice(3, 2, &[1.0, 5.0, 2.0, 5.0, 3.0, 5.0]);
/// let standardization = Standardization::fit(&train);
/// assert_eq!(standardization.means(), &[2.0, 5.0]);
/// assert_eq!(standardization.scales()[1], 1.0); // constant column
/// let z = standardization.transform(&Matrix::from_row_slice(1, 2, &[4.0, 7.0]))?;
/// assert!((z[(0, 0)] - 2.0 / (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert_eq!(z[(0, 1)], 2.0);
/// # Ok::<(), core_linalg::StandardizationError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardization {
    means: Vec<f64>,
    scales: Vec<f64>,
}

impl Standardization {
    /// Learns each column's mean and scale from `features` (one sample per row).
    ///
    /// Never fails and never produces a zero, NaN or infinite scale: see the type's
    /// documentation for constant columns, extreme values and non-finite entries. A matrix
    /// with no rows gives mean 0 and scale 1 for every column.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{Matrix, Standardization};
    /// // Population standard deviation: sqrt(((1 − 2)² + (3 − 2)²) / 2) = 1.
    /// let s = Standardization::fit(&Matrix::from_row_slice(2, 1, &[1.0, 3.0]));
    /// assert_eq!((s.means(), s.scales(), s.n_features()), (&[2.0][..], &[1.0][..], 1));
    /// ```
    pub fn fit(features: &Matrix) -> Standardization {
        let n_rows = features.nrows();
        let (means, scales) = (0..features.ncols())
            .map(|column| {
                let values = &features.as_slice()[column * n_rows..(column + 1) * n_rows];
                column_statistics(values)
            })
            .unzip();
        Standardization { means, scales }
    }

    /// Statistics learned elsewhere (for example read from a saved model).
    ///
    /// # Errors
    /// [`StandardizationError::InvalidStatistics`] when the lengths differ, there is no
    /// column, a mean is not finite, or a scale is not finite and positive.
    ///
    /// # Example
    /// ```
    /// use core_linalg::Standardization;
    /// let s = Standardization::new(vec![1.0, -2.0], vec![0.5, 4.0])?;
    /// assert_eq!(s.n_features(), 2);
    /// assert!(Standardization::new(vec![0.0], vec![0.0]).is_err());
    /// # Ok::<(), core_linalg::StandardizationError>(())
    /// ```
    pub fn new(means: Vec<f64>, scales: Vec<f64>) -> Result<Standardization, StandardizationError> {
        let invalid = |reason: String| StandardizationError::InvalidStatistics { reason };
        if means.len() != scales.len() || means.is_empty() {
            return Err(invalid(format!(
                "{} means and {} scales: give one of each per feature, at least one",
                means.len(),
                scales.len()
            )));
        }
        if let Some(j) = means.iter().position(|m| !m.is_finite()) {
            return Err(invalid(format!(
                "mean {} of column {j} is not finite",
                means[j]
            )));
        }
        if let Some(j) = scales.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(invalid(format!(
                "scale {} of column {j} is not a finite number > 0",
                scales[j]
            )));
        }
        Ok(Standardization { means, scales })
    }

    /// The column means.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// The column scales: the population standard deviation, or 1 for a constant column.
    /// Always finite and positive.
    pub fn scales(&self) -> &[f64] {
        &self.scales
    }

    /// The number of feature columns.
    pub fn n_features(&self) -> usize {
        self.means.len()
    }

    /// Standardises every entry: `x' = (x − mean_j) / scale_j`.
    ///
    /// When `x − mean_j` overflows (opposite-signed values near `f64::MAX`), it is computed as
    /// `x / scale_j − mean_j / scale_j` instead.
    ///
    /// # Errors
    /// - [`StandardizationError::FeatureCountMismatch`] when `features` has a different number
    ///   of columns than the statistics.
    /// - [`StandardizationError::NonFiniteValue`] for the first NaN or infinite entry in
    ///   row-major order.
    /// - [`StandardizationError::Overflow`] when a finite entry is so far outside the fitted
    ///   range that its standardised value overflows.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{Matrix, Standardization};
    /// let s = Standardization::new(vec![10.0], vec![2.0])?;
    /// assert_eq!(s.transform(&Matrix::from_row_slice(2, 1, &[12.0, 9.0]))?.as_slice(), &[1.0, -0.5]);
    /// assert!(s.transform(&Matrix::from_row_slice(1, 1, &[f64::NAN])).is_err());
    /// # Ok::<(), core_linalg::StandardizationError>(())
    /// ```
    pub fn transform(&self, features: &Matrix) -> Result<Matrix, StandardizationError> {
        if features.ncols() != self.n_features() {
            return Err(StandardizationError::FeatureCountMismatch {
                expected: self.n_features(),
                found: features.ncols(),
            });
        }
        let mut out = Matrix::zeros(features.nrows(), features.ncols());
        for row in 0..features.nrows() {
            for column in 0..features.ncols() {
                let value = features[(row, column)];
                if !value.is_finite() {
                    return Err(StandardizationError::NonFiniteValue { row, column, value });
                }
                let (mean, scale) = (self.means[column], self.scales[column]);
                let difference = value - mean;
                let standardized = if difference.is_finite() {
                    difference / scale
                } else {
                    value / scale - mean / scale
                };
                if !standardized.is_finite() {
                    return Err(StandardizationError::Overflow {
                        row,
                        column,
                        value,
                        mean,
                        scale,
                    });
                }
                out[(row, column)] = standardized;
            }
        }
        Ok(out)
    }
}

/// `(mean, scale)` of the finite entries of one column; see [`Standardization`].
///
/// The column is scaled by `2^−k`, with `2^k ≤ max |x| < 2^(k+1)`, so every scaled value is
/// below 2 in magnitude and neither the sum nor the squares can overflow; scaling by a power of
/// two is exact, so the result equals the unscaled two-pass formula wherever that one is finite.
fn column_statistics(values: &[f64]) -> (f64, f64) {
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let Some(first) = finite().next() else {
        return (0.0, 1.0);
    };
    let (min, max, count) = finite().fold((first, first, 0usize), |(lo, hi, n), v| {
        (lo.min(v), hi.max(v), n + 1)
    });
    if min == max {
        return (min, 1.0);
    }
    let exponent = libm::ilogb(min.abs().max(max.abs()));
    let scaled = move |v: f64| libm::scalbn(v, -exponent);
    let n = count as f64;
    let mean_scaled = finite().map(scaled).sum::<f64>() / n;
    let variance_scaled = finite()
        .map(|v| {
            let deviation = scaled(v) - mean_scaled;
            deviation * deviation
        })
        .sum::<f64>()
        / n;
    let mean = libm::scalbn(mean_scaled, exponent);
    let std = libm::scalbn(variance_scaled.sqrt(), exponent);
    let scale = if std > 0.0 && std.is_finite() {
        std
    } else {
        1.0
    };
    (mean, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_the_plain_formula() {
        let (mean, scale) = column_statistics(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(mean, 2.5);
        assert!((scale - 1.25f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn statistics_survive_extreme_and_non_finite_values() {
        let (mean, scale) = column_statistics(&[1e300, -1e300]);
        assert_eq!(mean, 0.0);
        assert!((scale / 1e300 - 1.0).abs() < 1e-15);
        let (mean, scale) = column_statistics(&[f64::MAX, -f64::MAX]);
        assert_eq!((mean, scale), (0.0, f64::MAX));
        assert_eq!(
            column_statistics(&[f64::NAN, 3.0, f64::INFINITY]),
            (3.0, 1.0)
        );
        assert_eq!(column_statistics(&[f64::NAN]), (0.0, 1.0));
        assert_eq!(column_statistics(&[]), (0.0, 1.0));
        // 5e-324 and 0 differ, but the standard deviation underflows: scale falls back to 1.
        assert_eq!(column_statistics(&[5e-324, 0.0]).1, 1.0);
    }

    #[test]
    fn a_constant_column_becomes_zero_without_dividing_by_zero() {
        let x = Matrix::from_row_slice(3, 2, &[7.0, 1.0, 7.0, 2.0, 7.0, 3.0]);
        let s = Standardization::fit(&x);
        assert_eq!(s.scales()[0], 1.0);
        let z = s.transform(&x).unwrap();
        assert!(z.column(0).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn bad_statistics_and_bad_inputs_name_the_column() {
        for (means, scales, words) in [
            (vec![0.0], vec![1.0, 2.0], "1 means and 2 scales"),
            (vec![], vec![], "0 means"),
            (vec![f64::NAN], vec![1.0], "mean NaN of column 0"),
            (vec![0.0, 0.0], vec![1.0, 0.0], "scale 0 of column 1"),
            (vec![0.0], vec![f64::INFINITY], "scale inf of column 0"),
        ] {
            let err = Standardization::new(means, scales).unwrap_err();
            assert!(err.to_string().contains(words), "{err}");
        }
        let s = Standardization::new(vec![0.0, 0.0], vec![1.0, 1e-300]).unwrap();
        let err = s.transform(&Matrix::zeros(1, 3)).unwrap_err();
        assert_eq!(
            err,
            StandardizationError::FeatureCountMismatch {
                expected: 2,
                found: 3
            }
        );
        let x = Matrix::from_row_slice(1, 2, &[1.0, f64::NAN]);
        assert!(matches!(
            s.transform(&x),
            Err(StandardizationError::NonFiniteValue {
                row: 0,
                column: 1,
                ..
            })
        ));
        let x = Matrix::from_row_slice(1, 2, &[1.0, 1e300]);
        assert!(matches!(
            s.transform(&x),
            Err(StandardizationError::Overflow { column: 1, .. })
        ));
    }
}
