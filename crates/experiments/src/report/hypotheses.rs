//! The study's pre-registered hypotheses decided from its results: for each, the rule in
//! words with its thresholds, the numbers it read and its verdict ([`rules`]
//! decides). `report.html` and `summary.md` both show them.

use std::fmt::Write as _;
use std::path::Path;

use metrics::Summary;
use serde::Serialize;

use super::html::escape;
use super::rules::{
    self, Outcome, StabilityCounts, StabilityRun, kendall_s, kendall_tau_b, negative_share,
};
use super::splits::SplitDistances;
use crate::output::{self, PointSummary, Quantity, RunRecord, measure_words};
use crate::plan::{
    CLOSER_SPLIT_RATIO, Direction, Hypothesis, Measure, NEGATIVE_CURVATURE_MARGIN,
    OSCILLATION_THRESHOLD, Plan, Rule, RunEvent, STABILITY_CONTRADICTION_SHARE, Selection,
    ShareBound, Split, TREND_SUPPORTED_TAU,
};
use crate::run::RunStatus;

/// One hypothesis decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The hypothesis's name, e.g. `H1`.
    pub name: String,
    /// The hypothesis in words.
    pub statement: String,
    /// What it predicts.
    pub prediction: String,
    /// The rule in words, with the points, thresholds and statistics it uses.
    pub rule: String,
    /// The numbers the rule read, one line each.
    pub numbers: Vec<String>,
    /// The verdict.
    pub verdict: Outcome,
}

/// Decides every hypothesis of `plan` from the study's records (and, for the curvature rules,
/// its `curvature/<id>.csv` files in `dir`).
pub fn evaluate(
    plan: &Plan,
    dir: &Path,
    records: &[RunRecord],
    points: &[PointSummary],
) -> Vec<Evaluation> {
    let study = Results {
        plan,
        dir,
        records,
        points,
    };
    plan.hypotheses.iter().map(|h| study.evaluate(h)).collect()
}

/// What a rule reads.
struct Results<'a> {
    plan: &'a Plan,
    dir: &'a Path,
    records: &'a [RunRecord],
    points: &'a [PointSummary],
}

use super::verdict::short;

/// The values held, as `noise = 0.3, epochs = 160000`, or `every point` when none is.
fn held(selection: &Selection) -> String {
    if selection.at.is_empty() {
        "every point".into()
    } else {
        let values: Vec<String> = selection
            .at
            .iter()
            .map(|v| format!("{} = {v}", v.axis()))
            .collect();
        values.join(", ")
    }
}

impl Results<'_> {
    fn evaluate(&self, h: &Hypothesis) -> Evaluation {
        let (rule, numbers, verdict) = match &h.rule {
            Rule::Trend {
                metric,
                along,
                selection,
                expect,
            } => self.trend(Quantity::Metric(*metric), along.words(), selection, *expect),
            Rule::CloserSplit {
                measure,
                selection,
                expect,
            } => self.closer_split(*measure, selection, *expect),
            Rule::Share { what, point, bound } => self.share(*what, *point, *bound),
            Rule::Stability { margin } => self.stability(*margin),
            Rule::NegativeCurvature {
                more_at,
                than_at,
                tolerance,
            } => self.negative_curvature(*more_at, *than_at, *tolerance),
        };
        Evaluation {
            name: h.name.clone(),
            statement: h.statement.trim().to_owned(),
            prediction: h.prediction.trim().to_owned(),
            rule,
            numbers,
            verdict,
        }
    }

    /// The finished runs (ok or diverged) at point `index`.
    fn finished_at(&self, index: usize) -> impl Iterator<Item = &RunRecord> {
        let label = &self.plan.points[index].label;
        self.records.iter().filter(move |r| {
            &r.point == label && matches!(r.status, RunStatus::Ok | RunStatus::Diverged { .. })
        })
    }

    fn trend(
        &self,
        quantity: Quantity,
        along: &str,
        selection: &Selection,
        expect: Direction,
    ) -> (String, Vec<String>, Outcome) {
        let centre = quantity.statistic().centre_name();
        let (word, sign) = match expect {
            Direction::Increasing => ("rises", 1.0),
            Direction::Decreasing => ("falls", -1.0),
        };
        let rule = format!(
            "Kendall's τ-b of the per-point {centre}s of {} against {along}, in the order the \
             study lists its values, with {} held; τ is counted positive when the {centre} {word} \
             along {along}. Supported if τ ≥ {}, not supported if τ ≤ 0, inconclusive otherwise.",
            quantity.words(),
            held(selection),
            short(TREND_SUPPORTED_TAU),
        );
        let mut numbers = Vec::new();
        let mut values = Vec::new();
        for &i in &selection.points {
            let label = &self.plan.points[i].label;
            match self.points[i].centre(quantity) {
                Some(v) => {
                    values.push(v);
                    numbers.push(format!("{label}: {centre} {}", short(v)));
                }
                None => numbers.push(format!("{label}: no finished run")),
            }
        }
        if values.len() < 2 {
            numbers.push("fewer than two points have a value: no trend".into());
            return (rule, numbers, Outcome::Inconclusive);
        }
        let tau = kendall_tau_b(&values);
        numbers.push(format!(
            "Kendall's S = {:+} of {} pairs; τ-b = {:.3}, signed for the expected direction {:.3}",
            kendall_s(&values),
            values.len() * (values.len() - 1) / 2,
            tau,
            sign * tau
        ));
        (rule, numbers, rules::trend_outcome(sign * tau))
    }

    fn closer_split(
        &self,
        measure: Measure,
        selection: &Selection,
        expect: Split,
    ) -> (String, Vec<String>, Outcome) {
        let log = measure == Measure::Loss;
        let statistic = Quantity::on(Split::Test, measure).statistic();
        let rule = format!(
            "At the points with an original {what} ({}), the distance between the original's \
             values and our per-point {centre}s on each split: the root-mean-square {kind}. \
             Supported if the {expect} part's distance is at most {} × the {other} part's, not \
             supported if the {other} part is closer, inconclusive otherwise.",
            held(selection),
            short(CLOSER_SPLIT_RATIO),
            what = measure_words(measure),
            centre = statistic.centre_name(),
            kind = if log {
                "of log10(ours / original)"
            } else {
                "difference"
            },
            other = expect.other(),
        );
        let comparison = SplitDistances::new(self.plan, self.points, measure, &selection.points);
        let mut numbers = comparison.lines();
        let outcome = match comparison
            .distance(expect)
            .zip(comparison.distance(expect.other()))
        {
            Some((mine, theirs)) => rules::closer_split_outcome(mine, theirs),
            None => {
                numbers.push("no distance on one of the splits: no comparison".into());
                Outcome::Inconclusive
            }
        };
        (rule, numbers, outcome)
    }

    fn share(
        &self,
        what: RunEvent,
        point: usize,
        bound: ShareBound,
    ) -> (String, Vec<String>, Outcome) {
        let label = &self.plan.points[point].label;
        let event = match what {
            RunEvent::Diverged => "diverged".to_owned(),
            RunEvent::Oscillated => format!(
                "oscillated (oscillation measure ≥ {})",
                short(OSCILLATION_THRESHOLD)
            ),
        };
        let (relation, bound_value) = match bound {
            ShareBound::AtLeast(b) => ("at least", b),
            ShareBound::AtMost(b) => ("at most", b),
        };
        let rule = format!(
            "The share of the seeds at {label} that {event}, over the runs that finished \
             (ok or diverged): supported if it is {relation} {}, not supported otherwise.",
            short(bound_value)
        );
        let runs: Vec<&RunRecord> = self.finished_at(point).collect();
        let n_event = runs
            .iter()
            .filter(|r| match what {
                RunEvent::Diverged => matches!(r.status, RunStatus::Diverged { .. }),
                RunEvent::Oscillated => r.oscillation.is_some_and(|o| o >= OSCILLATION_THRESHOLD),
            })
            .count();
        let share = if runs.is_empty() {
            "no share".to_owned()
        } else {
            format!("share {}", short(n_event as f64 / runs.len() as f64))
        };
        let numbers = vec![format!(
            "{n_event} of {} finished seed(s) {}: {share}",
            runs.len(),
            what.key()
        )];
        (
            rule,
            numbers,
            rules::share_outcome(n_event, runs.len(), bound),
        )
    }

    fn stability(&self, margin: f64) -> (String, Vec<String>, Outcome) {
        let rule = format!(
            "Each run's predicted largest stable learning rate is 2/λ_max at initialisation \
             (its epoch-0 curvature reading). A run whose learning rate is above {m} × that \
             should diverge or oscillate (oscillation measure ≥ {osc}); one below it ÷ {m} \
             should do neither; runs in between are not counted. Supported if every counted \
             run does as predicted, not supported if more than {share} of them contradict, \
             inconclusive otherwise.",
            m = short(margin),
            osc = short(OSCILLATION_THRESHOLD),
            share = format_percent(STABILITY_CONTRADICTION_SHARE),
        );
        let mut runs = Vec::new();
        let mut ids = Vec::new();
        let mut unread = 0;
        for record in self
            .records
            .iter()
            .filter(|r| matches!(r.status, RunStatus::Ok | RunStatus::Diverged { .. }))
        {
            let Some(predicted) = record.stable_lr_at_init else {
                unread += 1;
                continue;
            };
            let learning_rate = self.plan.runs[record.index]
                .model
                .training()
                .learning_rate();
            let unstable = matches!(record.status, RunStatus::Diverged { .. })
                || record
                    .oscillation
                    .is_some_and(|o| o >= OSCILLATION_THRESHOLD);
            runs.push(StabilityRun {
                learning_rate,
                predicted,
                unstable,
            });
            ids.push(record.id.as_str());
        }
        let counts = StabilityCounts::new(&runs, margin);
        let contradicting: Vec<&str> = runs
            .iter()
            .zip(&ids)
            .filter(|(r, _)| {
                (r.learning_rate > margin * r.predicted && !r.unstable)
                    || (r.learning_rate < r.predicted / margin && r.unstable)
            })
            .map(|(_, id)| *id)
            .collect();
        let mut numbers = vec![
            format!(
                "above the band: {} run(s), {} diverged or oscillated as predicted",
                counts.above, counts.above_unstable
            ),
            format!(
                "below the band: {} run(s), {} did neither as predicted",
                counts.below, counts.below_stable
            ),
            format!("inside the band (not counted): {} run(s)", counts.inside),
            format!(
                "contradicting: {} of {} counted",
                counts.contradicting(),
                counts.above + counts.below
            ),
        ];
        if !contradicting.is_empty() {
            let shown: Vec<&str> = contradicting.iter().take(12).copied().collect();
            let more = contradicting.len() - shown.len();
            numbers.push(format!(
                "contradicting runs: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if unread > 0 {
            numbers.push(format!(
                "{unread} finished run(s) without a curvature reading at epoch 0 (not counted)"
            ));
        }
        (rule, numbers, counts.outcome())
    }

    fn negative_curvature(
        &self,
        more_at: usize,
        than_at: usize,
        tolerance: f64,
    ) -> (String, Vec<String>, Outcome) {
        let (more, than) = (
            &self.plan.points[more_at].label,
            &self.plan.points[than_at].label,
        );
        let rule = format!(
            "At each point, the share of curvature readings (every run, every reading) with \
             negative curvature, λ_min < −{} × λ_max. Supported if the share at {more} exceeds \
             the share at {than} by at least {}, not supported if it is smaller, inconclusive \
             otherwise.",
            short(tolerance),
            short(NEGATIVE_CURVATURE_MARGIN),
        );
        let mut numbers = Vec::new();
        let mut shares = Vec::new();
        for index in [more_at, than_at] {
            let label = &self.plan.points[index].label;
            let mut readings = Vec::new();
            let mut final_ratios = Vec::new();
            let mut unreadable = 0;
            for record in self.finished_at(index) {
                let path = self
                    .dir
                    .join("curvature")
                    .join(format!("{}.csv", record.id));
                let Ok(parsed) = std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|text| output::parse_curvature_csv(&text))
                else {
                    unreadable += 1;
                    continue;
                };
                let pairs: Vec<(f64, f64)> = parsed
                    .iter()
                    .filter_map(|r| r.lambda_min.zip(r.lambda_max))
                    .collect();
                if let Some(&(min, max)) = pairs.last()
                    && max != 0.0
                {
                    final_ratios.push(min / max);
                }
                readings.extend(pairs);
            }
            let share = negative_share(&readings, tolerance);
            shares.push(share);
            let negative = share.map_or_else(
                || "no reading".to_owned(),
                |s| {
                    format!(
                        "{} of {} readings negative, share {}",
                        (s * readings.len() as f64).round(),
                        readings.len(),
                        short(s)
                    )
                },
            );
            let ratio = Summary::from_values(&final_ratios).map_or_else(
                |_| "–".to_owned(),
                |s| format!("{} [{}, {}]", short(s.median), short(s.q1), short(s.q3)),
            );
            let loss = Quantity::on(Split::Train, Measure::Loss);
            let loss_text = loss.cell(self.points[index].summary(loss).as_ref());
            numbers.push(format!(
                "{label}: {negative}; final λ_min/λ_max, median [Q1, Q3], {ratio}; final training \
                 loss, median [Q1, Q3], {loss_text}"
            ));
            if unreadable > 0 {
                numbers.push(format!(
                    "{label}: {unreadable} run(s) without a readable curvature file"
                ));
            }
        }
        let outcome = match (shares[0], shares[1]) {
            (Some(a), Some(b)) => rules::negative_curvature_outcome(a, b),
            _ => Outcome::Inconclusive,
        };
        (rule, numbers, outcome)
    }
}

/// `0.1` as `10 %`.
fn format_percent(share: f64) -> String {
    format!("{} %", short(share * 100.0))
}

/// The hypotheses as a `summary.md` section (empty without any).
pub fn markdown(evaluations: &[Evaluation]) -> String {
    if evaluations.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "\n## Pre-registered hypotheses\n\nWritten in the study file before any run; each is \
         decided by its rule, mechanically.\n",
    );
    for e in evaluations {
        let _ = write!(
            md,
            "\n### {}: {}\n\n**Statement.** {}\n\n**Prediction.** {}\n\n**Rule.** {}\n\n",
            e.name, e.verdict, e.statement, e.prediction, e.rule
        );
        for line in &e.numbers {
            let _ = writeln!(md, "- {line}");
        }
    }
    md
}

/// The CSS class of a verdict (the page's green, red and amber).
fn verdict_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Supported => "verdict yes",
        Outcome::NotSupported => "verdict no",
        Outcome::Inconclusive => "verdict partly",
    }
}

/// `2 supported, 1 not supported` over the evaluations (empty without any).
pub fn tally(evaluations: &[Evaluation]) -> String {
    [
        Outcome::Supported,
        Outcome::NotSupported,
        Outcome::Inconclusive,
    ]
    .into_iter()
    .filter_map(|o| {
        let n = evaluations.iter().filter(|e| e.verdict == o).count();
        (n > 0).then(|| format!("{n} {o}"))
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// The hypotheses as a `report.html` section (empty without any).
pub fn html(evaluations: &[Evaluation]) -> String {
    if evaluations.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<h2 id=\"hypotheses\">Pre-registered hypotheses</h2>\n<p class=\"note\">Written in the \
         study file before any run; each is decided by its rule, mechanically: {}.</p>\n",
        escape(&tally(evaluations))
    );
    for e in evaluations {
        let _ = write!(
            html,
            "<h3 id=\"{id}\">{name} <span class=\"{class}\">{verdict}</span></h3>\n\
             <dl class=\"lead\">\n<dt>Statement</dt><dd>{statement}</dd>\n\
             <dt>Prediction</dt><dd>{prediction}</dd>\n<dt>Rule</dt><dd>{rule}</dd>\n\
             <dt>Numbers</dt><dd><ul class=\"note\">",
            id = escape(&format!("hypothesis-{}", e.name)),
            name = escape(&e.name),
            class = verdict_class(e.verdict),
            verdict = e.verdict,
            statement = escape(&e.statement),
            prediction = escape(&e.prediction),
            rule = escape(&e.rule),
        );
        for line in &e.numbers {
            let _ = write!(html, "<li>{}</li>", escape(line));
        }
        html.push_str("</ul></dd>\n</dl>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::AxisValue;

    #[test]
    fn held_values_read_as_the_study_file_writes_them() {
        let selection = Selection {
            at: vec![AxisValue::Noise(0.3), AxisValue::Epochs(160000)],
            points: vec![],
        };
        assert_eq!(held(&selection), "noise = 0.3, epochs = 160000");
        let every = Selection {
            at: vec![],
            points: vec![],
        };
        assert_eq!(held(&every), "every point");
        assert_eq!(format_percent(0.1), "10 %");
    }
}
