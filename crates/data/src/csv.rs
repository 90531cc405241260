//! Reading and writing datasets as CSV: `x1,…,xd,label`, one sample per line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use core_linalg::{ClassLabels, Dataset, DatasetError, Matrix, Vector};

use crate::DataError;

/// Reads a dataset from the CSV file at `path`; see [`read_csv_from`] for the format.
///
/// # Errors
/// [`DataError::Read`] naming the path when the file is missing, is a directory or cannot be
/// read; otherwise as [`read_csv_from`], with the path as the source name.
///
/// # Example
/// ```
/// use data::{read_csv, write_csv, Xor};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Xor::new().with_noise(0.1)?.generate(20, &mut rng)?;
/// let path = std::env::temp_dir().join(format!("data-doc-read-{}.csv", std::process::id()));
/// write_csv(&path, &dataset)?;
/// assert_eq!(read_csv(&path)?, dataset);
/// # std::fs::remove_file(&path).map_err(|source| data::DataError::Write {
/// #     target: path.display().to_string(), source })?;
/// # Ok::<(), data::DataError>(())
/// ```
pub fn read_csv(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    match File::open(path) {
        Ok(file) => read_csv_from(file, &source_name),
        Err(source) => Err(DataError::Read {
            source_name,
            source,
        }),
    }
}

/// Reads a dataset from CSV text; `source_name` names the source in error messages.
///
/// The format is one sample per line, `x1,…,xd,label`, cells separated by commas:
/// - **Header.** The first non-blank line is a header when *none* of its cells is a finite
///   number (`x1,x2,label`); otherwise it is data. A first line mixing numbers and text is
///   read as data, so a typo in the first row is reported instead of being skipped as a header.
///   The first line, header or not, fixes the number of cells (at least 2) of every row. The
///   header's cells name the features ([`Dataset::feature_names`]; the label column's name is
///   not kept); without a header they are `x1, …, xd`.
/// - **Cells.** Whitespace around a cell is ignored; features are any finite number Rust's
///   `f64` parser accepts (`1`, `-0.5`, `1e-3`).
/// - **Labels.** Any two distinct values: numbers (known by value, so `1` and `1.0` are one
///   class) or names (`cat`, `dog`). They become labels 0 and 1 in the order of
///   [`ClassLabels`] (class 1 is the value that sorts last: numbers by value, names byte by
///   byte), so `0`/`1` keep their meaning, `1`/`2` become 0/1, `cat`/`dog` become 0/1, and
///   [`Dataset::class_labels`] reports the two values. A file whose rows all have label 0 or
///   all label 1 is **not** an error here: the model reports a single class when it is
///   fitted.
/// - **Lines.** Blank lines are skipped; `\n` and `\r\n` endings and a leading UTF-8 byte-order
///   mark are accepted. Line and column numbers in errors count from 1 and include blank lines
///   and the header.
///
/// # Errors
/// Each error names `source_name` and the line (and column where there is one):
/// [`DataError::Read`] when reading fails, [`DataError::CsvNotUtf8`],
/// [`DataError::CsvTooFewCells`] (first line has one cell), [`DataError::CsvRaggedRow`]
/// (expected N cells, found M), [`DataError::CsvBadHeader`] (an empty or repeated feature
/// name), [`DataError::CsvNotANumber`] (quoting the cell), [`DataError::CsvNonFinite`] (NaN
/// or infinite feature), [`DataError::CsvInvalidLabel`] (an empty, NaN or infinite label),
/// [`DataError::CsvTooManyLabels`] (a third label value, naming all three),
/// [`DataError::CsvSingleLabel`] (every row has one label that is neither 0 nor 1, so its
/// class cannot be known) and [`DataError::CsvNoRows`] when there is no data row.
///
/// # Example
/// ```
/// use data::{read_csv_from, DataError};
/// let dataset = read_csv_from("x1,x2,label\n0.5,1,0\n-2,3e-1,1\n".as_bytes(), "inline")?;
/// assert_eq!((dataset.n_samples(), dataset.n_features(), dataset.n_positive()), (2, 2, 1));
///
/// let pets = read_csv_from("weight,ears,pet\n4,0.1,cat\n30,0.2,dog\n".as_bytes(), "inline")?;
/// assert_eq!(pets.feature_names(), ["weight", "ears"]);
/// assert_eq!((pets.class_labels().negative(), pets.labels().as_slice()), ("cat", &[0.0, 1.0][..]));
///
/// let err = read_csv_from("1,2,0\n1,two,1\n".as_bytes(), "inline").unwrap_err();
/// assert!(matches!(err, DataError::CsvNotANumber { line: 2, column: 2, .. }));
/// assert_eq!(
///     err.to_string(),
///     "inline, line 2, column 2: cell \"two\" is not a number: write a decimal number such as \
///      0.5 or -1e3"
/// );
/// # Ok::<(), DataError>(())
/// ```
pub fn read_csv_from(reader: impl Read, source_name: &str) -> Result<Dataset, DataError> {
    let rows = parse_rows(reader, source_name, true)?;
    let (labels, class_labels) = rows.labels.class_labels(source_name)?;
    let dataset = Dataset::new(rows.features, labels)?.with_class_labels(class_labels);
    Ok(match rows.feature_names {
        Some(names) => dataset.with_feature_names(names)?,
        None => dataset,
    })
}

/// Reads a CSV file of features only (`x1,…,xd`, header optional), as for prediction on
/// unlabelled points. The same rules and errors as [`read_csv`], without a label column.
///
/// # Errors
/// As [`read_csv`], except that there is no label to check.
pub fn read_features_csv(path: impl AsRef<Path>) -> Result<Matrix, DataError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    let file = File::open(path).map_err(|source| DataError::Read {
        source_name: source_name.clone(),
        source,
    })?;
    read_features_csv_from(file, &source_name)
}

/// Reads features-only CSV from any reader; see [`read_features_csv`].
///
/// # Errors
/// As [`read_features_csv`].
///
/// # Example
/// ```
/// let x = data::read_features_csv_from("x1,x2\n0.5,1\n-2,3\n".as_bytes(), "inline")?;
/// assert_eq!((x.nrows(), x.ncols(), x[(1, 0)]), (2, 2, -2.0));
/// # Ok::<(), data::DataError>(())
/// ```
pub fn read_features_csv_from(reader: impl Read, source_name: &str) -> Result<Matrix, DataError> {
    Ok(parse_rows(reader, source_name, false)?.features)
}

/// What [`parse_rows`] found.
struct Rows {
    features: Matrix,
    /// The header's feature cells, if there was a header.
    feature_names: Option<Vec<String>>,
    /// Empty when the file has no label column.
    labels: LabelColumn,
}

/// The label column as read: each row's value as an index into `values`, the distinct
/// labels in the order they first appear (at most two).
#[derive(Default)]
struct LabelColumn {
    values: Vec<String>,
    rows: Vec<usize>,
}

impl LabelColumn {
    /// Records one row's label (already in canonical form), or reports a third value.
    fn push(&mut self, label: String, line: usize, source_name: &str) -> Result<(), DataError> {
        let index = match self.values.iter().position(|v| *v == label) {
            Some(index) => index,
            None if self.values.len() < 2 => {
                self.values.push(label);
                self.values.len() - 1
            }
            None => {
                return Err(DataError::CsvTooManyLabels {
                    source_name: source_name.to_owned(),
                    line,
                    values: [self.values[0].clone(), self.values[1].clone(), label],
                });
            }
        };
        self.rows.push(index);
        Ok(())
    }

    /// The 0/1 labels and the class labels they stand for; see [`read_csv_from`].
    fn class_labels(self, source_name: &str) -> Result<(Vector, ClassLabels), DataError> {
        let class_labels = match self.values.as_slice() {
            [first, second] => ClassLabels::sorted(first.as_str(), second.as_str())?,
            [only] if ClassLabels::default().label_of(only).is_some() => ClassLabels::default(),
            [only] => {
                return Err(DataError::CsvSingleLabel {
                    source_name: source_name.to_owned(),
                    label: only.clone(),
                });
            }
            _ => ClassLabels::default(),
        };
        let class_of: Vec<f64> = self
            .values
            .iter()
            .map(|v| {
                class_labels
                    .label_of(v)
                    .expect("each value is one of the two")
            })
            .collect();
        let labels = Vector::from_iterator(self.rows.len(), self.rows.iter().map(|&i| class_of[i]));
        Ok((labels, class_labels))
    }
}

/// Parses CSV rows into a feature matrix and, when `has_labels`, the last column as labels.
fn parse_rows(reader: impl Read, source_name: &str, has_labels: bool) -> Result<Rows, DataError> {
    let mut reader = BufReader::new(reader);
    let mut bytes = Vec::new();
    let mut parser = RowParser {
        source_name,
        line: 0,
        layout: None,
        has_labels,
        n_rows: 0,
        features: Vec::new(),
        feature_names: None,
        labels: LabelColumn::default(),
    };
    loop {
        bytes.clear();
        let n_read = reader
            .read_until(b'\n', &mut bytes)
            .map_err(|source| DataError::Read {
                source_name: source_name.to_owned(),
                source,
            })?;
        if n_read == 0 {
            break;
        }
        parser.line += 1;
        let text = std::str::from_utf8(&bytes).map_err(|_| DataError::CsvNotUtf8 {
            source_name: source_name.to_owned(),
            line: parser.line,
        })?;
        let text = if parser.line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        parser.parse_line(text.trim_end_matches(['\n', '\r']))?;
    }
    parser.finish()
}

/// The state of [`read_csv_from`] between lines.
struct RowParser<'a> {
    source_name: &'a str,
    /// One-based number of the current line.
    line: usize,
    /// `(n_cells, first_line)` once the first non-blank line has been seen.
    layout: Option<(usize, usize)>,
    /// Whether the last column is a label.
    has_labels: bool,
    /// Data rows read so far.
    n_rows: usize,
    /// Features of the rows read so far, row-major.
    features: Vec<f64>,
    /// The header's feature cells, once a header has been read.
    feature_names: Option<Vec<String>>,
    labels: LabelColumn,
}

impl RowParser<'_> {
    fn parse_line(&mut self, text: &str) -> Result<(), DataError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let cells: Vec<&str> = text.split(',').map(str::trim).collect();
        match self.layout {
            None => {
                if cells.len() < 1 + usize::from(self.has_labels) {
                    return Err(DataError::CsvTooFewCells {
                        source_name: self.source_name.to_owned(),
                        line: self.line,
                        n_found: cells.len(),
                    });
                }
                self.layout = Some((cells.len(), self.line));
                let is_header = !cells
                    .iter()
                    .any(|cell| cell.parse::<f64>().is_ok_and(f64::is_finite));
                // A features-only file's names are not kept, so they are not checked either.
                if is_header && self.has_labels {
                    return self.header(&cells[..cells.len() - 1]);
                }
                if is_header {
                    return Ok(());
                }
            }
            Some((n_expected, first_line)) if cells.len() != n_expected => {
                return Err(DataError::CsvRaggedRow {
                    source_name: self.source_name.to_owned(),
                    line: self.line,
                    n_expected,
                    n_found: cells.len(),
                    first_line,
                });
            }
            Some(_) => {}
        }
        self.n_rows += 1;
        let (label_cell, feature_cells) = if self.has_labels {
            cells.split_last().unwrap_or((&"", &[]))
        } else {
            (&"", cells.as_slice())
        };
        for (index, cell) in feature_cells.iter().enumerate() {
            let value = self.number(cell, index + 1)?;
            if !value.is_finite() {
                return Err(DataError::CsvNonFinite {
                    source_name: self.source_name.to_owned(),
                    line: self.line,
                    column: index + 1,
                    cell: (*cell).to_owned(),
                });
            }
            self.features.push(value);
        }
        if !self.has_labels {
            return Ok(());
        }
        let label_column = cells.len();
        let label = ClassLabels::canonical(label_cell).map_err(|_| DataError::CsvInvalidLabel {
            source_name: self.source_name.to_owned(),
            line: self.line,
            column: label_column,
            cell: (*label_cell).to_owned(),
        })?;
        self.labels.push(label, self.line, self.source_name)
    }

    /// Reads the header's feature cells as the feature names.
    fn header(&mut self, cells: &[&str]) -> Result<(), DataError> {
        let names: Vec<String> = cells.iter().map(|c| (*c).to_owned()).collect();
        let bad_header = |column: usize, expected: String| DataError::CsvBadHeader {
            source_name: self.source_name.to_owned(),
            line: self.line,
            column: column + 1,
            cell: names[column].clone(),
            expected,
        };
        match core_linalg::check_feature_names(&names, names.len()) {
            Ok(()) => {}
            Err(DatasetError::InvalidFeatureName {
                column, expected, ..
            }) => return Err(bad_header(column, expected.to_owned())),
            Err(DatasetError::DuplicateFeatureName { first, second, .. }) => {
                return Err(bad_header(
                    second,
                    format!("a name column {} does not already have", first + 1),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        self.feature_names = Some(names);
        Ok(())
    }

    /// Parses one cell, or reports it as not a number at `column` (one-based).
    fn number(&self, cell: &str, column: usize) -> Result<f64, DataError> {
        cell.parse::<f64>().map_err(|_| DataError::CsvNotANumber {
            source_name: self.source_name.to_owned(),
            line: self.line,
            column,
            cell: cell.to_owned(),
        })
    }

    fn finish(self) -> Result<Rows, DataError> {
        let n_rows = self.n_rows;
        let Some((n_cells, _)) = self.layout.filter(|_| n_rows > 0) else {
            return Err(DataError::CsvNoRows {
                source_name: self.source_name.to_owned(),
            });
        };
        let n_features = n_cells - usize::from(self.has_labels);
        Ok(Rows {
            features: Matrix::from_row_slice(n_rows, n_features, &self.features),
            feature_names: self.feature_names,
            labels: self.labels,
        })
    }
}

/// Writes `dataset` as CSV to the file at `path`, replacing it only once the new content is
/// complete.
///
/// The data is written to a temporary file in the same folder, flushed to disk, then renamed
/// over `path`, so `path` never holds a half-written file: after an error the previous file (if
/// any) is intact and the temporary file has been removed. The format is that of
/// [`write_csv_to`].
///
/// # Errors
/// [`DataError::Write`] naming the path when the folder does not exist or is not writable,
/// `path` names a folder, or the disk is full.
///
/// # Example
/// ```
/// use data::{write_csv, Moons};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Moons::new().with_noise(0.0)?.generate(4, &mut rng)?;
/// let path = std::env::temp_dir().join(format!("data-doc-write-{}.csv", std::process::id()));
/// write_csv(&path, &dataset)?;
/// # let text = std::fs::read_to_string(&path).unwrap();
/// # assert!(text.starts_with("x1,x2,label\n1,0,0\n"), "{text}");
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), data::DataError>(())
/// ```
pub fn write_csv(path: impl AsRef<Path>, dataset: &Dataset) -> Result<(), DataError> {
    let path = path.as_ref();
    core_linalg::file::write_atomic_with(path, |file| write_rows(file, dataset)).map_err(|source| {
        DataError::Write {
            target: path.display().to_string(),
            source,
        }
    })
}

/// Writes `dataset` as CSV to `writer`: a header of its feature names and `label`
/// (`x1,x2,…,xd,label` by default), then one line per row.
///
/// Numbers are written with Rust's `{}` formatting, the shortest decimal that parses back to
/// the same `f64`, so [`read_csv_from`] restores every value bit for bit (including `-0`,
/// `1e-300` and `1e300`; note that `{}` never uses exponent notation, so 1e300 takes 301
/// digits). Labels are written as the dataset's class labels (`0` and `1` by default), which
/// [`read_csv_from`] maps back to the same classes. Lines end with `\n`.
///
/// # Errors
/// [`DataError::Write`] (target `"the output writer"`) when the writer fails.
///
/// # Example
/// ```
/// use core_linalg::{Dataset, Matrix, Vector};
/// use data::write_csv_to;
/// let dataset = Dataset::new(
///     Matrix::from_row_slice(2, 2, &[0.1, -0.0, 2.5, 1e-7]),
///     Vector::from_vec(vec![0.0, 1.0]),
/// )?;
/// let mut out = Vec::new();
/// write_csv_to(&mut out, &dataset)?;
/// assert_eq!(out, b"x1,x2,label\n0.1,-0,0\n2.5,0.0000001,1\n");
/// # Ok::<(), data::DataError>(())
/// ```
pub fn write_csv_to(writer: impl Write, dataset: &Dataset) -> Result<(), DataError> {
    write_rows(writer, dataset).map_err(|source| DataError::Write {
        target: "the output writer".to_owned(),
        source,
    })
}

fn write_rows(writer: impl Write, dataset: &Dataset) -> io::Result<()> {
    let mut out = BufWriter::new(writer);
    for name in dataset.feature_names() {
        write!(out, "{name},")?;
    }
    writeln!(out, "label")?;
    let features = dataset.features();
    let class_labels = dataset.class_labels();
    for (row, &label) in dataset.labels().iter().enumerate() {
        for column in 0..dataset.n_features() {
            write!(out, "{},", features[(row, column)])?;
        }
        writeln!(out, "{}", class_labels.name(label))?;
    }
    out.flush()
}
