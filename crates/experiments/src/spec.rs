//! Study files: the raw TOML schema, and its validation into a [`Plan`] of runs.
//!
//! Parsing and validation are separate steps (as ripgrep parses raw flags first): serde turns
//! the text into [`RawStudy`], rejecting syntax errors, unknown keys and wrong types with the
//! line and column; [`parse_and_validate`] then checks every value and builds every run's model and
//! dataset configuration, collecting *all* problems of a file before anything runs.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use core_linalg::Activation;
use data::{Blobs, Circles, Generator, Moons, Spirals, Xor};
use models::{EarlyStopping, LogisticRegressionConfig, MlpConfig, TrainingConfig};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Study files larger than this are refused before parsing (a study is a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most runs one file may plan (sweep product × seeds).
pub const MAX_RUNS: usize = 10_000;
/// The deepest swept net accepted (a resource guard; the original's deepest was 10).
pub const MAX_DEPTH: usize = 1000;
/// The hint for an MLP without hidden layers.
const NO_HIDDEN_LAYERS: &str = "kind = \"logistic\" is the model without hidden layers";
/// `--quick` divides every epoch count by this factor (rounding up, at least 1 epoch).
pub const QUICK_FACTOR: usize = 100;

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
/// the order width, depth, activation, learning_rate, noise, early_stopping.
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
    /// Early stopping off (`false`) and on (`true`, with the model's tolerance and patience).
    #[serde(default)]
    pub early_stopping: Option<Spanned<Vec<bool>>>,
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
}

impl Default for RawRecord {
    fn default() -> Self {
        RawRecord {
            loss_curve_stride: default_curve_stride(),
            gradient_norm_stride: Spanned::new(0..0, 0),
            loss_fraction: default_loss_fraction(),
            oscillation_window: default_oscillation_window(),
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

/// `[[original]]`: the original project's numbers for one swept value.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawOriginal {
    /// The swept value this row belongs to, as it appears in the point label (e.g. `"width=3"`),
    /// or `"all"` for a study without a sweep.
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

/// One problem in a study file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The dotted key, e.g. `model.learning_rate`.
    pub field: String,
    /// 1-based line and column of the value, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Everything wrong with one study file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render_problems(path, problems))]
pub struct StudyFileError {
    /// The file.
    pub path: PathBuf,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = match p.location {
            Some((line, col)) => write!(
                out,
                "{}:{line}:{col}: {}: {}",
                path.display(),
                p.field,
                p.message
            ),
            None => write!(out, "{}: {}: {}", path.display(), p.field, p.message),
        };
    }
    out
}

/// The model of one run, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelPlan {
    /// Logistic regression.
    Logistic(LogisticRegressionConfig),
    /// A multi-layer perceptron.
    Mlp(MlpConfig),
}

impl ModelPlan {
    /// The training settings.
    pub fn training(&self) -> &TrainingConfig {
        match self {
            ModelPlan::Logistic(c) => c.training(),
            ModelPlan::Mlp(c) => c.training(),
        }
    }

    /// Layer sizes, e.g. `[2, 20, 20, 1]` (logistic: `[2, 1]`).
    pub fn layer_sizes(&self) -> Vec<usize> {
        match self {
            ModelPlan::Logistic(_) => vec![2, 1],
            ModelPlan::Mlp(c) => c.layer_sizes().to_vec(),
        }
    }

    /// The hidden activation's name (`-` for logistic regression).
    pub fn activation_name(&self) -> &'static str {
        match self {
            ModelPlan::Logistic(_) => "-",
            ModelPlan::Mlp(c) => c.hidden_activation().name(),
        }
    }
}

/// One run: a sweep point and a seed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// Position in the study's run list (the order runs are listed, not the order they finish).
    pub index: usize,
    /// Index of the sweep point.
    pub point: usize,
    /// The point's label, e.g. `width=20` (`all` without a sweep).
    pub point_label: String,
    /// Swept axis names and values, in axis order.
    pub swept: Vec<(String, String)>,
    /// The run seed.
    pub seed: u64,
    /// The seed the dataset is drawn with.
    pub data_seed: u64,
    /// The dataset generator.
    pub generator: Generator,
    /// The model.
    pub model: ModelPlan,
}

impl RunPlan {
    /// A file-name-safe identifier: `p<point>-s<seed>`.
    pub fn id(&self) -> String {
        format!("p{:02}-s{}", self.point, self.seed)
    }
}

/// A validated study: everything needed to run it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The study file.
    pub path: PathBuf,
    /// The file's text, copied beside the results.
    pub source: String,
    /// The parsed file.
    pub raw: RawStudy,
    /// Study name.
    pub name: String,
    /// Number of samples drawn.
    pub n_samples: usize,
    /// Test fraction.
    pub test_fraction: f64,
    /// Standardise features.
    pub standardize: bool,
    /// Curve stride.
    pub loss_curve_stride: usize,
    /// Oscillation window.
    pub oscillation_window: f64,
    /// Sweep axis names in order (empty: no sweep).
    pub axes: Vec<String>,
    /// Point labels in order.
    pub points: Vec<String>,
    /// Every run, point-major then seed.
    pub runs: Vec<RunPlan>,
    /// Whether `--quick` shortened the epochs.
    pub quick: bool,
}

impl Plan {
    /// The seeds its runs use, each once, in the order the runs first use them.
    pub fn seeds(&self) -> Vec<u64> {
        let mut seeds = Vec::new();
        for run in &self.runs {
            if !seeds.contains(&run.seed) {
                seeds.push(run.seed);
            }
        }
        seeds
    }
}

/// Options from the command line that change the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOptions {
    /// Replace the file's seeds.
    pub seeds: Option<Vec<u64>>,
    /// Divide epochs by [`QUICK_FACTOR`].
    pub quick: bool,
}

/// Reads, parses and validates a study file.
///
/// # Errors
/// [`StudyFileError`] listing every problem: unreadable file, size, syntax, unknown keys,
/// wrong types, and out-of-range values, each with its line and column where known.
pub fn load(path: &Path, options: &PlanOptions) -> Result<Plan, StudyFileError> {
    let fail = |field: &str, message: String| StudyFileError {
        path: path.to_owned(),
        problems: vec![Problem {
            field: field.to_owned(),
            location: None,
            message,
        }],
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(
            "file",
            format!("cannot read the study file: {e}; check the path"),
        )
    })?;
    if meta.is_dir() {
        return Err(fail(
            "file",
            "is a directory; pass a .toml study file (or no file to run every study in experiments/)"
                .into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            "file",
            format!(
                "is {} bytes; study files are limited to {MAX_FILE_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| fail("file", format!("cannot read the study file: {e}")))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        fail(
            "file",
            format!("is not valid UTF-8 (first bad byte at offset {offset}); save it as UTF-8"),
        )
    })?;
    parse_and_validate(path, source, options)
}

/// Parses and validates study text (see [`load`]).
///
/// # Errors
/// As [`load`].
pub fn parse_and_validate(
    path: &Path,
    source: String,
    options: &PlanOptions,
) -> Result<Plan, StudyFileError> {
    if source.trim().is_empty() {
        return Err(StudyFileError {
            path: path.to_owned(),
            problems: vec![Problem {
                field: "file".into(),
                location: None,
                message: "is empty; a study needs [study], [dataset] and [model] tables (see README, \"Study files\")".into(),
            }],
        });
    }
    let syntax_problem = |e: &toml::de::Error| Problem {
        field: "syntax".into(),
        location: e.span().map(|s| line_col(&source, s.start)),
        message: e.message().trim().to_owned()
            + &e.span()
                .map(|s| format!("\n{}", source_line(&source, s)))
                .unwrap_or_default(),
    };
    let (raw, mut problems) = deserialize_reporting_every_key(&source, syntax_problem);
    problems.sort_by_key(|p| p.location);
    let Some(raw) = raw else {
        return Err(StudyFileError {
            path: path.to_owned(),
            problems,
        });
    };
    let mut v = Validator {
        source: &source,
        problems: Vec::new(),
    };
    let plan = v.plan(path, &raw, options);
    problems.append(&mut v.problems);
    v.problems = problems;
    match plan {
        Some(plan) if v.problems.is_empty() => Ok(Plan {
            source,
            raw,
            ..plan
        }),
        _ => Err(StudyFileError {
            path: path.to_owned(),
            problems: v.problems,
        }),
    }
}

/// Deserialises a study file, reporting every key that cannot be read rather than the first.
///
/// A file that is not valid TOML gets its one syntax error. Otherwise each failure that points
/// at a line (an unknown key, a wrong type, an integer out of range) is recorded, that line is
/// blanked in a copy of the source (same length, so every position stays right) and the copy
/// is read again, up to 50 times. Returns the study when the copy finally reads, so its values
/// can be checked too; `None` when it does not (typically: a blanked key was required, which
/// is not reported again as missing).
fn deserialize_reporting_every_key(
    source: &str,
    to_problem: impl Fn(&toml::de::Error) -> Problem,
) -> (Option<RawStudy>, Vec<Problem>) {
    // A file that reads (the usual case) is parsed once.
    let first = match toml::from_str::<RawStudy>(source) {
        Ok(raw) => return (Some(raw), Vec::new()),
        Err(e) => e,
    };
    if toml::from_str::<toml::Table>(source).is_err() {
        // Not valid TOML: one syntax error, worded as the study's own reading words it (an
        // integer too large for a generic TOML value is "expected usize" there).
        return (None, vec![to_problem(&first)]);
    }
    let mut copy = source.to_owned();
    let mut problems = Vec::new();
    let mut e = first;
    for _ in 0..50 {
        // The line the failure points at, unless there is none to set aside: no position, a
        // line already blanked, or a missing key (one blanked before, not reported again).
        let line = e
            .span()
            .filter(|_| !e.message().starts_with("missing field"))
            .map(|span| {
                let start = copy[..span.start.min(copy.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = copy[start..].find('\n').map_or(copy.len(), |i| start + i);
                start..end
            })
            .filter(|line| !line.is_empty() && !copy[line.clone()].trim_start().starts_with('#'));
        let Some(line) = line else {
            if problems.is_empty() {
                problems.push(to_problem(&e));
            }
            return (None, problems);
        };
        problems.push(to_problem(&e));
        let blank: String = std::iter::once('#')
            .chain(std::iter::repeat_n(' ', line.len() - 1))
            .collect();
        copy.replace_range(line, &blank);
        if toml::from_str::<toml::Table>(&copy).is_err() {
            // The key's value went on past its line (a multi-line array): stop here.
            return (None, problems);
        }
        e = match toml::from_str::<RawStudy>(&copy) {
            Ok(raw) => return (Some(raw), problems),
            Err(e) => e,
        };
    }
    (None, problems)
}

/// 1-based line and column of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The source line containing a span, with a caret under its start.
fn source_line(source: &str, span: Range<usize>) -> String {
    let (line, col) = line_col(source, span.start);
    let text = source.lines().nth(line - 1).unwrap_or("");
    format!("  | {text}\n  | {}^", " ".repeat(col - 1))
}

struct Validator<'s> {
    source: &'s str,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, field: &str, span: Option<Range<usize>>, message: impl Into<String>) {
        let location = span
            .filter(|s| s.end > 0)
            .map(|s| line_col(self.source, s.start));
        self.problems.push(Problem {
            field: field.to_owned(),
            location,
            message: message.into(),
        });
    }

    fn plan(&mut self, path: &Path, raw: &RawStudy, options: &PlanOptions) -> Option<Plan> {
        let name = raw.study.name.get_ref().clone();
        // It names the output folder and appears in file and link names: letters (any script),
        // digits, '-' and '_' only, so no space, separator, dot or invisible control character.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            self.problem(
                "study.name",
                Some(raw.study.name.span()),
                format!("{name:?} cannot be a folder name: use letters, digits, '-' and '_' only"),
            );
        }
        let seeds = options
            .seeds
            .clone()
            .unwrap_or_else(|| raw.study.seeds.get_ref().clone());
        if seeds.is_empty() {
            self.problem(
                "study.seeds",
                Some(raw.study.seeds.span()),
                "is empty: give at least one seed, e.g. [1, 2, 3, 4, 5]",
            );
        }
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            // Blame what the seeds came from: the command line replaces the file's list.
            let (field, span) = if options.seeds.is_some() {
                ("--seeds", None)
            } else {
                ("study.seeds", Some(raw.study.seeds.span()))
            };
            self.problem(
                field,
                span,
                format!("seed {} appears twice: each seed must be distinct", w[0]),
            );
        }

        // Dataset.
        let d = &raw.dataset;
        let n_samples = *d.samples.get_ref();
        if !(4..=1_000_000).contains(&n_samples) {
            self.problem(
                "dataset.samples",
                Some(d.samples.span()),
                format!("{n_samples} is out of range: expected 4 to 1000000"),
            );
        }
        let test_fraction = *d.test_fraction.get_ref();
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            self.problem(
                "dataset.test_fraction",
                Some(d.test_fraction.span()),
                format!("{test_fraction} is out of range: expected a number strictly between 0 and 1, such as 0.2"),
            );
        } else {
            let n_test = (n_samples as f64 * test_fraction / 2.0).round() as usize;
            let n_per_class = n_samples / 2;
            if n_test == 0 || n_test >= n_per_class {
                self.problem(
                    "dataset.test_fraction",
                    Some(d.test_fraction.span()),
                    format!("{test_fraction} of {n_samples} samples leaves a split without one of the classes: use more samples or a fraction nearer 0.2"),
                );
            }
        }
        let generator_name = d.generator.get_ref().as_str();
        let known = ["blobs", "moons", "circles", "xor", "spirals"];
        if !known.contains(&generator_name) {
            self.problem(
                "dataset.generator",
                Some(d.generator.span()),
                format!(
                    "unknown generator {generator_name:?}: expected one of {}",
                    known.join(", ")
                ),
            );
        }
        let allowed: &[&str] = match generator_name {
            "blobs" => &["separation"],
            "moons" | "xor" => &["noise"],
            "circles" => &["noise", "factor"],
            "spirals" => &["noise", "turns"],
            _ => &["noise", "separation", "factor", "turns"],
        };
        for (key, value) in [
            ("noise", &d.noise),
            ("separation", &d.separation),
            ("factor", &d.factor),
            ("turns", &d.turns),
        ] {
            if let Some(v) = value
                && !allowed.contains(&key)
            {
                self.problem(
                    &format!("dataset.{key}"),
                    Some(v.span()),
                    format!(
                        "{generator_name} has no parameter {key}; it takes {}",
                        allowed.join(", ")
                    ),
                );
            }
        }

        // Sweep.
        let s = &raw.sweep;
        let mut axes: Vec<(String, Vec<String>, Range<usize>)> = Vec::new();
        macro_rules! axis {
            ($name:literal, $field:expr) => {
                if let Some(values) = &$field {
                    if values.get_ref().is_empty() {
                        self.problem(
                            concat!("sweep.", $name),
                            Some(values.span()),
                            "is empty: give at least one value or remove the axis",
                        );
                    }
                    axes.push((
                        $name.to_owned(),
                        values.get_ref().iter().map(|v| format!("{v}")).collect(),
                        values.span(),
                    ));
                }
            };
        }
        axis!("width", s.width);
        axis!("depth", s.depth);
        axis!("activation", s.activation);
        axis!("learning_rate", s.learning_rate);
        axis!("noise", s.noise);
        axis!("early_stopping", s.early_stopping);
        for (name, values, span) in &axes {
            let mut seen = values.clone();
            seen.sort();
            if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
                self.problem(
                    &format!("sweep.{name}"),
                    Some(span.clone()),
                    format!(
                        "value {} appears twice: every swept value must be distinct",
                        w[0]
                    ),
                );
            }
        }
        let n_points = axes
            .iter()
            .try_fold(1usize, |acc, (_, v, _)| acc.checked_mul(v.len().max(1)));
        let n_runs = n_points.and_then(|p| p.checked_mul(seeds.len().max(1)));
        match n_runs {
            Some(n) if n <= MAX_RUNS => {}
            _ => {
                let shown = n_runs.map_or("more than 2^64".to_owned(), |n| n.to_string());
                self.problem(
                    "sweep",
                    None,
                    format!("plans {shown} runs (sweep product × seeds); at most {MAX_RUNS} are allowed: shrink an axis or the seed list"),
                );
                return None;
            }
        }
        if !self.problems.is_empty() && axes.iter().any(|(_, v, _)| v.is_empty()) {
            return None;
        }

        // Every point, in axis order (the last axis varies fastest).
        let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for (name, values, _) in &axes {
            points = points
                .into_iter()
                .flat_map(|p| {
                    values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push((name.clone(), v.clone()));
                        q
                    })
                })
                .collect();
        }

        let mut runs = Vec::new();
        let mut labels = Vec::new();
        for (point_index, point) in points.iter().enumerate() {
            let label = if point.is_empty() {
                "all".to_owned()
            } else {
                point
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let before = self.problems.len();
            let generator = self.generator(raw, point);
            let model = self.model(raw, point, options.quick);
            if self.problems.len() > before {
                // Report each distinct problem once, not once per point.
                let mut seen = Vec::new();
                self.problems.retain(|p| {
                    let key = (p.field.clone(), p.message.clone());
                    let fresh = !seen.contains(&key);
                    seen.push(key);
                    fresh
                });
            }
            labels.push(label.clone());
            let (Some(generator), Some(model)) = (generator, model) else {
                continue;
            };
            for &seed in &seeds {
                runs.push(RunPlan {
                    index: runs.len(),
                    point: point_index,
                    point_label: label.clone(),
                    swept: point.clone(),
                    seed,
                    data_seed: d.seed.unwrap_or(seed),
                    generator,
                    model: model.clone(),
                });
            }
        }
        let mut original_points: Vec<&str> = Vec::new();
        for original in &raw.original {
            if original_points.contains(&original.point.as_str()) {
                self.problem(
                    "original.point",
                    None,
                    format!(
                        "{:?} has two [[original]] rows: give each point one row",
                        original.point
                    ),
                );
            }
            original_points.push(&original.point);
            // The original's numbers go into the tables beside ours: scores are fractions,
            // the loss a cross-entropy (never negative).
            const FRACTION: (f64, &str) = (1.0, "a fraction in [0, 1]");
            const LOSS: (f64, &str) = (f64::INFINITY, "a finite number ≥ 0");
            for (field, value, (upper, allowed)) in [
                ("original.precision", original.precision, FRACTION),
                ("original.recall", original.recall, FRACTION),
                ("original.f1", original.f1, FRACTION),
                ("original.loss", original.loss, LOSS),
            ] {
                if let Some(v) = value
                    && !(v.is_finite() && (0.0..=upper).contains(&v))
                {
                    self.problem(
                        field,
                        None,
                        format!(
                            "{v} (point {:?}) is out of range: expected {allowed}",
                            original.point
                        ),
                    );
                }
            }
            if !labels.contains(&original.point) {
                self.problem(
                    "original.point",
                    None,
                    format!(
                        "{:?} matches no swept point; expected one of {}",
                        original.point,
                        labels.join(" | ")
                    ),
                );
            }
        }
        let r = &raw.record;
        if *r.loss_curve_stride.get_ref() == 0 {
            self.problem(
                "record.loss_curve_stride",
                Some(r.loss_curve_stride.span()),
                "0 is out of range: expected an integer ≥ 1 (1 writes every epoch)",
            );
        }
        let window = *r.oscillation_window.get_ref();
        if !(window > 0.0 && window <= 1.0) {
            self.problem(
                "record.oscillation_window",
                Some(r.oscillation_window.span()),
                format!("{window} is out of range: expected a fraction in (0, 1]"),
            );
        }
        Some(Plan {
            path: path.to_owned(),
            source: String::new(),
            raw: raw.clone(),
            name,
            n_samples,
            test_fraction,
            standardize: d.standardize,
            loss_curve_stride: *r.loss_curve_stride.get_ref(),
            oscillation_window: window,
            axes: axes.into_iter().map(|(n, _, _)| n).collect(),
            points: labels,
            runs,
            quick: options.quick,
        })
    }

    fn generator(&mut self, raw: &RawStudy, point: &[(String, String)]) -> Option<Generator> {
        let d = &raw.dataset;
        let swept_noise = point
            .iter()
            .find(|(k, _)| k == "noise")
            .and_then(|(_, v)| v.parse::<f64>().ok());
        let (noise, noise_span) = match (swept_noise, &d.noise) {
            (Some(n), _) => (n, raw.sweep.noise.as_ref().map(Spanned::span)),
            (None, Some(n)) => (*n.get_ref(), Some(n.span())),
            (None, None) => (0.0, None),
        };
        let value = |v: &Option<Spanned<f64>>, default: f64| {
            v.as_ref()
                .map_or((default, None), |s| (*s.get_ref(), Some(s.span())))
        };
        let result = match d.generator.get_ref().as_str() {
            "blobs" => {
                let (sep, span) = value(&d.separation, 2.0);
                Blobs::new(sep)
                    .map(Generator::from)
                    .map_err(|e| ("dataset.separation", span, e))
            }
            "moons" => Moons::new()
                .with_noise(noise)
                .map(Generator::from)
                .map_err(|e| ("dataset.noise", noise_span.clone(), e)),
            "xor" => Xor::new()
                .with_noise(noise)
                .map(Generator::from)
                .map_err(|e| ("dataset.noise", noise_span.clone(), e)),
            "circles" => {
                let (factor, span) = value(&d.factor, 0.5);
                Circles::new(factor)
                    .map_err(|e| ("dataset.factor", span, e))
                    .and_then(|c| {
                        c.with_noise(noise)
                            .map_err(|e| ("dataset.noise", noise_span.clone(), e))
                    })
                    .map(Generator::from)
            }
            "spirals" => {
                let (turns, span) = value(&d.turns, 1.5);
                Spirals::new(turns)
                    .map_err(|e| ("dataset.turns", span, e))
                    .and_then(|c| {
                        c.with_noise(noise)
                            .map_err(|e| ("dataset.noise", noise_span.clone(), e))
                    })
                    .map(Generator::from)
            }
            _ => return None, // Already reported.
        };
        match result {
            Ok(g) => Some(g),
            Err((field, span, e)) => {
                self.problem(field, span, e.to_string());
                None
            }
        }
    }

    fn model(
        &mut self,
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
                self.problem(
                    "sweep.early_stopping",
                    raw.sweep.early_stopping.as_ref().map(Spanned::span),
                    "sweeps early stopping on, but model.tolerance is not set: add tolerance (and patience)",
                );
                None
            }
            (_, None, Some(p)) => {
                self.problem(
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
            self.problem(&key, span, e.to_string());
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
                        self.problem(
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
                    self.problem(
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
                    self.problem(
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
                        self.problem(key, span, e.to_string());
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
                    self.problem(key, span, e.to_string());
                    return None;
                }
                Some(ModelPlan::Mlp(config))
            }
            other => {
                self.problem(
                    "model.kind",
                    Some(m.kind.span()),
                    format!("unknown model kind {other:?}: expected one of mlp, logistic"),
                );
                None
            }
        };
        plan.filter(|_| training_is_valid)
    }
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
