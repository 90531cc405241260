//! What both fitted models are, and the one path that fits them.
//!
//! A fitted model is a [`Network`] with its decision threshold, the training settings it was
//! fitted with, the standardisation it applies to its inputs (if any), and the names of its
//! features and classes. [`crate::Mlp`] and [`crate::LogisticRegression`] each wrap one
//! [`FittedNetwork`]; they differ only in how the network starts (random weights for the
//! MLP, the zero network `[d, 1]` for logistic regression), which their configs pass to
//! [`FitSettings::fit`]; the settings both configs share, and their setters, are here too.

use std::borrow::Cow;

use core_linalg::{Activation, ClassLabels, Dataset, Matrix, Standardization, Vector};
use rand::Rng;

use crate::classifier::{check_prediction_input, check_training_data, check_training_data_shape};
use crate::network::{Layer, Network};
use crate::train::{TrainingConfig, TrainingObserver, train};
use crate::{FitReport, ModelError};

/// Whether a model standardises its inputs; set with `MlpConfig::with_standardization` or
/// `LogisticRegressionConfig::with_standardization`.
///
/// With [`Standardize::FromTrainingData`], `fit` learns each feature's mean and scale from the
/// training features ([`Standardization::fit`]: the population standard deviation, 1 for a
/// constant column), trains on `(x − mean) / scale`, and the fitted model applies the same
/// transform to every input of `predict`, `predict_proba` and `loss`, so it takes raw
/// features; the statistics are saved and loaded with it. The numbers are those of
/// standardising the data first with the same statistics (`data::Standardizer`), bit for bit.
/// The gradient checker, and a training observer's `progress.model`, see the network alone,
/// which takes standardised inputs.
///
/// # Example
/// ```
/// use models::prelude::*;
///
/// // Features in the thousands: standardised, one learning rate suits them.
/// let x = Matrix::from_row_slice(4, 1, &[1000.0, 1100.0, 1900.0, 2000.0]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0.0, 0.0, 1.0, 1.0]))?;
/// let (model, _) = LogisticRegressionConfig::new()
///     .with_standardization(Standardize::FromTrainingData)
///     .fit(&data, &mut ChaCha8Rng::seed_from_u64(1))?;
/// assert_eq!(model.standardization().map(|s| s.means()), Some(&[1500.0][..]));
/// assert_eq!(model.predict(&Matrix::from_row_slice(2, 1, &[900.0, 2100.0]))?.as_slice(), &[0.0, 1.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standardize {
    /// Features are used as given (the default).
    #[default]
    Off,
    /// Learn the standardisation from the training features and apply it to every input.
    FromTrainingData,
}

/// The state both fitted models share.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FittedNetwork {
    pub(crate) network: Network,
    pub(crate) threshold: f64,
    /// The settings it was initialised or fitted with; `None` when built from explicit
    /// parameters without them.
    pub(crate) trained_with: Option<TrainingConfig>,
    /// Applied to every input before the network.
    pub(crate) standardization: Option<Standardization>,
    /// One per input, from the training data (`x1, …, xd` otherwise).
    pub(crate) feature_names: Vec<String>,
    /// What labels 0 and 1 stand for, from the training data (`0`/`1` otherwise).
    pub(crate) class_labels: ClassLabels,
}

/// What both model configs hold besides the architecture: the training settings and whether
/// to standardise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FitSettings {
    pub(crate) training: TrainingConfig,
    pub(crate) standardize: Standardize,
}

impl FitSettings {
    /// Checks `data` (and `eval`) against `n_features`, learns the standardisation if asked,
    /// builds the starting network with `start` (which may draw from `rng`), and trains it.
    /// The settings must already be validated: this is the step after a config's `validate`.
    pub(crate) fn fit<R: Rng + ?Sized>(
        &self,
        n_features: usize,
        start: impl FnOnce(&mut R) -> Network,
        data: &Dataset,
        eval: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(FittedNetwork, FitReport), ModelError> {
        check_training_data(data, eval, n_features)?;
        let standardization = match self.standardize {
            Standardize::Off => None,
            Standardize::FromTrainingData => Some(Standardization::fit(data.features())),
        };
        let train_data = standardize_dataset(standardization.as_ref(), data)?;
        let eval_data = eval
            .map(|e| standardize_dataset(standardization.as_ref(), e))
            .transpose()?;
        let mut network = start(rng);
        let report = train(
            &mut network,
            &self.training,
            &train_data,
            eval_data.as_deref(),
            rng,
            observer,
        )?;
        Ok((
            FittedNetwork {
                standardization,
                feature_names: data.feature_names().to_vec(),
                class_labels: data.class_labels().clone(),
                ..FittedNetwork::untrained(network, &self.training)
            },
            report,
        ))
    }
}

/// `data` with `standardization` applied to its features, or `data` itself without one.
fn standardize_dataset<'d>(
    standardization: Option<&Standardization>,
    data: &'d Dataset,
) -> Result<Cow<'d, Dataset>, ModelError> {
    let Some(s) = standardization else {
        return Ok(Cow::Borrowed(data));
    };
    let features = s.transform(data.features())?;
    let standardized = data
        .with_features(features)
        .expect("a transform keeps the shape and gives finite values or an error");
    Ok(Cow::Owned(standardized))
}

impl FittedNetwork {
    /// `network` with the threshold of `training` and `training` recorded, default feature
    /// and class names, and no standardisation.
    pub(crate) fn untrained(network: Network, training: &TrainingConfig) -> Self {
        FittedNetwork {
            threshold: training.threshold,
            trained_with: Some(training.clone()),
            ..FittedNetwork::without_names(network)
        }
    }

    /// `network` with threshold 0.5, default names and nothing else recorded.
    fn without_names(network: Network) -> Self {
        FittedNetwork {
            feature_names: core_linalg::default_feature_names(network.n_features()),
            network,
            threshold: 0.5,
            trained_with: None,
            standardization: None,
            class_labels: ClassLabels::default(),
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
            threshold,
            ..FittedNetwork::without_names(Network {
                layers,
                hidden_activation,
            })
        })
    }

    pub(crate) fn n_features(&self) -> usize {
        self.network.n_features()
    }

    /// The mean binary cross-entropy (no penalty) on `data`, standardised first if the model
    /// standardises.
    pub(crate) fn loss(&self, data: &Dataset) -> Result<f64, ModelError> {
        check_training_data_shape(data, self.n_features())?;
        let data = standardize_dataset(self.standardization.as_ref(), data)?;
        Ok(self.network.evaluate_objective(&data, 0.0))
    }

    /// `P(y = 1 | x)` for each row of `x`, after checking `x` and standardising it if the model
    /// standardises.
    pub(crate) fn predict_proba(&self, x: &Matrix) -> Result<Vector, ModelError> {
        check_prediction_input(x, self.n_features())?;
        Ok(match &self.standardization {
            Some(s) => self.network.predict_proba(&s.transform(x)?),
            None => self.network.predict_proba(x),
        })
    }
}

/// The setters and getters of the [`FitSettings`] both model configs hold (in the field
/// `settings`): the training settings (with [`crate::train::training_setters`]) and
/// standardisation. `$config` is a config expression for the examples.
macro_rules! fit_settings_setters {
    ($config:literal) => {
        /// Replaces all training settings at once.
        pub fn with_training(mut self, training: $crate::TrainingConfig) -> Self {
            self.settings.training = training;
            self
        }

        fn training_mut(&mut self) -> &mut $crate::TrainingConfig {
            &mut self.settings.training
        }

        $crate::train::training_setters!();

        /// The training hyperparameters.
        pub fn training(&self) -> &$crate::TrainingConfig {
            &self.settings.training
        }

        /// Sets whether the model standardises its inputs (see
        /// [`Standardize`](crate::Standardize); off by default).
        ///
        /// # Example
        /// ```
        /// use models::prelude::*;
        #[doc = concat!("let config = ", $config, ".with_standardization(Standardize::FromTrainingData);")]
        /// assert_eq!(config.standardization(), Standardize::FromTrainingData);
        /// ```
        pub fn with_standardization(mut self, standardize: $crate::Standardize) -> Self {
            self.settings.standardize = standardize;
            self
        }

        /// Whether the model standardises its inputs.
        ///
        /// # Example
        /// ```
        /// use models::prelude::*;
        #[doc = concat!("assert_eq!(", $config, ".standardization(), Standardize::Off);")]
        /// ```
        pub fn standardization(&self) -> $crate::Standardize {
            self.settings.standardize
        }
    };
}
pub(crate) use fit_settings_setters;

/// The parts of a fitted model's API that only delegate to its [`FittedNetwork`] (in the
/// field `fitted`): the [`crate::Classifier`] implementation, the recorded names and
/// statistics, and saving and loading. `$kind` is the model file's `kind`, `$variant` the
/// model's [`crate::SavedModel`] variant, and `$config` a config expression for the examples.
macro_rules! delegate_to_fitted_network {
    ($model:ident, $variant:ident, $kind:literal, $config:literal) => {
        delegate_to_fitted_network!(@with_setup $model, $variant, $kind, concat!(
            "use models::prelude::*;\n",
            "let x = Matrix::from_row_slice(4, 2, &[0.0, 1.0, 0.5, 2.0, 3.0, 1.0, 3.5, 2.0]);\n",
            "let data = Dataset::new(x.clone(), Vector::from_vec(vec![0.0, 0.0, 1.0, 1.0]))?\n",
            "    .with_feature_names([\"length\", \"weight\"])?\n",
            "    .with_class_labels(ClassLabels::new(\"cat\", \"dog\")?);\n",
            "let config = ", $config, ";\n",
            "let (model, _) = config.fit(&data, &mut ChaCha8Rng::seed_from_u64(1))?;\n",
        ));
    };
    (@with_setup $model:ident, $variant:ident, $kind:literal, $setup:expr) => {
        impl $model {
            /// The training settings this model was initialised or fitted with (`None` when it
            /// was built from explicit parameters without them).
            pub fn trained_with(&self) -> Option<&$crate::TrainingConfig> {
                self.fitted.trained_with.as_ref()
            }

            /// The mean binary cross-entropy (no penalty) of the model on `data`, whose
            /// features are raw: a model that standardises standardises them first.
            ///
            /// # Errors
            /// [`ModelError::FeatureCountMismatch`](crate::ModelError::FeatureCountMismatch)
            /// when the data has the wrong number of features;
            /// [`ModelError::Standardization`](crate::ModelError::Standardization) when
            /// standardising a feature overflows.
            pub fn loss(&self, data: &core_linalg::Dataset) -> Result<f64, $crate::ModelError> {
                self.fitted.loss(data)
            }

            /// The names of the features the model takes, in order: the training data's
            /// ([`Dataset::feature_names`](core_linalg::Dataset::feature_names)), or `x1, …,
            /// xd` for a model not fitted on data.
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            /// assert_eq!(model.feature_names(), ["length", "weight"]);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn feature_names(&self) -> &[String] {
                &self.fitted.feature_names
            }

            /// What labels 0 and 1 stand for: the training data's
            /// ([`Dataset::class_labels`](core_linalg::Dataset::class_labels)), or `0`/`1`.
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            /// let predicted = model.predict(&x)?;
            /// let names: Vec<&str> = predicted.iter().map(|&p| model.class_labels().name(p)).collect();
            /// assert_eq!(names, ["cat", "cat", "dog", "dog"]);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn class_labels(&self) -> &core_linalg::ClassLabels {
                &self.fitted.class_labels
            }

            /// The standardisation the model applies to every input, when it was fitted with
            /// [`Standardize::FromTrainingData`](crate::Standardize::FromTrainingData).
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            /// assert!(model.standardization().is_none());
            /// let (standardized, _) = config
            ///     .with_standardization(Standardize::FromTrainingData)
            ///     .fit(&data, &mut ChaCha8Rng::seed_from_u64(1))?;
            /// assert_eq!(standardized.standardization().unwrap().means(), &[1.75, 1.5]);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn standardization(&self) -> Option<&core_linalg::Standardization> {
                self.fitted.standardization.as_ref()
            }

            #[doc = concat!("The model as JSON: format `binclass-model` version 2, `kind` `", $kind, "`")]
            /// (the layout is in [`crate::saved`]). Floats are written in shortest round-trip
            /// form, so [`from_json`](Self::from_json) gives back a model with bit-identical
            /// predictions.
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            #[doc = concat!("let again = ", stringify!($model), "::from_json(&model.to_json())?;")]
            /// assert_eq!(again, model);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn to_json(&self) -> String {
                $crate::saved::write_file($kind, &self.fitted, None)
            }

            #[doc = concat!("Reads a `", $kind, "` model from JSON written by [`to_json`](Self::to_json)")]
            /// (or by hand, following [`crate::saved`]); version-1 files load too.
            ///
            /// # Errors
            /// The errors of [`saved::from_json`](crate::saved::from_json), and
            /// [`ModelError::WrongModelKind`](crate::ModelError::WrongModelKind) for a file
            /// of the other kind.
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            #[doc = concat!("let again = ", stringify!($model), "::from_json(&model.to_json())?;")]
            /// assert_eq!(again.predict_proba(&x)?, model.predict_proba(&x)?);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn from_json(text: &str) -> Result<Self, $crate::ModelError> {
                match $crate::SavedModel::from_json(text)? {
                    $crate::SavedModel::$variant(model) => Ok(model),
                    other => Err($crate::ModelError::WrongModelKind {
                        expected: $kind,
                        found: other.kind(),
                    }),
                }
            }

            /// Writes [`to_json`](Self::to_json) to `path`, atomically: a temporary file in
            /// the same folder renamed over `path`, so `path` never holds half a model.
            ///
            /// # Errors
            /// [`ModelError::WriteModelFile`](crate::ModelError::WriteModelFile) naming the
            /// path when its folder is missing or not writable, it names a folder, or the disk
            /// is full.
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            /// let path = std::env::temp_dir().join(format!("models-doc-save-{}.json", std::process::id()));
            /// model.save(&path)?;
            #[doc = concat!("assert_eq!(", stringify!($model), "::load(&path)?, model);")]
            /// # std::fs::remove_file(&path)?;
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), $crate::ModelError> {
                $crate::saved::save_text(path.as_ref(), &self.to_json())
            }

            #[doc = concat!("Reads a `", $kind, "` model saved by [`save`](Self::save) (or any model file of")]
            /// that kind, version 1 or 2).
            ///
            /// # Errors
            /// [`ModelError::ReadModelFile`](crate::ModelError::ReadModelFile) when the file
            /// cannot be read; [`ModelError::InModelFile`](crate::ModelError::InModelFile),
            /// naming the path, around the errors of [`from_json`](Self::from_json) (a
            /// corrupt, truncated or newer file, or the other kind of model).
            ///
            /// # Example
            /// ```
            #[doc = $setup]
            /// let path = std::env::temp_dir().join(format!("models-doc-load-{}.json", std::process::id()));
            /// model.save(&path)?;
            #[doc = concat!("let loaded = ", stringify!($model), "::load(&path)?;")]
            /// assert_eq!(loaded.predict(&x)?, model.predict(&x)?);
            /// assert_eq!(loaded.class_labels().positive(), "dog");
            /// # std::fs::remove_file(&path)?;
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, $crate::ModelError> {
                let path = path.as_ref();
                let text = $crate::saved::load_text(path)?;
                Self::from_json(&text).map_err(|error| $crate::ModelError::InModelFile {
                    path: path.to_owned(),
                    error: Box::new(error),
                })
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
