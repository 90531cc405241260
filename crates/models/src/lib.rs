//! # models: logistic regression and a multi-layer perceptron, backpropagation by hand
//!
//! This is the crate other code depends on. It fits binary classifiers on a
//! [`core_linalg::Dataset`] by gradient descent on the binary cross-entropy, with every
//! gradient derived by hand (see the shape table in the source of `network.rs`) and proven
//! against central finite differences by [`check_gradients`], which is public so you can use it
//! too.
//!
//! **The one design decision to know:** configuration is separate from the fitted model. A
//! config ([`MlpConfig`], [`LogisticRegressionConfig`]) holds hyperparameters, is checked once
//! by `validate` before any data is touched, and `fit` turns it into a different type, the
//! fitted model, plus a [`FitReport`]. After validation, fitting can only fail because of the
//! data or because training diverged. The caller owns randomness (every `fit` takes
//! `&mut impl Rng`), so a seeded [`rand_chacha::ChaCha8Rng`] gives bit-identical models on every
//! run; `rand` and `rand_chacha` are re-exported, so a program needs no version of its own.
//! This crate never prints and never spawns threads, and touches files only when asked to
//! (`save`, `load`): progress goes through a [`TrainingObserver`] the caller implements.
//!
//! A fitted model carries what it needs to take raw data: the feature names and class labels
//! of its training [`Dataset`], and, when fitted with [`Standardize::FromTrainingData`], the
//! standardisation it applies to every input. `save` and `load` keep all of it
//! ([`saved`] has the file layout). [`prelude`] holds everything a program needs.
//!
//! After the first epoch, training allocates nothing: every buffer is sized once.
//!
//! # Example
//! ```
//! use models::prelude::*;
//!
//! // Two clusters on a line; label 1 on the right.
//! let x = Matrix::from_row_slice(6, 2, &[-3., 0., -2., 1., -2., -1., 2., 1., 3., 0., 2., -1.]);
//! let data = Dataset::new(x.clone(), Vector::from_vec(vec![0., 0., 0., 1., 1., 1.]))?;
//! let mut rng = ChaCha8Rng::seed_from_u64(42);
//! let (mlp, report) = MlpConfig::new(&[2, 4, 1])
//!     .with_learning_rate(0.1)
//!     .with_epochs(300)
//!     .fit(&data, &mut rng)?;
//! assert_eq!(report.stop_reason, StopReason::Completed);
//! assert!(report.final_train_loss() < report.train_loss[0]);
//! assert_eq!(mlp.predict(&x)?, *data.labels());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

#[doc(hidden)]
pub mod bench_hook;
mod classifier;
mod curvature;
mod error;
mod fitted;
mod gradcheck;
mod logistic;
mod mlp;
mod network;
pub mod saved;
mod train;

/// The README's library example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

pub use classifier::Classifier;
pub use core_linalg::{
    Activation, ClassLabels, Dataset, DatasetError, Matrix, Standardization, StandardizationError,
    Vector,
};
#[doc(hidden)]
pub use curvature::HessianFault;
pub use curvature::{
    Curvature, Hessian, LanczosConfig, LanczosStop, curvature, extreme_eigenvalues,
};
pub use error::ModelError;
pub use fitted::Standardize;
pub use gradcheck::{
    DEFAULT_STEP, Differentiable, GradientCheck, KINKED_STEP, TensorCheck, check_gradients,
    compare_gradients, finite_difference_gradient,
};
pub use logistic::{LogisticRegression, LogisticRegressionConfig};
pub use mlp::{MAX_LAYER_WIDTH, MAX_PARAMETERS, Mlp, MlpConfig};
pub use network::Layer;
pub use saved::{InputStandardization, LoadedModel, SavedModel};
/// The random-number crates the models take their generators from, at the versions this crate
/// was built with (so a program needs no `rand` dependency of its own, and cannot pick a
/// version whose traits do not match).
pub use {rand, rand_chacha};

/// Everything a program needs to build a dataset from its own numbers, fit either model,
/// predict, save and load: `use models::prelude::*;`.
///
/// # Example
/// ```
/// use models::prelude::*;
///
/// let x = Matrix::from_row_slice(4, 1, &[-2.0, -1.0, 1.0, 2.0]);
/// let data = Dataset::new(x.clone(), Vector::from_vec(vec![0.0, 0.0, 1.0, 1.0]))?;
/// let (model, _) = LogisticRegressionConfig::new().fit(&data, &mut ChaCha8Rng::seed_from_u64(1))?;
/// assert_eq!(model.predict(&x)?, *data.labels());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod prelude {
    pub use crate::{
        Activation, BatchMode, ClassLabels, Classifier, Dataset, DatasetError, EarlyStopping,
        FitReport, LogisticRegression, LogisticRegressionConfig, Matrix, Mlp, MlpConfig,
        ModelError, SavedModel, Standardization, StandardizationError, Standardize, StopReason,
        TrainingConfig, Vector,
    };
    pub use rand::SeedableRng;
    pub use rand_chacha::ChaCha8Rng;
}
pub use train::{
    BatchMode, DEFAULT_DIVERGENCE_FACTOR, DEFAULT_LOSS_FRACTION, EarlyStopping, EpochProgress,
    FitReport, GradientNorms, MAX_EPOCHS, ModelView, NoObserver, StopReason, TrainingConfig,
    TrainingObserver,
};
