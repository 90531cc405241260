//! The one error type of the crate.

use core_linalg::DatasetError;

/// Everything that can go wrong in this crate: a parameter outside its domain, a split that
/// would leave a class behind, a feature-count mismatch, or a bad CSV file.
///
/// Each variant carries the offending value and where it came from; each message names the
/// field or location, the value, and what is allowed. I/O errors are kept as the
/// [`source`](std::error::Error::source) of their variant rather than repeated in the message,
/// so print the whole chain to see the operating system's reason.
///
/// # Example
/// ```
/// use data::{DataError, Moons};
/// let err = Moons::new().with_noise(-0.5).unwrap_err();
/// assert!(matches!(err, DataError::InvalidParameter { field: "noise", .. }));
/// assert_eq!(
///     err.to_string(),
///     "noise = -0.5 is invalid: expected a finite number >= 0"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A numeric parameter is outside its domain (NaN, infinite, negative, out of range).
    #[error("{field} = {value} is invalid: expected {expected}")]
    InvalidParameter {
        /// The parameter's name, as in its setter (`noise`, `factor`, `test_fraction`, …).
        field: &'static str,
        /// The value that was given.
        value: f64,
        /// The allowed values, in words.
        expected: &'static str,
    },
    /// Fewer samples were requested than a two-class dataset needs.
    #[error(
        "n_samples = {n_samples} is too few: at least {minimum} are needed so that both classes \
         get a sample"
    )]
    TooFewSamples {
        /// The number of samples requested.
        n_samples: usize,
        /// The smallest allowed number.
        minimum: usize,
    },
    /// More samples were requested than the resource guard allows.
    #[error("n_samples = {n_samples} is too many: at most {maximum} are allowed")]
    TooManySamples {
        /// The number of samples requested.
        n_samples: usize,
        /// The largest allowed number.
        maximum: usize,
    },
    /// A generator name that is not one of [`GeneratorKind::ALL`](crate::GeneratorKind::ALL).
    #[error("unknown generator {value:?}: expected one of {expected}")]
    UnknownGenerator {
        /// The name that was given.
        value: String,
        /// The accepted names, comma-separated.
        expected: String,
    },
    /// A dataset description gives a parameter its generator does not take.
    #[error("{generator} has no parameter {parameter}; it takes {takes}")]
    ParameterNotTaken {
        /// The generator.
        generator: crate::GeneratorKind,
        /// The parameter it does not take.
        parameter: crate::GeneratorParameter,
        /// The parameters it does take, comma-separated.
        takes: String,
    },
    /// A stratified split would leave one split without any row of a class.
    #[error(
        "test_fraction = {test_fraction} puts {n_test} of the {n_class} rows of class {class} \
         in the test split, leaving the {empty_side} split without class {class}: choose a \
         test_fraction that leaves at least one row of each class on both sides, or use more \
         samples"
    )]
    SplitLacksClass {
        /// The requested test fraction.
        test_fraction: f64,
        /// The class (0 or 1) that would be missing.
        class: u8,
        /// Rows of that class in the whole dataset.
        n_class: usize,
        /// Rows of that class the rounding assigns to the test split.
        n_test: usize,
        /// `"train"` or `"test"`: the split that would lack the class.
        empty_side: &'static str,
    },
    /// A matrix cannot be standardised: a different feature count than at fit, a NaN or
    /// infinite value, or a value whose standardised form overflows (its message is shown as
    /// is).
    #[error(transparent)]
    Standardization(#[from] core_linalg::StandardizationError),
    /// Features and labels do not form a valid dataset (its message is shown as is).
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A CSV source could not be opened or read.
    #[error("cannot read {source_name}: check that it exists, is a file and is readable")]
    Read {
        /// The file path or the name given to [`read_csv_from`](crate::read_csv_from).
        source_name: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A CSV destination could not be written.
    #[error(
        "cannot write {target}: check that its folder exists and is writable and that the disk \
         is not full"
    )]
    Write {
        /// The file path, or `"the output writer"` for [`write_csv_to`](crate::write_csv_to).
        target: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A CSV source holds no data rows.
    #[error(
        "{source_name} has no data rows: expected lines of the form x1,...,xd,label after an \
         optional header"
    )]
    CsvNoRows {
        /// The file path or source name.
        source_name: String,
    },
    /// A CSV line is not valid UTF-8.
    #[error("{source_name}, line {line}: the line is not valid UTF-8: save the file as UTF-8")]
    CsvNotUtf8 {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
    },
    /// The first CSV line has fewer than two cells, so there is no room for a feature and a label.
    #[error(
        "{source_name}, line {line}: found {n_found} cell, expected at least 2 \
         (x1,...,xd,label, separated by commas)"
    )]
    CsvTooFewCells {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// Cells on that line.
        n_found: usize,
    },
    /// A CSV line has a different number of cells than the first line.
    #[error(
        "{source_name}, line {line}: found {n_found} cells, expected {n_expected} as on line \
         {first_line}: every row needs the same number of cells"
    )]
    CsvRaggedRow {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// Cells on the first line (header or data).
        n_expected: usize,
        /// Cells on this line.
        n_found: usize,
        /// One-based number of the first line, which fixed `n_expected`.
        first_line: usize,
    },
    /// A CSV cell does not parse as a number.
    #[error(
        "{source_name}, line {line}, column {column}: cell {cell:?} is not a number: write a \
         decimal number such as 0.5 or -1e3"
    )]
    CsvNotANumber {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// One-based column number.
        column: usize,
        /// The cell's text, trimmed.
        cell: String,
    },
    /// A CSV feature cell is NaN or infinite.
    #[error(
        "{source_name}, line {line}, column {column}: cell {cell:?} is not finite: features \
         must be finite numbers; remove or impute the value"
    )]
    CsvNonFinite {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// One-based column number.
        column: usize,
        /// The cell's text, trimmed.
        cell: String,
    },
    /// A CSV label cell cannot name a class: empty, NaN or infinite.
    #[error(
        "{source_name}, line {line}, column {column}: label {cell:?} is not a class: a label is \
         a finite number or a name (an empty, NaN or infinite label is a missing value: remove \
         the row or fill it in)"
    )]
    CsvInvalidLabel {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// One-based column number (the last column).
        column: usize,
        /// The cell's text, trimmed.
        cell: String,
    },
    /// A CSV label column holds a third distinct value.
    #[error(
        "{source_name}, line {line}: label {:?} is a third value after {:?} and {:?}: binary \
         classification needs exactly two label values",
        values[2],
        values[0],
        values[1]
    )]
    CsvTooManyLabels {
        /// The file path or source name.
        source_name: String,
        /// One-based line of the first row with the third value.
        line: usize,
        /// The first two values in the order they appear, then the third.
        values: [String; 3],
    },
    /// Every row of a CSV file has the same label, which is neither 0 nor 1, so which class
    /// it is cannot be known.
    #[error(
        "{source_name}: every row has label {label:?}: with one value other than 0 or 1 its \
         class cannot be known; include rows of both classes"
    )]
    CsvSingleLabel {
        /// The file path or source name.
        source_name: String,
        /// The one label.
        label: String,
    },
    /// A CSV header cell cannot name a feature.
    #[error(
        "{source_name}, line {line}, column {column}: header cell {cell:?} cannot name a \
         feature: expected {expected}"
    )]
    CsvBadHeader {
        /// The file path or source name.
        source_name: String,
        /// One-based line number.
        line: usize,
        /// One-based column number.
        column: usize,
        /// The cell's text, trimmed.
        cell: String,
        /// What a feature name may be.
        expected: String,
    },
}
