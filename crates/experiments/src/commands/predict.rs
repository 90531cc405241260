//! `experiments predict`: a saved model's probability and label for every row of a CSV file,
//! and its metrics when the file has labels.

use std::path::PathBuf;
use std::process::ExitCode;

use core_linalg::{Dataset, Matrix, Vector};
use models::saved::{self, SavedModel};

use super::{check_output_file, print_metrics, usage};
use crate::error::{Error, error_chain};
use crate::output::write_atomic;

/// `experiments predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A model saved by `train --save`.
    #[arg(long)]
    model: PathBuf,
    /// CSV of points: x1,…,xd with an optional label column.
    #[arg(long)]
    data: PathBuf,
    /// Where to write probability,predicted per input row.
    #[arg(long)]
    out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

/// `experiments predict`.
pub fn predict(args: &PredictArgs) -> Result<ExitCode, Error> {
    check_output_file(&args.out, args.force)?;
    let text = std::fs::read_to_string(&args.model)
        .map_err(|e| usage(format!("cannot read model {}: {e}", args.model.display())))?;
    let loaded =
        saved::from_json(&text).map_err(|e| usage(format!("{}: {e}", args.model.display())))?;
    let model = loaded.model.classifier();
    let n_features = model.n_features();
    let raw = data::read_features_csv(&args.data).map_err(|e| usage(error_chain(&e)))?;
    let (features, labels): (Matrix, Option<Vector>) = if raw.ncols() == n_features {
        (raw, None)
    } else if raw.ncols() == n_features + 1 {
        let dataset = data::read_csv(&args.data).map_err(|e| usage(error_chain(&e)))?;
        let (x, y) = dataset.into_parts();
        (x, Some(y))
    } else {
        return Err(usage(format!(
            "{} has {} columns but the model expects {n_features} features (plus an optional label column)",
            args.data.display(),
            raw.ncols()
        )));
    };
    let features = match &loaded.input_standardization {
        Some(s) => Matrix::from_fn(features.nrows(), features.ncols(), |i, j| {
            (features[(i, j)] - s.means[j]) / s.scales[j]
        }),
        None => features,
    };
    let proba = model
        .predict_proba(&features)
        .map_err(|e| usage(e.to_string()))?;
    // Finite weights can still overflow on some input (1e308 · 2 = ∞, and ∞ − ∞ = NaN): say
    // so rather than write a NaN into the predictions.
    if let Some(row) = proba.iter().position(|p| !p.is_finite()) {
        return Err(usage(format!(
            "{} data row {}: the model's probability is {} (its weights overflow on this input); nothing written",
            args.data.display(),
            row + 1,
            proba[row]
        )));
    }
    let threshold = model.threshold();
    let mut out = String::from("probability,predicted\n");
    for p in proba.iter() {
        out.push_str(&format!("{p},{}\n", u8::from(*p >= threshold)));
    }
    write_atomic(&args.out, out.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
    println!(
        "wrote {} predictions to {}",
        proba.len(),
        args.out.display()
    );
    if let Some(labels) = labels {
        let dataset = Dataset::new(features, labels).map_err(|e| usage(e.to_string()))?;
        let loss = match &loaded.model {
            SavedModel::Mlp(m) => m.loss(&dataset),
            SavedModel::Logistic(m) => m.loss(&dataset),
        }
        .map_err(|e| usage(e.to_string()))?;
        print_metrics("labelled input", model, &dataset, loss)?;
    }
    Ok(ExitCode::SUCCESS)
}
