//! Saved models: a documented JSON layout that NumPy or PyTorch can read, and that round-trips
//! every weight exactly.
//!
//! A fitted model saves and loads itself ([`Mlp::save`], [`Mlp::load`], [`Mlp::to_json`],
//! [`Mlp::from_json`], and the same on [`LogisticRegression`]); [`SavedModel`] does the same
//! for a file of either kind, for tools that accept both. The free functions [`to_json`] and
//! [`from_json`] are for tools that apply the input standardisation themselves: [`from_json`]
//! gives the model without it and the standardisation beside it. The layout (format
//! version 2):
//!
//! ```text
//! {
//!   "format": "binclass-model",       always this string
//!   "format_version": 2,
//!   "kind": "mlp" | "logistic",
//!   "layer_sizes": [2, 20, 20, 1],     input first; logistic regression is [d, 1]
//!   "feature_names": ["x1", "x2"],     one per input, in order
//!   "class_labels": ["0", "1"],        what labels 0 and 1 stand for (class 1 sorts last)
//!   "hidden_activation": "relu",       identity | relu | sigmoid | tanh ("identity" for logistic)
//!   "threshold": 0.5,                  predict answers 1 when probability ≥ threshold
//!   "training": { … } | null,          the settings it was trained with (see TrainingFile)
//!   "input_standardization": { "means": [...], "scales": [...] } | null,
//!   "layers": [                        one entry per weight layer, input side first
//!     { "weights": [[w_00, w_01, …], …],   fan_in rows × fan_out columns, row-major:
//!                                          weights[i][j] connects input i to neuron j
//!       "biases": [b_0, …] }               fan_out entries
//!   ]
//! }
//! ```
//!
//! Version 1 is the same without `feature_names` and `class_labels`; such files still load,
//! with the names `x1, …, xd` and the labels `0`/`1`.
//!
//! So in NumPy, `A = f(A_prev @ np.array(W) + np.array(b))` for each layer, with the sigmoid of
//! the last layer's output as the probability; in PyTorch, `nn.Linear.weight` is `W.T`.
//! `input_standardization`, when present, is applied to each input first:
//! `x' = (x − means) / scales`. A model loaded with [`Mlp::load`] (or `from_json`, or
//! [`SavedModel::load`]) applies it itself, so it takes raw features; a tool reading the file
//! otherwise applies it before the first layer. Floats are written in shortest round-trip
//! form and parsed exactly, so a reloaded model gives bit-identical predictions.

use std::path::Path;

use core_linalg::{Activation, ClassLabels, Matrix, Standardization, Vector};
use serde::{Deserialize, Serialize};

use crate::fitted::FittedNetwork;
use crate::{
    BatchMode, Classifier, EarlyStopping, Layer, LogisticRegression, Mlp, ModelError,
    TrainingConfig,
};

/// The `format` field of every model file.
pub const FORMAT_NAME: &str = "binclass-model";
/// The format version this crate writes (and the newest it reads).
pub const FORMAT_VERSION: u64 = 2;
/// The oldest format version this crate reads.
pub const OLDEST_FORMAT_VERSION: u64 = 1;

/// Per-feature standardisation the model was trained with: `x' = (x − mean) / scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputStandardization {
    /// One mean per feature.
    pub means: Vec<f64>,
    /// One scale (standard deviation, or 1 for a constant feature) per feature.
    pub scales: Vec<f64>,
}

impl From<&Standardization> for InputStandardization {
    fn from(s: &Standardization) -> Self {
        InputStandardization {
            means: s.means().to_vec(),
            scales: s.scales().to_vec(),
        }
    }
}

/// A loaded model of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SavedModel {
    /// Logistic regression.
    Logistic(LogisticRegression),
    /// A multi-layer perceptron.
    Mlp(Mlp),
}

impl SavedModel {
    /// The model as a classifier.
    pub fn classifier(&self) -> &dyn Classifier {
        match self {
            SavedModel::Logistic(m) => m,
            SavedModel::Mlp(m) => m,
        }
    }

    /// The model file's `kind`: `"mlp"` or `"logistic"`.
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5)?;
    /// assert_eq!(SavedModel::Logistic(model).kind(), "logistic");
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            SavedModel::Logistic(_) => "logistic",
            SavedModel::Mlp(_) => "mlp",
        }
    }

    fn fitted(&self) -> &FittedNetwork {
        match self {
            SavedModel::Logistic(m) => &m.fitted,
            SavedModel::Mlp(m) => &m.fitted,
        }
    }

    fn fitted_mut(&mut self) -> &mut FittedNetwork {
        match self {
            SavedModel::Logistic(m) => &mut m.fitted,
            SavedModel::Mlp(m) => &mut m.fitted,
        }
    }

    /// The names of the features the model takes, in order (see [`Mlp::feature_names`]).
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0, 2.0]), 0.0, 0.5)?;
    /// assert_eq!(SavedModel::Logistic(model).feature_names(), ["x1", "x2"]);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn feature_names(&self) -> &[String] {
        &self.fitted().feature_names
    }

    /// What labels 0 and 1 stand for (see [`Mlp::class_labels`]).
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5)?;
    /// assert_eq!(SavedModel::Logistic(model).class_labels(), &ClassLabels::default());
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn class_labels(&self) -> &ClassLabels {
        &self.fitted().class_labels
    }

    /// The model as JSON, with its standardisation (see [`Mlp::to_json`]).
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let model = SavedModel::Logistic(LogisticRegression::from_parameters(
    ///     Vector::from_vec(vec![0.1, -2.5]), 0.3, 0.5)?);
    /// assert_eq!(SavedModel::from_json(&model.to_json())?, model);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn to_json(&self) -> String {
        write_file(self.kind(), self.fitted(), None)
    }

    /// Reads a model of either kind, with its standardisation inside (see [`Mlp::from_json`]).
    ///
    /// # Errors
    /// As [`from_json`].
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let text = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5)?.to_json();
    /// let model = SavedModel::from_json(&text)?;
    /// assert_eq!(model.classifier().predict(&Matrix::from_row_slice(1, 1, &[2.0]))?[0], 1.0);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<SavedModel, ModelError> {
        parse(text)
    }

    /// Writes [`SavedModel::to_json`] to `path` atomically (see [`Mlp::save`]).
    ///
    /// # Errors
    /// [`ModelError::WriteModelFile`] naming the path.
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let model = SavedModel::Logistic(LogisticRegression::from_parameters(
    ///     Vector::from_vec(vec![1.0]), 0.0, 0.5)?);
    /// let path = std::env::temp_dir().join(format!("models-doc-any-{}.json", std::process::id()));
    /// model.save(&path)?;
    /// assert_eq!(SavedModel::load(&path)?, model);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        save_text(path.as_ref(), &self.to_json())
    }

    /// Reads a model file of either kind (see [`Mlp::load`]).
    ///
    /// # Errors
    /// [`ModelError::ReadModelFile`], or [`ModelError::InModelFile`] around the errors of
    /// [`from_json`].
    ///
    /// # Example
    /// ```
    /// use models::prelude::*;
    /// let path = std::env::temp_dir().join(format!("models-doc-any-load-{}.json", std::process::id()));
    /// LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5)?.save(&path)?;
    /// assert_eq!(SavedModel::load(&path)?.kind(), "logistic");
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<SavedModel, ModelError> {
        let path = path.as_ref();
        parse(&load_text(path)?).map_err(|error| ModelError::InModelFile {
            path: path.to_owned(),
            error: Box::new(error),
        })
    }
}

/// A loaded model and what was saved with it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedModel {
    /// The model, without its standardisation: it takes standardised features.
    pub model: SavedModel,
    /// The standardisation it was trained with, if any (apply it before predicting).
    pub input_standardization: Option<InputStandardization>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    format_version: u64,
    kind: String,
    layer_sizes: Vec<usize>,
    /// Version 2 and later.
    feature_names: Option<Vec<String>>,
    /// Version 2 and later: class 0's label, then class 1's.
    class_labels: Option<[String; 2]>,
    hidden_activation: String,
    threshold: f64,
    training: Option<TrainingFile>,
    input_standardization: Option<InputStandardization>,
    layers: Vec<LayerFile>,
}
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    weights: Vec<Vec<f64>>,
    biases: Vec<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainingFile {
    learning_rate: f64,
    epochs: usize,
    l2: f64,
    batch_size: Option<usize>,
    early_stopping: Option<EarlyStoppingFile>,
    divergence_factor: f64,
    loss_fraction: f64,
    gradient_norm_stride: usize,
    /// Written only when not 1, so files of models trained with the default are unchanged.
    #[serde(default = "every_epoch", skip_serializing_if = "is_every_epoch")]
    eval_stride: usize,
}

fn every_epoch() -> usize {
    1
}

fn is_every_epoch(stride: &usize) -> bool {
    *stride == 1
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlyStoppingFile {
    tolerance: f64,
    patience: usize,
}

impl TrainingFile {
    fn from_config(t: &TrainingConfig) -> Self {
        TrainingFile {
            learning_rate: t.learning_rate,
            epochs: t.epochs,
            l2: t.l2,
            batch_size: match t.batch {
                BatchMode::Full => None,
                BatchMode::MiniBatch { batch_size } => Some(batch_size),
            },
            early_stopping: t.early_stopping.map(|e| EarlyStoppingFile {
                tolerance: e.tolerance,
                patience: e.patience,
            }),
            divergence_factor: t.divergence_factor,
            loss_fraction: t.loss_fraction,
            gradient_norm_stride: t.gradient_norm_stride,
            eval_stride: t.eval_stride,
        }
    }

    fn into_config(self, threshold: f64) -> Result<TrainingConfig, ModelError> {
        let config = TrainingConfig {
            learning_rate: self.learning_rate,
            epochs: self.epochs,
            l2: self.l2,
            batch: self
                .batch_size
                .map_or(BatchMode::Full, |batch_size| BatchMode::MiniBatch {
                    batch_size,
                }),
            early_stopping: self.early_stopping.map(|e| EarlyStopping {
                tolerance: e.tolerance,
                patience: e.patience,
            }),
            divergence_factor: self.divergence_factor,
            loss_fraction: self.loss_fraction,
            gradient_norm_stride: self.gradient_norm_stride,
            eval_stride: self.eval_stride,
            threshold,
        };
        config.validate()?;
        Ok(config)
    }
}

fn layer_file(layer: &Layer) -> LayerFile {
    let w = &layer.weights;
    LayerFile {
        weights: (0..w.nrows())
            .map(|i| (0..w.ncols()).map(|j| w[(i, j)]).collect())
            .collect(),
        biases: layer.biases.iter().copied().collect(),
    }
}

/// The model file of a `kind` model, with `standardization` in place of the model's own when
/// given.
pub(crate) fn write_file(
    kind: &'static str,
    fitted: &FittedNetwork,
    standardization: Option<&InputStandardization>,
) -> String {
    let file = ModelFile {
        format: FORMAT_NAME.to_owned(),
        format_version: FORMAT_VERSION,
        kind: kind.to_owned(),
        layer_sizes: fitted.network.layer_sizes(),
        feature_names: Some(fitted.feature_names.clone()),
        class_labels: Some([
            fitted.class_labels.negative().to_owned(),
            fitted.class_labels.positive().to_owned(),
        ]),
        hidden_activation: fitted.network.hidden_activation.name().to_owned(),
        threshold: fitted.threshold,
        training: fitted.trained_with.as_ref().map(TrainingFile::from_config),
        input_standardization: standardization
            .cloned()
            .or_else(|| fitted.standardization.as_ref().map(Into::into)),
        layers: fitted.network.layers.iter().map(layer_file).collect(),
    };
    serde_json::to_string_pretty(&file).expect("a model file always serialises")
}

/// Writes a model file's text to `path` atomically.
pub(crate) fn save_text(path: &Path, text: &str) -> Result<(), ModelError> {
    core_linalg::file::write_atomic(path, text.as_bytes()).map_err(|e| ModelError::WriteModelFile {
        path: path.to_owned(),
        kind: e.kind(),
        reason: e.to_string(),
    })
}

/// Reads a model file's text from `path`.
pub(crate) fn load_text(path: &Path) -> Result<String, ModelError> {
    std::fs::read_to_string(path).map_err(|e| ModelError::ReadModelFile {
        path: path.to_owned(),
        kind: e.kind(),
        reason: e.to_string(),
    })
}

/// Serialises a model to the JSON layout described in the module docs, with `standardization`
/// as its input standardisation when given (in place of the model's own, if it has one).
///
/// # Example
/// ```
/// use models::{saved, Classifier, LogisticRegression, SavedModel};
/// # use core_linalg::{Matrix, Vector};
/// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![0.1, -2.5]), 0.3, 0.5)?;
/// let json = saved::to_json(&SavedModel::Logistic(model.clone()), None);
/// let loaded = saved::from_json(&json)?;
/// let x = Matrix::from_row_slice(1, 2, &[1.0, 0.25]);
/// assert_eq!(loaded.model.classifier().predict_proba(&x)?, model.predict_proba(&x)?);
/// # Ok::<(), models::ModelError>(())
/// ```
pub fn to_json(model: &SavedModel, standardization: Option<&InputStandardization>) -> String {
    write_file(model.kind(), model.fitted(), standardization)
}

fn invalid(reason: impl Into<String>) -> ModelError {
    ModelError::InvalidModelFile {
        reason: reason.into(),
    }
}

/// Parses a model file written by [`to_json`] or a model's `to_json` (or by hand, following
/// the module docs), giving the model without its standardisation and the standardisation
/// beside it.
///
/// # Errors
/// [`ModelError::InvalidModelFile`] for text that is not JSON, is truncated, has unknown or
/// missing fields, the wrong `format`, an unknown kind or activation, ragged weights, feature
/// names or class labels that a dataset would refuse, or an unusable standardisation;
/// [`ModelError::UnsupportedFormatVersion`] for a version other than 1 or 2;
/// [`ModelError::ParameterShape`] when the weights do not match `layer_sizes`; and the
/// hyperparameter errors of the saved training settings.
pub fn from_json(text: &str) -> Result<LoadedModel, ModelError> {
    let mut model = parse(text)?;
    let standardization = model.fitted_mut().standardization.take();
    Ok(LoadedModel {
        model,
        input_standardization: standardization.as_ref().map(Into::into),
    })
}

/// Parses a model file into a model that carries its standardisation.
fn parse(text: &str) -> Result<SavedModel, ModelError> {
    // Look at the version first, so a newer file gets "upgrade", not a field error.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "{e} (a truncated or hand-edited file?); expected the JSON written by `save`"
        ))
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
        return Err(invalid(format!(
            "the \"format\" field is not \"{FORMAT_NAME}\": this is not a model file"
        )));
    }
    let version = match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if (OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&v) => v,
        Some(found) => {
            return Err(ModelError::UnsupportedFormatVersion {
                found,
                supported: FORMAT_VERSION,
                hint: if found > FORMAT_VERSION {
                    "it was written by a newer version: upgrade this program"
                } else {
                    "re-save it with a current version"
                },
            });
        }
        None => {
            return Err(invalid(
                "\"format_version\" is missing or not a whole number",
            ));
        }
    };
    let file: ModelFile = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    let activation: Activation = file
        .hidden_activation
        .parse()
        .map_err(|e: core_linalg::ParseActivationError| invalid(e.to_string()))?;
    if file.layer_sizes.len() != file.layers.len() + 1 {
        return Err(invalid(format!(
            "layer_sizes {:?} implies {} weight layers but the file has {}",
            file.layer_sizes,
            file.layer_sizes.len().saturating_sub(1),
            file.layers.len()
        )));
    }
    let mut layers = Vec::with_capacity(file.layers.len());
    for (l, layer) in file.layers.iter().enumerate() {
        let (fan_in, fan_out) = (file.layer_sizes[l], file.layer_sizes[l + 1]);
        let rows = layer.weights.len();
        let cols = layer.weights.first().map_or(0, Vec::len);
        if let Some(i) = layer.weights.iter().position(|r| r.len() != cols) {
            return Err(invalid(format!(
                "layer {l} weights row {i} has {} entries but row 0 has {cols}",
                layer.weights[i].len()
            )));
        }
        if (rows, cols) != (fan_in, fan_out) {
            return Err(ModelError::ParameterShape {
                layer: l,
                tensor: "weights",
                expected: (fan_in, fan_out),
                found: (rows, cols),
            });
        }
        if layer.biases.len() != fan_out {
            return Err(ModelError::ParameterShape {
                layer: l,
                tensor: "biases",
                expected: (fan_out, 1),
                found: (layer.biases.len(), 1),
            });
        }
        layers.push(Layer {
            weights: Matrix::from_fn(rows, cols, |i, j| layer.weights[i][j]),
            biases: Vector::from_vec(layer.biases.clone()),
        });
    }
    let n_features = file.layer_sizes.first().copied().unwrap_or(0);
    let standardization = file
        .input_standardization
        .map(|s| {
            if s.means.len() != n_features || s.scales.len() != n_features {
                return Err(invalid(format!(
                    "input_standardization has {} means and {} scales for {n_features} features",
                    s.means.len(),
                    s.scales.len()
                )));
            }
            Standardization::new(s.means, s.scales)
                .map_err(|e| invalid(format!("input_standardization: {e}")))
        })
        .transpose()?;
    let (feature_names, class_labels) =
        names(version, file.feature_names, file.class_labels, n_features)?;
    let training = file
        .training
        .map(|t| t.into_config(file.threshold))
        .transpose()?;
    let mut model = match file.kind.as_str() {
        "mlp" => SavedModel::Mlp(Mlp::from_layers(layers, activation, file.threshold)?),
        "logistic" => {
            if layers.len() != 1 {
                return Err(invalid(format!(
                    "a logistic model has one layer, this file has {}",
                    layers.len()
                )));
            }
            let layer = &layers[0];
            SavedModel::Logistic(LogisticRegression::from_parameters(
                layer.weights.column(0).into_owned(),
                layer.biases[0],
                file.threshold,
            )?)
        }
        other => {
            return Err(invalid(format!(
                "unknown kind {other:?}: expected \"mlp\" or \"logistic\""
            )));
        }
    };
    let fitted = model.fitted_mut();
    fitted.trained_with = training;
    fitted.standardization = standardization;
    fitted.feature_names = feature_names;
    fitted.class_labels = class_labels;
    Ok(model)
}

/// The feature names and class labels of a file of `version`: checked as a dataset checks
/// them (version 2, where both are required), or the defaults (version 1, which has neither).
fn names(
    version: u64,
    feature_names: Option<Vec<String>>,
    class_labels: Option<[String; 2]>,
    n_features: usize,
) -> Result<(Vec<String>, ClassLabels), ModelError> {
    if version == 1 {
        if feature_names.is_some() || class_labels.is_some() {
            return Err(invalid(
                "\"feature_names\" and \"class_labels\" came with format version 2, but the file \
                 says version 1",
            ));
        }
        return Ok((
            core_linalg::default_feature_names(n_features),
            ClassLabels::default(),
        ));
    }
    let (Some(feature_names), Some([negative, positive])) = (feature_names, class_labels) else {
        return Err(invalid(
            "\"feature_names\" or \"class_labels\" is missing: format version 2 has both",
        ));
    };
    core_linalg::check_feature_names(&feature_names, n_features)
        .map_err(|e| invalid(format!("feature_names: {e}")))?;
    let class_labels =
        ClassLabels::new(negative, positive).map_err(|e| invalid(format!("class_labels: {e}")))?;
    Ok((feature_names, class_labels))
}
