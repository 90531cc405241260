//! What both fitted models are, and the one path that fits them.
//!
//! A fitted model is a [`Network`] with its decision threshold and the training settings it was
//! fitted with. [`crate::Mlp`] and [`crate::LogisticRegression`] each wrap one
//! [`FittedNetwork`]; they differ only in how the network starts (random weights for the
//! MLP, the zero network `[d, 1]` for logistic regression), which their configs pass to
//! [`fit_network`].

use core_linalg::{Activation, Dataset, Matrix, Vector};
use rand::Rng;

use crate::classifier::{check_prediction_input, check_training_data, check_training_data_shape};
use crate::network::{Layer, Network};
use crate::train::{TrainingConfig, TrainingObserver, train};
use crate::{FitReport, ModelError};

/// The state both fitted models share.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FittedNetwork {
    pub(crate) network: Network,
    pub(crate) threshold: f64,
    /// The settings it was initialised or fitted with; `None` when built from explicit
    /// parameters without them.
    pub(crate) trained_with: Option<TrainingConfig>,
}

/// Checks `data` (and `eval`) against `n_features`, builds the starting network with `start`
/// (which may draw from `rng`), and trains it with `training`.
///
/// `training` must already be validated: this is the step after a config's `validate`.
pub(crate) fn fit_network<R: Rng + ?Sized>(
    training: &TrainingConfig,
    n_features: usize,
    start: impl FnOnce(&mut R) -> Network,
    data: &Dataset,
    eval: Option<&Dataset>,
    rng: &mut R,
    observer: &mut dyn TrainingObserver,
) -> Result<(FittedNetwork, FitReport), ModelError> {
    check_training_data(data, eval, n_features)?;
    let mut network = start(rng);
    let report = train(&mut network, training, data, eval, rng, observer)?;
    Ok((FittedNetwork::untrained(network, training), report))
}

impl FittedNetwork {
    /// `network` with the threshold of `training` and `training` recorded.
    pub(crate) fn untrained(network: Network, training: &TrainingConfig) -> Self {
        FittedNetwork {
            network,
            threshold: training.threshold,
            trained_with: Some(training.clone()),
        }
    }

    /// A model from explicit parameters, checked: the layers chain, every parameter is finite,
    /// the last layer has width 1 and the threshold is a probability.
    pub(crate) fn from_layers(
        layers: Vec<Layer>,
        hidden_activation: Activation,
        threshold: f64,
    ) -> Result<Self, ModelError> {
        if layers.is_empty() {
            return Err(ModelError::invalid("layers", "[]", "at least one layer"));
        }
        for (l, layer) in layers.iter().enumerate() {
            if l > 0 && layer.fan_in() != layers[l - 1].fan_out() {
                return Err(ModelError::ParameterShape {
                    layer: l,
                    tensor: "weights",
                    expected: (layers[l - 1].fan_out(), layer.fan_out()),
                    found: layer.weights.shape(),
                });
            }
            if layer.biases.len() != layer.fan_out() {
                return Err(ModelError::ParameterShape {
                    layer: l,
                    tensor: "biases",
                    expected: (layer.fan_out(), 1),
                    found: (layer.biases.len(), 1),
                });
            }
            if layer.fan_in() == 0 || layer.fan_out() == 0 {
                return Err(ModelError::ParameterShape {
                    layer: l,
                    tensor: "weights",
                    expected: (layer.fan_in().max(1), layer.fan_out().max(1)),
                    found: layer.weights.shape(),
                });
            }
            for (tensor, values) in [
                ("weights", layer.weights.as_slice()),
                ("biases", layer.biases.as_slice()),
            ] {
                if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                    return Err(ModelError::NonFiniteParameter {
                        layer: l,
                        tensor,
                        index,
                        value: values[index],
                    });
                }
            }
        }
        let last = layers[layers.len() - 1].fan_out();
        if last != 1 {
            return Err(ModelError::invalid(
                "layers",
                format!("last layer width {last}"),
                "a last layer of width 1",
            ));
        }
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ModelError::invalid(
                "threshold",
                threshold,
                "a probability in [0, 1]",
            ));
        }
        Ok(FittedNetwork {
            network: Network {
                layers,
                hidden_activation,
            },
            threshold,
            trained_with: None,
        })
    }

    pub(crate) fn n_features(&self) -> usize {
        self.network.n_features()
    }

    /// The mean binary cross-entropy (no penalty) on `data`.
    pub(crate) fn loss(&self, data: &Dataset) -> Result<f64, ModelError> {
        check_training_data_shape(data, self.n_features())?;
        Ok(self.network.evaluate_objective(data, 0.0))
    }

    /// `P(y = 1 | x)` for each row of `x`, after checking `x`.
    pub(crate) fn predict_proba(&self, x: &Matrix) -> Result<Vector, ModelError> {
        check_prediction_input(x, self.n_features())?;
        Ok(self.network.predict_proba(x))
    }
}

/// The parts of a fitted model's API that only delegate to its [`FittedNetwork`] (in the
/// field `fitted`): the [`crate::Classifier`] implementation, `trained_with` and `loss`.
macro_rules! delegate_to_fitted_network {
    ($model:ty) => {
        impl $model {
            /// The training settings this model was initialised or fitted with (`None` when it
            /// was built from explicit parameters without them).
            pub fn trained_with(&self) -> Option<&$crate::TrainingConfig> {
                self.fitted.trained_with.as_ref()
            }

            /// The mean binary cross-entropy (no penalty) of the model on `data`.
            ///
            /// # Errors
            /// [`ModelError::FeatureCountMismatch`](crate::ModelError::FeatureCountMismatch)
            /// when the data has the wrong number of features.
            pub fn loss(&self, data: &core_linalg::Dataset) -> Result<f64, $crate::ModelError> {
                self.fitted.loss(data)
            }
        }

        impl $crate::Classifier for $model {
            fn n_features(&self) -> usize {
                self.fitted.n_features()
            }

            fn threshold(&self) -> f64 {
                self.fitted.threshold
            }

            fn predict_proba(
                &self,
                x: &core_linalg::Matrix,
            ) -> Result<core_linalg::Vector, $crate::ModelError> {
                self.fitted.predict_proba(x)
            }
        }
    };
}
pub(crate) use delegate_to_fitted_network;
