//! The model of one sweep point: training settings and layers, validated once.

use std::ops::Range;

use core_linalg::Activation;
use models::{EarlyStopping, LogisticRegressionConfig, MlpConfig, TrainingConfig};
use toml::Spanned;

use super::{MAX_DEPTH, ModelPlan, NO_HIDDEN_LAYERS, QUICK_FACTOR};
use crate::study_file::{Diagnostics, RawModel, RawRecord, RawStudy};

pub(super) fn model(
    diag: &mut Diagnostics<'_>,
    raw: &RawStudy,
    point: &[(String, String)],
    quick: bool,
) -> Option<ModelPlan> {
    let m = &raw.model;
    let swept = |axis: &str| {
        point
            .iter()
            .find(|(k, _)| k == axis)
            .map(|(_, v)| v.as_str())
    };
    let sweep_span = |axis: &str| -> Option<Range<usize>> {
        let s = &raw.sweep;
        match axis {
            "width" => s.width.as_ref().map(Spanned::span),
            "depth" => s.depth.as_ref().map(Spanned::span),
            "activation" => s.activation.as_ref().map(Spanned::span),
            "learning_rate" => s.learning_rate.as_ref().map(Spanned::span),
            _ => None,
        }
    };

    let learning_rate = swept("learning_rate")
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(*m.learning_rate.get_ref());
    // Validated as written in the file; `--quick` shortens it afterwards, so `epochs = 0`
    // is an error with or without it.
    let epochs = *m.epochs.get_ref();
    let early = match (swept("early_stopping"), &m.tolerance, &m.patience) {
        (Some("false"), _, _) => None,
        (_, Some(tol), patience) => Some(EarlyStopping {
            tolerance: *tol.get_ref(),
            patience: patience.as_ref().map_or(10, |p| *p.get_ref()),
        }),
        (Some("true"), None, _) => {
            diag.problem(
                "sweep.early_stopping",
                raw.sweep.early_stopping.as_ref().map(Spanned::span),
                "sweeps early stopping on, but model.tolerance is not set: add tolerance (and patience)",
            );
            None
        }
        (_, None, Some(p)) => {
            diag.problem(
                "model.patience",
                Some(p.span()),
                "is set without model.tolerance: set tolerance to turn early stopping on, or remove patience",
            );
            None
        }
        (_, None, None) => None,
    };
    let training = training_config(learning_rate, epochs, m, early, &raw.record);
    let validated = training.validate();
    // The loss-measurement stride is record.loss_curve_stride, which the [record] checks
    // report once, with its line; every other invalid setting is reported here.
    if let Err(e) = &validated
        && !matches!(
            e,
            models::ModelError::InvalidHyperparameter {
                field: "eval_stride",
                ..
            }
        )
    {
        let field = match e {
            models::ModelError::InvalidHyperparameter { field, .. } => *field,
            _ => "model",
        };
        let (key, span) = match field {
            "learning_rate" if swept("learning_rate").is_some() => (
                "sweep.learning_rate".to_owned(),
                sweep_span("learning_rate"),
            ),
            "learning_rate" => (
                "model.learning_rate".to_owned(),
                Some(m.learning_rate.span()),
            ),
            "epochs" => ("model.epochs".to_owned(), Some(m.epochs.span())),
            "l2" => ("model.l2".to_owned(), m.l2.as_ref().map(Spanned::span)),
            "batch_size" => (
                "model.batch_size".to_owned(),
                m.batch_size.as_ref().map(Spanned::span),
            ),
            "tolerance" => (
                "model.tolerance".to_owned(),
                m.tolerance.as_ref().map(Spanned::span),
            ),
            "patience" => (
                "model.patience".to_owned(),
                m.patience.as_ref().map(Spanned::span),
            ),
            "threshold" => (
                "model.threshold".to_owned(),
                m.threshold.as_ref().map(Spanned::span),
            ),
            "divergence_factor" => (
                "model.divergence_factor".to_owned(),
                m.divergence_factor.as_ref().map(Spanned::span),
            ),
            "loss_fraction" => (
                "record.loss_fraction".to_owned(),
                Some(raw.record.loss_fraction.span()),
            ),
            other => (format!("model.{other}"), None),
        };
        diag.problem(&key, span, e.to_string());
    }
    // With invalid training settings the layers are still checked (every problem of a file
    // is reported at once), against default settings; no plan comes out.
    let training_is_valid = validated.is_ok();
    let training = if !training_is_valid {
        TrainingConfig::default()
    } else if quick {
        training_config(
            learning_rate,
            epochs.div_ceil(QUICK_FACTOR).max(1),
            m,
            early,
            &raw.record,
        )
    } else {
        training
    };

    let plan = match m.kind.get_ref().as_str() {
        "logistic" => {
            for (key, present) in [
                (
                    "model.hidden_layers",
                    m.hidden_layers.as_ref().map(Spanned::span),
                ),
                ("model.activation", m.activation.as_ref().map(Spanned::span)),
                ("sweep.width", sweep_span("width")),
                ("sweep.depth", sweep_span("depth")),
                ("sweep.activation", sweep_span("activation")),
            ] {
                if let Some(span) = present {
                    diag.problem(
                        key,
                        Some(span),
                        "does not apply to logistic regression (it has no hidden layers): remove it or use kind = \"mlp\"",
                    );
                }
            }
            Some(ModelPlan::Logistic(
                LogisticRegressionConfig::new().with_training(training),
            ))
        }
        "mlp" => {
            let hidden = m
                .hidden_layers
                .as_ref()
                .map_or_else(|| vec![20, 20], |h| h.get_ref().clone());
            let width = swept("width").and_then(|v| v.parse::<usize>().ok());
            let depth = swept("depth").and_then(|v| v.parse::<usize>().ok());
            // Refuse absurd depths before building the layer list (it would be allocated).
            if let Some(d) = depth.filter(|&d| d == 0 || d > MAX_DEPTH) {
                diag.problem(
                    "sweep.depth",
                    sweep_span("depth"),
                    format!(
                        "{d} hidden layers is out of range: expected 1 to {MAX_DEPTH} \
                         ({NO_HIDDEN_LAYERS})"
                    ),
                );
                return None;
            }
            let hidden: Vec<usize> = match (width, depth) {
                (w, Some(depth)) => {
                    vec![w.or(hidden.first().copied()).unwrap_or(20); depth]
                }
                (Some(w), None) => vec![w; hidden.len().max(1)],
                (None, None) => hidden,
            };
            if hidden.is_empty() {
                diag.problem(
                    "model.hidden_layers",
                    m.hidden_layers.as_ref().map(Spanned::span),
                    format!(
                        "is empty: an MLP needs at least one hidden layer, e.g. [20, 20] \
                         ({NO_HIDDEN_LAYERS})"
                    ),
                );
                return None;
            }
            let mut sizes = vec![2];
            sizes.extend(&hidden);
            sizes.push(1);
            let activation_text = swept("activation")
                .map(str::to_owned)
                .or_else(|| m.activation.as_ref().map(|a| a.get_ref().clone()))
                .unwrap_or_else(|| "relu".into());
            let activation = match activation_text.parse::<Activation>() {
                Ok(a) => a,
                Err(e) => {
                    let span = if swept("activation").is_some() {
                        sweep_span("activation")
                    } else {
                        m.activation.as_ref().map(Spanned::span)
                    };
                    let key = if swept("activation").is_some() {
                        "sweep.activation"
                    } else {
                        "model.activation"
                    };
                    diag.problem(key, span, e.to_string());
                    return None;
                }
            };
            let config = MlpConfig::new(&sizes)
                .with_hidden_activation(activation)
                .with_training(training);
            if let Err(e) = config.validate() {
                let (key, span) = if width.is_some() || depth.is_some() {
                    (
                        if depth.is_some() {
                            "sweep.depth"
                        } else {
                            "sweep.width"
                        },
                        sweep_span(if depth.is_some() { "depth" } else { "width" }),
                    )
                } else {
                    (
                        "model.hidden_layers",
                        m.hidden_layers.as_ref().map(Spanned::span),
                    )
                };
                diag.problem(key, span, e.to_string());
                return None;
            }
            Some(ModelPlan::Mlp(config))
        }
        other => {
            diag.problem(
                "model.kind",
                Some(m.kind.span()),
                format!("unknown model kind {other:?}: expected one of mlp, logistic"),
            );
            None
        }
    };
    plan.filter(|_| training_is_valid)
}

/// The training settings of one run: the model table's values, the swept learning rate and
/// early stopping, and the record table's loss fraction and gradient-norm stride. The test
/// loss is measured only where the loss curve keeps a point (every `loss_curve_stride`
/// epochs and the last), which is all a study writes of it.
fn training_config(
    learning_rate: f64,
    epochs: usize,
    m: &RawModel,
    early: Option<EarlyStopping>,
    record: &RawRecord,
) -> TrainingConfig {
    let mut config = TrainingConfig::default()
        .with_learning_rate(learning_rate)
        .with_epochs(epochs)
        .with_early_stopping(early)
        .with_loss_fraction(*record.loss_fraction.get_ref())
        .with_gradient_norm_stride(*record.gradient_norm_stride.get_ref())
        .with_eval_stride(*record.loss_curve_stride.get_ref());
    if let Some(l2) = &m.l2 {
        config = config.with_l2(*l2.get_ref());
    }
    if let Some(b) = &m.batch_size {
        config = config.with_batch(models::BatchMode::MiniBatch {
            batch_size: *b.get_ref(),
        });
    }
    if let Some(t) = &m.threshold {
        config = config.with_threshold(*t.get_ref());
    }
    if let Some(f) = &m.divergence_factor {
        config = config.with_divergence_factor(*f.get_ref());
    }
    config
}
