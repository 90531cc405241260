//! `experiments curvature`: the loss surface's curvature at a saved model on labelled data,
//! the largest and smallest Hessian eigenvalues and the learning rate they predict stable.

use std::path::PathBuf;
use std::process::ExitCode;

use core_linalg::{Dataset, Matrix};
use models::saved::{self, SavedModel};
use models::{LanczosStop, ModelError};

use super::usage;
use crate::error::{Error, error_chain};
use crate::pipeline::{rng, stream};
use crate::run::lanczos_config;

/// `experiments curvature`.
#[derive(Debug, clap::Args)]
pub struct CurvatureArgs {
    /// A model saved by `train --save` (or a study's `runs/<id>.model.json`).
    #[arg(long)]
    model: PathBuf,
    /// CSV of labelled points: x1,…,xd,label (the data the loss is taken on, usually the
    /// training data; the model's saved standardisation is applied to it).
    #[arg(long)]
    data: PathBuf,
    /// Seed of the Lanczos start vector (the same seed gives the same digits).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// `experiments curvature`: prints λ_max, λ_min, the Lanczos iterations and 2/λ_max.
///
/// # Errors
/// [`Error::Usage`] naming the file for a model or data file that cannot be read or does not
/// fit the model, and for a model whose curvature cannot be measured (a non-finite parameter,
/// an overflowing product).
pub fn curvature(args: &CurvatureArgs) -> Result<ExitCode, Error> {
    let text = std::fs::read_to_string(&args.model)
        .map_err(|e| usage(format!("cannot read model {}: {e}", args.model.display())))?;
    let loaded =
        saved::from_json(&text).map_err(|e| usage(format!("{}: {e}", args.model.display())))?;
    let n_features = loaded.model.classifier().n_features();
    let columns = data::read_features_csv(&args.data)
        .map_err(|e| usage(error_chain(&e)))?
        .ncols();
    if columns == n_features {
        return Err(usage(format!(
            "{} has {columns} columns, the model's features without a label: the curvature of the loss needs labelled data (x1,…,x{n_features},label)",
            args.data.display()
        )));
    }
    let data = data::read_csv(&args.data).map_err(|e| usage(error_chain(&e)))?;
    if data.n_features() != n_features {
        return Err(usage(format!(
            "{} has {} feature columns (and a label) but the model expects {n_features}: the curvature needs labelled data of the model's features",
            args.data.display(),
            data.n_features()
        )));
    }
    let data = match &loaded.input_standardization {
        Some(s) => {
            let (x, y) = data.into_parts();
            let x = Matrix::from_fn(x.nrows(), x.ncols(), |i, j| {
                (x[(i, j)] - s.means[j]) / s.scales[j]
            });
            Dataset::new(x, y).map_err(|e| {
                usage(format!(
                    "{} standardised with the model's statistics: {e}",
                    args.data.display()
                ))
            })?
        }
        None => data,
    };
    let (view, l2): (models::ModelView<'_>, f64) = match &loaded.model {
        SavedModel::Mlp(m) => (m.into(), m.trained_with().map_or(0.0, |t| t.l2())),
        SavedModel::Logistic(m) => (m.into(), m.trained_with().map_or(0.0, |t| t.l2())),
    };
    let config = lanczos_config();
    let reading = models::curvature(
        view,
        &data,
        l2,
        &config,
        &mut rng(args.seed, stream::CURVATURE_COMMAND),
    )
    .map_err(|e| match e {
        ModelError::NonFiniteParameter { .. } | ModelError::CurvatureNotMeasurable { .. } => {
            usage(format!("{}: {e}", args.model.display()))
        }
        other => usage(format!(
            "{} on {}: {other}",
            args.model.display(),
            args.data.display()
        )),
    })?;
    println!(
        "curvature of the training objective (mean cross-entropy{}) at {} on {} ({} samples):",
        if l2 > 0.0 {
            format!(" + {l2}/2·‖W‖²")
        } else {
            String::new()
        },
        args.model.display(),
        args.data.display(),
        data.n_samples()
    );
    println!("  lambda_max  {}", reading.lambda_max);
    println!("  lambda_min  {}", reading.lambda_min);
    let stop = match reading.stop_reason {
        LanczosStop::Converged => {
            format!("converged to a relative residual of {}", config.tolerance())
        }
        _ => format!(
            "stopped at the cap of {} (residuals {:.3e} and {:.3e})",
            config.max_iterations(),
            reading.residual_max,
            reading.residual_min
        ),
    };
    println!(
        "  iterations  {} Hessian-vector products, {stop}",
        reading.iterations
    );
    match reading.max_stable_learning_rate() {
        Some(lr) => println!("  predicted largest stable learning rate 2/lambda_max = {lr}"),
        None => {
            println!("  no predicted stability limit: lambda_max ≤ 0 (no direction curves upward)")
        }
    }
    Ok(ExitCode::SUCCESS)
}
