//! The commands of the binary: running studies ([`studies`]), `train`, `predict`,
//! `gradcheck` and `curvature`, and what they share (output-file checks, printed metrics).

mod columns;
pub mod curvature;
pub mod gradcheck;
pub mod predict;
mod predict_input;
pub mod studies;
pub mod train;

use std::path::{Path, PathBuf};

use core_linalg::Dataset;
use metrics::ClassificationReport;
use models::Classifier;

use crate::error::Error;

fn usage(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

/// Checks, before any work, that `path` can take an output file: its folder exists, and the
/// path is free or (with `force`) an existing regular file. A device, folder or pipe is
/// refused even with `force`: the file is written beside it and renamed over it, which would
/// replace `/dev/null` itself rather than write into it.
fn check_output_file(path: &Path, force: bool) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return Err(usage(format!(
                "{} is not a regular file (a folder, device or pipe): give the path of a file",
                path.display()
            )));
        }
        Ok(_) if !force => {
            return Err(usage(format!(
                "{} exists: pass --force to replace it",
                path.display()
            )));
        }
        _ => {}
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(usage(format!(
            "cannot write {}: the folder {} does not exist; create it first",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// Prints [`metrics_text`] on standard output.
fn print_metrics(
    label: &str,
    model: &dyn Classifier,
    data: &Dataset,
    loss: f64,
) -> Result<(), Error> {
    println!("{}", metrics_text(label, model, data, loss)?);
    Ok(())
}

/// One line of `model`'s metrics on `data` (with its `loss`), after `label`.
fn metrics_text(
    label: &str,
    model: &dyn Classifier,
    data: &Dataset,
    loss: f64,
) -> Result<String, Error> {
    let proba = model
        .predict_proba(data.features())
        .map_err(|e| usage(e.to_string()))?;
    let report = ClassificationReport::new(
        data.labels().as_slice(),
        proba.as_slice(),
        model.threshold(),
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(format!(
        "{label}: precision {:.4}  recall {:.4}  F1 {:.4}  accuracy {:.4}  loss {:.6}  ({} samples)",
        report.precision,
        report.recall,
        report.f1,
        report.accuracy,
        loss,
        data.n_samples()
    ))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}{suffix}"))
}
