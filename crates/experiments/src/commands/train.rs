//! `experiments train`: one model on a CSV file or a generated dataset, its test metrics, and
//! optionally the saved model with its loss curve and decision boundary beside it.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use core_linalg::{Activation, Dataset, Matrix};
use data::{GeneratorKind, GeneratorParameter, GeneratorSpec};
use models::saved::{self, SavedModel};
use models::{
    EpochProgress, FitReport, LogisticRegressionConfig, MlpConfig, ModelError, TrainingObserver,
};

use super::{check_output_file, print_metrics, usage, with_suffix};
use crate::error::{Error, error_chain};
use crate::output::write_atomic;
use crate::pipeline::{self, PipelineError, PreparedData, rng, stream};
use crate::plan::ModelPlan;

/// Where `train` gets its data.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// A CSV file with columns x1,…,xd,label (header optional).
    #[arg(long, conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// A generator instead of a file: blobs, moons, circles, xor or spirals [default: moons].
    #[arg(long)]
    dataset: Option<String>,
    /// Generator noise: the standard deviation of the Gaussian noise on each coordinate
    /// (moons, circles, xor, spirals).
    #[arg(long, help = noise_help())]
    noise: Option<f64>,
    /// Blobs: distance between the means in standard deviations.
    #[arg(long, help = default_help("Blobs: distance between the means in standard deviations", GeneratorKind::Blobs, GeneratorParameter::Separation))]
    separation: Option<f64>,
    /// Circles: inner radius factor.
    #[arg(long, help = default_help("Circles: inner radius factor", GeneratorKind::Circles, GeneratorParameter::Factor))]
    factor: Option<f64>,
    /// Spirals: number of turns.
    #[arg(long, help = default_help("Spirals: number of turns", GeneratorKind::Spirals, GeneratorParameter::Turns))]
    turns: Option<f64>,
    /// Generator: number of samples [default: 600].
    #[arg(long)]
    samples: Option<usize>,
    /// Fraction held out for testing (stratified, seeded). 0 trains on every row, in file
    /// order, and reports training metrics.
    #[arg(long, default_value_t = 0.2)]
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
    /// MLP layer sizes, input first (the first must equal the feature count) [default:
    /// 2,20,20,1].
    #[arg(long, value_delimiter = ',')]
    layers: Option<Vec<usize>>,
    /// MLP hidden activation: identity, relu, sigmoid or tanh [default: relu].
    #[arg(long)]
    activation: Option<String>,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f64,
    /// Epochs of full-batch gradient descent.
    #[arg(long, default_value_t = 1000)]
    epochs: usize,
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

impl TrainArgs {
    /// The MLP's layer sizes: as given, or the default.
    fn layers(&self) -> Vec<usize> {
        self.layers.clone().unwrap_or_else(|| vec![2, 20, 20, 1])
    }

    /// The MLP's hidden activation: as given, or ReLU.
    fn activation(&self) -> &str {
        self.activation.as_deref().unwrap_or("relu")
    }

    /// The model the flags describe, validated once for data with `n_features` features.
    fn model_plan(&self, n_features: usize) -> Result<ModelPlan, Error> {
        if self.model == "logistic" && (self.layers.is_some() || self.activation.is_some()) {
            return Err(usage(
                "--layers and --activation describe an MLP; --model logistic is one linear \
                 layer with a sigmoid: leave them out",
            ));
        }
        let activation: Activation = self
            .activation()
            .parse()
            .map_err(|e: core_linalg::ParseActivationError| usage(format!("--activation: {e}")))?;
        match self.model.as_str() {
            "logistic" => {
                let config = LogisticRegressionConfig::new()
                    .with_learning_rate(self.lr)
                    .with_epochs(self.epochs);
                config.validate().map_err(|e| usage(e.to_string()))?;
                Ok(ModelPlan::Logistic(config))
            }
            "mlp" => {
                let layers = self.layers();
                let config = MlpConfig::new(&layers)
                    .with_hidden_activation(activation)
                    .with_learning_rate(self.lr)
                    .with_epochs(self.epochs);
                config.validate().map_err(|e| usage(e.to_string()))?;
                if layers[0] != n_features {
                    return Err(usage(format!(
                        "--layers starts with {} but the data has {n_features} features: use \
                         --layers {n_features},…",
                        layers[0]
                    )));
                }
                Ok(ModelPlan::Mlp(config))
            }
            other => Err(usage(format!(
                "--model {other:?} is unknown: expected mlp or logistic"
            ))),
        }
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
    args: &TrainArgs,
) {
    let show = |name: &Path, outcome: Result<viz::PlotOutcome, viz::VizError>| match outcome {
        Ok(viz::PlotOutcome::Written { .. }) => println!("saved {}", name.display()),
        Ok(viz::PlotOutcome::Skipped { reason }) => {
            eprintln!("figure {} skipped: {reason}", name.display());
        }
        Err(e) => eprintln!("warning: {e}"),
    };
    let describe = match args.model.as_str() {
        "logistic" => "logistic regression".to_owned(),
        _ => format!(
            "MLP {:?} ({}), lr {}",
            args.layers(),
            args.activation(),
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
/// ([`pipeline`]).
fn load_data(args: &DataArgs, seed: u64) -> Result<PreparedData, Error> {
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
            data::read_csv(path).map_err(|e| usage(error_chain(&e)))?
        }
        None => {
            let generator = args
                .generator_spec()?
                .build()
                .map_err(|e| usage(e.to_string()))?;
            pipeline::draw(&generator, args.samples.unwrap_or(600), seed).map_err(|e| match e {
                PipelineError::Draw(e)
                | PipelineError::Split(e)
                | PipelineError::Standardize(e) => usage(e.to_string()),
            })?
        }
    };
    pipeline::split_and_standardize(dataset, args.test_fraction, args.standardize, seed).map_err(
        |e| match e {
            PipelineError::Split(e) => usage(format!("--test-fraction: {e}")),
            PipelineError::Draw(e) | PipelineError::Standardize(e) => usage(e.to_string()),
        },
    )
}

/// A progress bar for long fits (on a terminal only).
struct Bar(Option<indicatif::ProgressBar>);

impl TrainingObserver for Bar {
    fn on_epoch(&mut self, p: &EpochProgress) -> ControlFlow<()> {
        if let Some(bar) = &self.0
            && p.epoch.is_multiple_of(500)
        {
            bar.set_position(p.epoch as u64);
            bar.set_message(format!("loss {:.5}", p.train_loss));
        }
        ControlFlow::Continue(())
    }
}

/// `experiments train`.
pub fn train(args: &TrainArgs) -> Result<ExitCode, Error> {
    if let Some(path) = &args.save {
        check_output_file(path, args.force)?;
    }
    let PreparedData {
        train,
        test,
        standardization,
    } = load_data(&args.data, args.seed)?;
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
    let model = args.model_plan(train.n_features())?;
    let mut rng = rng(args.seed, stream::TRAIN_COMMAND);
    let bar = (args.epochs >= 20_000 && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(args.epochs as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} epochs, ETA {eta}  {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    });
    let mut observer = Bar(bar);
    let started = std::time::Instant::now();
    let fitted: Result<(SavedModel, Option<FitReport>), ModelError> = if args.init_only {
        model
            .initialise(train.n_features(), &mut rng)
            .map(|m| (m, None))
    } else {
        model
            .fit_with(&train, test.as_ref(), &mut rng, &mut observer)
            .map(|(m, r)| (m, Some(r)))
    };
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(bar) = &observer.0 {
        bar.finish_and_clear();
    }
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
            save_pictures(path, &model, report, &train, test.as_ref(), args);
        }
    }
    Ok(ExitCode::SUCCESS)
}
