//! The verdict of a study: whether the original's numbers and trend are reproduced, by a
//! stated mechanical rule ([`RULE`]), never by judgement. It reads each quantity with the
//! statistic the tables use ([`Quantity::statistic`]): the mean ± standard deviation of F1,
//! the median and quartiles of the loss.

use metrics::{Statistic, Summary};

use crate::output::{PointSummary, Quantity};
use crate::plan::{Measure, Split};

/// Our F1 and loss as the verdict compares them with the original's: test F1, and the final
/// training loss (the number the original reported as its final loss).
const F1: Quantity = Quantity::on(Split::Test, Measure::F1);
const TRAIN_LOSS: Quantity = Quantity::on(Split::Train, Measure::Loss);

/// How one original number compares with ours at one point.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Check {
    pub(super) point: String,
    /// `F1`, `final training loss` or `divergence`.
    pub(super) what: &'static str,
    pub(super) original: String,
    pub(super) ours: String,
    /// Within our min–max across seeds (for divergence: every seed diverged).
    pub(super) in_range: bool,
    /// Within our [`usual_range`] (for divergence: some seed diverged).
    pub(super) in_usual_range: bool,
}

/// The range of values "as close to ours as our own seeds are", by the quantity's statistic:
/// mean ± 2·sd for a mean ± sd quantity; for a median [Q1, Q3] quantity, Tukey's fences 1.5
/// interquartile ranges beyond the quartiles, measured in decades when the quartiles are
/// positive (`Q1 ÷ (Q3/Q1)^1.5` to `Q3 × (Q3/Q1)^1.5`: a loss is read on a log scale), in
/// plain differences otherwise.
pub(super) fn usual_range(s: &Summary, statistic: Statistic) -> (f64, f64) {
    match statistic {
        Statistic::MeanSd => (s.mean - 2.0 * s.std, s.mean + 2.0 * s.std),
        Statistic::MedianIqr if s.q1 > 0.0 => {
            let factor = (s.q3 / s.q1).powf(1.5);
            (s.q1 / factor, s.q3 * factor)
        }
        Statistic::MedianIqr => {
            let iqr = s.q3 - s.q1;
            (s.q1 - 1.5 * iqr, s.q3 + 1.5 * iqr)
        }
    }
}

/// The direction of a sequence in point order, by the sign of Kendall's S.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Increasing,
    Decreasing,
    Flat,
}

impl Direction {
    /// The sign of Kendall's S: pairs `i < j` with `v[j] > v[i]` minus pairs with `v[j] < v[i]`.
    pub(super) fn of(values: &[f64]) -> (Direction, i64) {
        let s = super::rules::kendall_s(values);
        let direction = match s.signum() {
            1 => Direction::Increasing,
            -1 => Direction::Decreasing,
            _ => Direction::Flat,
        };
        (direction, s)
    }

    pub(super) fn word(self) -> &'static str {
        match self {
            Direction::Increasing => "increasing",
            Direction::Decreasing => "decreasing",
            Direction::Flat => "flat",
        }
    }
}

/// The trend comparison: which metric, at which points, and both directions.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Trend {
    pub(super) what: &'static str,
    pub(super) points: Vec<String>,
    pub(super) original: (Direction, i64),
    pub(super) ours: (Direction, i64),
}

impl Trend {
    pub(super) fn matches(&self) -> bool {
        self.original.0 == self.ours.0
    }
}

/// How well we reproduce the original, by the rule in [`RULE`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Verdict {
    pub(super) checks: Vec<Check>,
    pub(super) trend: Option<Trend>,
    pub(super) outcome: Option<&'static str>,
}

/// The verdict rule, as the report states it: an opening sentence, then one item per step.
pub(super) const RULE: [&str; 5] = [
    "This verdict is computed mechanically by the rule below, not judged.",
    "Values: at each point with an original value, the original F1 is compared with our test \
     F1 and the original final loss with our final training loss, across seeds: inside our \
     min–max, and inside our usual range. For F1 (read on a linear scale) the usual range is \
     mean ± 2·sd; for the loss (read on a log scale) it is Tukey's fences measured in \
     decades, from Q1 ÷ (Q3/Q1)^1.5 to Q3 × (Q3/Q1)^1.5 (1.5 interquartile ranges of log10 \
     loss beyond the quartiles). A point whose original note says it diverged counts as \
     inside our min–max when every one of our seeds diverged there, and inside our usual \
     range when some did.",
    "Trend: the direction of F1 in point order (of the final loss when fewer than two points \
     have an original F1), over the points with both an original value and ours, taken as the \
     sign of Kendall's S (rising pairs minus falling pairs), for the original values and for \
     our per-point means of F1 (medians of the loss).",
    "yes = every original value is inside our min–max and the trend matches; partly = the \
     trend matches but some original value is outside our min–max; no = the trend differs.",
    "With fewer than two points to compare there is no trend: yes = every original value is \
     inside our min–max; partly = all are inside our usual range; no = otherwise.",
];

impl Verdict {
    pub(super) fn new(points: &[PointSummary]) -> Verdict {
        let mut checks = Vec::new();
        for p in points {
            let Some(original) = &p.original else {
                continue;
            };
            for (what, quantity, value) in [
                ("F1", F1, original.f1),
                ("final training loss", TRAIN_LOSS, original.loss),
            ] {
                let Some(value) = value else {
                    continue;
                };
                let ours = p.summary(quantity);
                let usual = ours.map(|s| usual_range(&s, quantity.statistic()));
                checks.push(Check {
                    point: p.point.clone(),
                    what,
                    original: format!("{value}"),
                    ours: ours.map_or_else(
                        || "no finished run".to_owned(),
                        |s| {
                            let (lo, hi) = usual.unwrap_or((s.min, s.max));
                            format!(
                                "{} ({} seeds, min {}, max {}; usual range {} to {})",
                                quantity.cell(Some(&s)),
                                s.n,
                                short(s.min),
                                short(s.max),
                                short(lo),
                                short(hi)
                            )
                        },
                    ),
                    in_range: ours.is_some_and(|s| s.min <= value && value <= s.max),
                    in_usual_range: usual.is_some_and(|(lo, hi)| lo <= value && value <= hi),
                });
            }
            let says_diverged = original
                .note
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains("diverge"));
            if says_diverged {
                let n = p.n_runs - p.n_failed - p.n_unfinished;
                checks.push(Check {
                    point: p.point.clone(),
                    what: "divergence",
                    original: "diverged".into(),
                    ours: format!("{} of {n} seeds diverged", p.n_diverged),
                    in_range: n > 0 && p.n_diverged == n,
                    in_usual_range: p.n_diverged > 0,
                });
            }
        }
        let trend = trend(points, "F1", F1, |o| o.f1)
            .or_else(|| trend(points, "final training loss", TRAIN_LOSS, |o| o.loss));
        let outcome = (!checks.is_empty() || trend.is_some()).then(|| {
            let all_in_range = checks.iter().all(|c| c.in_range);
            match &trend {
                Some(t) if !t.matches() => "no",
                Some(_) if all_in_range => "yes",
                Some(_) => "partly",
                None if all_in_range => "yes",
                None if checks.iter().all(|c| c.in_usual_range) => "partly",
                None => "no",
            }
        });
        Verdict {
            checks,
            trend,
            outcome,
        }
    }

    pub(super) fn line(&self) -> String {
        match self.outcome {
            Some(outcome) => format!("reproduced: {outcome}"),
            None => "descriptive: no original numbers".to_owned(),
        }
    }
}

/// The trend of `what` over the points with both an original value and ours (at least two),
/// ours by the quantity's centre (mean or median).
pub(super) fn trend(
    points: &[PointSummary],
    what: &'static str,
    quantity: Quantity,
    original: fn(&crate::plan::Original) -> Option<f64>,
) -> Option<Trend> {
    let pairs: Vec<(String, f64, f64)> = points
        .iter()
        .filter_map(|p| {
            let theirs = p.original.as_ref().and_then(original)?;
            let ours = p.centre(quantity)?;
            Some((p.point.clone(), theirs, ours))
        })
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let theirs: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let ours: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    Some(Trend {
        what,
        points: pairs.into_iter().map(|p| p.0).collect(),
        original: Direction::of(&theirs),
        ours: Direction::of(&ours),
    })
}

/// A number in at most four significant digits.
pub(super) fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e4) {
        format!("{x:.3e}")
    } else {
        let text = format!("{x:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

pub(super) fn verdict_class(line: &str) -> &'static str {
    if line.ends_with(": yes") {
        "verdict yes"
    } else if line.ends_with(": partly") {
        "verdict partly"
    } else if line.ends_with(": no") {
        "verdict no"
    } else {
        "verdict none"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::QuantitySummary;
    use crate::plan::Original;

    /// A point whose seeds ended with these F1s and final training losses.
    pub(crate) fn point(label: &str, f1: &[f64], loss: &[f64], original: Original) -> PointSummary {
        let summarise = |quantity, values: &[f64]| QuantitySummary {
            quantity,
            statistic: Quantity::statistic(quantity),
            summary: Summary::from_values(values).ok(),
        };
        PointSummary {
            point: label.into(),
            n_runs: f1.len(),
            n_ok: f1.len(),
            n_diverged: 0,
            n_failed: 0,
            n_unfinished: 0,
            bayes_error: None,
            metrics: vec![summarise(F1, f1), summarise(TRAIN_LOSS, loss)],
            n_reached_fraction: 0,
            original: Some(original),
        }
    }

    fn original(f1: Option<f64>, loss: Option<f64>) -> Original {
        Original {
            point: String::new(),
            precision: None,
            recall: None,
            f1,
            loss,
            note: None,
        }
    }

    /// Quick-mode depth=10 (five seeds' final training losses from the quick baseline): the
    /// old rule, mean ± 2·sd = 4.6e-3 ± 6.2e-3, reached below zero and so "contained" the
    /// original's 5.11e-6; the log-scale fences (2.6e-4 to 3.7e-2) do not.
    #[test]
    fn a_loss_decades_below_every_seed_is_outside_the_usual_range() {
        let losses = [8.81e-3, 5.34e-3, 5.74e-3, 1.66e-3, 1.39e-3];
        let s = Summary::from_values(&losses).unwrap();
        assert!((s.mean - 2.0 * s.std) < 5.11e-6, "the old rule's range");
        let (lo, hi) = usual_range(&s, Statistic::MedianIqr);
        assert!(
            lo > 2.5e-4 && lo < 2.7e-4 && hi > 3.6e-2 && hi < 3.8e-2,
            "{lo} {hi}"
        );
        let p = point(
            "depth=10",
            &[1.0; 5],
            &losses,
            original(None, Some(5.11e-6)),
        );
        let verdict = Verdict::new(&[p]);
        assert_eq!(verdict.checks.len(), 1);
        assert!(!verdict.checks[0].in_range && !verdict.checks[0].in_usual_range);
        assert_eq!(verdict.outcome, Some("no"));
    }

    #[test]
    fn a_loss_inside_the_fences_but_outside_min_max_is_partly() {
        let losses = [1.0e-3, 1.2e-3, 1.5e-3, 2.0e-3, 2.2e-3];
        let p = point("a", &[0.9; 5], &losses, original(None, Some(3.0e-3)));
        let verdict = Verdict::new(&[p]);
        assert!(!verdict.checks[0].in_range && verdict.checks[0].in_usual_range);
        assert_eq!(verdict.outcome, Some("partly"));
    }

    #[test]
    fn f1_keeps_mean_plus_minus_two_sd() {
        let s = Summary::from_values(&[0.9, 0.92, 0.94]).unwrap();
        let (lo, hi) = usual_range(&s, Statistic::MeanSd);
        assert!((lo - 0.88).abs() < 1e-12 && (hi - 0.96).abs() < 1e-12);
    }

    #[test]
    fn the_trend_compares_our_medians_of_the_loss() {
        // The means rise (one outlying seed at b and c: 0.01, 0.17, 0.30) while the medians
        // fall like the original's losses: by the medians, the trend matches.
        let points = [
            point("a", &[1.0], &[1e-2, 1e-2, 1e-2], original(None, Some(0.03))),
            point("b", &[1.0], &[1e-3, 1e-3, 0.5], original(None, Some(0.01))),
            point("c", &[1.0], &[1e-4, 1e-4, 0.9], original(None, Some(0.004))),
        ];
        let t = trend(&points, "loss", TRAIN_LOSS, |o| o.loss).unwrap();
        assert_eq!(t.ours, (Direction::Decreasing, -3));
        assert!(t.matches());
    }

    #[test]
    fn direction_is_the_sign_of_kendalls_s() {
        assert_eq!(
            Direction::of(&[0.1, 0.2, 0.3, 0.4]),
            (Direction::Increasing, 6)
        );
        // Noise at the top still reads as increasing: 4 rising pairs, 2 falling.
        assert_eq!(
            Direction::of(&[0.998, 0.997, 1.0, 0.999]),
            (Direction::Increasing, 2)
        );
        assert_eq!(Direction::of(&[3.0, 2.0]), (Direction::Decreasing, -1));
        assert_eq!(Direction::of(&[1.0, 1.0]), (Direction::Flat, 0));
    }
}
