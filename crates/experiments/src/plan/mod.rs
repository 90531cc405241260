//! Validation: a study's raw schema checked, once, into a [`Plan`] of runs whose values are
//! trusted from then on.
//!
//! Every problem of a file is collected (with its line and column) before anything runs:
//! validation goes on after a bad value so the next one is reported too, and builds no plan
//! while any problem stands.

mod dataset;
mod model;
mod validate;

use std::path::{Path, PathBuf};

use data::Generator;
use models::{LogisticRegressionConfig, MlpConfig, TrainingConfig};

use crate::study_file::{self, Diagnostics, RawStudy, StudyFileError};

/// The most runs one file may plan (sweep product × seeds).
pub const MAX_RUNS: usize = 10_000;
/// The deepest swept net accepted (a resource guard; the original's deepest was 10).
pub const MAX_DEPTH: usize = 1000;
/// The hint for an MLP without hidden layers.
const NO_HIDDEN_LAYERS: &str = "kind = \"logistic\" is the model without hidden layers";
/// `--quick` divides every epoch count by this factor (rounding up, at least 1 epoch).
pub const QUICK_FACTOR: usize = 100;

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
    let source = study_file::read(path)?;
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
    let parsed = study_file::parse(&source);
    let Some(raw) = parsed.raw else {
        return Err(StudyFileError {
            path: path.to_owned(),
            problems: parsed.problems,
        });
    };
    let mut diagnostics = Diagnostics::new(&source);
    let plan = validate::plan(&mut diagnostics, path, &raw, options);
    let mut problems = parsed.problems;
    problems.extend(diagnostics.into_problems());
    match plan {
        Some(plan) if problems.is_empty() => Ok(Plan {
            source,
            raw,
            ..plan
        }),
        _ => Err(StudyFileError {
            path: path.to_owned(),
            problems,
        }),
    }
}
