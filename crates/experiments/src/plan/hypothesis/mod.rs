//! Pre-registered hypotheses: each `[[hypothesis]]` table validated into a [`Hypothesis`]
//! whose one [`Rule`] names typed metrics, swept axes and sweep points, so the report can
//! decide it from the results without reading the file again.
//!
//! A rule says what it compares; how each verdict follows is stated on its [`Rule`] variant,
//! with the thresholds as constants here, so the study file, the evaluation and the report
//! read the same rule.

use std::fmt;
use std::ops::Range;

use core_linalg::Activation;
use toml::Spanned;

use super::validate::is_plain_name;
use super::{Axis, AxisValue, Point, RecordPlan};
use crate::study_file::{Diagnostics, RawHypothesis};

mod points;
mod validate;

pub(super) use validate::{StudyShape, hypotheses};

/// A trend is supported when Kendall's τ in the expected direction is at least this.
pub const TREND_SUPPORTED_TAU: f64 = 2.0 / 3.0;
/// `closer_split` is supported when the expected split's distance is at most this fraction of
/// the other split's.
pub const CLOSER_SPLIT_RATIO: f64 = 0.5;
/// A run *oscillated* when its oscillation measure is at least this.
pub const OSCILLATION_THRESHOLD: f64 = 0.3;
/// `stability` is not supported when more than this share of the runs outside the band
/// contradict it.
pub const STABILITY_CONTRADICTION_SHARE: f64 = 0.1;
/// `stability`'s default margin around the predicted largest stable learning rate.
pub const DEFAULT_STABILITY_MARGIN: f64 = 2.0;
/// `negative_curvature`'s default tolerance: a reading is negative when
/// `λ_min < −tolerance · λ_max`.
pub const DEFAULT_CURVATURE_TOLERANCE: f64 = 1e-3;
/// `negative_curvature` is supported when the share at `more_at` exceeds the share at
/// `than_at` by at least this.
pub const NEGATIVE_CURVATURE_MARGIN: f64 = 0.1;
/// The fewest points a trend runs along (two points give a τ of ±1 from one comparison).
pub const MIN_TREND_POINTS: usize = 3;

/// A pre-registered hypothesis: the claim in words, and the rule that decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    /// A short identifier, e.g. `H1` (letters, digits, `-` and `_`; unique in the file).
    pub name: String,
    /// The hypothesis in words.
    pub statement: String,
    /// What it predicts the results will show.
    pub prediction: String,
    /// The rule that decides it.
    pub rule: Rule,
}

/// The part of the data a metric is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training part (the data the model was fitted to).
    Train,
    /// The held-out test part.
    Test,
}

impl Split {
    /// `train` or `test`, as study files write it.
    pub fn key(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// The other split.
    pub fn other(self) -> Split {
        match self {
            Split::Train => Split::Test,
            Split::Test => Split::Train,
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What is measured on a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Precision at the model's threshold.
    Precision,
    /// Recall at the model's threshold.
    Recall,
    /// F1 at the model's threshold.
    F1,
    /// Accuracy at the model's threshold.
    Accuracy,
    /// ROC AUC.
    RocAuc,
    /// Mean binary cross-entropy (on the training part: the training objective).
    Loss,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 6] = [
        Measure::Precision,
        Measure::Recall,
        Measure::F1,
        Measure::Accuracy,
        Measure::RocAuc,
        Measure::Loss,
    ];

    /// The measures an `[[original]]` row can give, which `closer_split` compares.
    pub const ORIGINAL: [Measure; 4] = [
        Measure::Precision,
        Measure::Recall,
        Measure::F1,
        Measure::Loss,
    ];

    /// `precision`, `recall`, `f1`, `accuracy`, `roc_auc` or `loss`.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Precision => "precision",
            Measure::Recall => "recall",
            Measure::F1 => "f1",
            Measure::Accuracy => "accuracy",
            Measure::RocAuc => "roc_auc",
            Measure::Loss => "loss",
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A per-run metric: a measure on a split, written `<split>_<measure>` (`test_f1`,
/// `train_loss`), as `results.csv` names its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Metric {
    /// The split it is measured on.
    pub split: Split,
    /// What is measured.
    pub measure: Measure,
}

impl Metric {
    /// Every metric, training part first.
    pub fn all() -> impl Iterator<Item = Metric> {
        [Split::Train, Split::Test]
            .into_iter()
            .flat_map(|split| Measure::ALL.map(|measure| Metric { split, measure }))
    }

    /// The metric named `key` (`test_f1`), if any.
    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::all().find(|m| m.to_string() == key)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.split, self.measure)
    }
}

/// The direction a trend is expected to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The metric rises along the axis.
    Increasing,
    /// The metric falls along the axis.
    Decreasing,
}

/// A per-run event whose share of seeds a `share` rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEvent {
    /// The run diverged (its status is `diverged`).
    Diverged,
    /// The run's oscillation measure is at least [`OSCILLATION_THRESHOLD`].
    Oscillated,
}

impl RunEvent {
    /// `diverged` or `oscillated`.
    pub fn key(self) -> &'static str {
        match self {
            RunEvent::Diverged => "diverged",
            RunEvent::Oscillated => "oscillated",
        }
    }
}

/// The bound a `share` rule puts on the share of seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShareBound {
    /// At least this share, in [0, 1].
    AtLeast(f64),
    /// At most this share, in [0, 1].
    AtMost(f64),
}

/// Some sweep points, chosen by holding some swept axes at one value each.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The values held, in axis order (empty: every point).
    pub at: Vec<AxisValue>,
    /// The indices (into [`super::Plan::points`]) of the points chosen, in point order.
    pub points: Vec<usize>,
}

/// The one machine rule that decides a hypothesis from the results.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A metric rises (or falls) along a swept axis, the other axes held.
    ///
    /// Per point, the metric's median across seeds for losses, its mean for the scores in
    /// [0, 1]; Kendall's τ of those against the axis order, signed so that the expected
    /// direction is positive: **supported** if τ ≥ [`TREND_SUPPORTED_TAU`], **not
    /// supported** if τ ≤ 0, **inconclusive** otherwise.
    Trend {
        /// The metric.
        metric: Metric,
        /// The swept axis.
        along: Axis,
        /// The points along it (every other swept axis held), in the axis's order.
        selection: Selection,
        /// The expected direction.
        expect: Direction,
    },
    /// The original's numbers match our training or our test part.
    ///
    /// Over the points chosen that have an `[[original]]` value of the measure: the distance
    /// between the original's values and our per-point medians on each split (precision,
    /// recall, F1: root-mean-square difference; loss: root-mean-square of log10 ratios).
    /// **Supported** if the expected split's distance is at most [`CLOSER_SPLIT_RATIO`] × the
    /// other's, **not supported** if the other split is closer, **inconclusive** otherwise.
    CloserSplit {
        /// Precision, recall, F1 or loss.
        measure: Measure,
        /// The points compared: those chosen with an original value of `measure`.
        selection: Selection,
        /// The split expected to be closer.
        expect: Split,
    },
    /// The share of seeds at one point where an event happened is within a bound:
    /// **supported** if it is, **not supported** if not (never inconclusive).
    Share {
        /// The event counted.
        what: RunEvent,
        /// The point (index into [`super::Plan::points`]).
        point: usize,
        /// The bound on the share.
        bound: ShareBound,
    },
    /// Gradient descent is unstable where the learning rate exceeds the predicted largest
    /// stable one, 2/λ_max at initialisation (each run's epoch-0 curvature reading).
    ///
    /// A run with lr > `margin` × predicted should have diverged or oscillated; one with
    /// lr < predicted / `margin` should have done neither; runs in between are not counted.
    /// **Supported** if every counted run does as predicted, **not supported** if more than
    /// [`STABILITY_CONTRADICTION_SHARE`] of the counted runs contradict, **inconclusive**
    /// otherwise.
    Stability {
        /// How far from the predicted rate a run must be to count, > 1.
        margin: f64,
    },
    /// Training meets more negative curvature at one point than at another.
    ///
    /// At each point, the share of curvature readings (every run, every reading) with
    /// `λ_min < −tolerance · λ_max`. **Supported** if the share at `more_at` is larger by at
    /// least [`NEGATIVE_CURVATURE_MARGIN`], **not supported** if it is smaller,
    /// **inconclusive** otherwise.
    NegativeCurvature {
        /// The point expected to show more (index into [`super::Plan::points`]).
        more_at: usize,
        /// The point compared with.
        than_at: usize,
        /// The relative tolerance, in (0, 1).
        tolerance: f64,
    },
}

impl Rule {
    /// Every rule's name, as study files write it.
    pub const NAMES: [&'static str; 5] = [
        "trend",
        "closer_split",
        "share",
        "stability",
        "negative_curvature",
    ];

    /// The rule's name: `trend`, `closer_split`, `share`, `stability` or
    /// `negative_curvature`.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Trend { .. } => "trend",
            Rule::CloserSplit { .. } => "closer_split",
            Rule::Share { .. } => "share",
            Rule::Stability { .. } => "stability",
            Rule::NegativeCurvature { .. } => "negative_curvature",
        }
    }

    /// Whether the rule reads curvature records (so the study must record them).
    pub fn needs_curvature(&self) -> bool {
        matches!(
            self,
            Rule::Stability { .. } | Rule::NegativeCurvature { .. }
        )
    }
}

/// The original's value of `measure` at `point`, if its `[[original]]` row gives one.
pub fn original_value(point: &Point, measure: Measure) -> Option<f64> {
    let original = point.original.as_ref()?;
    match measure {
        Measure::Precision => original.precision,
        Measure::Recall => original.recall,
        Measure::F1 => original.f1,
        Measure::Loss => original.loss,
        Measure::Accuracy | Measure::RocAuc => None,
    }
}
