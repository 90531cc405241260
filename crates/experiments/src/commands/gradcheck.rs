//! `experiments gradcheck`: a random net's hand-written gradients against central finite
//! differences, tensor by tensor.

use std::process::ExitCode;

use core_linalg::{Activation, Dataset, Matrix, Vector};
use models::{Differentiable, MlpConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::usage;
use crate::error::Error;

/// `experiments gradcheck`.
#[derive(Debug, clap::Args)]
pub struct GradcheckArgs {
    /// Layer sizes, input first.
    #[arg(long, value_delimiter = ',', default_value = "2,20,20,1")]
    layers: Vec<usize>,
    /// Hidden activation.
    #[arg(long, default_value = "relu")]
    activation: String,
    /// Seed of the random net and data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of random data points.
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// L2 penalty included in the checked objective.
    #[arg(long, default_value_t = 0.0)]
    l2: f64,
    /// Largest per-tensor relative error that passes.
    #[arg(long, default_value_t = 1e-6)]
    tolerance: f64,
}

/// `experiments gradcheck`.
pub fn gradcheck(args: &GradcheckArgs) -> Result<ExitCode, Error> {
    let activation: Activation = args
        .activation
        .parse()
        .map_err(|e: core_linalg::ParseActivationError| usage(format!("--activation: {e}")))?;
    if args.samples < 2 {
        return Err(usage(
            "--samples must be at least 2 (both classes are drawn)",
        ));
    }
    // Each parameter costs two forward passes over every sample; a handful of samples checks
    // the derivatives as well as many, and a huge count would only exhaust memory or time.
    const MAX_GRADCHECK_SAMPLES: usize = 10_000;
    if args.samples > MAX_GRADCHECK_SAMPLES {
        return Err(usage(format!(
            "--samples {}: at most {MAX_GRADCHECK_SAMPLES} (a few dozen check the derivatives as well)",
            args.samples
        )));
    }
    if !(args.tolerance.is_finite() && args.tolerance > 0.0) {
        return Err(usage(format!(
            "--tolerance {} must be a finite number > 0",
            args.tolerance
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut mlp = MlpConfig::new(&args.layers)
        .with_hidden_activation(activation)
        .initialise(&mut rng)
        .map_err(|e| usage(e.to_string()))?;
    // Check at a generic point: a fresh net's biases are exactly zero, where a ReLU unit with
    // all-zero input sits on its kink and has no derivative to check.
    for t in 0..mlp.n_tensors() {
        for v in mlp.tensor_mut(t) {
            *v += 0.1 * (rng.random::<f64>() - 0.5);
        }
    }
    let d = args.layers[0];
    let x = Matrix::from_fn(args.samples, d, |_, _| rng.random::<f64>() * 2.0 - 1.0);
    let mut y = Vector::from_fn(args.samples, |_, _| {
        f64::from(u8::from(rng.random::<bool>()))
    });
    y[0] = 0.0;
    y[1] = 1.0;
    let data = Dataset::new(x, y).map_err(|e| Error::Internal(e.to_string()))?;
    let check = models::check_gradients(&mlp, &data, args.l2).map_err(|e| usage(e.to_string()))?;
    println!(
        "gradient check of {:?} ({activation}), {} samples, step {:e}, tolerance {:e}",
        args.layers,
        args.samples,
        mlp.finite_difference_step(),
        args.tolerance
    );
    // The one layer numbering of the project: the gradient files, saved models and the
    // gradient heat maps count weight layers from 0 too.
    println!(
        "weight layers are numbered from 0: layer 0 takes the input, layer {} feeds the output",
        args.layers.len().saturating_sub(2)
    );
    println!(
        "{:<18} {:>10} {:>14}  verdict",
        "tensor", "parameters", "relative error"
    );
    for t in &check.tensors {
        let verdict = if t.relative_error <= args.tolerance {
            "ok"
        } else {
            "FAIL"
        };
        println!(
            "{:<18} {:>10} {:>14.3e}  {verdict}",
            t.name, t.n_parameters, t.relative_error
        );
    }
    if check.passes(args.tolerance) {
        println!("all {} tensors within tolerance", check.tensors.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("some tensors exceed the tolerance");
        Ok(ExitCode::from(3))
    }
}
