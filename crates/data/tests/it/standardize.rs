//! Standardisation fitted on the training part.

use core_linalg::{Matrix, StandardizationError, Vector};
use data::{Blobs, DataError, Standardizer, train_test_split};

use crate::rng;

fn column_mean_and_std(m: &Matrix, column: usize) -> (f64, f64) {
    let n = m.nrows() as f64;
    let mean = m.column(column).sum() / n;
    let var = m
        .column(column)
        .iter()
        .map(|v| (v - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

#[test]
fn standardized_training_columns_have_mean_0_and_std_1() {
    let dataset = Blobs::new(4.0)
        .unwrap()
        .with_std(25.0)
        .unwrap()
        .generate(300, &mut rng(1))
        .unwrap();
    let split = train_test_split(&dataset, 0.2, &mut rng(2)).unwrap();
    let standardizer = Standardizer::fit(split.train.features());
    assert_eq!(standardizer.n_features(), 2);
    let train = standardizer.transform_dataset(&split.train).unwrap();
    for column in 0..2 {
        let (mean, std) = column_mean_and_std(train.features(), column);
        assert!(mean.abs() < 1e-12, "column {column}: mean {mean}");
        assert!((std - 1.0).abs() < 1e-12, "column {column}: std {std}");
    }
    // The test part uses the training statistics, so its labels are untouched and its columns
    // are only approximately standardised.
    let test = standardizer.transform_dataset(&split.test).unwrap();
    assert_eq!(test.labels(), split.test.labels());
    let (mean, _) = column_mean_and_std(test.features(), 0);
    assert!(mean.abs() < 0.5 && mean != 0.0, "{mean}");
}

#[test]
fn a_constant_column_becomes_zero_without_dividing_by_zero() {
    let train = Matrix::from_row_slice(4, 2, &[1.0, 0.1, 2.0, 0.1, 3.0, 0.1, 4.0, 0.1]);
    let standardizer = Standardizer::fit(&train);
    assert_eq!(standardizer.means()[1], 0.1);
    assert_eq!(standardizer.scales()[1], 1.0);
    let z = standardizer.transform(&train).unwrap();
    assert!(z.iter().all(|v| v.is_finite()));
    assert!(z.column(1).iter().all(|&v| v == 0.0));
    let test = Matrix::from_row_slice(1, 2, &[2.5, 1.1]);
    assert_eq!(standardizer.transform(&test).unwrap()[(0, 1)], 1.0);
}

#[test]
fn extreme_but_finite_values_stay_finite() {
    let train = Matrix::from_row_slice(4, 1, &[1e300, -1e300, 3e300, -3e300]);
    let standardizer = Standardizer::fit(&train);
    let z = standardizer.transform(&train).unwrap();
    let (mean, std) = column_mean_and_std(&z, 0);
    assert!(
        mean.abs() < 1e-15 && (std - 1.0).abs() < 1e-15,
        "{mean} {std}"
    );

    let near_max = Matrix::from_row_slice(2, 1, &[f64::MAX, -f64::MAX]);
    let z = Standardizer::fit(&near_max).transform(&near_max).unwrap();
    assert_eq!(z.as_slice(), &[1.0, -1.0]);
}

#[test]
fn wrong_feature_count_is_an_error() {
    let standardizer = Standardizer::fit(&Matrix::from_row_slice(2, 2, &[0.0, 1.0, 2.0, 3.0]));
    let err = standardizer.transform(&Matrix::zeros(3, 3)).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Standardization(StandardizationError::FeatureCountMismatch {
                expected: 2,
                found: 3
            })
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("3 feature columns") && message.contains("fitted on 2"));
}

#[test]
fn non_finite_input_to_transform_is_an_error_naming_its_position() {
    let standardizer = Standardizer::fit(&Matrix::from_row_slice(2, 2, &[0.0, 1.0, 2.0, 3.0]));
    let mut bad = Matrix::zeros(3, 2);
    bad[(2, 0)] = f64::INFINITY;
    bad[(1, 1)] = f64::NAN;
    let err = standardizer.transform(&bad).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Standardization(StandardizationError::NonFiniteValue {
                row: 1,
                column: 1,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("NaN at row 1, column 1"), "{err}");
}

#[test]
fn a_value_far_outside_the_fitted_range_reports_overflow() {
    let standardizer = Standardizer::fit(&Matrix::from_row_slice(2, 1, &[0.0, 1e-300]));
    let err = standardizer
        .transform(&Matrix::from_row_slice(1, 1, &[1e300]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Standardization(StandardizationError::Overflow {
                row: 0,
                column: 0,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("overflows"), "{err}");
}

#[test]
fn fit_ignores_non_finite_values_and_empty_matrices_are_identity() {
    let with_nan = Matrix::from_row_slice(3, 1, &[1.0, f64::NAN, 3.0]);
    let standardizer = Standardizer::fit(&with_nan);
    assert_eq!(standardizer.means(), &[2.0]);
    assert_eq!(standardizer.scales(), &[1.0]);

    let empty = Standardizer::fit(&Matrix::zeros(0, 3));
    assert_eq!(
        (empty.means(), empty.scales()),
        (&[0.0; 3][..], &[1.0; 3][..])
    );
    let x = Matrix::from_row_slice(1, 3, &[1.0, -2.0, 3.5]);
    assert_eq!(empty.transform(&x).unwrap(), x);
    assert_eq!(empty.transform(&Matrix::zeros(0, 3)).unwrap().nrows(), 0);
}

#[test]
fn transform_dataset_keeps_labels_and_names() {
    let x = Matrix::from_row_slice(3, 1, &[1.0, 2.0, 6.0]);
    let y = Vector::from_vec(vec![0.0, 1.0, 1.0]);
    let dataset = core_linalg::Dataset::new(x, y)
        .unwrap()
        .with_feature_names(["age"])
        .unwrap()
        .with_class_labels(core_linalg::ClassLabels::new("no", "yes").unwrap());
    let out = Standardizer::fit(dataset.features())
        .transform_dataset(&dataset)
        .unwrap();
    assert_eq!(out.labels(), dataset.labels());
    assert_eq!(out.n_features(), 1);
    assert_eq!(out.feature_names(), ["age"]);
    assert_eq!(out.class_labels(), dataset.class_labels());
}
