//! The one error type of this crate.

use std::path::PathBuf;

/// Why a figure could not be written.
///
/// Every variant names the output file and says what to change. Inputs that are merely
/// undrawable (empty, all NaN) are not errors: the figure is skipped with
/// [`PlotOutcome::Skipped`](crate::PlotOutcome::Skipped) instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VizError {
    /// The output path does not end in `.png` or `.svg`.
    #[error(
        "cannot write {path}: unsupported file extension {extension:?}; name the file *.png or *.svg"
    )]
    UnsupportedFormat {
        /// The output path.
        path: PathBuf,
        /// Its extension (empty when it has none).
        extension: String,
    },
    /// The requested picture size is outside the supported range.
    #[error(
        "cannot draw {path} at {width}×{height} pixels; width must be in {min_width}..={max} \
         and height in {min_height}..={max}"
    )]
    InvalidSize {
        /// The output path.
        path: PathBuf,
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// Smallest width accepted for this figure.
        min_width: u32,
        /// Smallest height accepted for this figure.
        min_height: u32,
        /// Largest width and height accepted.
        max: u32,
    },
    /// Two inputs that must have one entry each per item have different lengths.
    #[error(
        "cannot draw {path}: {field} has {found} values but {expected} were expected \
         (one per {per}); give them the same length"
    )]
    LengthMismatch {
        /// The output path.
        path: PathBuf,
        /// Which input, e.g. `series[2].train`.
        field: String,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
        /// What each entry corresponds to, e.g. `epoch`.
        per: &'static str,
    },
    /// A feature matrix does not have the shape a figure needs.
    #[error(
        "cannot draw {path}: {field} has {found} columns; a decision boundary needs exactly {expected} features"
    )]
    InvalidShape {
        /// The output path.
        path: PathBuf,
        /// Which input, e.g. `train.features`.
        field: String,
        /// Required number of columns.
        expected: usize,
        /// Actual number of columns.
        found: usize,
    },
    /// A class label is not 0.0 or 1.0.
    #[error("cannot draw {path}: {field}[{index}] is {value}; labels must be 0.0 or 1.0")]
    InvalidLabel {
        /// The output path.
        path: PathBuf,
        /// Which input, e.g. `test.labels`.
        field: String,
        /// Index of the first bad label.
        index: usize,
        /// The bad label.
        value: f64,
    },
    /// A setting of a figure is outside its domain.
    #[error("cannot draw {path}: {field} is {value}; expected {expected}")]
    InvalidSetting {
        /// The output path.
        path: PathBuf,
        /// The setting, e.g. `resolution`.
        field: &'static str,
        /// The bad value, formatted.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// The probability closure of a decision boundary returned an error.
    #[error(
        "cannot draw {path}: the probability function failed on {n_rows} rows; fix the model or its input"
    )]
    Probability {
        /// The output path.
        path: PathBuf,
        /// Rows of the matrix it was asked about.
        n_rows: usize,
        /// What the closure returned.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The probability closure returned the wrong number of values.
    #[error(
        "cannot draw {path}: the probability function returned {found} values for {expected} rows; \
         it must return one probability per row"
    )]
    ProbabilityCount {
        /// The output path.
        path: PathBuf,
        /// Rows of the matrix it was given.
        expected: usize,
        /// Values it returned.
        found: usize,
    },
    /// Plotters failed while drawing (an internal error: please report it with the input).
    #[error(
        "cannot draw {path}: plotting failed: {message}; this is a bug in viz, please report it"
    )]
    Draw {
        /// The output path.
        path: PathBuf,
        /// The plotting library's message.
        message: String,
    },
    /// Encoding the PNG failed.
    #[error("cannot encode {path} as PNG: {message}; this is a bug in viz, please report it")]
    Encode {
        /// The output path.
        path: PathBuf,
        /// The encoder's message.
        message: String,
    },
    /// Writing the file failed; any previous file at the path is left intact.
    #[error("cannot write {path}: {source}; check that its folder exists and is writable")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bundled font could not be registered with plotters.
    #[error(
        "cannot draw {path}: the bundled DejaVu Sans font could not be loaded; this is a bug in viz, please report it"
    )]
    Font {
        /// The output path.
        path: PathBuf,
    },
}
