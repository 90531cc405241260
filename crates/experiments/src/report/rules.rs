//! The statistics each hypothesis rule reads and the verdict it gives: `supported`, `not
//! supported` (the rule's opposite held) or `inconclusive` (neither). One function per rule,
//! on plain numbers, so that each verdict is tested on its own; the thresholds are the plan's
//! (`plan::hypothesis`), where the rules are defined.

use std::fmt;

use crate::plan::{
    CLOSER_SPLIT_RATIO, NEGATIVE_CURVATURE_MARGIN, STABILITY_CONTRADICTION_SHARE, ShareBound,
    TREND_SUPPORTED_TAU,
};

/// What a rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The prediction held.
    Supported,
    /// The rule's opposite held.
    NotSupported,
    /// Neither held (or the results needed were missing).
    Inconclusive,
}

impl Outcome {
    /// `supported`, `not supported` or `inconclusive`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Supported => "supported",
            Outcome::NotSupported => "not supported",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Kendall's S of `values` against their order: the pairs `i < j` with `v[j] > v[i]` minus
/// those with `v[j] < v[i]` (ties count neither way).
pub fn kendall_s(values: &[f64]) -> i64 {
    let mut s = 0i64;
    for (i, a) in values.iter().enumerate() {
        for b in &values[i + 1..] {
            s += match b.total_cmp(a) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
        }
    }
    s
}

/// Kendall's τ-b of `values` against their order (an axis's values, which never tie):
/// `τ = S / √(n₀ · (n₀ − n₁))` with `n₀ = n(n − 1)/2` pairs and `n₁ = Σ t(t − 1)/2` over groups
/// of `t` equal values. It is +1 for a strictly rising sequence, −1 for a falling one, and
/// counts a tie at a ceiling (F1 = 1 at two depths) as neither. A constant sequence (or fewer
/// than two values) has no order to measure: τ is defined as 0.
pub fn kendall_tau_b(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let pairs = n * (n - 1.0) / 2.0;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let tied: f64 = sorted
        .chunk_by(|a, b| a.total_cmp(b).is_eq())
        .map(|group| {
            let t = group.len() as f64;
            t * (t - 1.0) / 2.0
        })
        .sum();
    let denominator = (pairs * (pairs - tied)).sqrt();
    if denominator > 0.0 {
        kendall_s(values) as f64 / denominator
    } else {
        0.0
    }
}

/// `trend`: τ signed so that the expected direction is positive. Supported if
/// τ ≥ [`TREND_SUPPORTED_TAU`], not supported if τ ≤ 0, inconclusive otherwise.
pub fn trend_outcome(signed_tau: f64) -> Outcome {
    if signed_tau >= TREND_SUPPORTED_TAU {
        Outcome::Supported
    } else if signed_tau <= 0.0 {
        Outcome::NotSupported
    } else {
        Outcome::Inconclusive
    }
}

/// The distance between the original's values and ours at the same points: the
/// root-mean-square difference, or (`log_ratio`, for losses) the root-mean-square of
/// `log10(ours / original)`. `None` without a pair, or when a loss is not positive.
pub fn distance(pairs: &[(f64, f64)], log_ratio: bool) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let mut squares = Vec::with_capacity(pairs.len());
    for &(original, ours) in pairs {
        let d = if log_ratio {
            if original <= 0.0 || ours <= 0.0 {
                return None;
            }
            (ours / original).log10()
        } else {
            ours - original
        };
        squares.push(d * d);
    }
    Some((core_linalg::kernels::sum(&squares) / pairs.len() as f64).sqrt())
}

/// `closer_split`: supported if the expected split's distance is at most
/// [`CLOSER_SPLIT_RATIO`] × the other's (and smaller), not supported if the other split is
/// closer, inconclusive otherwise (including equal distances).
pub fn closer_split_outcome(expected: f64, other: f64) -> Outcome {
    if other < expected {
        Outcome::NotSupported
    } else if expected < other && expected <= CLOSER_SPLIT_RATIO * other {
        Outcome::Supported
    } else {
        Outcome::Inconclusive
    }
}

/// `share`: `n_event` of `n_runs` seeds. Supported if the share is within the bound, not
/// supported if not; inconclusive only when no run finished (there is no share).
pub fn share_outcome(n_event: usize, n_runs: usize, bound: ShareBound) -> Outcome {
    if n_runs == 0 {
        return Outcome::Inconclusive;
    }
    let share = n_event as f64 / n_runs as f64;
    let holds = match bound {
        ShareBound::AtLeast(b) => share >= b,
        ShareBound::AtMost(b) => share <= b,
    };
    if holds {
        Outcome::Supported
    } else {
        Outcome::NotSupported
    }
}

/// One run as the `stability` rule reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StabilityRun {
    /// Its learning rate.
    pub learning_rate: f64,
    /// 2 / λ_max at initialisation.
    pub predicted: f64,
    /// Whether it diverged or oscillated.
    pub unstable: bool,
}

/// The counts behind a `stability` verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StabilityCounts {
    /// Runs with a learning rate above margin × predicted.
    pub above: usize,
    /// Of those, the runs that diverged or oscillated (as predicted).
    pub above_unstable: usize,
    /// Runs with a learning rate below predicted / margin.
    pub below: usize,
    /// Of those, the runs that did neither (as predicted).
    pub below_stable: usize,
    /// Runs inside the band, not counted.
    pub inside: usize,
}

impl StabilityCounts {
    /// Counts `runs` against the band `[predicted / margin, margin × predicted]`.
    pub fn new(runs: &[StabilityRun], margin: f64) -> StabilityCounts {
        let mut c = StabilityCounts::default();
        for run in runs {
            if run.learning_rate > margin * run.predicted {
                c.above += 1;
                c.above_unstable += usize::from(run.unstable);
            } else if run.learning_rate < run.predicted / margin {
                c.below += 1;
                c.below_stable += usize::from(!run.unstable);
            } else {
                c.inside += 1;
            }
        }
        c
    }

    /// Runs outside the band that did not do as predicted.
    pub fn contradicting(&self) -> usize {
        (self.above - self.above_unstable) + (self.below - self.below_stable)
    }

    /// `stability`: supported if every run outside the band did as predicted (and there is
    /// one), not supported if more than [`STABILITY_CONTRADICTION_SHARE`] of them
    /// contradict, inconclusive otherwise.
    pub fn outcome(&self) -> Outcome {
        let counted = self.above + self.below;
        let contradicting = self.contradicting();
        if counted == 0 {
            Outcome::Inconclusive
        } else if contradicting == 0 {
            Outcome::Supported
        } else if contradicting as f64 > STABILITY_CONTRADICTION_SHARE * counted as f64 {
            Outcome::NotSupported
        } else {
            Outcome::Inconclusive
        }
    }
}

/// The share of curvature readings `(λ_min, λ_max)` with negative curvature,
/// `λ_min < −tolerance · λ_max`; `None` without a reading.
pub fn negative_share(readings: &[(f64, f64)], tolerance: f64) -> Option<f64> {
    if readings.is_empty() {
        return None;
    }
    let negative = readings
        .iter()
        .filter(|(min, max)| *min < -tolerance * *max)
        .count();
    Some(negative as f64 / readings.len() as f64)
}

/// `negative_curvature`: supported if the share at the point expected to show more is larger
/// by at least [`NEGATIVE_CURVATURE_MARGIN`], not supported if it is smaller, inconclusive
/// otherwise.
pub fn negative_curvature_outcome(share_more: f64, share_than: f64) -> Outcome {
    if share_more - share_than >= NEGATIVE_CURVATURE_MARGIN {
        Outcome::Supported
    } else if share_more < share_than {
        Outcome::NotSupported
    } else {
        Outcome::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_b_of_rising_falling_tied_and_flat_sequences() {
        assert_eq!(kendall_tau_b(&[0.1, 0.2, 0.3, 0.4]), 1.0);
        assert_eq!(kendall_tau_b(&[4.0, 3.0, 2.0, 1.0]), -1.0);
        // Rising to a ceiling: S = 3 of 6 pairs, 3 tied: τ-b = 3 / √(6 · 3) = 0.7071.
        let tau = kendall_tau_b(&[0.95, 1.0, 1.0, 1.0]);
        assert!((tau - 3.0 / 18f64.sqrt()).abs() < 1e-15, "{tau}");
        assert_eq!(kendall_tau_b(&[0.5, 0.5, 0.5]), 0.0);
        assert_eq!(kendall_tau_b(&[0.5]), 0.0);
        assert_eq!(kendall_s(&[0.998, 0.997, 1.0, 0.999]), 2);
    }

    #[test]
    fn trend_verdicts() {
        // Four depths: F1 rising throughout, rising with one swap, and falling.
        let rising = kendall_tau_b(&[0.90, 0.93, 0.98, 1.0]);
        let one_swap = kendall_tau_b(&[0.93, 0.90, 0.98, 0.97]);
        let falling = kendall_tau_b(&[0.91, 0.89, 0.88, 0.87]);
        assert_eq!(trend_outcome(rising), Outcome::Supported);
        assert!((one_swap - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(trend_outcome(one_swap), Outcome::Inconclusive);
        assert_eq!(trend_outcome(falling), Outcome::NotSupported);
        // Expecting a fall, the sign flips.
        assert_eq!(trend_outcome(-falling), Outcome::Supported);
        assert_eq!(trend_outcome(2.0 / 3.0), Outcome::Supported);
        assert_eq!(trend_outcome(0.0), Outcome::NotSupported);
    }

    #[test]
    fn distances_are_rms_differences_and_rms_log_ratios() {
        let d = distance(&[(0.9, 1.0), (0.8, 0.8)], false).unwrap();
        assert!((d - (0.01f64 / 2.0).sqrt()).abs() < 1e-15);
        // Losses 10× and 0.1× the original's: both one decade away.
        let d = distance(&[(1e-3, 1e-2), (1e-3, 1e-4)], true).unwrap();
        assert!((d - 1.0).abs() < 1e-12);
        assert_eq!(distance(&[], false), None);
        assert_eq!(distance(&[(0.0, 1.0)], true), None);
    }

    #[test]
    fn closer_split_verdicts() {
        // The original's F1 at four depths, against train F1 (close) and test F1 (far).
        let original = [0.9552, 0.9848, 0.9925, 1.0];
        let train = [0.96, 0.99, 1.0, 1.0];
        let test = [0.91, 0.89, 0.88, 0.87];
        let pairs = |ours: &[f64]| -> Vec<(f64, f64)> {
            original.iter().copied().zip(ours.iter().copied()).collect()
        };
        let d_train = distance(&pairs(&train), false).unwrap();
        let d_test = distance(&pairs(&test), false).unwrap();
        assert!(d_train < 0.5 * d_test);
        // Train is closer: expecting train is supported, expecting test is not.
        assert_eq!(closer_split_outcome(d_train, d_test), Outcome::Supported);
        assert_eq!(closer_split_outcome(d_test, d_train), Outcome::NotSupported);
        // Closer, but not by half: inconclusive; equal distances too.
        assert_eq!(closer_split_outcome(0.07, 0.1), Outcome::Inconclusive);
        assert_eq!(closer_split_outcome(0.05, 0.1), Outcome::Supported);
        assert_eq!(closer_split_outcome(0.0, 0.0), Outcome::Inconclusive);
    }

    #[test]
    fn share_verdicts() {
        assert_eq!(
            share_outcome(3, 5, ShareBound::AtLeast(0.6)),
            Outcome::Supported
        );
        assert_eq!(
            share_outcome(2, 5, ShareBound::AtLeast(0.6)),
            Outcome::NotSupported
        );
        assert_eq!(
            share_outcome(0, 5, ShareBound::AtMost(0.0)),
            Outcome::Supported
        );
        assert_eq!(
            share_outcome(1, 5, ShareBound::AtMost(0.0)),
            Outcome::NotSupported
        );
        assert_eq!(
            share_outcome(0, 0, ShareBound::AtMost(0.0)),
            Outcome::Inconclusive
        );
    }

    #[test]
    fn stability_verdicts() {
        let run = |learning_rate, unstable| StabilityRun {
            learning_rate,
            predicted: 1.0,
            unstable,
        };
        // Above the band (lr > 2) unstable, below it (lr < 0.5) stable, inside not counted.
        let as_predicted = [
            run(3.0, true),
            run(10.0, true),
            run(0.1, false),
            run(0.3, false),
            run(1.0, true),
        ];
        let c = StabilityCounts::new(&as_predicted, 2.0);
        assert_eq!(
            c,
            StabilityCounts {
                above: 2,
                above_unstable: 2,
                below: 2,
                below_stable: 2,
                inside: 1
            }
        );
        assert_eq!(c.outcome(), Outcome::Supported);
        // One contradiction in 20 counted runs (5 %): inconclusive.
        let mut runs: Vec<StabilityRun> = (0..10).map(|_| run(3.0, true)).collect();
        runs.extend((0..10).map(|_| run(0.1, false)));
        runs[0].unstable = false;
        assert_eq!(
            StabilityCounts::new(&runs, 2.0).outcome(),
            Outcome::Inconclusive
        );
        // Three in 20 (15 %): not supported.
        runs[11].unstable = true;
        runs[12].unstable = true;
        let c = StabilityCounts::new(&runs, 2.0);
        assert_eq!(c.contradicting(), 3);
        assert_eq!(c.outcome(), Outcome::NotSupported);
        // Nothing outside the band: inconclusive.
        assert_eq!(
            StabilityCounts::new(&[run(1.5, true)], 2.0).outcome(),
            Outcome::Inconclusive
        );
    }

    #[test]
    fn negative_curvature_verdicts() {
        let readings = [(-0.01, 1.0), (-1e-4, 1.0), (0.0, 1.0), (-0.5, 2.0)];
        // −1e-4 is not below −1e-3 · 1: two of four readings are negative.
        assert_eq!(negative_share(&readings, 1e-3), Some(0.5));
        assert_eq!(negative_share(&[], 1e-3), None);
        assert_eq!(negative_curvature_outcome(0.5, 0.2), Outcome::Supported);
        assert_eq!(negative_curvature_outcome(0.25, 0.2), Outcome::Inconclusive);
        assert_eq!(negative_curvature_outcome(0.1, 0.2), Outcome::NotSupported);
    }
}
