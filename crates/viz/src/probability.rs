//! What a decision boundary asks of a model: class-1 probabilities for the rows of a matrix.

use std::error::Error;

use core_linalg::{Matrix, Vector};

use crate::VizError;
use crate::output::Target;

/// The error a probability function may return, boxed.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// What a probability function may return: the probabilities of class 1, one per row.
///
/// Implemented for `Vec<f64>`, for [`Vector`] (what the models return) and for a `Result` of
/// either, so `|x| model.predict_proba(x)` can be passed as it is.
pub trait IntoProbabilities {
    /// The probabilities, or the error the function returned.
    ///
    /// # Errors
    /// Whatever error the probability function reported.
    fn into_probabilities(self) -> Result<Vec<f64>, BoxError>;
}

impl IntoProbabilities for Vec<f64> {
    fn into_probabilities(self) -> Result<Vec<f64>, BoxError> {
        Ok(self)
    }
}

impl IntoProbabilities for Vector {
    fn into_probabilities(self) -> Result<Vec<f64>, BoxError> {
        Ok(self.as_slice().to_vec())
    }
}

impl<T: IntoProbabilities, E: Into<BoxError>> IntoProbabilities for Result<T, E> {
    fn into_probabilities(self) -> Result<Vec<f64>, BoxError> {
        self.map_err(Into::into)?.into_probabilities()
    }
}

/// A probability function with its output already converted.
pub(crate) type ProbabilityFn<'a> = dyn Fn(&Matrix) -> Result<Vec<f64>, BoxError> + 'a;

/// Calls `probability` on `x` and checks it returned one value per row.
pub(crate) fn evaluate(
    target: &Target,
    probability: &ProbabilityFn<'_>,
    x: &Matrix,
) -> Result<Vec<f64>, VizError> {
    let values = probability(x).map_err(|source| VizError::Probability {
        path: target.path.clone(),
        n_rows: x.nrows(),
        source,
    })?;
    if values.len() != x.nrows() {
        return Err(VizError::ProbabilityCount {
            path: target.path.clone(),
            expected: x.nrows(),
            found: values.len(),
        });
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_vectors_convert_to_probabilities() {
        let ok: Result<Vector, std::io::Error> = Ok(Vector::from_vec(vec![0.25, 0.75]));
        assert_eq!(ok.into_probabilities().unwrap(), vec![0.25, 0.75]);
        let failed: Result<Vec<f64>, String> = Err("model not fitted".into());
        assert_eq!(
            failed.into_probabilities().unwrap_err().to_string(),
            "model not fitted"
        );
    }
}
