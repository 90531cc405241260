//! The files of one run: its loss curve (`curves/<id>.csv`), its gradient norms
//! (`gradients/<id>.csv`) and its fitted model (`runs/<id>.model.json`), then its record.

use std::fmt::Write as _;
use std::path::Path;

use super::{MODEL_SUFFIX, RunRecord, write_atomic};
use crate::plan::{Plan, RunPlan};
use crate::run::{RunOutcome, RunStatus};

/// A run's loss curve: every `stride`-th epoch and the last, with the test loss beside it.
pub fn curve_csv(outcome: &RunOutcome, stride: usize) -> Option<String> {
    let report = outcome.report.as_ref()?;
    let mut out = String::from("epoch,train_loss,test_loss\n");
    let n = report.train_loss.len();
    // The test loss is measured at the same epochs (see `plan/model.rs`, `training_config`), so each is
    // found by walking both lists together.
    let mut tests = report.eval_epochs.iter().zip(&report.eval_loss).peekable();
    for (i, loss) in report.train_loss.iter().enumerate() {
        if i % stride == 0 || i + 1 == n {
            while tests.next_if(|&(&epoch, _)| epoch < i).is_some() {}
            let test = tests
                .next_if(|&(&epoch, _)| epoch == i)
                .map_or_else(String::new, |(_, test)| test.to_string());
            let _ = writeln!(out, "{i},{loss},{test}");
        }
    }
    Some(out)
}

/// A finished run's fitted model as `models::saved` JSON, for `runs/<id>.model.json`; `None`
/// for runs that did not end normally (they have no model).
pub fn model_json(outcome: &RunOutcome) -> Option<String> {
    if outcome.status != RunStatus::Ok {
        return None;
    }
    let model = outcome.model.as_ref()?;
    Some(models::saved::to_json(
        model,
        outcome.standardization.as_ref(),
    ))
}

/// A run's sampled gradient norms, one column per layer.
pub fn gradients_csv(outcome: &RunOutcome) -> Option<String> {
    let norms = &outcome.report.as_ref()?.gradient_norms;
    if norms.n_samples() == 0 {
        return None;
    }
    let mut out = String::from("epoch");
    for l in 0..norms.n_layers() {
        let _ = write!(out, ",layer{l}");
    }
    out.push('\n');
    for (i, epoch) in norms.epochs().iter().enumerate() {
        let _ = write!(out, "{epoch}");
        for g in norms.sample(i) {
            let _ = write!(out, ",{g}");
        }
        out.push('\n');
    }
    Some(out)
}

/// Writes a finished run's files (its curve, gradient norms and model) and then its record,
/// `runs/<id>.json`, last: a record on disk means the run's other files are there too.
///
/// Returns the record and one message per file that could not be written (a full disk, say).
/// A run whose files are not all written is recorded as failed, with the first message as its
/// reason, so `--resume` reruns it.
pub fn write_run_files(
    dir: &Path,
    plan: &Plan,
    run: &RunPlan,
    outcome: &RunOutcome,
) -> (RunRecord, Vec<String>) {
    let id = run.id();
    // Each file that cannot be written (a full disk, say) is one error naming it.
    let mut failures: Vec<String> = Vec::new();
    if let Some(curve) = curve_csv(outcome, plan.record.loss_curve_stride)
        && let Err(e) = write_atomic(
            &dir.join("curves").join(format!("{id}.csv")),
            curve.as_bytes(),
        )
    {
        failures.push(e.to_string());
    }
    if let Some(grads) = gradients_csv(outcome) {
        let gdir = dir.join("gradients");
        let written = std::fs::create_dir_all(&gdir)
            .map_err(|e| format!("cannot create {}: {e}", gdir.display()))
            .and_then(|()| {
                write_atomic(&gdir.join(format!("{id}.csv")), grads.as_bytes())
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = written {
            failures.push(e);
        }
    }
    // The model goes first: a record on disk then implies its model is too
    // (a resumed study keeps records, so it must not keep them without models).
    if let Some(json) = model_json(outcome)
        && let Err(e) = write_atomic(
            &dir.join("runs").join(format!("{id}{}", MODEL_SUFFIX)),
            json.as_bytes(),
        )
    {
        failures.push(e.to_string());
    }
    let mut record = RunRecord::new(plan, run, outcome);
    if let Some(first) = failures.first() {
        // A run whose files are not all on disk did not finish: its row says
        // which file failed, and --resume reruns it.
        record.status = RunStatus::Failed {
            reason: first.clone(),
        };
        record.metrics = None;
    }
    let saved = serde_json::to_string_pretty(&record)
        .map_err(|e| e.to_string())
        .and_then(|json| {
            write_atomic(
                &dir.join("runs").join(format!("{id}.json")),
                json.as_bytes(),
            )
            .map_err(|e| e.to_string())
        });
    if let Err(e) = saved {
        failures.push(e);
    }
    (record, failures)
}
