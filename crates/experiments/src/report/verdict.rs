//! The verdict of a study: whether the original's numbers and trend are reproduced, by a
//! stated mechanical rule ([`RULE`]), never by judgement.

use crate::output::{self, PointSummary};

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
    /// Within our mean ± 2·std (for divergence: some seed diverged).
    pub(super) within_two_std: bool,
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
        let mut s = 0i64;
        for i in 0..values.len() {
            for j in i + 1..values.len() {
                s += match values[j].partial_cmp(&values[i]) {
                    Some(std::cmp::Ordering::Greater) => 1,
                    Some(std::cmp::Ordering::Less) => -1,
                    _ => 0,
                };
            }
        }
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
    "Values: at each point with an original value, the original F1 and final loss are \
     compared with ours across seeds: inside our min–max, and inside our mean ± 2·std. A point \
     whose original note says it diverged counts as inside our range when every one of our \
     seeds diverged there, and inside 2·std when some did.",
    "Trend: the direction of F1 in point order (of the final loss when fewer than two points \
     have an original F1), over the points with both an original value and ours, taken as the \
     sign of Kendall's S (rising pairs minus falling pairs), for the original values and for \
     our means.",
    "yes = every original value is inside our min–max and the trend matches; partly = the \
     trend matches but some original value is outside our min–max; no = the trend differs.",
    "With fewer than two points to compare there is no trend: yes = every original value is \
     inside our min–max; partly = all are inside our mean ± 2·std; no = otherwise.",
];

impl Verdict {
    pub(super) fn new(points: &[PointSummary]) -> Verdict {
        let mut checks = Vec::new();
        for p in points {
            let Some(original) = &p.original else {
                continue;
            };
            for (what, key, value) in [
                ("F1", "f1", original.f1),
                ("final training loss", "train_loss", original.loss),
            ] {
                let Some(value) = value else {
                    continue;
                };
                let ours = output::point_metric(p, key);
                checks.push(Check {
                    point: p.point.clone(),
                    what,
                    original: format!("{value}"),
                    ours: ours.map_or_else(
                        || "no finished run".to_owned(),
                        |s| {
                            format!(
                                "{} ({} seeds, min {}, max {})",
                                if key == "f1" {
                                    output::cell(Some(&s), 4)
                                } else {
                                    output::loss_cell(Some(&s))
                                },
                                s.n,
                                short(s.min),
                                short(s.max)
                            )
                        },
                    ),
                    in_range: ours.is_some_and(|s| s.min <= value && value <= s.max),
                    within_two_std: ours.is_some_and(|s| (value - s.mean).abs() <= 2.0 * s.std),
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
                    within_two_std: p.n_diverged > 0,
                });
            }
        }
        let trend = trend(points, "F1", "f1", |o| o.f1)
            .or_else(|| trend(points, "final training loss", "train_loss", |o| o.loss));
        let outcome = (!checks.is_empty() || trend.is_some()).then(|| {
            let all_in_range = checks.iter().all(|c| c.in_range);
            match &trend {
                Some(t) if !t.matches() => "no",
                Some(_) if all_in_range => "yes",
                Some(_) => "partly",
                None if all_in_range => "yes",
                None if checks.iter().all(|c| c.within_two_std) => "partly",
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

/// The trend of `what` over the points with both an original value and ours (at least two).
pub(super) fn trend(
    points: &[PointSummary],
    what: &'static str,
    key: &str,
    original: fn(&crate::plan::Original) -> Option<f64>,
) -> Option<Trend> {
    let pairs: Vec<(String, f64, f64)> = points
        .iter()
        .filter_map(|p| {
            let theirs = p.original.as_ref().and_then(original)?;
            let ours = output::point_metric(p, key)?;
            Some((p.point.clone(), theirs, ours.mean))
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
