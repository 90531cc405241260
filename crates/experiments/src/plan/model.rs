//! The model of one sweep point: its training settings and its layers, each validated once
//! (a bad value is reported with the key and line it came from); after that the configs are
//! trusted.

use std::ops::Range;

use core_linalg::Activation;
use models::{EarlyStopping, LogisticRegressionConfig, MlpConfig, ModelError, TrainingConfig};
use toml::Spanned;

use super::{Axis, DEFAULT_PATIENCE, MAX_DEPTH, ModelPlan, NO_HIDDEN_LAYERS, Point, QUICK_FACTOR};
use crate::study_file::{Diagnostics, RawModel, RawRecord, RawStudy};

pub(super) fn model(
    diag: &mut Diagnostics<'_>,
    raw: &RawStudy,
    point: &Point,
    quick: bool,
) -> Option<ModelPlan> {
    // The training settings and the layers are both checked, so every problem of a file is
    // reported at once; a model comes out only when both are valid.
    let training = training(diag, raw, point, quick);
    match raw.model.kind.get_ref().as_str() {
        "logistic" => {
            refuse_layer_settings(diag, raw);
            training.map(|t| ModelPlan::Logistic(LogisticRegressionConfig::new().with_training(t)))
        }
        "mlp" => {
            let layers = mlp_layers(diag, raw, point)?;
            training.map(|t| ModelPlan::Mlp(layers.with_training(t)))
        }
        other => {
            diag.problem(
                "model.kind",
                Some(raw.model.kind.span()),
                format!("unknown model kind {other:?}: expected one of mlp, logistic"),
            );
            None
        }
    }
}

/// Where a swept axis stands in the file.
fn sweep_span(raw: &RawStudy, axis: Axis) -> Option<Range<usize>> {
    let s = &raw.sweep;
    match axis {
        Axis::Width => s.width.as_ref().map(Spanned::span),
        Axis::Depth => s.depth.as_ref().map(Spanned::span),
        Axis::Activation => s.activation.as_ref().map(Spanned::span),
        Axis::LearningRate => s.learning_rate.as_ref().map(Spanned::span),
        Axis::Noise => s.noise.as_ref().map(Spanned::span),
        Axis::Scale => s.scale.as_ref().map(Spanned::span),
        Axis::Standardize => s.standardize.as_ref().map(Spanned::span),
        Axis::EarlyStopping => s.early_stopping.as_ref().map(Spanned::span),
        Axis::Epochs => s.epochs.as_ref().map(Spanned::span),
    }
}

/// The point's training settings, validated once as written in the file (`--quick` shortens
/// the epochs afterwards, so `epochs = 0` is an error with or without it).
fn training(
    diag: &mut Diagnostics<'_>,
    raw: &RawStudy,
    point: &Point,
    quick: bool,
) -> Option<TrainingConfig> {
    let m = &raw.model;
    let learning_rate = point.learning_rate().unwrap_or(*m.learning_rate.get_ref());
    // Validated as written in the file; `--quick` shortens it afterwards, so `epochs = 0`
    // is an error with or without it.
    let epochs = point.epochs().unwrap_or(*m.epochs.get_ref());
    let early = match (point.early_stopping(), &m.tolerance, &m.patience) {
        (Some(false), _, _) => None,
        (_, Some(tol), patience) => Some(EarlyStopping {
            tolerance: *tol.get_ref(),
            patience: patience.as_ref().map_or(DEFAULT_PATIENCE, |p| *p.get_ref()),
        }),
        (Some(true), None, _) => {
            diag.problem(
                "sweep.early_stopping",
                sweep_span(raw, Axis::EarlyStopping),
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
    // Validated once, as written in the file (`--quick` shortens the epochs afterwards, so
    // `epochs = 0` is an error with or without it); trusted from then on.
    let training = training_config(learning_rate, epochs, m, early, &raw.record);
    match training.validate() {
        Ok(()) if quick => Some(training.with_epochs(epochs.div_ceil(QUICK_FACTOR).max(1))),
        Ok(()) => Some(training),
        Err(e) => {
            report_training_problem(diag, raw, &e, point);
            None
        }
    }
}

/// Logistic regression has no hidden layers: a layer setting or sweep is a mistake.
fn refuse_layer_settings(diag: &mut Diagnostics<'_>, raw: &RawStudy) {
    let m = &raw.model;
    for (key, present) in [
        (
            "model.hidden_layers",
            m.hidden_layers.as_ref().map(Spanned::span),
        ),
        ("model.activation", m.activation.as_ref().map(Spanned::span)),
        ("sweep.width", sweep_span(raw, Axis::Width)),
        ("sweep.depth", sweep_span(raw, Axis::Depth)),
        ("sweep.activation", sweep_span(raw, Axis::Activation)),
    ] {
        if let Some(span) = present {
            diag.problem(
                key,
                Some(span),
                "does not apply to logistic regression (it has no hidden layers): remove it or use kind = \"mlp\"",
            );
        }
    }
}

/// The MLP's layer sizes and hidden activation at this point, validated once (with default
/// training settings, which are valid, so a bad layer is reported whatever the training).
fn mlp_layers(diag: &mut Diagnostics<'_>, raw: &RawStudy, point: &Point) -> Option<MlpConfig> {
    let m = &raw.model;
    let hidden = m
        .hidden_layers
        .as_ref()
        .map_or_else(|| vec![20, 20], |h| h.get_ref().clone());
    let (width, depth) = (point.width(), point.depth());
    // Refuse absurd depths before building the layer list (it would be allocated).
    if let Some(d) = depth.filter(|&d| d == 0 || d > MAX_DEPTH) {
        diag.problem(
            "sweep.depth",
            sweep_span(raw, Axis::Depth),
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
    // A swept activation was read with the sweep; the model's is read here.
    let activation = match (point.activation(), &m.activation) {
        (Some(swept), _) => swept,
        (None, Some(name)) => match name.get_ref().parse::<Activation>() {
            Ok(a) => a,
            Err(e) => {
                diag.problem("model.activation", Some(name.span()), e.to_string());
                return None;
            }
        },
        (None, None) => Activation::Relu,
    };
    // The layers are checked whatever the training settings (every problem of a file
    // is reported at once): with the default settings, which are valid.
    let layers = MlpConfig::new(&sizes).with_hidden_activation(activation);
    if let Err(e) = layers.validate() {
        // Blame what set the layers: a swept depth or width, else the model table.
        let (key, span) = match (width, depth) {
            (_, Some(_)) => ("sweep.depth", sweep_span(raw, Axis::Depth)),
            (Some(_), None) => ("sweep.width", sweep_span(raw, Axis::Width)),
            (None, None) => (
                "model.hidden_layers",
                m.hidden_layers.as_ref().map(Spanned::span),
            ),
        };
        diag.problem(key, span, e.to_string());
        return None;
    }
    Some(layers)
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

/// Reports an invalid training setting under the key and line it came from: the point's
/// swept learning rate or epochs, a key of `[model]`, or `record.loss_fraction`.
fn report_training_problem(
    diag: &mut Diagnostics<'_>,
    raw: &RawStudy,
    e: &ModelError,
    point: &Point,
) {
    let swept = |axis: Axis| point.value(axis).map(|_| sweep_span(raw, axis));
    let field = match e {
        ModelError::InvalidHyperparameter { field, .. } => *field,
        _ => "model",
    };
    // The loss-measurement stride is record.loss_curve_stride, which the [record] checks
    // report once, with its line.
    if field == "eval_stride" {
        return;
    }
    let m = &raw.model;
    let (key, span) = match (field, swept(Axis::LearningRate)) {
        ("learning_rate", Some(span)) => ("sweep.learning_rate".to_owned(), span),
        ("learning_rate", None) => (
            "model.learning_rate".to_owned(),
            Some(m.learning_rate.span()),
        ),
        ("epochs", _) => match swept(Axis::Epochs) {
            Some(span) => ("sweep.epochs".to_owned(), span),
            None => ("model.epochs".to_owned(), Some(m.epochs.span())),
        },
        ("l2", _) => ("model.l2".to_owned(), m.l2.as_ref().map(Spanned::span)),
        ("batch_size", _) => (
            "model.batch_size".to_owned(),
            m.batch_size.as_ref().map(Spanned::span),
        ),
        ("tolerance", _) => (
            "model.tolerance".to_owned(),
            m.tolerance.as_ref().map(Spanned::span),
        ),
        ("patience", _) => (
            "model.patience".to_owned(),
            m.patience.as_ref().map(Spanned::span),
        ),
        ("threshold", _) => (
            "model.threshold".to_owned(),
            m.threshold.as_ref().map(Spanned::span),
        ),
        ("divergence_factor", _) => (
            "model.divergence_factor".to_owned(),
            m.divergence_factor.as_ref().map(Spanned::span),
        ),
        ("loss_fraction", _) => (
            "record.loss_fraction".to_owned(),
            Some(raw.record.loss_fraction.span()),
        ),
        (other, _) => (format!("model.{other}"), None),
    };
    diag.problem(&key, span, e.to_string());
}
