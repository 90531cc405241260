//! `results.csv`, one row per run, and the study's tables written together.

use std::fmt::Write as _;
use std::path::Path;

use super::{RunRecord, write_atomic};
use crate::plan::Plan;
use crate::report;
use crate::run::RunStatus;

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// The header of `results.csv` for a plan. The test part's metrics keep their unprefixed
/// names (`precision`, …); the training part's follow with `train_` (the final training
/// loss, `train_loss`, was always there); `stable_lr_at_init` is there when the study records
/// curvature.
pub fn results_header(plan: &Plan) -> String {
    let mut h = String::from("run,point");
    for axis in &plan.axes {
        let _ = write!(h, ",{axis}");
    }
    h.push_str(
        ",seed,status,precision,recall,f1,accuracy,roc_auc,train_loss,test_loss,epochs_run,\
         stop_reason,diverged_epoch,epochs_to_fraction,oscillation,bayes_error,wall_seconds,reason,\
         train_precision,train_recall,train_f1,train_accuracy,train_roc_auc",
    );
    if plan.record.curvature_stride > 0 {
        h.push_str(",stable_lr_at_init");
    }
    h.push('\n');
    h
}

/// One `results.csv` row (with `stable_lr_at_init` when `curvature` is recorded). Floats use
/// Rust's shortest round-trip form, so equal numbers give equal text.
pub fn results_row(record: &RunRecord, curvature: bool) -> String {
    let mut row = format!("{},{}", record.id, quote(&record.point));
    for (_, value) in &record.swept {
        let _ = write!(row, ",{value}");
    }
    let m = record.metrics;
    let (diverged_epoch, reason) = match &record.status {
        RunStatus::Diverged { epoch, loss } => (epoch.to_string(), format!("loss {loss}")),
        RunStatus::Failed { reason } => (String::new(), reason.clone()),
        _ => (String::new(), String::new()),
    };
    let _ = write!(
        row,
        ",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.3},{}",
        record.seed,
        record.status.label(),
        opt(m.map(|m| m.precision)),
        opt(m.map(|m| m.recall)),
        opt(m.map(|m| m.f1)),
        opt(m.map(|m| m.accuracy)),
        opt(m.map(|m| m.roc_auc)),
        opt(m.map(|m| m.train_loss)),
        opt(m.map(|m| m.test_loss)),
        record
            .epochs_run
            .map_or_else(String::new, |e| e.to_string()),
        record.stop_reason.as_deref().unwrap_or(""),
        diverged_epoch,
        record
            .epochs_to_fraction
            .map_or_else(String::new, |e| e.to_string()),
        opt(record.oscillation),
        opt(record.bayes_error),
        record.wall_seconds,
        quote(&reason),
    );
    let t = record.train_metrics;
    let _ = write!(
        row,
        ",{},{},{},{},{}",
        opt(t.map(|t| t.precision)),
        opt(t.map(|t| t.recall)),
        opt(t.map(|t| t.f1)),
        opt(t.map(|t| t.accuracy)),
        opt(t.map(|t| t.roc_auc)),
    );
    if curvature {
        let _ = write!(row, ",{}", opt(record.stable_lr_at_init));
    }
    row.push('\n');
    row
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
/// Writes `results.csv`, `summary.json` and `summary.md` for one study (with the split
/// comparison and the hypotheses' verdicts, which `report.html` shows too).
pub fn write_tables(plan: &Plan, dir: &Path, records: &[RunRecord]) -> Result<(), String> {
    let mut csv = results_header(plan);
    for record in records {
        csv.push_str(&results_row(record, plan.record.curvature_stride > 0));
    }
    write_atomic(&dir.join("results.csv"), csv.as_bytes()).map_err(|e| e.to_string())?;
    let points = super::summarise(plan, records);
    let splits = report::splits::compare(plan, &points);
    let hypotheses = report::hypotheses::evaluate(plan, dir, records, &points);
    let json = serde_json::json!({
        "study": plan.name,
        "question": plan.question,
        "finding": plan.finding,
        "quick": plan.quick,
        "points": points,
        "split_comparison": report::splits::json(&splits),
        "hypotheses": hypotheses,
    });
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    write_atomic(&dir.join("summary.json"), text.as_bytes()).map_err(|e| e.to_string())?;
    let mut md = super::summary_markdown(plan, &points);
    md.push_str(&report::splits::markdown(&splits));
    md.push_str(&report::hypotheses::markdown(&hypotheses));
    write_atomic(&dir.join("summary.md"), md.as_bytes()).map_err(|e| e.to_string())
}
