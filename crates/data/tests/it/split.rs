//! Stratified train/test splits.

use core_linalg::{Dataset, Matrix, Vector};
use data::{DataError, Moons, train_test_split};
use proptest::prelude::*;
use rand::RngCore;

use crate::rng;

/// `n_class0` rows of class 0 then `n_class1` of class 1, whose only feature is the row index.
fn indexed(n_class0: usize, n_class1: usize) -> Dataset {
    let n = n_class0 + n_class1;
    let labels = Vector::from_fn(n, |row, _| if row < n_class0 { 0.0 } else { 1.0 });
    Dataset::new(Matrix::from_fn(n, 1, |row, _| row as f64), labels).unwrap()
}

fn row_ids(dataset: &Dataset) -> Vec<usize> {
    dataset
        .features()
        .column(0)
        .iter()
        .map(|&v| v as usize)
        .collect()
}

#[test]
fn each_class_is_split_by_the_same_rounded_fraction() {
    // (class sizes, fraction, expected test rows per class): round half away from zero.
    let cases = [
        ((50, 50), 0.2, (10, 10)),
        ((50, 50), 0.25, (13, 13)),
        ((51, 50), 0.3, (15, 15)),
        ((80, 20), 0.1, (8, 2)),
        ((3, 3), 0.5, (2, 2)),
    ];
    for ((n0, n1), fraction, (t0, t1)) in cases {
        let split = train_test_split(&indexed(n0, n1), fraction, &mut rng(1)).unwrap();
        assert_eq!(split.test.n_samples(), t0 + t1, "{n0}/{n1} at {fraction}");
        assert_eq!(split.test.n_positive(), t1, "{n0}/{n1} at {fraction}");
        assert_eq!(split.train.n_positive(), n1 - t1, "{n0}/{n1} at {fraction}");
        assert_eq!(split.train.n_samples(), n0 + n1 - t0 - t1);
    }
}

#[test]
fn every_row_appears_exactly_once_in_original_order() {
    let dataset = indexed(37, 29);
    let split = train_test_split(&dataset, 0.3, &mut rng(2)).unwrap();
    let (train, test) = (row_ids(&split.train), row_ids(&split.test));
    assert!(train.windows(2).all(|w| w[0] < w[1]), "train keeps order");
    assert!(test.windows(2).all(|w| w[0] < w[1]), "test keeps order");
    let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..66).collect::<Vec<_>>());
    // Labels travel with their rows.
    for part in [&split.train, &split.test] {
        for (id, &label) in row_ids(part).iter().zip(part.labels().iter()) {
            assert_eq!(label, dataset.labels()[*id]);
        }
    }
}

#[test]
fn same_seed_same_split_other_seed_other_split() {
    let dataset = Moons::new()
        .with_noise(0.2)
        .unwrap()
        .generate(200, &mut rng(0))
        .unwrap();
    let a = train_test_split(&dataset, 0.25, &mut rng(7)).unwrap();
    let b = train_test_split(&dataset, 0.25, &mut rng(7)).unwrap();
    let c = train_test_split(&dataset, 0.25, &mut rng(8)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.test, c.test);
}

#[test]
fn test_fraction_outside_the_open_unit_interval_is_refused() {
    let dataset = indexed(10, 10);
    for value in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        let err = train_test_split(&dataset, value, &mut rng(1)).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::InvalidParameter {
                    field: "test_fraction",
                    ..
                }
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("test_fraction = {value}")),
            "{message}"
        );
    }
}

#[test]
fn a_split_that_would_lose_a_class_is_refused_before_drawing() {
    // round(0.1 · 4) = 0 rows of class 0 in the test part.
    let mut r = rng(1);
    let err = train_test_split(&indexed(4, 4), 0.1, &mut r).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::SplitLacksClass {
                class: 0,
                n_class: 4,
                n_test: 0,
                empty_side: "test",
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("test_fraction = 0.1") && message.contains("class 0"));
    assert_eq!(r.next_u64(), rng(1).next_u64(), "rng untouched");

    // round(0.9 · 2) = 2 rows of class 1: none left for training.
    let err = train_test_split(&indexed(20, 2), 0.9, &mut rng(1)).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::SplitLacksClass {
                class: 1,
                n_class: 2,
                n_test: 2,
                empty_side: "train",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("leaving the train split without class 1"),
        "{err}"
    );
    // round(0.6 · 2) = 1: fine.
    assert!(train_test_split(&indexed(20, 2), 0.6, &mut rng(1)).is_ok());
    // A class of one row can never be on both sides.
    let err = train_test_split(&indexed(20, 1), 0.5, &mut rng(1)).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::SplitLacksClass {
                class: 1,
                n_class: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_single_class_dataset_splits_normally() {
    let split = train_test_split(&indexed(10, 0), 0.3, &mut rng(1)).unwrap();
    assert_eq!((split.train.n_samples(), split.test.n_samples()), (7, 3));
    assert_eq!(split.train.n_positive() + split.test.n_positive(), 0);
}

proptest! {
    #[test]
    fn split_covers_all_rows_or_explains_why_not(
        n0 in 0usize..60, n1 in 1usize..60, fraction in 0.01f64..0.99, seed: u64
    ) {
        let dataset = indexed(n0, n1);
        match train_test_split(&dataset, fraction, &mut rng(seed)) {
            Ok(split) => {
                let expected = |n: usize| (fraction * n as f64).round() as usize;
                prop_assert_eq!(split.test.n_positive(), expected(n1));
                prop_assert_eq!(split.test.n_samples(), expected(n0) + expected(n1));
                let mut all = row_ids(&split.train);
                all.extend(row_ids(&split.test));
                all.sort_unstable();
                prop_assert_eq!(all, (0..n0 + n1).collect::<Vec<_>>());
            }
            Err(DataError::SplitLacksClass { n_test, n_class, .. }) => {
                prop_assert!(n_test == 0 || n_test == n_class);
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}
