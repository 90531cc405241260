//! `experiments train`: one model on a CSV file or a generated dataset, its test metrics, and
//! optionally the saved model with its loss curve and decision boundary beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use core_linalg::{Activation, Dataset, Matrix};
use data::{Generator, GeneratorKind, GeneratorParameter, GeneratorSpec};
use models::saved::{self, SavedModel};
use models::{
    BatchMode, EarlyStopping, FitReport, LogisticRegressionConfig, MlpConfig, ModelError,
    TrainingConfig,
};

use super::{check_output_file, print_metrics, usage, with_suffix};
use crate::error::{Error, error_chain};
use crate::output::write_atomic;
use crate::pipeline::{self, PipelineError, PreparedData, rng, stream};
use crate::plan::{DEFAULT_PATIENCE, ModelPlan};
use crate::progress::TrainingProgress;

/// Where `train` gets its data.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// A CSV file: the features, then the label (any two distinct values: 0/1, 1/2, cat/dog,
    /// …; the model records them and `predict` writes them); a header line names the features.
    #[arg(long, conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// A generator instead of a file: blobs, moons, circles, xor or spirals [default: moons].
    #[arg(long)]
    dataset: Option<String>,
    /// Generator noise: the standard deviation of the Gaussian noise on each coordinate
    /// (moons, circles, xor, spirals).
    #[arg(long, allow_negative_numbers = true, help = noise_help())]
    noise: Option<f64>,
    /// Blobs: distance between the means in standard deviations.
    #[arg(long, allow_negative_numbers = true, help = default_help("Blobs: distance between the means in standard deviations", GeneratorKind::Blobs, GeneratorParameter::Separation))]
    separation: Option<f64>,
    /// Circles: inner radius factor.
    #[arg(long, allow_negative_numbers = true, help = default_help("Circles: inner radius factor", GeneratorKind::Circles, GeneratorParameter::Factor))]
    factor: Option<f64>,
    /// Spirals: number of turns.
    #[arg(long, allow_negative_numbers = true, help = default_help("Spirals: number of turns", GeneratorKind::Spirals, GeneratorParameter::Turns))]
    turns: Option<f64>,
    /// Generator: number of samples [default: 600].
    #[arg(long)]
    samples: Option<usize>,
    /// Fraction held out for testing (stratified, seeded). 0 trains on every row, in file
    /// order, and reports training metrics.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.2)]
    test_fraction: f64,
    /// Standardise features with the training part's mean and standard deviation (saved with
    /// the model and applied again by `predict`).
    #[arg(long)]
    standardize: bool,
}

/// A flag's help with the generator's own default, so the help never restates a number.
fn default_help(what: &str, kind: GeneratorKind, parameter: GeneratorParameter) -> String {
    match data::default_value(kind, parameter) {
        Some(value) => format!("{what} [default: {value}]"),
        None => what.to_owned(),
    }
}

/// `--noise`'s help, with each generator's own default.
fn noise_help() -> String {
    let defaults: Vec<String> = GeneratorKind::ALL
        .into_iter()
        .filter_map(|kind| {
            data::default_value(kind, GeneratorParameter::Noise).map(|v| format!("{kind} {v}"))
        })
        .collect();
    format!(
        "Generator noise: the standard deviation of the Gaussian noise on each coordinate \
         [default: {}]",
        defaults.join(", ")
    )
}

/// `experiments train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// `mlp` or `logistic`.
    #[arg(long, default_value = "mlp")]
    model: String,
    /// MLP hidden layer widths, e.g. 20,20 (the input size comes from the data, the output is
    /// one logit) [default: 20,20].
    #[arg(long, value_delimiter = ',', conflicts_with = "layers")]
    hidden: Option<Vec<usize>>,
    /// MLP layer sizes with the input first and the output last, e.g. 2,20,20,1 (the first
    /// must equal the feature count); --hidden says the same without them.
    #[arg(long, value_delimiter = ',')]
    layers: Option<Vec<usize>>,
    /// MLP hidden activation: identity, relu, sigmoid or tanh [default: relu].
    #[arg(long)]
    activation: Option<String>,
    /// Learning rate.
    #[arg(long, allow_negative_numbers = true, default_value_t = DEFAULT_LEARNING_RATE)]
    lr: f64,
    /// Epochs of gradient descent (at most; see --tolerance).
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    epochs: usize,
    /// L2 penalty on the weights (0 turns it off) [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    l2: Option<f64>,
    /// Mini-batches of this many samples, shuffled each epoch [default: the full batch].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Early stopping: stop when the training loss has not improved on its best by more than
    /// this for --patience epochs in a row [default: off].
    #[arg(long, allow_negative_numbers = true)]
    tolerance: Option<f64>,
    /// Early stopping: epochs without improvement before stopping (needs --tolerance)
    /// [default: 10].
    #[arg(long)]
    patience: Option<usize>,
    /// Decision threshold: a probability at or above it predicts the positive class
    /// [default: 0.5].
    #[arg(long, allow_negative_numbers = true)]
    threshold: Option<f64>,
    /// Seed for the data, the split and the initial weights.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Save the model here (JSON); its loss curve goes beside it as MODEL.loss.csv and
    /// MODEL.loss.png, and for 2-D data its decision boundary as MODEL.boundary.png.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Save the freshly initialised model without training (needs --save). Training the same
    /// seed with --epochs 1 then takes exactly one gradient step from these weights.
    #[arg(long, requires = "save")]
    init_only: bool,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
}

/// `train`'s learning rate when `--lr` is not given. With [`DEFAULT_EPOCHS`] and the default
/// net it learns every generator's default dataset (`docs/commands.md` has the measurements).
pub const DEFAULT_LEARNING_RATE: f64 = 0.1;
/// `train`'s epochs when `--epochs` is not given (see [`DEFAULT_LEARNING_RATE`]).
pub const DEFAULT_EPOCHS: usize = 10_000;
/// The MLP's hidden layers when neither `--hidden` nor `--layers` is given.
const DEFAULT_HIDDEN: [usize; 2] = [20, 20];

/// A training setting the flags gave that the model's validation refused: the flag that set
/// it, and the model's message (the same a study file's key gets).
fn training_flag(field: &str) -> &'static str {
    match field {
        "learning_rate" => "--lr",
        "epochs" => "--epochs",
        "l2" => "--l2",
        "batch_size" => "--batch-size",
        "tolerance" => "--tolerance",
        "patience" => "--patience",
        "threshold" => "--threshold",
        _ => "train",
    }
}

impl TrainArgs {
    /// The MLP's hidden activation: as given, or ReLU.
    fn activation(&self) -> &str {
        self.activation.as_deref().unwrap_or("relu")
    }

    /// The training settings the flags give, validated once (before any data is read) by the
    /// same rules, and with the same messages, as a study file's `[model]` table.
    fn training(&self) -> Result<TrainingConfig, Error> {
        let early_stopping = match (self.tolerance, self.patience) {
            (Some(tolerance), patience) => Some(EarlyStopping {
                tolerance,
                patience: patience.unwrap_or(DEFAULT_PATIENCE),
            }),
            (None, Some(patience)) => {
                return Err(usage(format!(
                    "--patience {patience} is set without --tolerance: set --tolerance to turn \
                     early stopping on, or leave --patience out"
                )));
            }
            (None, None) => None,
        };
        let mut training = TrainingConfig::default()
            .with_learning_rate(self.lr)
            .with_epochs(self.epochs)
            .with_early_stopping(early_stopping);
        if let Some(l2) = self.l2 {
            training = training.with_l2(l2);
        }
        if let Some(batch_size) = self.batch_size {
            training = training.with_batch(BatchMode::MiniBatch { batch_size });
        }
        if let Some(threshold) = self.threshold {
            training = training.with_threshold(threshold);
        }
        training.validate().map_err(|e| match &e {
            ModelError::InvalidHyperparameter { field, .. } => {
                usage(format!("{}: {e}", training_flag(field)))
            }
            _ => usage(e.to_string()),
        })?;
        Ok(training)
    }

    /// The model the flags describe for data with `n_features` features, from the training
    /// settings validated by [`TrainArgs::training`]; its layers are validated here, once.
    fn model_plan(&self, n_features: usize, training: TrainingConfig) -> Result<ModelPlan, Error> {
        let layer_flags = self.layers.is_some() || self.hidden.is_some();
        if self.model == "logistic" && (layer_flags || self.activation.is_some()) {
            return Err(usage(
                "--hidden, --layers and --activation describe an MLP; --model logistic is one \
                 linear layer with a sigmoid: leave them out",
            ));
        }
        match self.model.as_str() {
            "logistic" => Ok(ModelPlan::Logistic(
                LogisticRegressionConfig::new().with_training(training),
            )),
            "mlp" => {
                let activation: Activation =
                    self.activation()
                        .parse()
                        .map_err(|e: core_linalg::ParseActivationError| {
                            usage(format!("--activation: {e}"))
                        })?;
                let (flag, given, sizes) = self.layer_sizes(n_features);
                let config = MlpConfig::new(&sizes)
                    .with_hidden_activation(activation)
                    .with_training(training);
                config
                    .validate()
                    .map_err(|e| usage(format!("{flag} {given}: {e}")))?;
                if sizes[0] != n_features {
                    return Err(usage(format!(
                        "--layers starts with {} but the data has {n_features} features: use \
                         --layers {n_features},… or give only the hidden widths with --hidden",
                        sizes[0]
                    )));
                }
                Ok(ModelPlan::Mlp(config))
            }
            other => Err(usage(format!(
                "--model {other:?} is unknown: expected mlp or logistic"
            ))),
        }
    }

    /// The MLP's layer sizes: `--layers` as given, else the data's feature count, the
    /// `--hidden` widths (or the default) and one output; with the flag and its value as
    /// written, for messages.
    fn layer_sizes(&self, n_features: usize) -> (&'static str, String, Vec<usize>) {
        let joined = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        if let Some(layers) = &self.layers {
            return ("--layers", joined(layers), layers.clone());
        }
        let hidden = self
            .hidden
            .clone()
            .unwrap_or_else(|| DEFAULT_HIDDEN.to_vec());
        let mut sizes = vec![n_features];
        sizes.extend(&hidden);
        sizes.push(1);
        ("--hidden", joined(&hidden), sizes)
    }
}

/// Beside a saved model: `MODEL.loss.png` (its loss curve) and, for two features,
/// `MODEL.boundary.png` (its decision boundary over the training and test points). The model
/// and its curve are the result; a picture that cannot be drawn is a warning.
fn save_pictures(
    path: &Path,
    model: &SavedModel,
    report: &FitReport,
    train: &Dataset,
    test: Option<&Dataset>,
    plan: &ModelPlan,
    args: &TrainArgs,
) {
    let show = |name: &Path, outcome: Result<viz::PlotOutcome, viz::VizError>| match outcome {
        Ok(viz::PlotOutcome::Written { .. }) => println!("saved {}", name.display()),
        Ok(viz::PlotOutcome::Skipped { reason }) => {
            eprintln!("figure {} skipped: {reason}", name.display());
        }
        Err(e) => eprintln!("warning: {e}"),
    };
    let describe = match plan {
        ModelPlan::Logistic(_) => "logistic regression".to_owned(),
        ModelPlan::Mlp(config) => format!(
            "MLP {:?} ({}), lr {}",
            config.layer_sizes(),
            config.hidden_activation().name(),
            args.lr
        ),
    };
    let loss_path = with_suffix(path, ".loss.png");
    // At most about 1,000 points (every k-th epoch and the last), as a study's curves are
    // thinned: a thick line through more points than pixels only looks ragged.
    let n = report.train_loss.len();
    let stride = n.div_ceil(1000).max(1);
    let kept: Vec<usize> = (0..n).filter(|i| i % stride == 0 || i + 1 == n).collect();
    let pick = |values: &[f64]| kept.iter().map(|&i| values[i]).collect::<Vec<f64>>();
    let mut series = viz::LossSeries::new("training", args.seed, pick(&report.train_loss))
        .with_epochs(kept.iter().map(|&i| i as f64).collect());
    if report.eval_loss.len() == n {
        series = series.with_eval(pick(&report.eval_loss));
    }
    let spec = viz::LossCurvesSpec::new(
        format!("{describe}: training loss (solid), test (dashed)"),
        vec![series],
    )
    .with_axis_labels("epoch", "loss (log scale)")
    .with_size(900, 600);
    show(&loss_path, viz::loss_curves(&loss_path, &spec));

    if train.n_features() != 2 {
        return;
    }
    let boundary_path = with_suffix(path, ".boundary.png");
    let classifier = model.classifier();
    let f1 = |data: &Dataset| -> Option<f64> {
        let predicted = classifier.predict(data.features()).ok()?;
        metrics::f1_score(data.labels().as_slice(), predicted.as_slice()).ok()
    };
    let (score, part) = match test {
        Some(test) => (f1(test), "test"),
        None => (f1(train), "train"),
    };
    let title = match score {
        Some(score) => format!("{describe} — {part} F1 {score:.3}"),
        None => describe,
    };
    let standardised = if args.data.standardize {
        " (standardised)"
    } else {
        ""
    };
    let mut spec = viz::BoundarySpec::new(title)
        .with_train(train.features(), train.labels().as_slice())
        .with_threshold(classifier.threshold())
        .with_axis_labels(format!("x₁{standardised}"), format!("x₂{standardised}"))
        .with_size(900, 600);
    if let Some(test) = test {
        spec = spec.with_test(test.features(), test.labels().as_slice());
    }
    show(
        &boundary_path,
        viz::decision_boundary(&boundary_path, &spec, |x: &Matrix| {
            classifier.predict_proba(x)
        }),
    );
}

impl DataArgs {
    /// The flags that describe a generator, each with whether it was given.
    fn parameter_flags(&self) -> [(GeneratorParameter, Option<f64>); 4] {
        [
            (GeneratorParameter::Noise, self.noise),
            (GeneratorParameter::Separation, self.separation),
            (GeneratorParameter::Factor, self.factor),
            (GeneratorParameter::Turns, self.turns),
        ]
    }

    /// The generated dataset's description, as a study file's `[dataset]` table gives it:
    /// the same [`GeneratorSpec`], with the same defaults and the same validation.
    fn generator_spec(&self) -> Result<GeneratorSpec, Error> {
        let name = self.dataset.as_deref().unwrap_or("moons");
        let kind: GeneratorKind = name.parse().map_err(|_| {
            usage(format!(
                "--dataset {name:?} is unknown: expected blobs, moons, circles, xor or spirals"
            ))
        })?;
        let spec = self
            .parameter_flags()
            .into_iter()
            .fold(GeneratorSpec::new(kind), |spec, (p, value)| {
                spec.with(p, value)
            });
        // A flag that does not apply is refused rather than ignored: a user who wrote
        // `--noise` for blobs expects it to change something.
        if let Some(parameter) = spec.parameters_not_taken().next() {
            let takes: Vec<String> = kind.parameters().iter().map(|p| format!("--{p}")).collect();
            return Err(usage(format!(
                "--{parameter} does not apply to --dataset {name}, which takes {}",
                takes.join(" and ")
            )));
        }
        Ok(spec)
    }
}

/// Loads or generates the data, then splits and standardises it as a study run does
/// ([`pipeline`]); with the generator, when the data was generated.
fn load_data(args: &DataArgs, seed: u64) -> Result<(PreparedData, Option<Generator>), Error> {
    let mut drawn_by = None;
    let dataset = match &args.data {
        Some(path) => {
            // `--samples` or a generator's parameter with a CSV file would change nothing.
            let parameters = args.parameter_flags().map(|(p, v)| (p.name(), v.is_some()));
            let generator_flags: Vec<String> = [
                ("dataset", args.dataset.is_some()),
                ("samples", args.samples.is_some()),
            ]
            .into_iter()
            .chain(parameters)
            .filter(|&(_, given)| given)
            .map(|(flag, _)| format!("--{flag}"))
            .collect();
            if !generator_flags.is_empty() {
                return Err(usage(format!(
                    "{} describe generated data and do not apply to --data {}: leave them out",
                    generator_flags.join(", "),
                    path.display()
                )));
            }
            data::read_csv(path).map_err(|e| match e {
                data::DataError::CsvTooManyLabels { .. } => usage(format!(
                    "{e}: keep the rows of two classes, or map the values onto two"
                )),
                e => usage(error_chain(&e)),
            })?
        }
        None => {
            let generator = args
                .generator_spec()?
                .build()
                .map_err(|e| usage(e.to_string()))?;
            let dataset = pipeline::draw(&generator, args.samples.unwrap_or(600), seed).map_err(
                |e| match e {
                    PipelineError::Draw(e)
                    | PipelineError::Split(e)
                    | PipelineError::Standardize(e) => usage(e.to_string()),
                },
            )?;
            drawn_by = Some(generator);
            dataset
        }
    };
    let prepared =
        pipeline::split_and_standardize(dataset, args.test_fraction, args.standardize, seed)
            .map_err(|e| match e {
                PipelineError::Split(e) => usage(format!("--test-fraction: {e}")),
                PipelineError::Draw(e) | PipelineError::Standardize(e) => usage(e.to_string()),
            })?;
    Ok((prepared, drawn_by))
}

/// `experiments train`.
pub fn train(args: &TrainArgs) -> Result<ExitCode, Error> {
    let training = args.training()?;
    if let Some(path) = &args.save {
        check_output_file(path, args.force)?;
    }
    let (
        PreparedData {
            train,
            test,
            standardization,
        },
        generator,
    ) = load_data(&args.data, args.seed)?;
    if let Some(path) = &args.save
        && !args.init_only
    {
        // The files written beside the model, checked like it before training starts.
        let mut beside = vec![".loss.csv", ".loss.png"];
        if train.n_features() == 2 {
            beside.push(".boundary.png");
        }
        for suffix in beside {
            check_output_file(&with_suffix(path, suffix), args.force)?;
        }
    }
    let plan = args.model_plan(train.n_features(), training)?;
    let mut rng = rng(args.seed, stream::TRAIN_COMMAND);
    let mut observer = TrainingProgress::new(plan.training().epochs());
    let started = std::time::Instant::now();
    let fitted: Result<(SavedModel, Option<FitReport>), ModelError> = if args.init_only {
        plan.initialise(train.n_features(), &mut rng)
            .map(|m| (m, None))
    } else {
        plan.fit_with(&train, test.as_ref(), &mut rng, &mut observer)
            .map(|(m, r)| (m, Some(r)))
    };
    let elapsed = started.elapsed().as_secs_f64();
    observer.finish();
    let (model, report) = match fitted {
        Ok(fitted) => fitted,
        Err(ModelError::Diverged { epoch, loss, .. }) => {
            // Either cause can do it: too large a step, or features so large that the first
            // layer overflows (which no learning rate fixes).
            eprintln!(
                "training diverged at epoch {epoch} (loss {loss}): lower --lr (now {}), or \
                 rescale the data if its features are huge (--standardize)",
                args.lr
            );
            return Ok(ExitCode::from(3));
        }
        Err(e) => return Err(usage(e.to_string())),
    };
    let classifier = model.classifier();
    if let Some(report) = &report {
        println!(
            "trained {} epochs ({}) in {elapsed:.3} s ({:.2} µs/epoch on the {} kernels, \
             including one forward pass per epoch on the test part), final training loss {:.6} \
             ({:?})",
            report.epochs_run,
            report.stop_reason.label(),
            elapsed * 1e6 / report.epochs_run.max(1) as f64,
            core_linalg::kernels::instruction_set(),
            report.final_train_loss(),
            report.final_train_loss()
        );
        match &test {
            Some(test) => print_metrics(
                "test",
                classifier,
                test,
                *report.eval_loss.last().unwrap_or(&f64::NAN),
            )?,
            None => print_metrics(
                "train (no test part: --test-fraction 0)",
                classifier,
                &train,
                report.final_train_loss(),
            )?,
        }
        if let Some(generator) = &generator {
            // What "learned" means on generated data: the best any classifier can expect.
            let rate = generator.bayes_error().rate;
            println!(
                "the best possible classifier's expected accuracy on this data: {:.4} (Bayes \
                 error {:.2} %)",
                1.0 - rate,
                100.0 * rate
            );
        }
    } else {
        println!("initialised without training (--init-only)");
    }
    if let Some(path) = &args.save {
        let json = saved::to_json(&model, standardization.as_ref());
        write_atomic(path, json.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?;
        println!("saved {}", path.display());
        if let Some(report) = &report {
            let curve_path = with_suffix(path, ".loss.csv");
            let mut curve = String::from("epoch,train_loss,test_loss\n");
            for (i, loss) in report.train_loss.iter().enumerate() {
                let test = report
                    .eval_loss
                    .get(i)
                    .map_or_else(String::new, f64::to_string);
                curve.push_str(&format!("{i},{loss},{test}\n"));
            }
            write_atomic(&curve_path, curve.as_bytes())
                .map_err(|e| Error::Internal(e.to_string()))?;
            println!("saved {}", curve_path.display());
            save_pictures(path, &model, report, &train, test.as_ref(), &plan, args);
        }
    }
    Ok(ExitCode::SUCCESS)
}
