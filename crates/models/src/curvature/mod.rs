//! The curvature of the loss surface: exact Hessian-vector products of the training objective
//! and, from them, its largest and smallest Hessian eigenvalues by the Lanczos method.
//!
//! The largest eigenvalue λ_max (the *sharpness*) bounds the learning rates at which gradient
//! descent is stable near the current parameters, `η < 2 / λ_max`; a negative smallest
//! eigenvalue λ_min means the parameters sit on a saddle or a slope with a descent direction of
//! negative curvature, not in a minimum. [`curvature`] measures both for a model on a dataset;
//! [`Hessian`] is the operator behind it and [`extreme_eigenvalues`] the eigenvalue method, for
//! any symmetric operator.

mod hessian;
mod lanczos;

use core_linalg::Dataset;
use rand::Rng;

use crate::{ModelError, ModelView};

pub use hessian::{Hessian, HessianFault};
pub use lanczos::extreme_eigenvalues;

/// The settings of the Lanczos iteration behind [`curvature`] and [`extreme_eigenvalues`].
///
/// Each iteration costs one Hessian-vector product (about two epochs of full-batch training)
/// and stops at the first of:
/// - **converged**: both extreme Ritz pairs `(θ, y)` have a residual `‖H y − θ y‖ = |β_k s_k|`
///   (`β_k` the last off-diagonal of the Lanczos matrix, `s_k` the last entry of the Ritz vector
///   in its basis) at most `tolerance · max(|θ_max|, |θ_min|)`. Since `H` is symmetric, an
///   eigenvalue of `H` then lies within that residual of each reported value;
/// - **`max_iterations`** iterations (capped at the number of parameters, where the Krylov
///   space is the whole space).
///
/// The trap: a residual certifies that an eigenvalue lies near each reported value, not that
/// none lies beyond it. λ_max emerges in a few iterations, but a small negative λ_min next to
/// a cluster of eigenvalues near 0 takes longer, and a loose tolerance can stop before it has
/// emerged and report a λ_min ≥ 0. λ_min is resolved to about `tolerance · λ_max`; below that
/// its sign means nothing.
///
/// Defaults: tolerance 1e-5, at most 100 iterations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosConfig {
    max_iterations: usize,
    tolerance: f64,
}

impl Default for LanczosConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl LanczosConfig {
    /// The default iteration cap.
    pub const DEFAULT_MAX_ITERATIONS: usize = 100;
    /// The default relative residual tolerance.
    pub const DEFAULT_TOLERANCE: f64 = 1e-5;

    /// The default settings: at most [`Self::DEFAULT_MAX_ITERATIONS`] iterations, tolerance
    /// [`Self::DEFAULT_TOLERANCE`].
    pub fn new() -> Self {
        LanczosConfig {
            max_iterations: Self::DEFAULT_MAX_ITERATIONS,
            tolerance: Self::DEFAULT_TOLERANCE,
        }
    }

    /// Sets the most iterations (Hessian-vector products) a reading may take, ≥ 1.
    pub fn with_max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Sets the relative residual at which both extreme eigenvalues count as converged, in
    /// (0, 1).
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The most iterations a reading may take.
    pub fn max_iterations(&self) -> usize {
        self.max_iterations
    }

    /// The relative residual tolerance.
    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// Checks both settings.
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`] for `max_iterations = 0` or a tolerance that is
    /// not a number strictly between 0 and 1.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.max_iterations == 0 {
            return Err(ModelError::invalid(
                "max_iterations",
                0,
                "an integer ≥ 1, such as 100",
            ));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(ModelError::invalid(
                "tolerance",
                self.tolerance,
                "a number strictly between 0 and 1, such as 1e-5",
            ));
        }
        Ok(())
    }
}

/// Why the Lanczos iteration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LanczosStop {
    /// Both extreme eigenvalues met the residual tolerance.
    Converged,
    /// The iteration cap (or the number of parameters) was reached first; the residuals say
    /// how far each value may be from an eigenvalue.
    MaxIterations,
}

impl LanczosStop {
    /// A short lowercase label: `converged` or `max_iterations`.
    pub fn label(&self) -> &'static str {
        match self {
            LanczosStop::Converged => "converged",
            LanczosStop::MaxIterations => "max_iterations",
        }
    }
}

/// One curvature reading: the extreme eigenvalues of a symmetric operator (the Hessian of the
/// training objective, for [`curvature`]), with how they were found.
///
/// The values are Ritz values, which lie inside the spectrum (up to rounding): `lambda_max`
/// never exceeds the true largest eigenvalue and `lambda_min` is never below the true smallest,
/// and an eigenvalue lies within each residual of each value. A negative `lambda_min` is therefore
/// proof of negative curvature, whatever the stopping reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curvature {
    /// The largest eigenvalue, λ_max (the sharpness).
    pub lambda_max: f64,
    /// The smallest eigenvalue, λ_min (negative at a saddle).
    pub lambda_min: f64,
    /// Lanczos iterations performed, one Hessian-vector product each.
    pub iterations: usize,
    /// `‖H y − λ_max y‖` for the unit Ritz vector `y` of `lambda_max`.
    pub residual_max: f64,
    /// `‖H y − λ_min y‖` for the unit Ritz vector `y` of `lambda_min`.
    pub residual_min: f64,
    /// Why the iteration stopped.
    pub stop_reason: LanczosStop,
}

impl Curvature {
    /// The largest learning rate at which full-batch gradient descent is stable near these
    /// parameters, `2 / λ_max`; `None` when λ_max ≤ 0 (no direction curves upward).
    ///
    /// On the quadratic model `L(θ + e) ≈ L(θ) + gᵀe + ½ eᵀHe`, a gradient step multiplies the
    /// component of `e` along each eigenvector by `1 − η λ`, which grows in size once
    /// `η > 2 / λ`. It is a local prediction: the curvature changes as training moves.
    pub fn max_stable_learning_rate(&self) -> Option<f64> {
        (self.lambda_max > 0.0).then(|| 2.0 / self.lambda_max)
    }
}

/// Measures the largest and smallest eigenvalues of the Hessian of the training objective
/// (mean binary cross-entropy plus `λ/2 Σ_l ‖W_l‖²`, with `l2` = λ as in training) of `model`
/// on `data`, by Lanczos iteration from a start vector drawn from `rng` over exact
/// [`Hessian`] products.
///
/// `model` is a fitted [`crate::Mlp`] or [`crate::LogisticRegression`] (by reference), or the
/// [`ModelView`] a training observer is handed. The same `rng` state gives the same bits.
///
/// # Errors
/// [`ModelError::InvalidHyperparameter`] for invalid `config` or `l2`; as [`Hessian::new`] for
/// the model and data; [`ModelError::CurvatureNotMeasurable`] when a product overflows.
///
/// # Example
/// ```
/// use core_linalg::{Activation, Dataset, Matrix, Vector};
/// use models::{LanczosConfig, MlpConfig, curvature};
/// use rand::SeedableRng;
///
/// let x = Matrix::from_row_slice(4, 2, &[-2., 0., -1., 1., 1., -1., 2., 0.]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0., 0., 1., 1.]))?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
/// let mlp = MlpConfig::new(&[2, 4, 1])
///     .with_hidden_activation(Activation::Tanh)
///     .initialise(&mut rng)?;
/// let reading = curvature(&mlp, &data, 0.0, &LanczosConfig::new(), &mut rng)?;
/// assert!(reading.lambda_min <= reading.lambda_max);
/// let lr = reading.max_stable_learning_rate().expect("the loss curves upward somewhere");
/// assert_eq!(lr, 2.0 / reading.lambda_max);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Every k-th epoch from a training observer (the data and the generator live in the
/// observer):
/// ```
/// use std::ops::ControlFlow;
/// use core_linalg::{Dataset, Matrix, Vector};
/// use models::{Curvature, EpochProgress, LanczosConfig, MlpConfig, TrainingObserver, curvature};
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
///
/// struct Sharpness<'d> {
///     data: &'d Dataset,
///     every: usize,
///     rng: ChaCha8Rng,
///     readings: Vec<(usize, Result<Curvature, models::ModelError>)>,
/// }
///
/// impl TrainingObserver for Sharpness<'_> {
///     fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
///         if progress.epoch % self.every == 0 {
///             let config = LanczosConfig::new();
///             let reading = curvature(progress.model, self.data, 0.0, &config, &mut self.rng);
///             self.readings.push((progress.epoch, reading));
///         }
///         ControlFlow::Continue(())
///     }
/// }
///
/// let x = Matrix::from_row_slice(4, 2, &[-2., 0., -1., 1., 1., -1., 2., 0.]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0., 0., 1., 1.]))?;
/// let mut observer =
///     Sharpness { data: &data, every: 50, rng: ChaCha8Rng::seed_from_u64(9), readings: vec![] };
/// let config = MlpConfig::new(&[2, 3, 1]).with_learning_rate(0.1).with_epochs(100);
/// config.fit_with(&data, None, &mut ChaCha8Rng::seed_from_u64(1), &mut observer)?;
/// assert_eq!(observer.readings.len(), 3);
/// assert!(observer.readings.iter().all(|(_, r)| r.is_ok()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn curvature<'a, R: Rng + ?Sized>(
    model: impl Into<ModelView<'a>>,
    data: &'a Dataset,
    l2: f64,
    config: &LanczosConfig,
    rng: &mut R,
) -> Result<Curvature, ModelError> {
    config.validate()?;
    let mut hessian = Hessian::new(model, data, l2)?;
    let n = hessian.n_parameters();
    extreme_eigenvalues(n, |v, out| hessian.product_into(v, out), config, rng)
}
