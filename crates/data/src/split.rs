//! Seeded, stratified train/test splits.

use core_linalg::Dataset;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::DataError;

/// The two parts of a dataset made by [`train_test_split`].
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The rows to fit on (and to fit a [`Standardizer`](crate::Standardizer) on).
    pub train: Dataset,
    /// The held-out rows, used only for evaluation.
    pub test: Dataset,
}

/// Splits `dataset` into a training and a test part, stratified by class and seeded by `rng`.
///
/// Each class is split separately by the same fraction: a class of `n_c` rows puts
/// `n_test_c = round(test_fraction · n_c)` rows in the test part (computed in `f64`, halves
/// rounded away from zero) and the rest in the training part. Both parts therefore keep the
/// class proportions of `dataset` up to rounding.
///
/// Which rows go to the test part is random: the row indices of class 0 are shuffled with `rng`,
/// then those of class 1, and the first `n_test_c` shuffled indices of each class are the test
/// rows. Within each part, rows keep their **original relative order** (ascending row index),
/// so the result depends only on the dataset, the fraction and the state of `rng`.
///
/// A dataset with a single class splits normally (a model reports the single class when it is
/// fitted); every class present must end up on both sides.
///
/// # Errors
/// - [`DataError::InvalidParameter`] with field `test_fraction` unless `0 < test_fraction < 1`.
/// - [`DataError::SplitLacksClass`] when, for a class present in `dataset`, the rounding would
///   put none of its rows, or all of them, in the test part (so a part would be empty or lack
///   that class). Both checks happen before anything is drawn from `rng`.
///
/// # Example
/// ```
/// use data::{Moons, train_test_split};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Moons::new().with_noise(0.2)?.generate(100, &mut rng)?;
/// let split = train_test_split(&dataset, 0.2, &mut rng)?;
/// assert_eq!((split.train.n_samples(), split.test.n_samples()), (80, 20));
/// assert_eq!((split.train.n_positive(), split.test.n_positive()), (40, 10));
/// # Ok::<(), data::DataError>(())
/// ```
pub fn train_test_split(
    dataset: &Dataset,
    test_fraction: f64,
    rng: &mut impl Rng,
) -> Result<Split, DataError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(DataError::InvalidParameter {
            field: "test_fraction",
            value: test_fraction,
            expected: "a number strictly between 0 and 1",
        });
    }
    let labels = dataset.labels();
    let mut class_rows: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (row, &label) in labels.iter().enumerate() {
        class_rows[usize::from(label == 1.0)].push(row);
    }
    let mut n_test = [0usize; 2];
    for (class, rows) in class_rows.iter().enumerate() {
        let n_class = rows.len();
        if n_class == 0 {
            continue;
        }
        n_test[class] = (test_fraction * n_class as f64).round() as usize;
        let empty_side = match n_test[class] {
            0 => "test",
            n if n >= n_class => "train",
            _ => continue,
        };
        return Err(DataError::SplitLacksClass {
            test_fraction,
            class: class as u8,
            n_class,
            n_test: n_test[class],
            empty_side,
        });
    }

    let mut test_rows = Vec::new();
    let mut train_rows = Vec::new();
    for (rows, n_test) in class_rows.iter_mut().zip(n_test) {
        rows.shuffle(rng);
        test_rows.extend_from_slice(&rows[..n_test]);
        train_rows.extend_from_slice(&rows[n_test..]);
    }
    test_rows.sort_unstable();
    train_rows.sort_unstable();
    Ok(Split {
        train: dataset.select_rows(&train_rows),
        test: dataset.select_rows(&test_rows),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_linalg::{Matrix, Vector};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn rounds_halves_away_from_zero_per_class() {
        // 5 rows per class, fraction 0.5: round(2.5) = 3 test rows per class.
        let labels = Vector::from_fn(10, |i, _| if i < 5 { 0.0 } else { 1.0 });
        let dataset = Dataset::new(Matrix::from_fn(10, 1, |i, _| i as f64), labels).unwrap();
        let split = train_test_split(&dataset, 0.5, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        assert_eq!(split.test.n_samples(), 6);
        assert_eq!(split.test.n_positive(), 3);
    }
}
