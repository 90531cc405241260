//! The raw schema of a study file: what serde reads, before any value is checked.
//!
//! Every field keeps its [`Spanned`] position where a later check may need to point at it,
//! so a validation problem can name the line and column of the value. Nothing here is
//! trusted: [`crate::plan`] turns a [`RawStudy`] into a validated [`crate::plan::Plan`].

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The top level of a study file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStudy {
    /// What the study is and which finding it tests.
    pub study: RawHeader,
    /// The dataset every run trains on.
    pub dataset: RawDataset,
    /// The model and its training settings.
    pub model: RawModel,
    /// Axes to sweep; their cartesian product gives the runs (times seeds).
    #[serde(default)]
    pub sweep: RawSweep,
    /// What to record.
    #[serde(default)]
    pub record: RawRecord,
    /// The original project's numbers, one entry per swept value.
    #[serde(default)]
    pub original: Vec<RawOriginal>,
    /// Pre-registered hypotheses, each decided by one rule from the results.
    #[serde(default)]
    pub hypothesis: Vec<RawHypothesis>,
}

/// `[study]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    /// Short name; the default output folder is `results/<name>`.
    pub name: Spanned<String>,
    /// The question the study answers.
    #[serde(default)]
    pub question: String,
    /// The original project's finding, in words.
    #[serde(default)]
    pub finding: String,
    /// Seeds to repeat every configuration with.
    pub seeds: Spanned<Vec<u64>>,
}

/// `[dataset]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    /// `blobs`, `moons`, `circles`, `xor` or `spirals`.
    pub generator: Spanned<String>,
    /// Total samples, split into train and test.
    pub samples: Spanned<usize>,
    /// Fraction held out for testing, in (0, 1).
    #[serde(default = "default_test_fraction")]
    pub test_fraction: Spanned<f64>,
    /// Gaussian noise standard deviation (moons, circles, xor, spirals).
    #[serde(default)]
    pub noise: Option<Spanned<f64>>,
    /// Distance between blob means in standard deviations (blobs).
    #[serde(default)]
    pub separation: Option<Spanned<f64>>,
    /// Inner-circle radius factor (circles).
    #[serde(default)]
    pub factor: Option<Spanned<f64>>,
    /// Number of turns (spirals).
    #[serde(default)]
    pub turns: Option<Spanned<f64>>,
    /// The constant every feature is multiplied by (every generator; default 1).
    #[serde(default)]
    pub scale: Option<Spanned<f64>>,
    /// A fixed data seed: every run uses the same dataset. Without it each run seed draws its
    /// own dataset (the default, so the spread across seeds includes the data's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Standardise features with statistics of the training part.
    #[serde(default)]
    pub standardize: bool,
}

fn default_test_fraction() -> Spanned<f64> {
    Spanned::new(0..0, 0.2)
}

/// `[model]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// `mlp` or `logistic`.
    pub kind: Spanned<String>,
    /// Hidden layer widths (MLP), e.g. `[20, 20]`; input and output sizes are implied.
    #[serde(default)]
    pub hidden_layers: Option<Spanned<Vec<usize>>>,
    /// Hidden activation (MLP): identity, relu, sigmoid or tanh.
    #[serde(default)]
    pub activation: Option<Spanned<String>>,
    /// Gradient-descent step size.
    pub learning_rate: Spanned<f64>,
    /// Maximum epochs.
    pub epochs: Spanned<usize>,
    /// L2 penalty λ.
    #[serde(default)]
    pub l2: Option<Spanned<f64>>,
    /// Mini-batch size; full batch when absent.
    #[serde(default)]
    pub batch_size: Option<Spanned<usize>>,
    /// Early-stopping tolerance; early stopping is on when this is set.
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
    /// Early-stopping patience in epochs (with `tolerance`).
    #[serde(default)]
    pub patience: Option<Spanned<usize>>,
    /// Decision threshold for the metrics.
    #[serde(default)]
    pub threshold: Option<Spanned<f64>>,
    /// Loss multiple of the first loss that counts as divergence.
    #[serde(default)]
    pub divergence_factor: Option<Spanned<f64>>,
}

/// `[sweep]`: every axis is optional; the runs are the cartesian product of those given, in
/// the order width, depth, activation, learning_rate, noise, scale, standardize,
/// early_stopping, epochs.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// Width of every hidden layer.
    #[serde(default)]
    pub width: Option<Spanned<Vec<usize>>>,
    /// Number of hidden layers (each as wide as the first of `model.hidden_layers`, or the
    /// swept width).
    #[serde(default)]
    pub depth: Option<Spanned<Vec<usize>>>,
    /// Hidden activation.
    #[serde(default)]
    pub activation: Option<Spanned<Vec<String>>>,
    /// Learning rate.
    #[serde(default)]
    pub learning_rate: Option<Spanned<Vec<f64>>>,
    /// Dataset noise.
    #[serde(default)]
    pub noise: Option<Spanned<Vec<f64>>>,
    /// Feature scale (every feature multiplied by it).
    #[serde(default)]
    pub scale: Option<Spanned<Vec<f64>>>,
    /// Standardising the features off (`false`) and on (`true`).
    #[serde(default)]
    pub standardize: Option<Spanned<Vec<bool>>>,
    /// Early stopping off (`false`) and on (`true`, with the model's tolerance and patience).
    #[serde(default)]
    pub early_stopping: Option<Spanned<Vec<bool>>>,
    /// Training length in epochs.
    #[serde(default)]
    pub epochs: Option<Spanned<Vec<usize>>>,
}

/// `[record]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    /// Write every k-th epoch's loss to the run's curve file (the last epoch is always written).
    #[serde(default = "default_curve_stride")]
    pub loss_curve_stride: Spanned<usize>,
    /// Sample per-layer gradient norms every k epochs (0: off).
    #[serde(default = "zero_stride")]
    pub gradient_norm_stride: Spanned<usize>,
    /// The loss fraction for "epochs to reach X% of the first loss".
    #[serde(default = "default_loss_fraction")]
    pub loss_fraction: Spanned<f64>,
    /// The oscillation measure looks at this last fraction of training.
    #[serde(default = "default_oscillation_window")]
    pub oscillation_window: Spanned<f64>,
    /// Read the loss surface's curvature every k epochs (and at epoch 0 and the last; 0: off).
    #[serde(default = "zero_stride")]
    pub curvature_stride: Spanned<usize>,
}

impl Default for RawRecord {
    fn default() -> Self {
        RawRecord {
            loss_curve_stride: default_curve_stride(),
            gradient_norm_stride: zero_stride(),
            loss_fraction: default_loss_fraction(),
            oscillation_window: default_oscillation_window(),
            curvature_stride: zero_stride(),
        }
    }
}

fn default_curve_stride() -> Spanned<usize> {
    Spanned::new(0..0, 100)
}
fn zero_stride() -> Spanned<usize> {
    Spanned::new(0..0, 0)
}
fn default_loss_fraction() -> Spanned<f64> {
    Spanned::new(0..0, models::DEFAULT_LOSS_FRACTION)
}
fn default_oscillation_window() -> Spanned<f64> {
    Spanned::new(0..0, 0.5)
}

/// `[[original]]`: the original project's numbers for one sweep point, or for every point
/// with some axes' values (`"depth=2"` in a depth × noise sweep).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawOriginal {
    /// The point this row belongs to, as it appears in the point label (e.g. `"width=3"`),
    /// or some of its `axis=value` pairs (every point with those values), or `"all"` for a
    /// study without a sweep.
    pub point: String,
    /// Original precision.
    #[serde(default)]
    pub precision: Option<f64>,
    /// Original recall.
    #[serde(default)]
    pub recall: Option<f64>,
    /// Original F1.
    #[serde(default)]
    pub f1: Option<f64>,
    /// Original final loss.
    #[serde(default)]
    pub loss: Option<f64>,
    /// Anything else the original reported for this value.
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[hypothesis]]`: a pre-registered hypothesis, in words, and the one rule that decides it
/// from the results. Which keys a rule takes is checked by [`crate::plan`]: `trend` takes
/// `metric`, `along`, `at`, `expect`; `closer_split` `metric`, `expect` and optionally `at`;
/// `share` `what`, `at` and one of `at_least` / `at_most`; `stability` optionally `margin`;
/// `negative_curvature` `more_at`, `than_at` and optionally `tolerance`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHypothesis {
    /// A short identifier, e.g. `H1`.
    pub name: Spanned<String>,
    /// The hypothesis in words.
    pub statement: Spanned<String>,
    /// What the hypothesis predicts the results will show.
    pub prediction: Spanned<String>,
    /// The rule: `trend`, `closer_split`, `share`, `stability` or `negative_curvature`.
    pub rule: Spanned<String>,
    /// The per-run metric (`trend`: e.g. `test_f1`; `closer_split`: `precision`, `recall`,
    /// `f1` or `loss`).
    #[serde(default)]
    pub metric: Option<Spanned<String>>,
    /// The swept axis a trend runs along.
    #[serde(default)]
    pub along: Option<Spanned<String>>,
    /// Swept axes held at one value, e.g. `{ noise = 0.3, epochs = 160000 }`.
    #[serde(default)]
    pub at: Option<Spanned<toml::Table>>,
    /// What the rule expects: `increasing` / `decreasing` (trend), `train` / `test`
    /// (closer_split).
    #[serde(default)]
    pub expect: Option<Spanned<String>>,
    /// The per-run event a share counts: `diverged` or `oscillated`.
    #[serde(default)]
    pub what: Option<Spanned<String>>,
    /// The least share of seeds the prediction allows.
    #[serde(default)]
    pub at_least: Option<Spanned<f64>>,
    /// The largest share of seeds the prediction allows.
    #[serde(default)]
    pub at_most: Option<Spanned<f64>>,
    /// How far a learning rate must be from the predicted stable one to count (stability).
    #[serde(default)]
    pub margin: Option<Spanned<f64>>,
    /// The point expected to show more negative curvature.
    #[serde(default)]
    pub more_at: Option<Spanned<toml::Table>>,
    /// The point it is compared with.
    #[serde(default)]
    pub than_at: Option<Spanned<toml::Table>>,
    /// A reading counts as negative curvature when λ_min < −tolerance·λ_max.
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
}
