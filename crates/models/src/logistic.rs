//! Logistic regression: `P(y = 1 | x) = σ(x·w + b)`, fitted by gradient descent on the mean
//! binary cross-entropy.

use core_linalg::{Activation, Dataset, Matrix, Vector};
use rand::Rng;

use crate::fitted::{
    FitSettings, FittedNetwork, Standardize, delegate_to_fitted_network, fit_settings_setters,
};
use crate::network::{Layer, Network};
use crate::train::{NoObserver, TrainingConfig, TrainingObserver};
use crate::{FitReport, ModelError};

/// Hyperparameters of logistic regression.
///
/// The model is `σ(x·w + b)`; training minimises the mean binary cross-entropy
/// `−(1/n) Σ [y ln p + (1−y) ln(1−p)]` (plus `λ/2 ‖w‖²` when L2 is set) by vanilla gradient
/// descent from `w = 0, b = 0`. The loss is computed from the logit `x·w + b` with the stable
/// form [`core_linalg::bce_with_logits`], which equals the probability form with clipping at
/// [`core_linalg::PROBABILITY_EPSILON`] (1e-15) wherever `p ∈ [ε, 1 − ε]` and, unlike it,
/// never saturates, so no clipping is needed.
///
/// Defaults: learning rate 0.1, 1,000 epochs, no L2, full batch, threshold 0.5.
///
/// # Example
/// ```
/// use core_linalg::{Dataset, Matrix, Vector};
/// use models::{Classifier, LogisticRegressionConfig};
/// use rand::SeedableRng;
///
/// let x = Matrix::from_row_slice(4, 1, &[-2.0, -1.0, 1.0, 2.0]);
/// let data = Dataset::new(x.clone(), Vector::from_vec(vec![0.0, 0.0, 1.0, 1.0]))?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let (model, report) = LogisticRegressionConfig::new()
///     .with_learning_rate(0.5)
///     .with_epochs(500)
///     .fit(&data, &mut rng)?;
/// assert!(report.final_train_loss() < 0.05);
/// assert!(model.weights()[0] > 0.0);
/// assert_eq!(model.predict(&x)?.as_slice(), &[0.0, 0.0, 1.0, 1.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegressionConfig {
    settings: FitSettings,
}

impl Default for LogisticRegressionConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl LogisticRegressionConfig {
    /// The default configuration (learning rate 0.1, 1,000 epochs, no standardisation).
    pub fn new() -> Self {
        LogisticRegressionConfig {
            settings: FitSettings {
                training: TrainingConfig {
                    learning_rate: 0.1,
                    ..TrainingConfig::default()
                },
                standardize: Standardize::Off,
            },
        }
    }

    fit_settings_setters!("LogisticRegressionConfig::new()");

    /// Checks every hyperparameter before any data is touched.
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`], see [`TrainingConfig::validate`].
    pub fn validate(&self) -> Result<(), ModelError> {
        self.settings.training.validate()
    }

    /// The untrained model for `n_features` features: every weight and the bias zero.
    ///
    /// # Errors
    /// As [`LogisticRegressionConfig::validate`], or `n_features == 0`.
    pub fn initialise(&self, n_features: usize) -> Result<LogisticRegression, ModelError> {
        self.validate()?;
        if n_features == 0 {
            return Err(ModelError::invalid("n_features", 0, "at least 1 feature"));
        }
        Ok(LogisticRegression {
            fitted: FittedNetwork::untrained(zero_network(n_features), &self.settings.training),
        })
    }

    /// Fits on `data`. The RNG is used only for mini-batch shuffling (the start is all zeros).
    ///
    /// # Errors
    /// Hyperparameter errors as [`LogisticRegressionConfig::validate`];
    /// [`ModelError::SingleClass`]; [`ModelError::Diverged`] when the loss stops being finite
    /// or explodes (the report up to then is inside).
    pub fn fit<R: Rng + ?Sized>(
        &self,
        data: &Dataset,
        rng: &mut R,
    ) -> Result<(LogisticRegression, FitReport), ModelError> {
        self.fit_with(data, None, rng, &mut NoObserver)
    }

    /// [`LogisticRegressionConfig::fit`] with an evaluation set and a progress observer.
    ///
    /// # Errors
    /// As [`LogisticRegressionConfig::fit`], plus an evaluation set with the wrong feature count.
    pub fn fit_with<R: Rng + ?Sized>(
        &self,
        data: &Dataset,
        eval: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(LogisticRegression, FitReport), ModelError> {
        self.validate()?;
        let n_features = data.n_features();
        let start = |_: &mut R| zero_network(n_features);
        let (fitted, report) = self
            .settings
            .fit(n_features, start, data, eval, rng, observer)?;
        Ok((LogisticRegression { fitted }, report))
    }

    /// Trains starting from the given model's parameters.
    ///
    /// # Errors
    /// As [`LogisticRegressionConfig::fit_with`], plus a feature-count mismatch between
    /// `initial` and the data.
    pub fn fit_from<R: Rng + ?Sized>(
        &self,
        initial: LogisticRegression,
        data: &Dataset,
        eval: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(LogisticRegression, FitReport), ModelError> {
        self.validate()?;
        let n_features = initial.fitted.n_features();
        let start = |_: &mut R| initial.fitted.network;
        let (fitted, report) = self
            .settings
            .fit(n_features, start, data, eval, rng, observer)?;
        Ok((LogisticRegression { fitted }, report))
    }
}

/// Logistic regression's network: `[d, 1]`, no hidden layer, every parameter zero.
fn zero_network(n_features: usize) -> Network {
    Network {
        layers: vec![Layer::zeros(n_features, 1)],
        hidden_activation: Activation::Identity,
    }
}

/// A fitted logistic regression, `P(y = 1 | x) = σ(x·w + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    pub(crate) fitted: FittedNetwork,
}

impl LogisticRegression {
    /// Builds a model from explicit weights, bias and threshold (for loading saved models).
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`] for no weights or a threshold outside [0, 1];
    /// [`ModelError::NonFiniteParameter`] for a NaN or infinite parameter.
    pub fn from_parameters(
        weights: Vector,
        bias: f64,
        threshold: f64,
    ) -> Result<LogisticRegression, ModelError> {
        if weights.is_empty() {
            return Err(ModelError::invalid("weights", "[]", "at least one weight"));
        }
        let n = weights.len();
        let layer = Layer {
            weights: Matrix::from_column_slice(n, 1, weights.as_slice()),
            biases: Vector::from_element(1, bias),
        };
        let fitted = FittedNetwork::from_layers(vec![layer], Activation::Identity, threshold)?;
        Ok(LogisticRegression { fitted })
    }

    /// The weight vector `w`, one entry per feature.
    pub fn weights(&self) -> Vector {
        self.fitted.network.layers[0].weights.column(0).into_owned()
    }

    /// The bias `b`.
    pub fn bias(&self) -> f64 {
        self.fitted.network.layers[0].biases[0]
    }
}

delegate_to_fitted_network!(
    LogisticRegression,
    Logistic,
    "logistic",
    "LogisticRegressionConfig::new().with_learning_rate(0.5).with_epochs(300)"
);
