//! The multi-layer perceptron: configuration, fitting and the fitted model.

use core_linalg::{Activation, Dataset};
use rand::Rng;

use crate::fitted::{
    FitSettings, FittedNetwork, Standardize, delegate_to_fitted_network, fit_settings_setters,
};
use crate::network::{Initialisation, Layer, Network};
use crate::train::{NoObserver, TrainingConfig, TrainingObserver};
use crate::{FitReport, ModelError};

/// The widest layer accepted: a resource guard against typos such as `200000`.
pub const MAX_LAYER_WIDTH: usize = 100_000;
/// The most parameters (weights and biases) a network may have: about 400 MB of f64.
pub const MAX_PARAMETERS: usize = 50_000_000;

/// Hyperparameters of a multi-layer perceptron: layer sizes, hidden activation and training.
///
/// Layer sizes run from the input to the output, e.g. `[2, 20, 20, 1]`: 2 features, two hidden
/// layers of 20 neurons, one output logit. The hidden layers share one activation (ReLU by
/// default); the output is a logit passed through the sigmoid, trained with binary
/// cross-entropy. Weights are initialised with He (`N(0, 2/fan_in)`) for ReLU hidden layers and
/// Xavier/Glorot (`N(0, 2/(fan_in + fan_out))`) otherwise and for the output layer; biases at 0.
///
/// `[d, 1]` (no hidden layer) is logistic regression with a random start.
///
/// # Example
/// ```
/// use core_linalg::{Activation, Dataset, Matrix, Vector};
/// use models::{Classifier, MlpConfig};
/// use rand::SeedableRng;
///
/// // XOR: not linearly separable, so it needs the hidden layer.
/// let x = Matrix::from_row_slice(4, 2, &[0., 0., 0., 1., 1., 0., 1., 1.]);
/// let data = Dataset::new(x.clone(), Vector::from_vec(vec![0., 1., 1., 0.]))?;
/// let config = MlpConfig::new(&[2, 8, 1])
///     .with_hidden_activation(Activation::Tanh)
///     .with_learning_rate(0.5)
///     .with_epochs(2000);
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
/// let (mlp, report) = config.fit(&data, &mut rng)?;
/// assert!(report.final_train_loss() < 0.05);
/// assert_eq!(mlp.predict(&x)?.as_slice(), &[0., 1., 1., 0.]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MlpConfig {
    layer_sizes: Vec<usize>,
    hidden_activation: Activation,
    settings: FitSettings,
}

impl MlpConfig {
    /// A configuration with the given layer sizes and default training settings
    /// ([`TrainingConfig::default`]), ReLU hidden layers, no standardisation.
    pub fn new(layer_sizes: &[usize]) -> Self {
        MlpConfig {
            layer_sizes: layer_sizes.to_vec(),
            hidden_activation: Activation::Relu,
            settings: FitSettings {
                training: TrainingConfig::default(),
                standardize: Standardize::Off,
            },
        }
    }

    /// Sets the activation of every hidden layer.
    pub fn with_hidden_activation(mut self, activation: Activation) -> Self {
        self.hidden_activation = activation;
        self
    }

    fit_settings_setters!("MlpConfig::new(&[2, 8, 1])");

    /// The layer sizes, input first.
    pub fn layer_sizes(&self) -> &[usize] {
        &self.layer_sizes
    }

    /// The hidden activation.
    pub fn hidden_activation(&self) -> Activation {
        self.hidden_activation
    }

    /// Checks every hyperparameter before any data is touched.
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`] for fewer than two layer sizes, a zero or absurdly
    /// wide layer, an output size other than 1, too many parameters, or any invalid training
    /// setting (see [`TrainingConfig::validate`]).
    pub fn validate(&self) -> Result<(), ModelError> {
        let sizes = &self.layer_sizes;
        let shown = || format!("{sizes:?}");
        if sizes.len() < 2 {
            return Err(ModelError::invalid(
                "layer_sizes",
                shown(),
                "at least an input and an output size, such as [2, 20, 20, 1]",
            ));
        }
        if let Some(i) = sizes.iter().position(|&w| w == 0) {
            return Err(ModelError::invalid(
                "layer_sizes",
                shown(),
                format!("every size ≥ 1, but entry {i} is 0"),
            ));
        }
        if let Some(i) = sizes.iter().position(|&w| w > MAX_LAYER_WIDTH) {
            return Err(ModelError::invalid(
                "layer_sizes",
                shown(),
                format!(
                    "every size ≤ {MAX_LAYER_WIDTH}, but entry {i} is {}",
                    sizes[i]
                ),
            ));
        }
        if sizes[sizes.len() - 1] != 1 {
            return Err(ModelError::invalid(
                "layer_sizes",
                shown(),
                "a last size of 1 (one output logit for binary classification)",
            ));
        }
        let n_parameters: usize = sizes.windows(2).map(|p| (p[0] + 1) * p[1]).sum();
        if n_parameters > MAX_PARAMETERS {
            return Err(ModelError::invalid(
                "layer_sizes",
                shown(),
                format!("at most {MAX_PARAMETERS} parameters, but these sizes need {n_parameters}"),
            ));
        }
        self.settings.training.validate()
    }

    /// Draws initial parameters from `rng` without training (what `fit` starts from with the
    /// same RNG state).
    ///
    /// # Errors
    /// As [`MlpConfig::validate`].
    pub fn initialise<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Mlp, ModelError> {
        self.validate()?;
        Ok(Mlp {
            fitted: FittedNetwork::untrained(self.initial_network(rng), &self.settings.training),
        })
    }

    /// The initial network drawn from `rng`; the configuration must be validated.
    fn initial_network<R: Rng + ?Sized>(&self, rng: &mut R) -> Network {
        Network::initialise(
            &self.layer_sizes,
            self.hidden_activation,
            Initialisation::for_hidden(self.hidden_activation),
            rng,
        )
    }

    /// Initialises from `rng` and trains on `data`.
    ///
    /// # Errors
    /// Hyperparameter errors as [`MlpConfig::validate`]; [`ModelError::FeatureCountMismatch`]
    /// if the first layer size differs from the data's feature count;
    /// [`ModelError::SingleClass`]; [`ModelError::Diverged`] if the loss stops being finite or
    /// exceeds the divergence factor times the first loss (the report up to then is inside).
    pub fn fit<R: Rng + ?Sized>(
        &self,
        data: &Dataset,
        rng: &mut R,
    ) -> Result<(Mlp, FitReport), ModelError> {
        self.fit_with(data, None, rng, &mut NoObserver)
    }

    /// [`MlpConfig::fit`] with an evaluation set (its loss is recorded at every epoch) and an
    /// observer for progress and interruption.
    ///
    /// # Errors
    /// As [`MlpConfig::fit`]; the evaluation set's feature count is checked too.
    pub fn fit_with<R: Rng + ?Sized>(
        &self,
        data: &Dataset,
        eval: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(Mlp, FitReport), ModelError> {
        self.validate()?;
        let start = |rng: &mut R| self.initial_network(rng);
        let n_features = self.layer_sizes[0];
        let (fitted, report) = self
            .settings
            .fit(n_features, start, data, eval, rng, observer)?;
        Ok((Mlp { fitted }, report))
    }

    /// Trains starting from the given parameters instead of a fresh initialisation (for
    /// example a model saved by `initialise`). The RNG is only used for mini-batch shuffling.
    ///
    /// # Errors
    /// As [`MlpConfig::fit_with`], plus [`ModelError::InvalidHyperparameter`] if `initial`'s
    /// layer sizes differ from the configuration's.
    pub fn fit_from<R: Rng + ?Sized>(
        &self,
        initial: Mlp,
        data: &Dataset,
        eval: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(Mlp, FitReport), ModelError> {
        self.validate()?;
        if initial.layer_sizes() != self.layer_sizes {
            return Err(ModelError::invalid(
                "layer_sizes",
                format!("{:?}", initial.layer_sizes()),
                format!("the configured sizes {:?}", self.layer_sizes),
            ));
        }
        let mut network = initial.fitted.network;
        network.hidden_activation = self.hidden_activation;
        let start = |_: &mut R| network;
        let n_features = self.layer_sizes[0];
        let (fitted, report) = self
            .settings
            .fit(n_features, start, data, eval, rng, observer)?;
        Ok((Mlp { fitted }, report))
    }
}

/// A fitted multi-layer perceptron.
///
/// Read its parameters with [`Mlp::layers`]: layer `l`'s `weights` is `fan_in × fan_out`, so the
/// forward pass is `A_l = f(A_{l-1} · W_l + b_l)` with samples as rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub(crate) fitted: FittedNetwork,
}

impl Mlp {
    /// Builds a model from explicit parameters (for loading saved models).
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`] for no layers, a last layer not of width 1, or a
    /// threshold outside [0, 1]; [`ModelError::ParameterShape`] when consecutive layers do not
    /// chain or biases do not match their weights; [`ModelError::NonFiniteParameter`] for a
    /// non-finite parameter.
    pub fn from_layers(
        layers: Vec<Layer>,
        hidden_activation: Activation,
        threshold: f64,
    ) -> Result<Mlp, ModelError> {
        let fitted = FittedNetwork::from_layers(layers, hidden_activation, threshold)?;
        Ok(Mlp { fitted })
    }

    /// The layers, input side first.
    pub fn layers(&self) -> &[Layer] {
        &self.fitted.network.layers
    }

    /// The layer sizes, input first, e.g. `[2, 20, 20, 1]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.fitted.network.layer_sizes()
    }

    /// The hidden-layer activation.
    pub fn hidden_activation(&self) -> Activation {
        self.fitted.network.hidden_activation
    }
}

delegate_to_fitted_network!(
    Mlp,
    Mlp,
    "mlp",
    "MlpConfig::new(&[2, 4, 1]).with_learning_rate(0.5).with_epochs(300)"
);
