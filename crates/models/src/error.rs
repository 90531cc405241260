//! The one error type of the `models` crate.

use std::path::PathBuf;

use crate::FitReport;

/// Everything that can go wrong configuring, fitting or using a model.
///
/// Hyperparameter problems ([`ModelError::InvalidHyperparameter`]) are found by `validate`
/// before any data is touched; the rest come from the data or from training itself.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A hyperparameter is outside its allowed range.
    #[error("invalid {field} = {value}: expected {expected}")]
    InvalidHyperparameter {
        /// The hyperparameter's name, as in the `with_*` setter.
        field: &'static str,
        /// The rejected value, formatted.
        value: String,
        /// What is allowed.
        expected: String,
    },
    /// The data's feature count differs from what the model expects.
    #[error(
        "{context} data has {found} features but the model's first layer has {expected}: \
         make the first layer size equal to the number of features"
    )]
    FeatureCountMismatch {
        /// `"training"`, `"evaluation"` or `"prediction"`.
        context: &'static str,
        /// What the model expects.
        expected: usize,
        /// What the data has.
        found: usize,
    },
    /// The training data has only one class, so there is nothing to separate.
    #[error(
        "training data has only class {class} ({n_samples} samples): both classes 0 and 1 are needed"
    )]
    SingleClass {
        /// The one label present.
        class: u8,
        /// Number of training samples.
        n_samples: usize,
    },
    /// A prediction input has no rows.
    #[error("prediction input has no rows: pass at least one sample")]
    EmptyInput,
    /// A prediction input contains NaN or infinity.
    #[error("prediction input value {value} at row {row}, column {column} is not finite")]
    NonFiniteInput {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// Training stopped because the loss stopped being finite or exploded. A parameter that
    /// became infinite or NaN counts as a NaN loss, even where the activations hide it.
    #[error(
        "training diverged at epoch {epoch}: loss {loss} (first loss {first_loss}); \
         lower the learning rate"
    )]
    Diverged {
        /// Number of updates after which the divergent loss was measured.
        epoch: usize,
        /// The divergent loss (infinite, NaN or above the divergence factor × the first loss).
        loss: f64,
        /// The loss before any update.
        first_loss: f64,
        /// Everything recorded up to the divergence, including the loss curve.
        report: Box<FitReport>,
    },
    /// A parameter given to a model constructor is NaN or infinite.
    #[error("layer {layer} {tensor} entry {index} is {value}: parameters must be finite")]
    NonFiniteParameter {
        /// Zero-based layer index.
        layer: usize,
        /// `"weights"` or `"biases"`.
        tensor: &'static str,
        /// Index in column-major order.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A saved model file cannot be read: not JSON, truncated, or missing fields.
    #[error("invalid model file: {reason}")]
    InvalidModelFile {
        /// What is wrong, with the JSON line and column where known.
        reason: String,
    },
    /// A saved model file has a format version this program does not read.
    #[error(
        "model file format version {found} is not supported: this program reads versions {} \
         to {supported}; {hint}",
        crate::saved::OLDEST_FORMAT_VERSION
    )]
    UnsupportedFormatVersion {
        /// The file's version.
        found: u64,
        /// The newest version this program reads.
        supported: u64,
        /// What to do.
        hint: &'static str,
    },
    /// Saved parameters do not match the declared layer sizes.
    #[error("layer {layer} {tensor} has shape {found:?} but the layer sizes imply {expected:?}")]
    ParameterShape {
        /// Zero-based layer index.
        layer: usize,
        /// `"weights"` or `"biases"`.
        tensor: &'static str,
        /// Shape implied by the layer sizes.
        expected: (usize, usize),
        /// Shape found.
        found: (usize, usize),
    },
    /// A flat parameter vector has the wrong length.
    #[error(
        "the {name} vector has {found} entries but the model has {expected} parameters: pass \
         one entry per weight and bias"
    )]
    ParameterCountMismatch {
        /// Which vector: `"direction"` or `"output"`.
        name: &'static str,
        /// The model's number of parameters.
        expected: usize,
        /// The vector's length.
        found: usize,
    },
    /// The curvature of the loss surface could not be measured, because a quantity it needs
    /// overflowed on this model and data.
    #[error("the curvature cannot be measured: {reason}")]
    CurvatureNotMeasurable {
        /// What overflowed, and where.
        reason: String,
    },
    /// A model file holds the other kind of model than the type asked to load it.
    #[error(
        "the model file holds a {found:?} model, not {expected:?}: load it with the type of \
         that kind, or with SavedModel for either"
    )]
    WrongModelKind {
        /// The kind asked for: `"mlp"` or `"logistic"`.
        expected: &'static str,
        /// The kind in the file.
        found: &'static str,
    },
    /// A model file cannot be read.
    #[error(
        "cannot read model file {}: {reason}: check that it exists and is a readable file",
        path.display()
    )]
    ReadModelFile {
        /// The path given.
        path: PathBuf,
        /// The operating system's error kind.
        kind: std::io::ErrorKind,
        /// The operating system's error, as text.
        reason: String,
    },
    /// A model file cannot be written; any previous file at the path is intact.
    #[error(
        "cannot write model file {}: {reason}: check that its folder exists and is writable \
         and that the disk is not full",
        path.display()
    )]
    WriteModelFile {
        /// The path given.
        path: PathBuf,
        /// The operating system's error kind.
        kind: std::io::ErrorKind,
        /// The operating system's error, as text.
        reason: String,
    },
    /// A model file was read but does not hold a valid model.
    #[error("{}: {error}", path.display())]
    InModelFile {
        /// The file's path.
        path: PathBuf,
        /// What is wrong with its content.
        error: Box<ModelError>,
    },
    /// A model that standardises its inputs could not standardise one (a value so far
    /// outside the training range that its standardised form overflows).
    #[error(transparent)]
    Standardization(#[from] core_linalg::StandardizationError),
}

impl ModelError {
    pub(crate) fn invalid(
        field: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        ModelError::InvalidHyperparameter {
            field,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
