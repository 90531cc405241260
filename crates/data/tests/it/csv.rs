//! CSV reading and writing: bit-identical round trips and an error for each bad file.

use std::fs;

use core_linalg::{Dataset, Matrix, Vector};
use data::{DataError, Spirals, read_csv, read_csv_from, write_csv, write_csv_to};
use proptest::prelude::*;

use crate::{feature_bits, rng, temp_path};

fn read_str(text: &str) -> Result<Dataset, DataError> {
    read_csv_from(text.as_bytes(), "test.csv")
}

fn to_csv(dataset: &Dataset) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv_to(&mut out, dataset).unwrap();
    out
}

/// Values whose decimal forms are tricky: inexact binary fractions, extremes, signed zero.
fn tricky_dataset() -> Dataset {
    let values = [
        0.1,
        -0.0,
        1e-300,
        1e300,
        f64::MAX,
        -f64::MIN_POSITIVE,
        5e-324,
        1.0 / 3.0,
        -123.456,
        2.0f64.sqrt(),
        0.0,
        9007199254740993.0,
    ];
    let features = Matrix::from_row_slice(4, 3, &values);
    Dataset::new(features, Vector::from_vec(vec![0.0, 1.0, 1.0, 0.0])).unwrap()
}

#[test]
fn round_trip_through_a_writer_is_bit_identical() {
    let dataset = tricky_dataset();
    let text = to_csv(&dataset);
    assert!(text.starts_with(b"x1,x2,x3,label\n0.1,-0,0.000"));
    let back = read_csv_from(&text[..], "memory").unwrap();
    assert_eq!(feature_bits(&back), feature_bits(&dataset));
    assert_eq!(back.labels(), dataset.labels());
}

#[test]
fn round_trip_through_a_file_is_bit_identical_and_replaces_the_old_file() {
    let dataset = Spirals::new(2.0)
        .unwrap()
        .with_noise(0.1)
        .unwrap()
        .generate(101, &mut rng(4))
        .unwrap();
    let path = temp_path("round-trip.csv");
    fs::write(&path, "old content").unwrap();
    write_csv(&path, &dataset).unwrap();
    let back = read_csv(&path).unwrap();
    assert_eq!(feature_bits(&back), feature_bits(&dataset));
    assert_eq!(back.labels(), dataset.labels());
    fs::remove_file(&path).unwrap();
}

proptest! {
    #[test]
    fn any_finite_value_round_trips(
        values in proptest::collection::vec(proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO, 2..40)
    ) {
        let n = values.len() / 2;
        let features = Matrix::from_row_slice(n, 2, &values[..2 * n]);
        let labels = Vector::from_fn(n, |i, _| (i % 2) as f64);
        let dataset = Dataset::new(features, labels).unwrap();
        let back = read_csv_from(&to_csv(&dataset)[..], "memory").unwrap();
        prop_assert_eq!(feature_bits(&back), feature_bits(&dataset));
    }
}

#[test]
fn header_is_optional_and_line_endings_blank_lines_and_bom_are_accepted() {
    let plain = read_str("1,2,0\n3,4,1\n").unwrap();
    let variants = [
        "x1,x2,label\n1,2,0\n3,4,1\n",
        "\u{feff}a, b ,class\r\n1,2,0\r\n3,4,1",
        "\n\n1, 2 ,0\n\n  3,4,1  \n\n",
        "x,y,label\n1,2,0.0\n3,4,1.0\n",
        "1,2,-0\n3,4,1e0\n",
    ];
    for text in variants {
        let read = read_str(text).unwrap();
        assert_eq!(
            (read.features(), read.labels(), read.class_labels()),
            (plain.features(), plain.labels(), plain.class_labels()),
            "{text:?}"
        );
    }
    // The header names the features (trimmed); without one they are x1, x2.
    assert_eq!(plain.feature_names(), ["x1", "x2"]);
    assert_eq!(read_str(variants[1]).unwrap().feature_names(), ["a", "b"]);
    assert_eq!(read_str(variants[3]).unwrap().feature_names(), ["x", "y"]);
    assert_eq!(
        read_str("1,2,-0\n3,4,1\n").unwrap().labels()[0].to_bits(),
        0
    );
}

#[test]
fn a_single_class_is_not_a_csv_error() {
    let dataset = read_str("1,0\n2,0\n").unwrap();
    assert_eq!(
        (
            dataset.n_samples(),
            dataset.n_features(),
            dataset.n_positive()
        ),
        (2, 1, 0)
    );
}

/// Asserts the message names the source, the line and (when given) the column.
#[track_caller]
fn assert_located(err: &DataError, line: usize, column: Option<usize>) {
    let message = err.to_string();
    assert!(message.starts_with("test.csv, line "), "{message}");
    assert!(message.contains(&format!("line {line}")), "{message}");
    if let Some(column) = column {
        assert!(message.contains(&format!("column {column}")), "{message}");
    }
}

#[test]
fn a_missing_file_or_a_folder_is_a_read_error_naming_the_path() {
    let path = temp_path("does-not-exist.csv");
    let err = read_csv(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());

    let folder = std::env::temp_dir();
    let err = read_csv(&folder).unwrap_err();
    assert!(matches!(err, DataError::Read { .. }), "{err:?}");
}

#[test]
fn no_data_rows_is_an_error() {
    for text in ["", "\n\n", "x1,x2,label\n", "x1,x2,label\n\n"] {
        let err = read_str(text).unwrap_err();
        assert!(
            matches!(err, DataError::CsvNoRows { .. }),
            "{text:?}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("test.csv has no data rows"),
            "{err}"
        );
    }
}

#[test]
fn a_ragged_row_names_its_line_and_both_counts() {
    let err = read_str("x1,x2,label\n1,2,0\n1,2,3,1\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvRaggedRow {
                line: 3,
                n_expected: 3,
                n_found: 4,
                first_line: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_located(&err, 3, None);
    assert!(
        err.to_string().contains("found 4 cells, expected 3"),
        "{err}"
    );

    let err = read_str("1,2,0\n1,0\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvRaggedRow {
                line: 2,
                n_found: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_first_line_with_one_cell_is_an_error() {
    let err = read_str("\n5\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvTooFewCells {
                line: 2,
                n_found: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_located(&err, 2, None);
}

#[test]
fn a_non_numeric_cell_is_quoted_with_line_and_column() {
    // Blank lines count: the bad cell is on line 4.
    let err = read_str("1,2,0\n\n3,4,1\n5, abc ,0\n").unwrap_err();
    assert!(
        matches!(&err, DataError::CsvNotANumber { line: 4, column: 2, cell, .. } if cell == "abc"),
        "{err:?}"
    );
    assert_located(&err, 4, Some(2));
    assert!(err.to_string().contains("\"abc\""), "{err}");

    // An empty cell is not a number either.
    let err = read_str("1,,0\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvNotANumber {
                line: 1,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );

    // A first line mixing numbers and text is data with a typo, not a header.
    let err = read_str("1.5,abc,0\n2,3,1\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvNotANumber {
                line: 1,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );

    // A label that is not a number is a class name, so a single one is a single class
    // whose number cannot be known.
    let err = read_str("1,2,yes\n").unwrap_err();
    assert!(
        matches!(&err, DataError::CsvSingleLabel { label, .. } if label == "yes"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("every row has label \"yes\""),
        "{err}"
    );
}

#[test]
fn nan_and_infinite_features_are_errors() {
    for cell in ["NaN", "nan", "inf", "-inf", "infinity", "1e400"] {
        let err = read_str(&format!("1,2,0\n3,{cell},1\n")).unwrap_err();
        assert!(
            matches!(&err, DataError::CsvNonFinite { line: 2, column: 2, cell: c, .. } if c == cell),
            "{cell}: {err:?}"
        );
        assert_located(&err, 2, Some(2));
        assert!(err.to_string().contains(&format!("{cell:?}")), "{err}");
    }
}

#[test]
fn labels_that_are_missing_values_are_errors() {
    for cell in ["", "nan", "NaN", "inf", "-inf", "1e400"] {
        let err = read_str(&format!("x,y,label\n1,2,0\n3,4,{cell}\n")).unwrap_err();
        assert!(
            matches!(&err, DataError::CsvInvalidLabel { line: 3, column: 3, cell: c, .. } if c == cell),
            "{cell}: {err:?}"
        );
        assert_located(&err, 3, Some(3));
        assert!(err.to_string().contains("is not a class"), "{err}");
    }
}

#[test]
fn any_two_label_values_become_0_and_1_in_one_order() {
    // (file labels in row order, expected 0/1 labels, class 0, class 1)
    for (cells, labels, negative, positive) in [
        (["0", "1", "1"], [0.0, 1.0, 1.0], "0", "1"),
        (["1.0", "0", "1"], [1.0, 0.0, 1.0], "0", "1"),
        (["2", "1", "2.0"], [1.0, 0.0, 1.0], "1", "2"),
        (["1", "-1", "-1"], [1.0, 0.0, 0.0], "-1", "1"),
        (["10", "9", "9"], [1.0, 0.0, 0.0], "9", "10"),
        (["dog", "cat", "dog"], [1.0, 0.0, 1.0], "cat", "dog"),
        (["yes", "no", "no"], [1.0, 0.0, 0.0], "no", "yes"),
        // Only 0 or only 1: the class is known, so no error here (fitting reports it).
        (["1", "1", "1"], [1.0, 1.0, 1.0], "0", "1"),
    ] {
        let text = format!(
            "a,b,y\n1,2,{}\n3,4,{}\n5,6,{}\n",
            cells[0], cells[1], cells[2]
        );
        let dataset = read_str(&text).unwrap();
        assert_eq!(dataset.labels().as_slice(), labels, "{cells:?}");
        let class_labels = dataset.class_labels();
        assert_eq!(
            (class_labels.negative(), class_labels.positive()),
            (negative, positive),
            "{cells:?}"
        );
        // Row order does not change which value is class 1.
        let reversed = format!(
            "a,b,y\n5,6,{}\n3,4,{}\n1,2,{}\n",
            cells[2], cells[1], cells[0]
        );
        assert_eq!(read_str(&reversed).unwrap().class_labels(), class_labels);
    }
}

#[test]
fn a_third_label_value_is_an_error_naming_all_three() {
    let err = read_str("1,2,cat\n3,4,dog\n5,6,cat\n\n7,8,bird\n9,9,cow\n").unwrap_err();
    assert!(
        matches!(&err, DataError::CsvTooManyLabels { line: 5, values, .. } if values == &["cat", "dog", "bird"]),
        "{err:?}"
    );
    assert_located(&err, 5, None);
    assert!(
        err.to_string()
            .contains("label \"bird\" is a third value after \"cat\" and \"dog\""),
        "{err}"
    );
    // 1 and 1.0 are one value, so 0, 1, 1.0 are two.
    assert!(read_str("1,0\n2,1\n3,1.0\n").is_ok());
    assert!(matches!(
        read_str("1,0\n2,1\n3,2\n"),
        Err(DataError::CsvTooManyLabels { line: 3, .. })
    ));
}

#[test]
fn a_bad_header_names_its_column() {
    for (header, column, words) in [
        ("a,a,label", 2, "a name column 1 does not already have"),
        (",x2,label", 1, "non-empty"),
        ("x1,,label", 2, "non-empty"),
    ] {
        let err = read_str(&format!("{header}\n1,2,0\n")).unwrap_err();
        assert!(
            matches!(&err, DataError::CsvBadHeader { line: 1, column: c, .. } if *c == column),
            "{header}: {err:?}"
        );
        assert_located(&err, 1, Some(column));
        assert!(err.to_string().contains(words), "{err}");
    }
    // The label column's name is not kept, so it is not checked.
    assert!(read_str("a,b,\n1,2,0\n").is_ok());
}

#[test]
fn names_and_class_labels_round_trip() {
    let dataset = read_str("height,weight,pet\n1,2,dog\n3,4,cat\n").unwrap();
    let text = to_csv(&dataset);
    assert_eq!(text, b"height,weight,label\n1,2,dog\n3,4,cat\n");
    assert_eq!(read_csv_from(&text[..], "memory").unwrap(), dataset);
}

#[test]
fn non_utf8_bytes_name_their_line() {
    let err = read_csv_from(&b"1,2,0\n\xff\xfe,1,0\n"[..], "test.csv").unwrap_err();
    assert!(
        matches!(err, DataError::CsvNotUtf8 { line: 2, .. }),
        "{err:?}"
    );
    assert_located(&err, 2, None);
}

#[test]
fn writing_into_a_missing_folder_fails_naming_the_path() {
    let path = temp_path("missing-folder").join("out.csv");
    let err = write_csv(&path, &tricky_dataset()).unwrap_err();
    assert!(matches!(err, DataError::Write { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn writing_over_a_folder_fails_and_leaves_no_temporary_file() {
    let parent = temp_path("write-over-folder");
    let target = parent.join("out.csv");
    fs::create_dir_all(&target).unwrap();
    let err = write_csv(&target, &tricky_dataset()).unwrap_err();
    assert!(matches!(err, DataError::Write { .. }), "{err:?}");
    let entries: Vec<_> = fs::read_dir(&parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["out.csv"], "only the folder remains");
    fs::remove_dir_all(&parent).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_a_write_error() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let err = write_csv_to(full, &tricky_dataset()).unwrap_err();
    match &err {
        DataError::Write { source, .. } => assert_eq!(source.raw_os_error(), Some(28)),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("disk is not full"), "{err}");
}
