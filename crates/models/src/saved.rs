//! Saved models: a documented JSON layout that NumPy or PyTorch can read, and that round-trips
//! every weight exactly.
//!
//! The crate does no I/O: [`to_json`] returns the text and [`from_json`] parses it; the caller
//! reads and writes the file. The layout (format version 1):
//!
//! ```text
//! {
//!   "format": "binclass-model",       always this string
//!   "format_version": 1,
//!   "kind": "mlp" | "logistic",
//!   "layer_sizes": [2, 20, 20, 1],     input first; logistic regression is [d, 1]
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
//! So in NumPy, `A = f(A_prev @ np.array(W) + np.array(b))` for each layer, with the sigmoid of
//! the last layer's output as the probability; in PyTorch, `nn.Linear.weight` is `W.T`.
//! `input_standardization`, when present, is *not* applied by this crate: it records that the
//! model was trained on `(x − means) / scales`, and tools that load the file must apply it
//! before predicting. Floats are written in shortest round-trip form and parsed exactly, so a
//! reloaded model gives bit-identical predictions.

use core_linalg::{Activation, Matrix, Vector};
use serde::{Deserialize, Serialize};

use crate::{
    BatchMode, Classifier, EarlyStopping, Layer, LogisticRegression, Mlp, ModelError,
    TrainingConfig,
};

/// The `format` field of every model file.
pub const FORMAT_NAME: &str = "binclass-model";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Per-feature standardisation the model was trained with: `x' = (x − mean) / scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputStandardization {
    /// One mean per feature.
    pub means: Vec<f64>,
    /// One scale (standard deviation, or 1 for a constant feature) per feature.
    pub scales: Vec<f64>,
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
}

/// A loaded model and what was saved with it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedModel {
    /// The model.
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

/// Serialises a model (and, optionally, the standardisation it was trained with) to the JSON
/// layout described in the module docs.
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
    let (kind, fitted) = match model {
        SavedModel::Logistic(m) => ("logistic", &m.fitted),
        SavedModel::Mlp(m) => ("mlp", &m.fitted),
    };
    let file = ModelFile {
        format: FORMAT_NAME.to_owned(),
        format_version: FORMAT_VERSION,
        kind: kind.to_owned(),
        layer_sizes: fitted.network.layer_sizes(),
        hidden_activation: fitted.network.hidden_activation.name().to_owned(),
        threshold: fitted.threshold,
        training: fitted.trained_with.as_ref().map(TrainingFile::from_config),
        input_standardization: standardization.cloned(),
        layers: fitted.network.layers.iter().map(layer_file).collect(),
    };
    serde_json::to_string_pretty(&file).expect("a model file always serialises")
}

fn invalid(reason: impl Into<String>) -> ModelError {
    ModelError::InvalidModelFile {
        reason: reason.into(),
    }
}

/// Parses a model file written by [`to_json`] (or by hand, following the module docs).
///
/// # Errors
/// [`ModelError::InvalidModelFile`] for text that is not JSON, is truncated, has unknown or
/// missing fields, the wrong `format`, an unknown kind or activation, or ragged weights;
/// [`ModelError::UnsupportedFormatVersion`] for another format version;
/// [`ModelError::ParameterShape`] when the weights do not match `layer_sizes`; and the
/// hyperparameter errors of the saved training settings.
pub fn from_json(text: &str) -> Result<LoadedModel, ModelError> {
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
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(FORMAT_VERSION) => {}
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
    }
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
    if let Some(s) = &file.input_standardization {
        let d = file.layer_sizes.first().copied().unwrap_or(0);
        if s.means.len() != d || s.scales.len() != d {
            return Err(invalid(format!(
                "input_standardization has {} means and {} scales for {d} features",
                s.means.len(),
                s.scales.len()
            )));
        }
        if s.scales.iter().any(|&v| !(v.is_finite() && v > 0.0)) {
            return Err(invalid(
                "input_standardization scales must be finite and > 0",
            ));
        }
    }
    let training = file
        .training
        .map(|t| t.into_config(file.threshold))
        .transpose()?;
    let model = match file.kind.as_str() {
        "mlp" => {
            let mut mlp = Mlp::from_layers(layers, activation, file.threshold)?;
            mlp.fitted.trained_with = training;
            SavedModel::Mlp(mlp)
        }
        "logistic" => {
            if layers.len() != 1 {
                return Err(invalid(format!(
                    "a logistic model has one layer, this file has {}",
                    layers.len()
                )));
            }
            let layer = &layers[0];
            let mut model = LogisticRegression::from_parameters(
                layer.weights.column(0).into_owned(),
                layer.biases[0],
                file.threshold,
            )?;
            model.fitted.trained_with = training;
            SavedModel::Logistic(model)
        }
        other => {
            return Err(invalid(format!(
                "unknown kind {other:?}: expected \"mlp\" or \"logistic\""
            )));
        }
    };
    Ok(LoadedModel {
        model,
        input_standardization: file.input_standardization,
    })
}
