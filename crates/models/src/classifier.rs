//! The interface both fitted models share, and the input checks behind it.

use core_linalg::{Dataset, Matrix, Vector};

use crate::ModelError;

/// A fitted binary classifier. Object-safe, so code can hold a `Box<dyn Classifier>` of either
/// model.
///
/// # Example
/// ```
/// use core_linalg::Matrix;
/// use models::{Classifier, LogisticRegression, Layer};
/// # use core_linalg::Vector;
/// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![2.0]), -1.0, 0.5)?;
/// let boxed: Box<dyn Classifier> = Box::new(model);
/// let p = boxed.predict_proba(&Matrix::from_row_slice(2, 1, &[0.0, 1.0]))?;
/// assert!(p[0] < 0.5 && p[1] > 0.5);
/// assert_eq!(boxed.predict(&Matrix::from_row_slice(1, 1, &[1.0]))?[0], 1.0);
/// # Ok::<(), models::ModelError>(())
/// ```
pub trait Classifier: Send + Sync + std::fmt::Debug {
    /// The number of features the model was fitted on.
    fn n_features(&self) -> usize;

    /// The probability at or above which [`Classifier::predict`] answers 1.
    fn threshold(&self) -> f64;

    /// `P(y = 1 | x)` for each row of `x`, each in `[0, 1]`.
    ///
    /// # Errors
    /// [`ModelError::EmptyInput`], [`ModelError::FeatureCountMismatch`] or
    /// [`ModelError::NonFiniteInput`].
    fn predict_proba(&self, x: &Matrix) -> Result<Vector, ModelError>;

    /// The predicted label, 1.0 where the probability is at least the threshold, else 0.0.
    ///
    /// # Errors
    /// As [`Classifier::predict_proba`].
    fn predict(&self, x: &Matrix) -> Result<Vector, ModelError> {
        let threshold = self.threshold();
        Ok(self
            .predict_proba(x)?
            .map(|p| if p >= threshold { 1.0 } else { 0.0 }))
    }
}

/// Checks a prediction input against the model's feature count.
pub(crate) fn check_prediction_input(x: &Matrix, n_features: usize) -> Result<(), ModelError> {
    if x.nrows() == 0 {
        return Err(ModelError::EmptyInput);
    }
    if x.ncols() != n_features {
        return Err(ModelError::FeatureCountMismatch {
            context: "prediction",
            expected: n_features,
            found: x.ncols(),
        });
    }
    if let Some(index) = x.iter().position(|v| !v.is_finite()) {
        return Err(ModelError::NonFiniteInput {
            row: index % x.nrows(),
            column: index / x.nrows(),
            value: x.as_slice()[index],
        });
    }
    Ok(())
}

/// Checks only that `data` has the model's feature count.
pub(crate) fn check_training_data_shape(
    data: &Dataset,
    n_features: usize,
) -> Result<(), ModelError> {
    if data.n_features() != n_features {
        return Err(ModelError::FeatureCountMismatch {
            context: "evaluation",
            expected: n_features,
            found: data.n_features(),
        });
    }
    Ok(())
}

/// Checks training (and evaluation) data against the model's feature count, and that the
/// training data has both classes. Finite values and 0/1 labels are guaranteed by [`Dataset`].
pub(crate) fn check_training_data(
    data: &Dataset,
    eval: Option<&Dataset>,
    n_features: usize,
) -> Result<(), ModelError> {
    if data.n_features() != n_features {
        return Err(ModelError::FeatureCountMismatch {
            context: "training",
            expected: n_features,
            found: data.n_features(),
        });
    }
    if let Some(e) = eval
        && e.n_features() != n_features
    {
        return Err(ModelError::FeatureCountMismatch {
            context: "evaluation",
            expected: n_features,
            found: e.n_features(),
        });
    }
    let n_positive = data.n_positive();
    if n_positive == 0 || n_positive == data.n_samples() {
        return Err(ModelError::SingleClass {
            class: u8::from(n_positive > 0),
            n_samples: data.n_samples(),
        });
    }
    Ok(())
}
