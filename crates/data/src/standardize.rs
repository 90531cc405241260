//! Per-column standardisation, fitted on training data only.

use core_linalg::{Dataset, Matrix, Standardization};

use crate::DataError;

/// Per-column standardisation `x' = (x − mean_j) / scale_j`, where `mean_j` and `scale_j` are
/// the mean and population standard deviation `sqrt(Σ (x − mean_j)² / n)` of column `j` of the
/// data it was fitted on. The statistics and the transform are
/// [`core_linalg::Standardization`]'s, the same a model fitted with standardisation uses, so
/// both give the same bits; this type adds datasets and this crate's errors.
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
    statistics: Standardization,
}

impl Standardizer {
    /// Learns each column's mean and scale from `features` (one sample per row).
    ///
    /// Never fails and never produces a zero, NaN or infinite scale: see the type's
    /// documentation for constant columns, extreme values and non-finite entries. A matrix
    /// with no rows gives mean 0 and scale 1 for every column.
    pub fn fit(features: &Matrix) -> Standardizer {
        Standardizer {
            statistics: Standardization::fit(features),
        }
    }

    /// The column means learned at fit.
    pub fn means(&self) -> &[f64] {
        self.statistics.means()
    }

    /// The column scales learned at fit: the population standard deviation, or 1 for a
    /// constant column. Always finite and positive.
    pub fn scales(&self) -> &[f64] {
        self.statistics.scales()
    }

    /// The number of feature columns seen at fit.
    pub fn n_features(&self) -> usize {
        self.statistics.n_features()
    }

    /// The fitted statistics, as `core-linalg`'s type (which a model can carry).
    ///
    /// # Example
    /// ```
    /// use core_linalg::Matrix;
    /// let standardizer = data::Standardizer::fit(&Matrix::from_row_slice(2, 1, &[1.0, 3.0]));
    /// assert_eq!(standardizer.statistics().means(), &[2.0]);
    /// ```
    pub fn statistics(&self) -> &Standardization {
        &self.statistics
    }

    /// Standardises every entry: `x' = (x − mean_j) / scale_j`.
    ///
    /// When `x − mean_j` overflows (opposite-signed values near `f64::MAX`), it is computed as
    /// `x / scale_j − mean_j / scale_j` instead.
    ///
    /// # Errors
    /// [`DataError::Standardization`] with [`StandardizationError::FeatureCountMismatch`](core_linalg::StandardizationError::FeatureCountMismatch) when
    /// `features` has a different number of columns than the matrix seen at fit,
    /// [`StandardizationError::NonFiniteValue`](core_linalg::StandardizationError::NonFiniteValue) for the first NaN or infinite entry in
    /// row-major order, or [`StandardizationError::Overflow`](core_linalg::StandardizationError::Overflow) when a finite entry is so far
    /// outside the fitted range that its standardised value overflows.
    pub fn transform(&self, features: &Matrix) -> Result<Matrix, DataError> {
        self.statistics
            .transform(features)
            .map_err(DataError::Standardization)
    }

    /// Standardises a dataset's features and keeps its labels, feature names and class labels.
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
        Ok(dataset.with_features(features)?)
    }
}
