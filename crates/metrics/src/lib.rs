//! # metrics: scoring binary classifiers and summarising runs
//!
//! This crate turns what a model returns into the numbers a study reports: a
//! [`ConfusionMatrix`] and the [`precision`], [`recall`], [`f1_score`] and [`accuracy`] read from
//! it; the [`log_loss`] of predicted probabilities; the [`roc_auc`] of ranking scores; a
//! [`ClassificationReport`] holding all of them for one run; and a [`Summary`] of one metric
//! across seeds (mean ± standard deviation, and median with type-7 quartiles), reported with
//! the [`Statistic`] that suits the scale the metric is read on. It depends only on
//! `core-linalg`, never on `models` or `data`.
//!
//! Inputs are plain `&[f64]` slices, as the models return them: labels and predictions are
//! exactly 0.0 or 1.0, probabilities are finite and in `[0, 1]`, scores are any finite numbers.
//! Every function checks its inputs and returns a [`MetricsError`] naming the argument, index and
//! value of the first bad one; none panics on bad input and none returns NaN.
//!
//! ## The zero-division policy
//!
//! **The one design decision to know:** a ratio whose denominator is zero is defined as `0.0`,
//! never NaN and never an error. Precision with no predicted positives (`TP + FP = 0`), recall
//! with no actual positives (`TP + FN = 0`) and F1 with `precision + recall = 0` are all 0.0.
//! This is scikit-learn's `zero_division=0`, so numbers can be compared with it directly, and a
//! results table never holds a NaN. The price: a model that predicts no positives on a test set
//! with no positives scores precision, recall and F1 of 0.0, although it made no mistake; read
//! such rows together with the [`ConfusionMatrix`]. ROC AUC is different: with one class present
//! there is no positive-negative pair to compare, so the metric itself is undefined and
//! [`roc_auc`] returns [`MetricsError::SingleClass`].
//!
//! Every sum is taken in the fixed order of [`core_linalg::kernels::sum`] or as exact integer
//! counts, so every number is bit-identical from run to run.
//!
//! # Example
//! ```
//! use metrics::{ClassificationReport, Summary};
//!
//! let y_true = [0.0, 1.0, 1.0, 0.0, 1.0];
//! let probabilities = [0.2, 0.9, 0.4, 0.1, 0.7];
//! let report = ClassificationReport::new(&y_true, &probabilities, 0.5)?;
//! assert_eq!((report.precision, report.accuracy), (1.0, 0.8));
//! assert_eq!(metrics::roc_auc(&y_true, &probabilities)?, 1.0);
//!
//! // No predicted positives: precision is 0/0, defined as 0.0.
//! assert_eq!(metrics::precision(&y_true, &[0.0; 5])?, 0.0);
//!
//! let accuracy_over_seeds = Summary::from_values(&[0.8, 0.9, 1.0])?;
//! assert_eq!(accuracy_over_seeds.to_string(), "0.9000 ± 0.1000");
//! # Ok::<(), metrics::MetricsError>(())
//! ```

mod classification;
mod error;
mod log_loss;
mod report;
mod roc_auc;
mod summary;
mod validate;

pub use classification::{ConfusionMatrix, accuracy, f1_score, precision, recall};
pub use error::{Argument, MetricsError};
pub use log_loss::log_loss;
pub use report::ClassificationReport;
pub use roc_auc::roc_auc;
pub use summary::{Statistic, Summary};
