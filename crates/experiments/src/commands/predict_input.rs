//! `predict`'s input file: CSV text read as cells, its columns matched to the model's features
//! ([`match_columns`]), the features parsed as numbers and a label column read as the model's
//! two classes. The cells are kept as written, so the predictions can be written beside them.
//!
//! The reading rules are those of `data::read_csv`: the first non-blank line is a header when
//! none of its cells is a finite number; blank lines are skipped; a leading byte-order mark
//! and `\r\n` endings are accepted; cells are trimmed; lines and columns count from 1.

use std::path::Path;

use core_linalg::{ClassLabels, Matrix, Vector};

use super::columns::match_columns;

/// A CSV file given to `predict`, matched to a model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PredictInput {
    /// The name of every column: the header's, or without one the model's feature names (and
    /// `label` for a label column).
    pub(crate) names: Vec<String>,
    /// Each data row's cells, trimmed, in the file's column order.
    pub(crate) rows: Vec<Vec<String>>,
    /// The model's features, in the model's order, one row per data row.
    pub(crate) features: Matrix,
    /// Each row's class (0 or 1, by the model's class labels), when the file has labels.
    pub(crate) labels: Option<Vector>,
}

/// Reads the CSV file at `path` for a model taking `feature_names` and predicting
/// `class_labels`.
///
/// # Errors
/// A message naming the file (and the line and column where there is one), the value and the
/// fix: an unreadable or non-UTF-8 file, no data row, a header that does not match the
/// model's features, a row with another number of cells than the first line, a feature
/// cell that is not a finite number, or a label that is not one of the model's two classes.
pub(crate) fn read_input(
    path: &Path,
    feature_names: &[String],
    class_labels: &ClassLabels,
) -> Result<PredictInput, String> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        format!("cannot read {file}: {e}: check that it exists and is a readable file")
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        format!("{file}, line {line}: not UTF-8 text: save the file as UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| (number, line.split(',').map(str::trim).collect::<Vec<_>>()))
        .peekable();
    let Some((first_line, first)) = lines.peek().cloned() else {
        return Err(no_rows(&file));
    };
    let n_columns = first.len();
    let is_header = !first
        .iter()
        .any(|cell| cell.parse::<f64>().is_ok_and(f64::is_finite));
    let header: Option<Vec<String>> = is_header.then(|| {
        lines.next();
        first.iter().map(|c| (*c).to_owned()).collect()
    });
    let columns = match_columns(feature_names, header.as_deref(), n_columns, &file)?;

    let mut rows = Vec::new();
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for (line, cells) in lines {
        if cells.len() != n_columns {
            return Err(format!(
                "{file}, line {line}: {} cells, but line {first_line} has {n_columns}: give \
                 every row the same columns",
                cells.len()
            ));
        }
        for &column in &columns.features {
            features.push(feature(cells[column], &file, line, column)?);
        }
        if let Some(column) = columns.label {
            labels.push(label(cells[column], class_labels, &file, line, column)?);
        }
        rows.push(cells.iter().map(|c| (*c).to_owned()).collect());
    }
    if rows.is_empty() {
        return Err(no_rows(&file));
    }
    Ok(PredictInput {
        names: columns.names,
        features: Matrix::from_row_slice(rows.len(), feature_names.len(), &features),
        labels: columns.label.map(|_| Vector::from_vec(labels)),
        rows,
    })
}

fn no_rows(file: &str) -> String {
    format!("{file} has no data rows: give one point per line (after an optional header line)")
}

/// A feature cell (at zero-based `column` of `line`) as a finite number.
fn feature(cell: &str, file: &str, line: usize, column: usize) -> Result<f64, String> {
    match cell.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(format!(
            "{file}, line {line}, column {}: cell {cell:?} is not a finite number: give every \
             feature a value",
            column + 1
        )),
        Err(_) => Err(format!(
            "{file}, line {line}, column {}: cell {cell:?} is not a number: write a decimal \
             number such as 0.5 or -1e3",
            column + 1
        )),
    }
}

/// A label cell (at zero-based `column` of `line`) as the model's class, 0 or 1.
fn label(
    cell: &str,
    classes: &ClassLabels,
    file: &str,
    line: usize,
    column: usize,
) -> Result<f64, String> {
    classes.label_of(cell).ok_or_else(|| {
        format!(
            "{file}, line {line}, column {}: label {cell:?} is not one of the model's classes \
             ({:?} and {:?}): give labels the model was trained with, or leave the label \
             column out",
            column + 1,
            classes.negative(),
            classes.positive()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, features: &[&str], classes: (&str, &str)) -> Result<PredictInput, String> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("predict-input-{}-{n}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let names: Vec<String> = features.iter().map(|n| (*n).to_owned()).collect();
        let classes = ClassLabels::new(classes.0, classes.1).unwrap();
        let read = read_input(&path, &names, &classes);
        std::fs::remove_file(&path).unwrap();
        read
    }

    #[test]
    fn columns_are_matched_by_name_and_cells_kept_as_written() {
        let input = read(
            "\u{feff}h, w ,pet\r\n2,1,cat\n\n6.0,5,dog\n",
            &["w", "h"],
            ("cat", "dog"),
        )
        .unwrap();
        assert_eq!(input.names, ["h", "w", "pet"]);
        assert_eq!(input.rows, [["2", "1", "cat"], ["6.0", "5", "dog"]]);
        assert_eq!(
            input.features.as_slice(),
            Matrix::from_row_slice(2, 2, &[1.0, 2.0, 5.0, 6.0]).as_slice()
        );
        assert_eq!(input.labels.unwrap().as_slice(), &[0.0, 1.0]);
    }

    #[test]
    fn without_a_header_the_models_names_are_used() {
        let input = read("1,2\n3,4\n", &["w", "h"], ("0", "1")).unwrap();
        assert_eq!(input.names, ["w", "h"]);
        assert_eq!(input.labels, None);
    }

    #[test]
    fn bad_cells_are_named_with_their_line_and_column() {
        let classes = ("cat", "dog");
        let err = read("w,h,pet\n1,2,cat\n1,2,bird\n", &["w", "h"], classes).unwrap_err();
        assert!(err.contains("line 3, column 3: label \"bird\" is not one of the model's classes (\"cat\" and \"dog\")"), "{err}");
        let err = read("w,h\n1,two\n", &["w", "h"], classes).unwrap_err();
        assert!(
            err.contains("line 2, column 2: cell \"two\" is not a number"),
            "{err}"
        );
        let err = read("w,h\n1,inf\n", &["w", "h"], classes).unwrap_err();
        assert!(err.contains("cell \"inf\" is not a finite number"), "{err}");
        let err = read("w,h\n1,2\n1,2,3\n", &["w", "h"], classes).unwrap_err();
        assert!(err.contains("line 3: 3 cells, but line 1 has 2"), "{err}");
        let err = read("w,h\n\n", &["w", "h"], classes).unwrap_err();
        assert!(err.contains("has no data rows"), "{err}");
        let err = read("", &["w", "h"], classes).unwrap_err();
        assert!(err.contains("has no data rows"), "{err}");
    }
}
