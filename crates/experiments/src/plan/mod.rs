//! Validation: a study's raw schema checked, once, into a [`Plan`] of runs whose values are
//! trusted from then on.
//!
//! Every problem of a file is collected (with its line and column) before anything runs:
//! validation goes on after a bad value so the next one is reported too, and builds no plan
//! while any problem stands.

mod dataset;
mod hypothesis;
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

pub use dataset::BayesErrors;
pub use hypothesis::{
    CLOSER_SPLIT_RATIO, DEFAULT_CURVATURE_TOLERANCE, DEFAULT_STABILITY_MARGIN, Direction,
    Hypothesis, MIN_TREND_POINTS, Measure, Metric, NEGATIVE_CURVATURE_MARGIN,
    OSCILLATION_THRESHOLD, Rule, RunEvent, STABILITY_CONTRADICTION_SHARE, Selection, ShareBound,
    Split, TREND_SUPPORTED_TAU, original_value,
};
pub use sweep::{Axis, AxisValue, Original, Point, points};

/// The most runs one file may plan (sweep product × seeds).
pub const MAX_RUNS: usize = 10_000;
/// The deepest swept net accepted (a resource guard; the original's deepest was 10).
pub const MAX_DEPTH: usize = 1000;
/// The hint for an MLP without hidden layers.
const NO_HIDDEN_LAYERS: &str = "kind = \"logistic\" is the model without hidden layers";
/// Early stopping's patience when only the tolerance is given (a study file's
/// `model.tolerance`, `train --tolerance`).
pub const DEFAULT_PATIENCE: usize = 10;
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
    /// The dataset generator (with the point's noise and scale).
    pub generator: Generator,
    /// Whether the features are standardised with the training part's statistics (the
    /// point's `standardize`, else the dataset table's).
    pub standardize: bool,
    /// The model.
    pub model: ModelPlan,
}

impl RunPlan {
    /// A file-name-safe identifier: `p<point>-s<seed>`.
    pub fn id(&self) -> String {
        format!("p{:02}-s{}", self.point, self.seed)
    }
}

/// How every run's data is drawn and split (the generator and the standardisation are per
/// run, [`RunPlan`]: a sweep may vary the noise, the scale and the standardisation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataPlan {
    /// Number of samples drawn.
    pub n_samples: usize,
    /// Fraction held out for testing, in (0, 1), leaving both classes on both sides.
    pub test_fraction: f64,
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
    /// The loss surface's curvature is read every k epochs, and at epoch 0 and the last
    /// (0: off; otherwise at most every point's epochs as written).
    pub curvature_stride: usize,
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
    /// The pre-registered hypotheses, in file order.
    pub hypotheses: Vec<Hypothesis>,
    /// The Bayes error of each distinct dataset configuration, computed once on first use.
    pub bayes: BayesErrors,
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

    #[test]
    fn scale_standardisation_and_epochs_sweeps_reach_every_run() {
        let text = STUDY
            .replace(
                "generator = \"blobs\"",
                "generator = \"moons\"\nscale = 3.0",
            )
            .replace(
                "learning_rate = [0.001, 0.3]",
                "scale = [1, 10]\nstandardize = [false, true]\nepochs = [10, 250]",
            );
        let plan = plan(&text, &PlanOptions::default()).unwrap();
        assert_eq!(plan.axes, [Axis::Scale, Axis::Standardize, Axis::Epochs]);
        assert_eq!(plan.points[7].label, "scale=10,standardize=true,epochs=250");
        for run in &plan.runs {
            let point = plan.point_of(run);
            assert_eq!(run.generator.scale(), point.scale().unwrap());
            assert_eq!(run.standardize, point.standardize().unwrap());
            assert_eq!(run.model.training().epochs(), point.epochs().unwrap());
        }
        // One Bayes error serves every scale of the same moons.
        assert_eq!(plan.bayes.len(), 1);
        // Without the sweep, the dataset table's scale and standardisation apply.
        let fixed = STUDY.replace(
            "samples = 40",
            "samples = 40\nscale = 3.0\nstandardize = true",
        );
        let plan = super::tests::plan(&fixed, &PlanOptions::default()).unwrap();
        assert!(
            plan.runs
                .iter()
                .all(|r| r.generator.scale() == 3.0 && r.standardize)
        );
        let quick = PlanOptions {
            seeds: None,
            quick: true,
        };
        let plan = super::tests::plan(&text, &quick).unwrap();
        assert_eq!(plan.runs.last().unwrap().model.training().epochs(), 3);
    }

    #[test]
    fn bad_scales_name_the_key_and_the_allowed_range() {
        for (bad, shown) in [
            ("0.0", "0.0"),
            ("-1.0", "-1.0"),
            ("nan", "NaN"),
            ("1e300", "1e300"),
        ] {
            let text = STUDY.replace("samples = 40", &format!("samples = 40\nscale = {bad}"));
            let err = plan(&text, &PlanOptions::default()).unwrap_err();
            assert_eq!(err.problems.len(), 1, "{err}");
            let p = &err.problems[0];
            assert_eq!(p.field, "dataset.scale");
            assert!(p.location.is_some());
            assert!(
                p.message.contains(&format!("scale = {shown} is invalid")),
                "{}",
                p.message
            );
            assert!(p.message.contains("1e-6 to 1e6"), "{}", p.message);
        }
        // A bad swept scale is reported beside a bad swept noise: every problem at once.
        let text = STUDY.replace("blobs", "moons").replace(
            "learning_rate = [0.001, 0.3]",
            "scale = [1.0, 1e7]\nnoise = [-0.5]",
        );
        let err = plan(&text, &PlanOptions::default()).unwrap_err();
        let mut fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["sweep.noise", "sweep.scale"], "{err}");
        assert!(
            err.to_string().contains("scale = 10000000.0 is invalid"),
            "{err}"
        );
    }

    #[test]
    fn swept_epochs_and_curvature_strides_are_checked() {
        let text = STUDY.replace("learning_rate = [0.001, 0.3]", "epochs = [0, 10]");
        let err = plan(&text, &PlanOptions::default()).unwrap_err();
        assert_eq!(err.problems[0].field, "sweep.epochs", "{err}");
        let text = STUDY.replace("[sweep]", "[record]\ncurvature_stride = 11\n\n[sweep]");
        let err = plan(&text, &PlanOptions::default()).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert_eq!(err.problems[0].field, "record.curvature_stride");
        assert!(
            err.problems[0]
                .message
                .contains("11 is larger than model.epochs (10): expected 0 (off) to 10"),
            "{err}"
        );
        let ok = STUDY.replace("[sweep]", "[record]\ncurvature_stride = 10\n\n[sweep]");
        assert_eq!(
            plan(&ok, &PlanOptions::default())
                .unwrap()
                .record
                .curvature_stride,
            10
        );
    }
}
