//! Logistic regression: `P(y = 1 | x) = σ(x·w + b)`, fitted by gradient descent on the mean
//! binary cross-entropy.

use core_linalg::{Activation, Dataset, Matrix, Vector};
use rand::Rng;

use crate::classifier::{check_prediction_input, check_training_data};
use crate::network::{Layer, Network};
use crate::train::{NoObserver, TrainingConfig, TrainingObserver, train, training_setters};
use crate::{Classifier, FitReport, ModelError};

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
    training: TrainingConfig,
}

impl Default for LogisticRegressionConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl LogisticRegressionConfig {
    /// The default configuration (learning rate 0.1, 1,000 epochs).
    pub fn new() -> Self {
        LogisticRegressionConfig {
            training: TrainingConfig {
                learning_rate: 0.1,
                ..TrainingConfig::default()
            },
        }
    }

    /// Replaces all training settings at once.
    pub fn with_training(mut self, training: TrainingConfig) -> Self {
        self.training = training;
        self
    }

    fn training_mut(&mut self) -> &mut TrainingConfig {
        &mut self.training
    }

    training_setters!();

    /// The training hyperparameters.
    pub fn training(&self) -> &TrainingConfig {
        &self.training
    }

    /// Checks every hyperparameter before any data is touched.
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`], see [`TrainingConfig::validate`].
    pub fn validate(&self) -> Result<(), ModelError> {
        self.training.validate()
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
        let network = Network {
            layers: vec![Layer::zeros(n_features, 1)],
            hidden_activation: Activation::Identity,
        };
        Ok(LogisticRegression {
            network,
            threshold: self.training.threshold,
            trained_with: Some(self.training.clone()),
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
        let initial = self.initialise(data.n_features())?;
        self.fit_from(initial, data, eval, rng, observer)
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
        check_training_data(data, eval, initial.n_features())?;
        let mut network = initial.network;
        let report = train(&mut network, &self.training, data, eval, rng, observer)?;
        Ok((
            LogisticRegression {
                network,
                threshold: self.training.threshold,
                trained_with: Some(self.training.clone()),
            },
            report,
        ))
    }
}

/// A fitted logistic regression, `P(y = 1 | x) = σ(x·w + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    pub(crate) network: Network,
    threshold: f64,
    trained_with: Option<TrainingConfig>,
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
        let mlp = crate::Mlp::from_layers(vec![layer], Activation::Identity, threshold)?;
        Ok(LogisticRegression {
            network: mlp.network,
            threshold,
            trained_with: None,
        })
    }

    /// The training settings this model was initialised or fitted with (`None` when it was
    /// built from explicit parameters without them).
    pub fn trained_with(&self) -> Option<&TrainingConfig> {
        self.trained_with.as_ref()
    }

    /// Records the training settings (used when loading a saved model).
    pub(crate) fn set_trained_with(&mut self, training: Option<TrainingConfig>) {
        self.trained_with = training;
    }

    /// The weight vector `w`, one entry per feature.
    pub fn weights(&self) -> Vector {
        self.network.layers[0].weights.column(0).into_owned()
    }

    /// The bias `b`.
    pub fn bias(&self) -> f64 {
        self.network.layers[0].biases[0]
    }

    /// The mean binary cross-entropy (no penalty) on `data`.
    ///
    /// # Errors
    /// [`ModelError::FeatureCountMismatch`] when the data has the wrong number of features.
    pub fn loss(&self, data: &Dataset) -> Result<f64, ModelError> {
        crate::classifier::check_training_data_shape(data, self.n_features())?;
        Ok(self.network.evaluate_objective(data, 0.0))
    }
}

impl Classifier for LogisticRegression {
    fn n_features(&self) -> usize {
        self.network.n_features()
    }

    fn threshold(&self) -> f64 {
        self.threshold
    }

    fn predict_proba(&self, x: &Matrix) -> Result<Vector, ModelError> {
        check_prediction_input(x, self.n_features())?;
        Ok(self.network.predict_proba(x))
    }
}
