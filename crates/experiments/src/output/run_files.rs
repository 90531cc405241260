//! The files of one run: its loss curve (`curves/<id>.csv`), its gradient norms
//! (`gradients/<id>.csv`), its curvature readings (`curvature/<id>.csv`) and its fitted model
//! (`runs/<id>.model.json`), then its record.

use std::fmt::Write as _;
use std::path::Path;

use super::{MODEL_SUFFIX, RunRecord, write_atomic};
use crate::plan::{Plan, RunPlan};
use crate::run::{CurvatureReading, CurvatureStop, RunOutcome, RunStatus};

/// The header of `curvature/<id>.csv`.
pub const CURVATURE_HEADER: &str = "epoch,lambda_max,lambda_min,stable_lr,iterations,stop_reason";

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

/// A run's curvature readings, one row each: `epoch,lambda_max,lambda_min,stable_lr,
/// iterations,stop_reason` (see [`CurvatureReading`]; a reading that was not measured has
/// empty values, 0 iterations and its reason); `None` when nothing was read.
pub fn curvature_csv(readings: &[CurvatureReading]) -> Option<String> {
    if readings.is_empty() {
        return None;
    }
    let opt = |v: Option<f64>| v.map_or_else(String::new, |x| x.to_string());
    let mut out = format!("{CURVATURE_HEADER}\n");
    for r in readings {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            r.epoch,
            opt(r.lambda_max),
            opt(r.lambda_min),
            opt(r.stable_lr),
            r.iterations,
            r.stop_reason.label()
        );
    }
    Some(out)
}

/// Reads a `curvature/<id>.csv` file's text back into readings (what [`curvature_csv`]
/// wrote).
///
/// # Errors
/// A message naming the line and what is wrong: another header, a row without six cells, or
/// a cell that is not a number or a stop reason.
pub fn parse_curvature_csv(text: &str) -> Result<Vec<CurvatureReading>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(CURVATURE_HEADER) {
        return Err(format!("line 1: expected the header {CURVATURE_HEADER}"));
    }
    let mut readings = Vec::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let cells: Vec<&str> = line.split(',').collect();
        let [epoch, lambda_max, lambda_min, stable_lr, iterations, stop] = cells[..] else {
            return Err(format!("line {n}: expected 6 cells, found {}", cells.len()));
        };
        let number = |cell: &str| -> Result<Option<f64>, String> {
            if cell.is_empty() {
                return Ok(None);
            }
            cell.parse()
                .map(Some)
                .map_err(|_| format!("line {n}: {cell:?} is not a number"))
        };
        let whole = |cell: &str| -> Result<usize, String> {
            cell.parse()
                .map_err(|_| format!("line {n}: {cell:?} is not a whole number"))
        };
        readings.push(CurvatureReading {
            epoch: whole(epoch)?,
            lambda_max: number(lambda_max)?,
            lambda_min: number(lambda_min)?,
            stable_lr: number(stable_lr)?,
            iterations: whole(iterations)?,
            stop_reason: CurvatureStop::from_label(stop)
                .ok_or_else(|| format!("line {n}: {stop:?} is not a curvature stop reason"))?,
        });
    }
    Ok(readings)
}

/// Writes `contents` to `dir/<folder>/<id>.csv`, creating the folder.
fn write_run_csv(dir: &Path, folder: &str, id: &str, contents: &str) -> Result<(), String> {
    let folder = dir.join(folder);
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    write_atomic(&folder.join(format!("{id}.csv")), contents.as_bytes()).map_err(|e| e.to_string())
}

/// Writes a finished run's files (its curve, gradient norms, curvature and model) and then its record,
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
    if let Some(grads) = gradients_csv(outcome)
        && let Err(e) = write_run_csv(dir, "gradients", &id, &grads)
    {
        failures.push(e);
    }
    if let Some(curvature) = curvature_csv(&outcome.curvature)
        && let Err(e) = write_run_csv(dir, "curvature", &id, &curvature)
    {
        failures.push(e);
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
        record.train_metrics = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curvature_rows_read_back_as_written() {
        let readings = [
            CurvatureReading {
                epoch: 0,
                lambda_max: Some(4.0),
                lambda_min: Some(-0.001),
                stable_lr: Some(0.5),
                iterations: 17,
                stop_reason: CurvatureStop::Converged,
            },
            CurvatureReading::none(12, CurvatureStop::Diverged),
        ];
        let text = curvature_csv(&readings).unwrap();
        assert_eq!(
            text,
            "epoch,lambda_max,lambda_min,stable_lr,iterations,stop_reason\n\
             0,4,-0.001,0.5,17,converged\n12,,,,0,diverged\n"
        );
        assert_eq!(parse_curvature_csv(&text).unwrap(), readings);
        assert!(curvature_csv(&[]).is_none());
        let bad = text.replace("converged", "done");
        assert!(parse_curvature_csv(&bad).unwrap_err().contains("line 2"));
        assert!(parse_curvature_csv("epoch\n").is_err());
    }
}
