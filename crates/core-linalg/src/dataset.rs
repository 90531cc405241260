//! A validated binary-classification dataset: a feature matrix, 0/1 labels, and the names of
//! its features and of its two classes.

use std::cmp::Ordering;

use crate::{Matrix, Vector};

/// Why a feature matrix and label vector do not form a valid [`Dataset`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The number of feature rows differs from the number of labels.
    #[error("features have {n_rows} rows but there are {n_labels} labels: give one label per row")]
    LengthMismatch {
        /// Rows of the feature matrix.
        n_rows: usize,
        /// Length of the label vector.
        n_labels: usize,
    },
    /// There are no rows.
    #[error("the dataset has no rows: at least one sample is needed")]
    NoRows,
    /// There are no feature columns.
    #[error("the dataset has no feature columns: at least one feature is needed")]
    NoFeatures,
    /// A feature is NaN or infinite.
    #[error(
        "feature value {value} at row {row}, column {column} is not finite: remove or impute it"
    )]
    NonFiniteFeature {
        /// Zero-based row.
        row: usize,
        /// Zero-based column.
        column: usize,
        /// The offending value.
        value: f64,
    },
    /// A label is not exactly 0 or 1.
    #[error("label {value} at row {row} is not 0 or 1: binary labels must be 0 or 1")]
    InvalidLabel {
        /// Zero-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// The number of feature names differs from the number of feature columns.
    #[error("{n_names} feature names for {n_features} feature columns: give one name per column")]
    FeatureNameCount {
        /// Names given.
        n_names: usize,
        /// Feature columns.
        n_features: usize,
    },
    /// A feature name cannot be written as a CSV header cell and read back.
    #[error("feature name {name:?} of column {column} is invalid: expected {expected}")]
    InvalidFeatureName {
        /// Zero-based column.
        column: usize,
        /// The name given.
        name: String,
        /// What a name may be.
        expected: &'static str,
    },
    /// Two columns have the same name, so a column could not be found by its name.
    #[error(
        "feature name {name:?} is given to columns {first} and {second}: every column needs its \
         own name"
    )]
    DuplicateFeatureName {
        /// The repeated name.
        name: String,
        /// Zero-based column of its first use.
        first: usize,
        /// Zero-based column of its second use.
        second: usize,
    },
    /// A class label cannot name a class.
    #[error("class label {label:?} is invalid: expected {expected}")]
    InvalidClassLabel {
        /// The label given.
        label: String,
        /// What a class label may be.
        expected: &'static str,
    },
    /// The two class labels name the same class.
    #[error("both class labels are {label:?}: give the two classes different labels")]
    SameClassLabels {
        /// The label (in its canonical form, so `1` and `1.0` are both `1`).
        label: String,
    },
    /// The class labels are given in the wrong order.
    #[error(
        "class labels {negative:?} (class 0) and {positive:?} (class 1) are in the wrong order: \
         class 1 is the label that sorts last (numbers by value, other text byte by byte), so \
         a CSV file written and read back keeps its classes; give ({positive:?}, {negative:?})"
    )]
    ClassLabelsOutOfOrder {
        /// The label given for class 0.
        negative: String,
        /// The label given for class 1.
        positive: String,
    },
}

/// What a feature name may be, for [`DatasetError::InvalidFeatureName`].
const FEATURE_NAME_RULE: &str = "a non-empty name without a comma, a line break or surrounding \
     spaces, that is not a number (so a CSV header holding it reads back as a header)";

/// The default feature names `x1, …, xd`: what [`Dataset::new`] gives and what a CSV file
/// without a header is read with.
///
/// # Example
/// ```
/// assert_eq!(core_linalg::default_feature_names(2), ["x1", "x2"]);
/// ```
pub fn default_feature_names(n_features: usize) -> Vec<String> {
    (1..=n_features).map(|j| format!("x{j}")).collect()
}

/// Checks that `names` can name `n_features` columns: one per column, each valid (see
/// [`Dataset::with_feature_names`]) and no two equal.
///
/// # Errors
/// [`DatasetError::FeatureNameCount`], [`DatasetError::InvalidFeatureName`] or
/// [`DatasetError::DuplicateFeatureName`].
///
/// # Example
/// ```
/// use core_linalg::check_feature_names;
/// assert!(check_feature_names(&["height".into(), "weight".into()], 2).is_ok());
/// assert!(check_feature_names(&["a".into(), "a".into()], 2).is_err());
/// # Ok::<(), core_linalg::DatasetError>(())
/// ```
pub fn check_feature_names(names: &[String], n_features: usize) -> Result<(), DatasetError> {
    if names.len() != n_features {
        return Err(DatasetError::FeatureNameCount {
            n_names: names.len(),
            n_features,
        });
    }
    for (column, name) in names.iter().enumerate() {
        let is_number = name.parse::<f64>().is_ok_and(f64::is_finite);
        if !is_writable_cell(name) || is_number {
            return Err(DatasetError::InvalidFeatureName {
                column,
                name: name.clone(),
                expected: FEATURE_NAME_RULE,
            });
        }
        if let Some(first) = names[..column].iter().position(|n| n == name) {
            return Err(DatasetError::DuplicateFeatureName {
                name: name.clone(),
                first,
                second: column,
            });
        }
    }
    Ok(())
}

/// Whether `text` survives as a CSV cell: not empty, no comma or line break, and not changed
/// by the trimming a reader does.
fn is_writable_cell(text: &str) -> bool {
    !text.is_empty() && text.trim() == text && !text.contains([',', '\n', '\r'])
}

/// The names of the two classes: `negative` is label 0, `positive` label 1.
///
/// A label is a finite number, known by its value (`1`, `1.0` and `1e0` are one class, kept as
/// `1`), or any other text. The two are always in one order, the one a CSV reader can find
/// alone: class 1 is the label that sorts last, comparing numbers by value and anything else
/// byte by byte (`0`/`1`, `1`/`2`, `-1`/`1`, `cat`/`dog`, `no`/`yes`). So a dataset written
/// to CSV and read back keeps its classes. The default is `0`/`1`.
///
/// # Example
/// ```
/// use core_linalg::ClassLabels;
/// let labels = ClassLabels::new("cat", "dog")?;
/// assert_eq!((labels.name(0.0), labels.name(1.0)), ("cat", "dog"));
/// assert_eq!(labels.label_of("dog"), Some(1.0));
/// assert_eq!(ClassLabels::sorted("2.0", "1")?, ClassLabels::new("1", "2")?);
/// assert!(ClassLabels::new("dog", "cat").is_err()); // class 1 sorts last
/// # Ok::<(), core_linalg::DatasetError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassLabels {
    negative: String,
    positive: String,
}

impl Default for ClassLabels {
    /// `0` for class 0 and `1` for class 1.
    fn default() -> Self {
        ClassLabels {
            negative: "0".to_owned(),
            positive: "1".to_owned(),
        }
    }
}

impl ClassLabels {
    /// The labels of class 0 (`negative`) and class 1 (`positive`).
    ///
    /// # Errors
    /// [`DatasetError::InvalidClassLabel`] (see [`ClassLabels::canonical`]),
    /// [`DatasetError::SameClassLabels`], or [`DatasetError::ClassLabelsOutOfOrder`] when
    /// `positive` does not sort after `negative` (see the type's documentation).
    ///
    /// # Example
    /// ```
    /// use core_linalg::{ClassLabels, DatasetError};
    /// let labels = ClassLabels::new("-1", "1.0")?;
    /// assert_eq!((labels.negative(), labels.positive()), ("-1", "1"));
    /// assert!(matches!(ClassLabels::new("yes", "no"), Err(DatasetError::ClassLabelsOutOfOrder { .. })));
    /// # Ok::<(), DatasetError>(())
    /// ```
    pub fn new(
        negative: impl Into<String>,
        positive: impl Into<String>,
    ) -> Result<ClassLabels, DatasetError> {
        let negative = ClassLabels::canonical(&negative.into())?;
        let positive = ClassLabels::canonical(&positive.into())?;
        match class_order(&negative, &positive) {
            Ordering::Less => Ok(ClassLabels { negative, positive }),
            Ordering::Equal => Err(DatasetError::SameClassLabels { label: negative }),
            Ordering::Greater => Err(DatasetError::ClassLabelsOutOfOrder { negative, positive }),
        }
    }

    /// Two labels in whichever order: the one that sorts last becomes class 1.
    ///
    /// # Errors
    /// As [`ClassLabels::new`], except for the order.
    ///
    /// # Example
    /// ```
    /// use core_linalg::ClassLabels;
    /// assert_eq!(ClassLabels::sorted("yes", "no")?.positive(), "yes");
    /// assert_eq!(ClassLabels::sorted("10", "9")?.positive(), "10"); // numbers by value
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn sorted(a: impl Into<String>, b: impl Into<String>) -> Result<ClassLabels, DatasetError> {
        let (a, b) = (
            ClassLabels::canonical(&a.into())?,
            ClassLabels::canonical(&b.into())?,
        );
        match class_order(&a, &b) {
            Ordering::Greater => ClassLabels::new(b, a),
            _ => ClassLabels::new(a, b),
        }
    }

    /// The form a label is kept in: a finite number as its shortest decimal (`1.0` → `1`,
    /// `-0` → `0`), any other text unchanged.
    ///
    /// # Errors
    /// [`DatasetError::InvalidClassLabel`] for an empty label, one with a comma, a line break
    /// or surrounding spaces (it would not survive a CSV file), or a number that is NaN or
    /// infinite (most likely a missing value).
    ///
    /// # Example
    /// ```
    /// use core_linalg::ClassLabels;
    /// assert_eq!(ClassLabels::canonical("1.0")?, "1");
    /// assert_eq!(ClassLabels::canonical("dog")?, "dog");
    /// assert!(ClassLabels::canonical("nan").is_err());
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn canonical(label: &str) -> Result<String, DatasetError> {
        let invalid = |expected| DatasetError::InvalidClassLabel {
            label: label.to_owned(),
            expected,
        };
        if !is_writable_cell(label) {
            return Err(invalid(
                "a non-empty label without a comma, a line break or surrounding spaces",
            ));
        }
        match label.parse::<f64>() {
            // Adding 0 turns -0 into 0, so the two are one class.
            Ok(value) if value.is_finite() => Ok(format!("{}", value + 0.0)),
            Ok(_) => Err(invalid(
                "a finite number or a name (NaN and infinity are not classes)",
            )),
            Err(_) => Ok(label.to_owned()),
        }
    }

    /// The label of class 0.
    ///
    /// # Example
    /// ```
    /// assert_eq!(core_linalg::ClassLabels::default().negative(), "0");
    /// ```
    pub fn negative(&self) -> &str {
        &self.negative
    }

    /// The label of class 1.
    ///
    /// # Example
    /// ```
    /// assert_eq!(core_linalg::ClassLabels::new("cat", "dog")?.positive(), "dog");
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn positive(&self) -> &str {
        &self.positive
    }

    /// The label of a predicted class as `predict` gives it: `positive` for 1.0, `negative`
    /// for anything else.
    ///
    /// # Example
    /// ```
    /// let labels = core_linalg::ClassLabels::new("ham", "spam")?;
    /// assert_eq!((labels.name(1.0), labels.name(0.0)), ("spam", "ham"));
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn name(&self, label: f64) -> &str {
        if label == 1.0 {
            &self.positive
        } else {
            &self.negative
        }
    }

    /// The class (0.0 or 1.0) a label names, after putting it in canonical form, or `None`
    /// when it is neither of the two.
    ///
    /// # Example
    /// ```
    /// let labels = core_linalg::ClassLabels::new("1", "2")?;
    /// assert_eq!((labels.label_of("2.0"), labels.label_of("1"), labels.label_of("3")), (Some(1.0), Some(0.0), None));
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn label_of(&self, label: &str) -> Option<f64> {
        let label = ClassLabels::canonical(label).ok()?;
        if label == self.negative {
            Some(0.0)
        } else if label == self.positive {
            Some(1.0)
        } else {
            None
        }
    }
}

/// The order of two canonical labels: by value when both are numbers, else byte by byte.
fn class_order(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}

/// A feature matrix with one sample per row and a label of 0 or 1 per row, checked on
/// construction so that every consumer can rely on finite features and binary labels.
///
/// Labels are stored as `f64` (0.0 or 1.0) because the loss and its gradient use them as numbers.
/// A dataset also names its feature columns (`x1, …, xd` unless given, or read from a CSV
/// header) and its two classes ([`ClassLabels`], `0`/`1` unless given); a model fitted on it
/// records both.
///
/// # Example
/// ```
/// use core_linalg::{Dataset, Matrix, Vector};
/// let x = Matrix::from_row_slice(3, 2, &[0.0, 1.0, 1.0, 0.0, 2.0, 2.0]);
/// let y = Vector::from_vec(vec![0.0, 1.0, 1.0]);
/// let data = Dataset::new(x, y)?;
/// assert_eq!((data.n_samples(), data.n_features(), data.n_positive()), (3, 2, 2));
/// # Ok::<(), core_linalg::DatasetError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Matrix,
    labels: Vector,
    feature_names: Vec<String>,
    class_labels: ClassLabels,
}

impl Dataset {
    /// Checks and wraps a feature matrix and label vector.
    ///
    /// # Errors
    /// [`DatasetError`] when the lengths differ, there are no rows or no columns, a feature is
    /// NaN or infinite, or a label is not exactly 0 or 1. The first problem in row order is
    /// reported. The features are named `x1, …, xd` and the classes `0` and `1`.
    pub fn new(features: Matrix, labels: Vector) -> Result<Self, DatasetError> {
        if features.nrows() != labels.len() {
            return Err(DatasetError::LengthMismatch {
                n_rows: features.nrows(),
                n_labels: labels.len(),
            });
        }
        if features.nrows() == 0 {
            return Err(DatasetError::NoRows);
        }
        if features.ncols() == 0 {
            return Err(DatasetError::NoFeatures);
        }
        check_finite(&features).map_err(|(row, column, value)| DatasetError::NonFiniteFeature {
            row,
            column,
            value,
        })?;
        if let Some((row, &value)) = labels
            .iter()
            .enumerate()
            .find(|(_, y)| **y != 0.0 && **y != 1.0)
        {
            return Err(DatasetError::InvalidLabel { row, value });
        }
        Ok(Dataset {
            feature_names: default_feature_names(features.ncols()),
            features,
            labels,
            class_labels: ClassLabels::default(),
        })
    }

    /// Names the feature columns, first column first.
    ///
    /// A name must be non-empty, without a comma, a line break or surrounding spaces, and not
    /// a number, so that it survives as a CSV header cell; no two columns may share a name.
    ///
    /// # Errors
    /// As [`check_feature_names`].
    ///
    /// # Example
    /// ```
    /// use core_linalg::{Dataset, Matrix, Vector};
    /// let x = Matrix::from_row_slice(2, 2, &[1.70, 65.0, 1.82, 80.0]);
    /// let data = Dataset::new(x, Vector::from_vec(vec![0.0, 1.0]))?
    ///     .with_feature_names(["height", "weight"])?;
    /// assert_eq!(data.feature_names(), ["height", "weight"]);
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn with_feature_names<I>(mut self, names: I) -> Result<Self, DatasetError>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        check_feature_names(&names, self.n_features())?;
        self.feature_names = names;
        Ok(self)
    }

    /// Names the two classes: the labels stay 0 and 1, and `class_labels` says what they stand
    /// for.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{ClassLabels, Dataset, Matrix, Vector};
    /// let data = Dataset::new(Matrix::zeros(2, 1), Vector::from_vec(vec![0.0, 1.0]))?
    ///     .with_class_labels(ClassLabels::new("cat", "dog")?);
    /// assert_eq!(data.class_labels().name(data.labels()[1]), "dog");
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn with_class_labels(mut self, class_labels: ClassLabels) -> Self {
        self.class_labels = class_labels;
        self
    }

    /// A dataset with these features in place of the current ones, and the same labels,
    /// feature names and class labels (for a transform such as standardisation).
    ///
    /// # Errors
    /// [`DatasetError::LengthMismatch`] or [`DatasetError::FeatureNameCount`] when the shape
    /// differs; [`DatasetError::NonFiniteFeature`] for a NaN or infinite feature.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{Dataset, Matrix, Vector};
    /// let data = Dataset::new(Matrix::from_row_slice(2, 1, &[1.0, 3.0]), Vector::from_vec(vec![0.0, 1.0]))?
    ///     .with_feature_names(["age"])?;
    /// let halved = data.with_features(data.features() / 2.0)?;
    /// assert_eq!((halved.features()[(1, 0)], halved.feature_names()), (1.5, data.feature_names()));
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn with_features(&self, features: Matrix) -> Result<Dataset, DatasetError> {
        if features.ncols() != self.n_features() {
            return Err(DatasetError::FeatureNameCount {
                n_names: self.n_features(),
                n_features: features.ncols(),
            });
        }
        Ok(Dataset {
            feature_names: self.feature_names.clone(),
            class_labels: self.class_labels.clone(),
            ..Dataset::new(features, self.labels.clone())?
        })
    }

    /// The names of the feature columns, first column first.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{Dataset, Matrix, Vector};
    /// let data = Dataset::new(Matrix::zeros(2, 2), Vector::from_vec(vec![0.0, 1.0]))?;
    /// assert_eq!(data.feature_names(), ["x1", "x2"]);
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The names of classes 0 and 1.
    ///
    /// # Example
    /// ```
    /// use core_linalg::{ClassLabels, Dataset, Matrix, Vector};
    /// let data = Dataset::new(Matrix::zeros(2, 1), Vector::from_vec(vec![0.0, 1.0]))?;
    /// assert_eq!(data.class_labels(), &ClassLabels::default());
    /// # Ok::<(), core_linalg::DatasetError>(())
    /// ```
    pub fn class_labels(&self) -> &ClassLabels {
        &self.class_labels
    }

    /// The feature matrix, one sample per row.
    pub fn features(&self) -> &Matrix {
        &self.features
    }

    /// The labels, each 0.0 or 1.0.
    pub fn labels(&self) -> &Vector {
        &self.labels
    }

    /// Number of samples (rows).
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// Number of features (columns).
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of samples labelled 1.
    pub fn n_positive(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1.0).count()
    }

    /// A new dataset made of the given rows, in the given order.
    ///
    /// # Panics
    /// If `rows` is empty or an index is out of range (an internal bug in the caller).
    pub fn select_rows(&self, rows: &[usize]) -> Dataset {
        assert!(!rows.is_empty(), "select_rows needs at least one row");
        Dataset {
            features: self.features.select_rows(rows),
            labels: self.labels.select_rows(rows),
            feature_names: self.feature_names.clone(),
            class_labels: self.class_labels.clone(),
        }
    }

    /// Splits the dataset back into its feature matrix and labels (dropping the names).
    pub fn into_parts(self) -> (Matrix, Vector) {
        (self.features, self.labels)
    }
}

/// The first non-finite entry of `m` in row-major order, as `(row, column, value)`.
///
/// # Errors
/// Returns the position and value of the first NaN or infinite entry.
pub(crate) fn check_finite(m: &Matrix) -> Result<(), (usize, usize, f64)> {
    if m.iter().all(|v| v.is_finite()) {
        return Ok(());
    }
    for row in 0..m.nrows() {
        for column in 0..m.ncols() {
            let value = m[(row, column)];
            if !value.is_finite() {
                return Err((row, column, value));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_bad_input_with_its_variant() {
        let x = Matrix::zeros(2, 1);
        // Checked before any nalgebra operation, which would panic on the mismatch.
        let err = Dataset::new(x.clone(), Vector::zeros(3)).unwrap_err();
        assert!(matches!(
            err,
            DatasetError::LengthMismatch {
                n_rows: 2,
                n_labels: 3
            }
        ));
        assert!(
            err.to_string().contains("2 rows but there are 3 labels"),
            "{err}"
        );
        let err = Dataset::new(Matrix::zeros(0, 2), Vector::zeros(0)).unwrap_err();
        assert_eq!(err, DatasetError::NoRows);
        assert!(err.to_string().contains("no rows"), "{err}");
        let err = Dataset::new(Matrix::zeros(2, 0), Vector::zeros(2)).unwrap_err();
        assert_eq!(err, DatasetError::NoFeatures);
        assert!(err.to_string().contains("no feature columns"), "{err}");
        let mut bad = Matrix::zeros(2, 2);
        bad[(1, 0)] = f64::NAN;
        bad[(1, 1)] = f64::INFINITY;
        let err = Dataset::new(bad, Vector::zeros(2)).unwrap_err();
        assert!(matches!(
            err,
            DatasetError::NonFiniteFeature {
                row: 1,
                column: 0,
                ..
            }
        ));
        assert!(
            err.to_string()
                .contains("NaN at row 1, column 0 is not finite"),
            "{err}"
        );
        let err = Dataset::new(x, Vector::from_vec(vec![0.0, 2.0])).unwrap_err();
        assert!(err.to_string().contains("label 2 at row 1"), "{err}");
    }

    #[test]
    fn feature_names_default_to_x1_and_are_checked() {
        let data = Dataset::new(Matrix::zeros(2, 3), Vector::from_vec(vec![0.0, 1.0])).unwrap();
        assert_eq!(data.feature_names(), ["x1", "x2", "x3"]);
        let named = data.clone().with_feature_names(["a", "b c", "é"]).unwrap();
        assert_eq!(named.select_rows(&[1]).feature_names(), ["a", "b c", "é"]);
        for (names, words) in [
            (vec!["a", "b"], "2 feature names for 3 feature columns"),
            (vec!["a", "", "c"], "name \"\" of column 1"),
            (vec!["a", "b,c", "d"], "name \"b,c\" of column 1"),
            (vec!["a", "b", " c"], "name \" c\" of column 2"),
            (vec!["a", "b\n", "c"], "of column 1"),
            (vec!["a", "2.5", "c"], "name \"2.5\" of column 1 is invalid"),
            (vec!["a", "b", "a"], "\"a\" is given to columns 0 and 2"),
        ] {
            let err = data.clone().with_feature_names(names).unwrap_err();
            assert!(err.to_string().contains(words), "{words}: {err}");
        }
        // NaN is not a number a CSV reader takes for data, so it may name a column.
        assert!(data.with_feature_names(["nan", "b", "c"]).is_ok());
    }

    #[test]
    fn class_labels_are_canonical_and_ordered() {
        assert_eq!(ClassLabels::default(), ClassLabels::new("0", "1").unwrap());
        assert_eq!(
            ClassLabels::new("0.0", "1e0").unwrap(),
            ClassLabels::default()
        );
        assert_eq!(ClassLabels::new("-0", "1").unwrap().negative(), "0");
        // Numbers by value (2 < 10), text byte by byte ("10" < "9a").
        assert_eq!(ClassLabels::sorted("10", "2").unwrap().positive(), "10");
        assert_eq!(ClassLabels::sorted("9a", "10").unwrap().positive(), "9a");
        assert_eq!(ClassLabels::sorted("yes", "no").unwrap().negative(), "no");
        let labels = ClassLabels::new("cat", "dog").unwrap();
        assert_eq!((labels.name(0.0), labels.name(1.0)), ("cat", "dog"));
        assert_eq!(
            (
                labels.label_of("cat"),
                labels.label_of("dog"),
                labels.label_of("cow")
            ),
            (Some(0.0), Some(1.0), None)
        );
        assert_eq!(ClassLabels::default().label_of("1.0"), Some(1.0));
        for (negative, positive, words) in [
            ("dog", "cat", "in the wrong order"),
            ("1", "1.0", "both class labels are \"1\""),
            ("", "1", "label \"\" is invalid"),
            ("a,b", "c", "label \"a,b\" is invalid"),
            ("0", "NaN", "NaN and infinity are not classes"),
            ("0", "inf", "not classes"),
        ] {
            let err = ClassLabels::new(negative, positive).unwrap_err();
            assert!(err.to_string().contains(words), "{words}: {err}");
        }
    }

    #[test]
    fn with_features_keeps_the_names_and_checks_the_shape() {
        let data = Dataset::new(Matrix::zeros(2, 1), Vector::from_vec(vec![0.0, 1.0]))
            .unwrap()
            .with_feature_names(["age"])
            .unwrap()
            .with_class_labels(ClassLabels::new("no", "yes").unwrap());
        let moved = data.with_features(Matrix::from_element(2, 1, 3.0)).unwrap();
        assert_eq!(moved.feature_names(), data.feature_names());
        assert_eq!(moved.class_labels(), data.class_labels());
        assert_eq!(moved.labels(), data.labels());
        assert!(matches!(
            data.with_features(Matrix::zeros(2, 2)),
            Err(DatasetError::FeatureNameCount { .. })
        ));
        assert!(matches!(
            data.with_features(Matrix::zeros(3, 1)),
            Err(DatasetError::LengthMismatch { .. })
        ));
        assert!(matches!(
            data.with_features(Matrix::from_element(2, 1, f64::NAN)),
            Err(DatasetError::NonFiniteFeature { .. })
        ));
    }
}
