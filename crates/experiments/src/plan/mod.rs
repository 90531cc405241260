//! Validation: a study's raw schema checked, once, into a [`Plan`] of runs whose values are
//! trusted from then on.
//!
//! Every problem of a file is collected (with its line and column) before anything runs:
//! validation goes on after a bad value so the next one is reported too, and builds no plan
//! while any problem stands.

mod dataset;
mod model;
mod sweep;
mod validate;

use std::path::{Path, PathBuf};

use core_linalg::Dataset;
use data::Generator;
use models::saved::SavedModel;
use models::{
    FitReport, LogisticRegressionConfig, MlpConfig, ModelError, TrainingConfig, TrainingObserver,
};
use rand::Rng;

use crate::study_file::{self, Diagnostics, StudyFileError};

pub use sweep::{Axis, AxisValue, Original, Point, points};

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

    /// Initialises the model without training: logistic regression at zero, an MLP from `rng`
    /// (what `fit_with` starts from with the same RNG state).
    ///
    /// # Errors
    /// As the config's `initialise`.
    pub fn initialise<R: Rng + ?Sized>(
        &self,
        n_features: usize,
        rng: &mut R,
    ) -> Result<SavedModel, ModelError> {
        match self {
            ModelPlan::Logistic(c) => c.initialise(n_features).map(SavedModel::Logistic),
            ModelPlan::Mlp(c) => c.initialise(rng).map(SavedModel::Mlp),
        }
    }

    /// Initialises and trains on `train`, measuring the loss on `test` too when given; the
    /// one fit that study runs and `train` share.
    ///
    /// # Errors
    /// As the config's `fit_with`: data that does not fit the model, or a divergent loss.
    pub fn fit_with<R: Rng + ?Sized>(
        &self,
        train: &Dataset,
        test: Option<&Dataset>,
        rng: &mut R,
        observer: &mut dyn TrainingObserver,
    ) -> Result<(SavedModel, FitReport), ModelError> {
        match self {
            ModelPlan::Logistic(c) => c
                .fit_with(train, test, rng, observer)
                .map(|(m, r)| (SavedModel::Logistic(m), r)),
            ModelPlan::Mlp(c) => c
                .fit_with(train, test, rng, observer)
                .map(|(m, r)| (SavedModel::Mlp(m), r)),
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
    /// Index of the sweep point in [`Plan::points`].
    pub point: usize,
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

/// How a run's data is prepared (the generator is per run: a sweep may vary its noise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataPlan {
    /// Number of samples drawn.
    pub n_samples: usize,
    /// Fraction held out for testing, in (0, 1), leaving both classes on both sides.
    pub test_fraction: f64,
    /// Standardise features with the training part's statistics.
    pub standardize: bool,
}

/// What a study records beyond the tables, from its `[record]` table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordPlan {
    /// Every k-th epoch's loss (and the last) goes into the run's curve file, ≥ 1.
    pub loss_curve_stride: usize,
    /// Per-layer gradient norms are sampled every k epochs (0: off).
    pub gradient_norm_stride: usize,
    /// The fraction of the first loss for "epochs to reach X %", in (0, 1).
    pub loss_fraction: f64,
    /// The oscillation measure looks at this last fraction of training, in (0, 1].
    pub oscillation_window: f64,
}

/// A validated study: everything needed to run it, and to describe it in tables and reports.
/// Every value is checked; nothing of the raw file is kept but its text.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The study file.
    pub path: PathBuf,
    /// The file's text, copied beside the results (and compared by `--resume`).
    pub source: String,
    /// Study name (a valid folder name).
    pub name: String,
    /// The question the study answers.
    pub question: String,
    /// The original project's finding, in words.
    pub finding: String,
    /// The seeds every point runs with: the file's, or `--seeds`.
    pub seeds: Vec<u64>,
    /// How each run's data is prepared.
    pub data: DataPlan,
    /// What is recorded.
    pub record: RecordPlan,
    /// The swept axes, in point order (empty: no sweep).
    pub axes: Vec<Axis>,
    /// Every sweep point, in order (one, labelled `all`, without a sweep).
    pub points: Vec<Point>,
    /// Every run, point-major then seed.
    pub runs: Vec<RunPlan>,
    /// Whether `--quick` shortened the epochs.
    pub quick: bool,
}

impl Plan {
    /// The sweep point of `run`.
    pub fn point_of(&self, run: &RunPlan) -> &Point {
        &self.points[run.point]
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
        Some(plan) if problems.is_empty() => Ok(Plan { source, ..plan }),
        _ => Err(StudyFileError {
            path: path.to_owned(),
            problems,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDY: &str = r#"
[study]
name = "unit"
seeds = [1, 2, 3]

[dataset]
generator = "blobs"
samples = 40

[model]
kind = "mlp"
hidden_layers = [4]
learning_rate = 0.1
epochs = 10

[sweep]
learning_rate = [0.001, 0.3]
"#;

    fn plan(text: &str, options: &PlanOptions) -> Result<Plan, StudyFileError> {
        parse_and_validate(Path::new("unit.toml"), text.to_owned(), options)
    }

    #[test]
    fn swept_numbers_reach_the_model_as_the_numbers_parsed() {
        let plan = plan(STUDY, &PlanOptions::default()).unwrap();
        assert_eq!(plan.axes, [Axis::LearningRate]);
        let labels: Vec<&str> = plan.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["learning_rate=0.001", "learning_rate=0.3"]);
        assert_eq!(plan.runs.len(), 6);
        for run in &plan.runs {
            let swept = plan.point_of(run).learning_rate().unwrap();
            let used = run.model.training().learning_rate();
            assert_eq!(swept.to_bits(), used.to_bits());
        }
        assert_eq!(plan.points[1].learning_rate(), Some(0.3));
    }

    #[test]
    fn seeds_from_the_command_line_replace_the_files() {
        let options = PlanOptions {
            seeds: Some(vec![7, 9]),
            quick: false,
        };
        let plan = plan(STUDY, &options).unwrap();
        assert_eq!(plan.seeds, [7, 9]);
        assert_eq!(plan.runs.len(), 2 * 2);
        assert!(plan.runs.iter().all(|r| r.seed == r.data_seed));
    }

    #[test]
    fn a_dataset_without_parameters_takes_the_generators_defaults() {
        let plan = plan(STUDY, &PlanOptions::default()).unwrap();
        let expected = data::Blobs::new(data::Blobs::DEFAULT_SEPARATION).unwrap();
        assert_eq!(plan.runs[0].generator, Generator::from(expected));
    }

    #[test]
    fn quick_shortens_the_validated_epochs() {
        let options = PlanOptions {
            seeds: None,
            quick: true,
        };
        let plan = plan(STUDY, &options).unwrap();
        assert_eq!(plan.runs[0].model.training().epochs(), 1);
    }

    #[test]
    fn a_bad_swept_value_is_reported_at_the_sweep_with_its_line() {
        let text = STUDY.replace("[0.001, 0.3]", "[0.001, -1.0]");
        let err = plan(&text, &PlanOptions::default()).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        let problem = &err.problems[0];
        assert_eq!(problem.field, "sweep.learning_rate");
        assert_eq!(problem.location, Some((17, 17)));
        assert!(problem.message.contains("-1"), "{}", problem.message);
    }

    #[test]
    fn parameters_a_generator_does_not_take_are_each_reported() {
        let text = STUDY.replace("samples = 40", "samples = 40\nnoise = 0.1\nturns = 2.0");
        let err = plan(&text, &PlanOptions::default()).unwrap_err();
        let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["dataset.noise", "dataset.turns"]);
        assert_eq!(
            err.problems[0].message,
            "blobs has no parameter noise; it takes separation"
        );
    }
}
