//! One frame of the live views, drawn from a snapshot of the parameters: the decision
//! boundary on a grid, each hidden neuron's output, metrics, loss curves and per-layer
//! gradient norms, packed into a compact binary message.
//!
//! # The message
//! `[u32 n][n bytes of JSON header][zero padding to a multiple of 4][body]`, little-endian.
//! The header holds the scalars (epoch, losses, metrics, state) and, for every array in the
//! body, its `offset` (bytes from the body's start, a multiple of 4) and `length` (entries).
//! Probabilities and neuron outputs are quantised to one byte (`round(255 · t)`, `t` the value
//! scaled to the array's `[lo, hi]`); curves are `f32` pairs `(epoch, value)`.

use std::time::{Duration, Instant};

use core_linalg::{Matrix, Vector};
use metrics::ClassificationReport;
use models::{Classifier, Differentiable, SavedModel};
use serde_json::{Map, Value, json};

use super::session::{Run, Snapshot};

/// Points per side of the decision-boundary grid.
pub const BOUNDARY_GRID: usize = 100;
/// Points per side of each neuron's small map.
pub const NEURON_GRID: usize = 32;
/// Neuron maps are redrawn at most this often (and in every paused or final frame).
const NEURON_INTERVAL: Duration = Duration::from_millis(100);
/// The most points a curve keeps; see [`Series`].
pub const SERIES_CAPACITY: usize = 1024;

/// A bounded record of `(epoch, values)` points. Points are offered with a key (the epoch
/// itself, or a frame count for values measured at frames); every `stride`-th key is kept, and
/// when the series is full every other point is dropped and the stride doubles, so a curve of
/// any length costs at most [`SERIES_CAPACITY`] points and stays evenly spaced.
#[derive(Debug, Clone)]
pub struct Series {
    stride: usize,
    width: usize,
    keys: Vec<usize>,
    epochs: Vec<usize>,
    values: Vec<f64>,
}

impl Series {
    /// An empty series of `width` values per point.
    pub fn new(width: usize) -> Self {
        Series {
            stride: 1,
            width,
            keys: Vec::new(),
            epochs: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Offers `values` measured at `epoch`, keyed by the epoch.
    pub fn push(&mut self, epoch: usize, values: &[f64]) {
        self.push_keyed(epoch, epoch, values);
    }

    /// Offers `values` measured at `epoch`; kept if `key` is a multiple of the stride.
    pub fn push_keyed(&mut self, key: usize, epoch: usize, values: &[f64]) {
        if values.len() != self.width || !key.is_multiple_of(self.stride) {
            return;
        }
        if self.keys.len() == SERIES_CAPACITY {
            self.stride *= 2;
            let mut kept = 0;
            for i in 0..self.keys.len() {
                if self.keys[i].is_multiple_of(self.stride) {
                    self.keys[kept] = self.keys[i];
                    self.epochs[kept] = self.epochs[i];
                    self.values
                        .copy_within(i * self.width..(i + 1) * self.width, kept * self.width);
                    kept += 1;
                }
            }
            self.keys.truncate(kept);
            self.epochs.truncate(kept);
            self.values.truncate(kept * self.width);
            if !key.is_multiple_of(self.stride) {
                return;
            }
        }
        self.keys.push(key);
        self.epochs.push(epoch);
        self.values.extend_from_slice(values);
    }

    /// Values per point.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The points as `f32`: per point its epoch, then its values.
    pub fn to_f32(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.epochs.len() * (1 + self.width));
        for (i, &epoch) in self.epochs.iter().enumerate() {
            out.push(epoch as f32);
            out.extend(
                self.values[i * self.width..(i + 1) * self.width]
                    .iter()
                    .map(|&v| v as f32),
            );
        }
        out
    }
}

/// What a viewer keeps between frames of one run: the test-loss and gradient-norm series
/// (measured at the frames' snapshots) and when the neuron maps were last drawn.
#[derive(Debug)]
pub struct ViewState {
    generation: u64,
    frame: u64,
    measured: usize,
    test_loss: Series,
    gradient_norms: Series,
    neurons_drawn: Option<Instant>,
}

impl Default for ViewState {
    /// A view of no run yet.
    fn default() -> Self {
        ViewState {
            generation: u64::MAX,
            frame: 0,
            measured: 0,
            test_loss: Series::new(1),
            gradient_norms: Series::new(1),
            neurons_drawn: None,
        }
    }
}

/// Builds the binary message: JSON header fields and 4-byte-aligned arrays.
struct FrameWriter {
    header: Map<String, Value>,
    body: Vec<u8>,
}

impl FrameWriter {
    fn bytes(&mut self, bytes: &[u8]) -> Value {
        let offset = self.body.len();
        self.body.extend_from_slice(bytes);
        self.body.resize(self.body.len().next_multiple_of(4), 0);
        json!({ "offset": offset, "length": bytes.len() })
    }

    fn floats(&mut self, values: &[f32]) -> Value {
        let offset = self.body.len();
        for v in values {
            self.body.extend_from_slice(&v.to_le_bytes());
        }
        json!({ "offset": offset, "length": values.len() })
    }

    fn finish(self) -> Vec<u8> {
        let header = Value::Object(self.header).to_string();
        let start = (4 + header.len()).next_multiple_of(4);
        let mut out = Vec::with_capacity(start + self.body.len());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.resize(start, b' ');
        out.extend_from_slice(&self.body);
        out
    }
}

/// `t` in `[lo, hi]` as one byte; NaN as 0.
fn quantise(t: f64, lo: f64, hi: f64) -> u8 {
    if hi > lo {
        (((t - lo) / (hi - lo)).clamp(0.0, 1.0) * 255.0).round() as u8
    } else {
        0
    }
}

/// The plane's grid: `n × n` points covering `extent = [x0, x1, y0, y1]`, row by row from the
/// top (largest `y`), as drawn on a canvas.
pub fn grid(extent: [f64; 4], n: usize) -> Matrix {
    let [x0, x1, y0, y1] = extent;
    let step = |lo: f64, hi: f64, i: usize| lo + (hi - lo) * (i as f64 + 0.5) / n as f64;
    Matrix::from_fn(n * n, 2, |r, c| {
        let (row, col) = (r / n, r % n);
        if c == 0 {
            step(x0, x1, col)
        } else {
            step(y1, y0, row)
        }
    })
}

/// Scores on one part of the data: the metrics and which points are misclassified.
fn score(model: &dyn Classifier, x: &Matrix, y: &Vector) -> Option<(Value, Vec<u8>)> {
    let p = model.predict_proba(x).ok()?;
    let threshold = model.threshold();
    let report = ClassificationReport::new(y.as_slice(), p.as_slice(), threshold).ok()?;
    let wrong = p
        .iter()
        .zip(y.iter())
        .map(|(&p, &y)| u8::from((p >= threshold) != (y == 1.0)))
        .collect();
    let metrics = json!({
        "precision": report.precision, "recall": report.recall,
        "f1": report.f1, "accuracy": report.accuracy,
    });
    Some((metrics, wrong))
}

/// Each hidden layer's outputs on `x`: `A_l = f(A_{l−1} · W_l + b_l)` for every layer but the
/// output one.
fn hidden_outputs(model: &models::Mlp, x: &Matrix) -> Vec<Matrix> {
    let f = model.hidden_activation();
    let layers = model.layers();
    let mut outputs: Vec<Matrix> = Vec::with_capacity(layers.len().saturating_sub(1));
    for layer in &layers[..layers.len() - 1] {
        let input = outputs.last().unwrap_or(x);
        let mut a = input * &layer.weights;
        for mut row in a.row_iter_mut() {
            for (v, b) in row.iter_mut().zip(layer.biases.iter()) {
                *v = f.apply(*v + b);
            }
        }
        outputs.push(a);
    }
    outputs
}

/// Draws the frame of `snapshot`.
pub fn render(view: &mut ViewState, run: &Run, snapshot: &Snapshot) -> Vec<u8> {
    if view.generation != run.generation {
        *view = ViewState::default();
        view.generation = run.generation;
        view.gradient_norms = Series::new(run.n_weight_layers());
    }
    view.frame += 1;
    let mut w = FrameWriter {
        header: Map::new(),
        body: Vec::new(),
    };
    let h = |w: &mut FrameWriter, key: &str, value: Value| {
        w.header.insert(key.to_owned(), value);
    };
    h(&mut w, "frame", json!(view.frame));
    h(&mut w, "generation", json!(run.generation));
    h(&mut w, "epoch", json!(snapshot.epoch));
    h(&mut w, "state", json!(snapshot.phase.label()));
    h(&mut w, "message", json!(snapshot.message));
    h(&mut w, "train_loss", finite(snapshot.train_loss));
    h(
        &mut w,
        "epochs_per_second",
        finite(snapshot.epochs_per_second),
    );
    let curve = w.floats(&snapshot.curve.to_f32());
    h(&mut w, "train_curve", curve);

    if let Some(model) = &snapshot.model {
        let classifier = model.classifier();
        view.measured += 1;
        let measured = view.measured;
        let data = &run.data;
        if let Ok(p) = classifier.predict_proba(&run.boundary_grid) {
            let bytes: Vec<u8> = p.iter().map(|&p| quantise(p, 0.0, 1.0)).collect();
            let grid = w.bytes(&bytes);
            h(&mut w, "boundary", grid);
        }
        let mut metrics = Map::new();
        let mut wrong = Vec::new();
        for (part, d) in [("train", Some(&data.train)), ("test", data.test.as_ref())] {
            if let Some(d) = d
                && let Some((m, flags)) = score(classifier, d.features(), d.labels())
            {
                metrics.insert(part.into(), m);
                wrong.extend(flags);
            }
        }
        h(&mut w, "metrics", Value::Object(metrics));
        let misclassified = w.bytes(&wrong);
        h(&mut w, "misclassified", misclassified);
        let test_loss = data.test.as_ref().and_then(|test| match model {
            SavedModel::Mlp(m) => m.loss(test).ok(),
            SavedModel::Logistic(m) => m.loss(test).ok(),
        });
        if let Some(loss) = test_loss {
            view.test_loss.push_keyed(measured, snapshot.epoch, &[loss]);
            h(&mut w, "test_loss", finite(loss));
        }
        let gradient = match model {
            SavedModel::Mlp(m) => m.gradient(&data.train, run.l2()),
            SavedModel::Logistic(m) => m.gradient(&data.train, run.l2()),
        };
        // Tensors alternate weights, biases: the norm of each layer's weight gradient, as
        // studies record it.
        let norms: Vec<f64> = gradient
            .iter()
            .step_by(2)
            .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
            .collect();
        view.gradient_norms
            .push_keyed(measured, snapshot.epoch, &norms);
        let now = Instant::now();
        let neurons_due = snapshot.phase.is_resting()
            || view
                .neurons_drawn
                .is_none_or(|t| now.duration_since(t) >= NEURON_INTERVAL);
        if let (true, SavedModel::Mlp(m)) = (neurons_due && run.neuron_grid.nrows() > 0, model) {
            view.neurons_drawn = Some(now);
            let mut layers = Vec::new();
            for a in hidden_outputs(m, &run.neuron_grid) {
                let mut ranges = Vec::new();
                let mut bytes = Vec::with_capacity(a.len());
                for column in a.column_iter() {
                    let (lo, hi) = column
                        .iter()
                        .filter(|v| v.is_finite())
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                            (lo.min(v), hi.max(v))
                        });
                    ranges.push(json!([finite(lo), finite(hi)]));
                    bytes.extend(column.iter().map(|&v| quantise(v, lo, hi)));
                }
                let maps = w.bytes(&bytes);
                layers.push(json!({ "ranges": ranges, "maps": maps }));
            }
            h(
                &mut w,
                "neurons",
                json!({ "grid": NEURON_GRID, "layers": layers }),
            );
        }
    }
    let test_curve = w.floats(&view.test_loss.to_f32());
    h(&mut w, "test_curve", test_curve);
    let norms = w.floats(&view.gradient_norms.to_f32());
    h(
        &mut w,
        "gradient_norms",
        json!({ "layers": view.gradient_norms.width(), "points": norms }),
    );
    w.finish()
}

/// A JSON number, or `null` for NaN and infinities (which JSON cannot hold).
fn finite(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}
