//! `experiments predict`: a saved model's probability and class for every row of a CSV file,
//! written beside the row's own cells, and its metrics when the file has labels.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use core_linalg::Dataset;
use models::saved::SavedModel;

use super::predict_input::read_input;
use super::{check_output_file, metrics_text, usage};
use crate::error::{Error, error_chain};
use crate::output::write_atomic;

/// `experiments predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A model saved by `train --save`.
    #[arg(long)]
    model: PathBuf,
    /// CSV of points: a header naming the model's features (in any order, as they were
    /// named in training) and optionally a label column last; without a header, the
    /// features in the model's order, then optionally the labels.
    #[arg(long)]
    data: PathBuf,
    /// Where to write the predictions (CSV: the input's columns, then probability and
    /// prediction); `-` writes them to standard output.
    #[arg(long)]
    out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

/// `experiments predict`.
pub fn predict(args: &PredictArgs) -> Result<ExitCode, Error> {
    let to_stdout = args.out == Path::new("-");
    if to_stdout && args.force {
        return Err(usage(
            "--out - writes to standard output, which --force cannot replace: leave --force \
             out, or give --out a file name",
        ));
    }
    if !to_stdout {
        check_output_file(&args.out, args.force)?;
    }
    let model = SavedModel::load(&args.model).map_err(|e| usage(error_chain(&e)))?;
    let classes = model.class_labels();
    let input = read_input(&args.data, model.feature_names(), classes).map_err(usage)?;
    let classifier = model.classifier();
    let proba = classifier
        .predict_proba(&input.features)
        .map_err(|e| usage(format!("{}: {e}", args.data.display())))?;
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
    let threshold = classifier.threshold();
    let mut out = input.names.join(",");
    out.push_str(",probability,prediction\n");
    for (cells, p) in input.rows.iter().zip(proba.iter()) {
        let class = classes.name(if *p >= threshold { 1.0 } else { 0.0 });
        out.push_str(&format!("{},{p},{class}\n", cells.join(",")));
    }
    // Metrics first, so that nothing is written when they cannot be had.
    let metrics = match input.labels {
        Some(labels) => {
            let dataset = Dataset::new(input.features, labels).map_err(|e| usage(e.to_string()))?;
            let loss = match &model {
                SavedModel::Mlp(m) => m.loss(&dataset),
                SavedModel::Logistic(m) => m.loss(&dataset),
            }
            .map_err(|e| usage(e.to_string()))?;
            Some(metrics_text("labelled input", classifier, &dataset, loss)?)
        }
        None => None,
    };
    // The report goes where the predictions do not, so `--out -` stays a clean CSV.
    let mut report = format!("wrote {} predictions to ", proba.len());
    if to_stdout {
        std::io::stdout()
            .lock()
            .write_all(out.as_bytes())
            .map_err(|e| Error::Internal(format!("cannot write to standard output: {e}")))?;
        report.push_str("standard output");
    } else {
        write_atomic(&args.out, out.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
        report.push_str(&args.out.display().to_string());
    }
    if let Some(metrics) = metrics {
        report.push('\n');
        report.push_str(&metrics);
    }
    if to_stdout {
        eprintln!("{report}");
    } else {
        println!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}
