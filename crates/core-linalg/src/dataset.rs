//! A validated binary-classification dataset: a feature matrix and 0/1 labels.

use crate::{Matrix, Vector};

/// Why a feature matrix and label vector do not form a valid [`Dataset`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The number of feature rows differs from the number of labels.
    #[error("features have {n_rows} rows but there are {n_labels} labels: give one label per row")]
    LengthMismatch {
        /// Rows of the feature matrix.
        n_rows: usize,
        /// Length of the label vector.
        n_labels: usize,
    },
    /// There are no rows.
    #[error("the dataset has no rows: at least one sample is needed")]
    NoRows,
    /// There are no feature columns.
    #[error("the dataset has no feature columns: at least one feature is needed")]
    NoFeatures,
    /// A feature is NaN or infinite.
    #[error(
        "feature value {value} at row {row}, column {column} is not finite: remove or impute it"
    )]
    NonFiniteFeature {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// A label is not exactly 0 or 1.
    #[error("label {value} at row {row} is not 0 or 1: binary labels must be 0 or 1")]
    InvalidLabel {
        /// Zero-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
}

/// A feature matrix with one sample per row and a label of 0 or 1 per row, checked on
/// construction so that every consumer can rely on finite features and binary labels.
///
/// Labels are stored as `f64` (0.0 or 1.0) because the loss and its gradient use them as numbers.
///
/// # Example
/// ```
/// use core_linalg::{Dataset, Matrix, Vector};
/// let x = Matrix::from_row_slice(3, 2, &[0.0, 1.0, 1.0, 0.0, 2.0, 2.0]);
/// let y = Vector::from_vec(vec![0.0, 1.0, 1.0]);
/// let data = Dataset::new(x, y)?;
/// assert_eq!((data.n_samples(), data.n_features(), data.n_positive()), (3, 2, 2));
/// # Ok::<(), core_linalg::DatasetError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Matrix,
    labels: Vector,
}

impl Dataset {
    /// Checks and wraps a feature matrix and label vector.
    ///
    /// # Errors
    /// [`DatasetError`] when the lengths differ, there are no rows or no columns, a feature is
    /// NaN or infinite, or a label is not exactly 0 or 1. The first problem in row order is
    /// reported.
    pub fn new(features: Matrix, labels: Vector) -> Result<Self, DatasetError> {
        if features.nrows() != labels.len() {
            return Err(DatasetError::LengthMismatch {
                n_rows: features.nrows(),
                n_labels: labels.len(),
            });
        }
        if features.nrows() == 0 {
            return Err(DatasetError::NoRows);
        }
        if features.ncols() == 0 {
            return Err(DatasetError::NoFeatures);
        }
        check_finite(&features).map_err(|(row, column, value)| DatasetError::NonFiniteFeature {
            row,
            column,
            value,
        })?;
        if let Some((row, &value)) = labels
            .iter()
            .enumerate()
            .find(|(_, y)| **y != 0.0 && **y != 1.0)
        {
            return Err(DatasetError::InvalidLabel { row, value });
        }
        Ok(Dataset { features, labels })
    }

    /// The feature matrix, one sample per row.
    pub fn features(&self) -> &Matrix {
        &self.features
    }

    /// The labels, each 0.0 or 1.0.
    pub fn labels(&self) -> &Vector {
        &self.labels
    }

    /// Number of samples (rows).
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// Number of features (columns).
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of samples labelled 1.
    pub fn n_positive(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1.0).count()
    }

    /// A new dataset made of the given rows, in the given order.
    ///
    /// # Panics
    /// If `rows` is empty or an index is out of range (an internal bug in the caller).
    pub fn select_rows(&self, rows: &[usize]) -> Dataset {
        assert!(!rows.is_empty(), "select_rows needs at least one row");
        Dataset {
            features: self.features.select_rows(rows),
            labels: self.labels.select_rows(rows),
        }
    }

    /// Splits the dataset back into its feature matrix and labels.
    pub fn into_parts(self) -> (Matrix, Vector) {
        (self.features, self.labels)
    }
}

/// The first non-finite entry of `m` in row-major order, as `(row, column, value)`.
///
/// # Errors
/// Returns the position and value of the first NaN or infinite entry.
pub(crate) fn check_finite(m: &Matrix) -> Result<(), (usize, usize, f64)> {
    if m.iter().all(|v| v.is_finite()) {
        return Ok(());
    }
    for row in 0..m.nrows() {
        for column in 0..m.ncols() {
            let value = m[(row, column)];
            if !value.is_finite() {
                return Err((row, column, value));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_bad_input_with_its_variant() {
        let x = Matrix::zeros(2, 1);
        // Checked before any nalgebra operation, which would panic on the mismatch.
        let err = Dataset::new(x.clone(), Vector::zeros(3)).unwrap_err();
        assert!(matches!(
            err,
            DatasetError::LengthMismatch {
                n_rows: 2,
                n_labels: 3
            }
        ));
        assert!(
            err.to_string().contains("2 rows but there are 3 labels"),
            "{err}"
        );
        let err = Dataset::new(Matrix::zeros(0, 2), Vector::zeros(0)).unwrap_err();
        assert_eq!(err, DatasetError::NoRows);
        assert!(err.to_string().contains("no rows"), "{err}");
        let err = Dataset::new(Matrix::zeros(2, 0), Vector::zeros(2)).unwrap_err();
        assert_eq!(err, DatasetError::NoFeatures);
        assert!(err.to_string().contains("no feature columns"), "{err}");
        let mut bad = Matrix::zeros(2, 2);
        bad[(1, 0)] = f64::NAN;
        bad[(1, 1)] = f64::INFINITY;
        let err = Dataset::new(bad, Vector::zeros(2)).unwrap_err();
        assert!(matches!(
            err,
            DatasetError::NonFiniteFeature {
                row: 1,
                column: 0,
                ..
            }
        ));
        assert!(
            err.to_string()
                .contains("NaN at row 1, column 0 is not finite"),
            "{err}"
        );
        let err = Dataset::new(x, Vector::from_vec(vec![0.0, 2.0])).unwrap_err();
        assert!(err.to_string().contains("label 2 at row 1"), "{err}");
    }
}
