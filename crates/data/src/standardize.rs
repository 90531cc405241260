//! Per-column standardisation, fitted on training data only.

use core_linalg::{Dataset, Matrix};

use crate::DataError;

/// Per-column standardisation `x' = (x − mean_j) / scale_j`, where `mean_j` and `scale_j` are
/// the mean and population standard deviation `sqrt(Σ (x − mean_j)² / n)` of column `j` of the
/// data it was fitted on.
///
/// **Fit it on the training part only** and apply the same fitted transform to the test part
/// (and to anything predicted later); fitting on the whole dataset leaks test statistics into
/// training and makes the test error optimistic.
///
/// The traps it handles:
/// - A *constant* column (every finite value equal) gets `mean` = that value and `scale` = 1, so
///   it becomes exactly 0 instead of dividing by zero; likewise any column whose standard
///   deviation underflows to 0.
/// - Extreme but finite values (say 1e300, whose square overflows) are handled by computing the
///   statistics on the column scaled by a power of two, which is exact.
/// - NaN and infinite values are *ignored* at fit (as scikit-learn's `StandardScaler` does): the
///   statistics use the finite values only, and a column with no finite value gets mean 0 and
///   scale 1. [`transform`](Standardizer::transform) rejects them. A
///   [`Dataset`]'s features are always finite, so this only matters for raw matrices.
///
/// # Example
/// ```
/// use core_linalg::Matrix;
/// use data::Standardizer;
/// let train = Matrix::from_row_slice(3, 2, &[1.0, 5.0, 2.0, 5.0, 3.0, 5.0]);
/// let standardizer = Standardizer::fit(&train);
/// assert_eq!(standardizer.means(), &[2.0, 5.0]);
/// assert_eq!(standardizer.scales()[1], 1.0); // constant column
/// let test = Matrix::from_row_slice(1, 2, &[4.0, 7.0]);
/// let z = standardizer.transform(&test)?;
/// assert!((z[(0, 0)] - 2.0 / (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert_eq!(z[(0, 1)], 2.0);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    means: Vec<f64>,
    scales: Vec<f64>,
}

impl Standardizer {
    /// Learns each column's mean and scale from `features` (one sample per row).
    ///
    /// Never fails and never produces a zero, NaN or infinite scale: see the type's
    /// documentation for constant columns, extreme values and non-finite entries. A matrix
    /// with no rows gives mean 0 and scale 1 for every column.
    pub fn fit(features: &Matrix) -> Standardizer {
        let n_rows = features.nrows();
        let (means, scales) = (0..features.ncols())
            .map(|column| {
                let values = &features.as_slice()[column * n_rows..(column + 1) * n_rows];
                column_statistics(values)
            })
            .unzip();
        Standardizer { means, scales }
    }

    /// The column means learned at fit.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// The column scales learned at fit: the population standard deviation, or 1 for a
    /// constant column. Always finite and positive.
    pub fn scales(&self) -> &[f64] {
        &self.scales
    }

    /// The number of feature columns seen at fit.
    pub fn n_features(&self) -> usize {
        self.means.len()
    }

    /// Standardises every entry: `x' = (x − mean_j) / scale_j`.
    ///
    /// When `x − mean_j` overflows (opposite-signed values near `f64::MAX`), it is computed as
    /// `x / scale_j − mean_j / scale_j` instead.
    ///
    /// # Errors
    /// - [`DataError::FeatureCountMismatch`] when `features` has a different number of columns
    ///   than the matrix seen at fit.
    /// - [`DataError::NonFiniteValue`] for the first NaN or infinite entry in row-major order.
    /// - [`DataError::StandardizedOverflow`] when a finite entry is so far outside the fitted
    ///   range that its standardised value overflows.
    pub fn transform(&self, features: &Matrix) -> Result<Matrix, DataError> {
        if features.ncols() != self.n_features() {
            return Err(DataError::FeatureCountMismatch {
                n_expected: self.n_features(),
                n_found: features.ncols(),
            });
        }
        let mut out = Matrix::zeros(features.nrows(), features.ncols());
        for row in 0..features.nrows() {
            for column in 0..features.ncols() {
                let value = features[(row, column)];
                if !value.is_finite() {
                    return Err(DataError::NonFiniteValue { row, column, value });
                }
                let (mean, scale) = (self.means[column], self.scales[column]);
                let difference = value - mean;
                let standardized = if difference.is_finite() {
                    difference / scale
                } else {
                    value / scale - mean / scale
                };
                if !standardized.is_finite() {
                    return Err(DataError::StandardizedOverflow {
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

    /// Standardises a dataset's features and keeps its labels.
    ///
    /// # Errors
    /// As [`transform`](Standardizer::transform).
    ///
    /// # Example
    /// ```
    /// use data::{Blobs, Standardizer, train_test_split};
    /// use rand::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    /// let dataset = Blobs::new(4.0)?.with_std(10.0)?.generate(200, &mut rng)?;
    /// let split = train_test_split(&dataset, 0.25, &mut rng)?;
    /// let standardizer = Standardizer::fit(split.train.features());
    /// let train = standardizer.transform_dataset(&split.train)?;
    /// let test = standardizer.transform_dataset(&split.test)?;
    /// assert!(train.features().column(0).mean().abs() < 1e-12);
    /// assert_eq!(test.labels(), split.test.labels());
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn transform_dataset(&self, dataset: &Dataset) -> Result<Dataset, DataError> {
        let features = self.transform(dataset.features())?;
        Ok(Dataset::new(features, dataset.labels().clone())?)
    }
}

/// `(mean, scale)` of the finite entries of one column; see [`Standardizer`].
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
}
