//! Summaries per sweep point (mean ± standard deviation over seeds, the original's numbers
//! beside ours) for `summary.json`, `summary.md` and `report.html`.

use std::fmt::Write as _;

use metrics::Summary;
use serde::Serialize;

use super::RunRecord;
use crate::plan::{Original, Plan};
use crate::run::{RunStatus, TestMetrics};

/// Mean and spread of one metric at one sweep point.
#[derive(Debug, Clone, Serialize)]
pub struct PointSummary {
    /// The point's label.
    pub point: String,
    /// Runs at this point.
    pub n_runs: usize,
    /// Runs that finished normally.
    pub n_ok: usize,
    /// Runs that diverged.
    pub n_diverged: usize,
    /// Runs that failed.
    pub n_failed: usize,
    /// Runs that were interrupted or have not run yet (an interrupted study, before
    /// `--resume`).
    pub n_unfinished: usize,
    /// Each metric over the runs that finished normally.
    pub metrics: Vec<(String, Option<Summary>)>,
    /// How many finished runs reached the loss fraction.
    pub n_reached_fraction: usize,
    /// The original project's numbers for this point.
    pub original: Option<Original>,
}

/// Summaries per sweep point, in point order.
pub fn summarise(plan: &Plan, records: &[RunRecord]) -> Vec<PointSummary> {
    plan.points
        .iter()
        .map(|point| {
            let label = &point.label;
            let here: Vec<&RunRecord> = records.iter().filter(|r| &r.point == label).collect();
            let ok: Vec<&RunRecord> = here
                .iter()
                .copied()
                .filter(|r| r.metrics.is_some())
                .collect();
            let summary = |f: &dyn Fn(&RunRecord) -> Option<f64>| {
                let values: Vec<f64> = ok.iter().filter_map(|r| f(r)).collect();
                Summary::from_values(&values).ok()
            };
            let metric =
                |f: fn(&TestMetrics) -> f64| move |r: &RunRecord| r.metrics.as_ref().map(f);
            let epochs_to = |r: &RunRecord| r.epochs_to_fraction.map(|e| e as f64);
            PointSummary {
                point: label.clone(),
                n_runs: here.len(),
                n_ok: ok.len(),
                n_diverged: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Diverged { .. }))
                    .count(),
                n_failed: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Failed { .. }))
                    .count(),
                n_unfinished: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Interrupted | RunStatus::Pending))
                    .count(),
                metrics: vec![
                    ("f1".into(), summary(&metric(|m| m.f1))),
                    ("precision".into(), summary(&metric(|m| m.precision))),
                    ("recall".into(), summary(&metric(|m| m.recall))),
                    ("accuracy".into(), summary(&metric(|m| m.accuracy))),
                    ("roc_auc".into(), summary(&metric(|m| m.roc_auc))),
                    ("train_loss".into(), summary(&metric(|m| m.train_loss))),
                    ("test_loss".into(), summary(&metric(|m| m.test_loss))),
                    ("epochs_to_fraction".into(), summary(&epochs_to)),
                    ("oscillation".into(), summary(&|r| r.oscillation)),
                ],
                n_reached_fraction: ok.iter().filter(|r| epochs_to(r).is_some()).count(),
                original: point.original.clone(),
            }
        })
        .collect()
}

/// A summary as `mean ± std` with `digits` decimals (the mean alone for one value, `–` for none).
pub fn cell(s: Option<&Summary>, digits: usize) -> String {
    match s {
        Some(s) if s.n > 1 => format!("{:.*} ± {:.*}", digits, s.mean, digits, s.std),
        Some(s) => format!("{:.*}", digits, s.mean),
        None => "–".into(),
    }
}

/// A loss summary in scientific notation, as [`cell`].
pub fn loss_cell(s: Option<&Summary>) -> String {
    match s {
        Some(s) if s.n > 1 => format!("{:.3e} ± {:.1e}", s.mean, s.std),
        Some(s) => format!("{:.3e}", s.mean),
        None => "–".into(),
    }
}

/// The named metric's summary at a point, if any run finished.
pub fn point_metric(p: &PointSummary, name: &str) -> Option<Summary> {
    p.metrics
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, s)| s.as_ref())
        .copied()
}

/// The summary table shared by `summary.md` and `report.html`: the column headings, then one
/// row of cells per point (ours beside the original's).
pub fn summary_table(plan: &Plan, points: &[PointSummary]) -> (Vec<String>, Vec<Vec<String>>) {
    let original = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |x| format!("{x}"));
    let fraction = plan.record.loss_fraction * 100.0;
    let header = [
        "point",
        "F1",
        "original F1",
        "train loss",
        "original loss",
        "test loss",
        "precision",
        "recall",
        &format!("epochs to {fraction:.0}%"),
        "oscillation",
        "ok / diverged / failed",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows = points
        .iter()
        .map(|p| {
            let o = p.original.as_ref();
            vec![
                p.point.clone(),
                cell(point_metric(p, "f1").as_ref(), 4),
                original(o.and_then(|o| o.f1)),
                loss_cell(point_metric(p, "train_loss").as_ref()),
                original(o.and_then(|o| o.loss)),
                loss_cell(point_metric(p, "test_loss").as_ref()),
                cell(point_metric(p, "precision").as_ref(), 4),
                cell(point_metric(p, "recall").as_ref(), 4),
                format!(
                    "{} ({} of {})",
                    cell(point_metric(p, "epochs_to_fraction").as_ref(), 0),
                    p.n_reached_fraction,
                    p.n_ok
                ),
                cell(point_metric(p, "oscillation").as_ref(), 3),
                if p.n_unfinished == 0 {
                    format!("{} / {} / {}", p.n_ok, p.n_diverged, p.n_failed)
                } else {
                    // An interrupted study: its pending runs are not failures.
                    format!(
                        "{} / {} / {} (+{} not run yet)",
                        p.n_ok, p.n_diverged, p.n_failed, p.n_unfinished
                    )
                },
            ]
        })
        .collect();
    (header, rows)
}

/// The sentence under the summary table's heading: what a row averages.
pub fn summary_preamble(plan: &Plan) -> String {
    let fraction = plan.record.loss_fraction * 100.0;
    format!(
        "Mean ± standard deviation over {} seed(s) per row; runs that diverged or failed are \
         counted, not averaged. Losses are binary cross-entropy; \"epochs to {fraction:.0}%\" \
         is the first epoch whose training loss is at most {fraction:.0}% of the first.",
        plan.seeds.len(),
    )
}

/// The original's numbers that have no column of their own (precision, recall, notes), as
/// `(point, "precision 0.99, recall 1")` for each point that has any.
pub fn other_original_numbers(points: &[PointSummary]) -> Vec<(String, String)> {
    points
        .iter()
        .filter_map(|p| {
            let o = p.original.as_ref()?;
            let mut parts = Vec::new();
            if let Some(v) = o.precision {
                parts.push(format!("precision {v}"));
            }
            if let Some(v) = o.recall {
                parts.push(format!("recall {v}"));
            }
            if let Some(n) = &o.note {
                parts.push(n.clone());
            }
            (!parts.is_empty()).then(|| (p.point.clone(), parts.join(", ")))
        })
        .collect()
}

/// `summary.md`: the original project's table form, ours beside theirs.
pub fn summary_markdown(plan: &Plan, points: &[PointSummary]) -> String {
    let mut md = format!("# Study `{}`\n\n", plan.name);
    if !plan.question.is_empty() {
        let _ = writeln!(md, "**Question.** {}\n", plan.question.trim());
    }
    if !plan.finding.is_empty() {
        let _ = writeln!(md, "**Original finding.** {}\n", plan.finding.trim());
    }
    let _ = writeln!(
        md,
        "{}{}\n",
        summary_preamble(plan),
        if plan.quick {
            " **Quick run: epochs divided by 100; not comparable with the original.**"
        } else {
            ""
        }
    );
    let (header, rows) = summary_table(plan, points);
    let _ = writeln!(md, "| {} |", header.join(" | "));
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    let notes: Vec<String> = other_original_numbers(points)
        .into_iter()
        .map(|(point, text)| format!("- {point}: original {text}"))
        .collect();
    if !notes.is_empty() {
        md.push_str("\nOther original numbers:\n\n");
        md.push_str(&notes.join("\n"));
        md.push('\n');
    }
    md
}
