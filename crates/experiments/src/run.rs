//! One run: draw the data, split it, fit the model (reading the loss surface's curvature
//! along the way when the study asks), measure it on both parts.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use core_linalg::Dataset;
use metrics::{ClassificationReport, roc_auc};
use models::saved::{InputStandardization, SavedModel};
use models::{
    Classifier, EpochProgress, FitReport, LanczosConfig, LanczosStop, ModelError, ModelView,
    TrainingObserver,
};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::pipeline::{PreparedData, prepare_data, rng, stream};
use crate::plan::{Plan, RunPlan};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    /// Training ended normally (all epochs, or early stopping).
    Ok,
    /// The loss stopped being finite or exploded at `epoch`.
    Diverged {
        /// Epoch of the divergent loss.
        epoch: usize,
        /// The divergent loss, as text (it may be `inf` or `NaN`, which JSON cannot hold).
        loss: String,
    },
    /// Interrupted before it finished (Ctrl-C).
    Interrupted,
    /// Not run yet: the study was interrupted first (`--resume` runs it).
    Pending,
    /// Could not run: the reason.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

impl RunStatus {
    /// `ok`, `diverged`, `interrupted`, `pending` or `failed`.
    pub fn label(&self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Diverged { .. } => "diverged",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Pending => "pending",
            RunStatus::Failed { .. } => "failed",
        }
    }
}

/// Test-set metrics of a finished run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct TestMetrics {
    /// Precision on the test part.
    pub precision: f64,
    /// Recall on the test part.
    pub recall: f64,
    /// F1 on the test part.
    pub f1: f64,
    /// Accuracy on the test part.
    pub accuracy: f64,
    /// ROC AUC on the test part.
    pub roc_auc: f64,
    /// Mean binary cross-entropy on the test part (from logits, unclipped).
    pub test_loss: f64,
    /// Training objective of the returned model.
    pub train_loss: f64,
}

/// Training-set metrics of a finished run: the fitted model on the data it was fitted to,
/// measured as [`TestMetrics`] are (the training loss is [`TestMetrics::train_loss`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct TrainMetrics {
    /// Precision on the training part.
    pub precision: f64,
    /// Recall on the training part.
    pub recall: f64,
    /// F1 on the training part.
    pub f1: f64,
    /// Accuracy on the training part.
    pub accuracy: f64,
    /// ROC AUC on the training part.
    pub roc_auc: f64,
}

/// Why a curvature reading stopped, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurvatureStop {
    /// Both extreme eigenvalues met Lanczos's residual tolerance.
    Converged,
    /// Lanczos reached its iteration cap first (the values are still Ritz values, inside the
    /// spectrum).
    MaxIterations,
    /// No reading: the run diverged in this epoch.
    Diverged,
    /// No reading: a parameter is not finite.
    NonFiniteParameters,
    /// No reading: a quantity the Hessian product needs overflowed.
    NotMeasurable,
}

impl CurvatureStop {
    /// Every stop, in the order of the variants.
    pub const ALL: [CurvatureStop; 5] = [
        CurvatureStop::Converged,
        CurvatureStop::MaxIterations,
        CurvatureStop::Diverged,
        CurvatureStop::NonFiniteParameters,
        CurvatureStop::NotMeasurable,
    ];

    /// `converged`, `max_iterations`, `diverged`, `non_finite_parameters` or `not_measurable`:
    /// the `stop_reason` column of `curvature/<id>.csv`.
    pub fn label(self) -> &'static str {
        match self {
            CurvatureStop::Converged => "converged",
            CurvatureStop::MaxIterations => "max_iterations",
            CurvatureStop::Diverged => "diverged",
            CurvatureStop::NonFiniteParameters => "non_finite_parameters",
            CurvatureStop::NotMeasurable => "not_measurable",
        }
    }

    /// The stop whose label is `label`.
    pub fn from_label(label: &str) -> Option<CurvatureStop> {
        CurvatureStop::ALL.into_iter().find(|s| s.label() == label)
    }
}

/// One reading of the loss surface's curvature during a run: the Hessian's extreme
/// eigenvalues on the training part, after `epoch` epochs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvatureReading {
    /// Epochs trained when the reading was taken (0: at initialisation).
    pub epoch: usize,
    /// The largest eigenvalue λ_max (the sharpness); `None` when not measured.
    pub lambda_max: Option<f64>,
    /// The smallest eigenvalue λ_min (negative at a saddle); `None` when not measured.
    pub lambda_min: Option<f64>,
    /// The largest learning rate stable near these parameters, 2/λ_max; `None` when not
    /// measured or λ_max ≤ 0.
    pub stable_lr: Option<f64>,
    /// Lanczos iterations (Hessian-vector products) used; 0 when not measured.
    pub iterations: usize,
    /// Why the reading stopped, or why there is none.
    pub stop_reason: CurvatureStop,
}

impl CurvatureReading {
    /// A reading from `models::curvature`'s result.
    pub fn new(epoch: usize, result: Result<models::Curvature, ModelError>) -> Self {
        match result {
            Ok(c) => CurvatureReading {
                epoch,
                lambda_max: Some(c.lambda_max),
                lambda_min: Some(c.lambda_min),
                stable_lr: c.max_stable_learning_rate(),
                iterations: c.iterations,
                stop_reason: match c.stop_reason {
                    LanczosStop::Converged => CurvatureStop::Converged,
                    _ => CurvatureStop::MaxIterations,
                },
            },
            Err(e) => CurvatureReading::none(
                epoch,
                match e {
                    ModelError::NonFiniteParameter { .. } => CurvatureStop::NonFiniteParameters,
                    _ => CurvatureStop::NotMeasurable,
                },
            ),
        }
    }

    /// No reading at `epoch`, for `reason`.
    pub fn none(epoch: usize, reason: CurvatureStop) -> Self {
        CurvatureReading {
            epoch,
            lambda_max: None,
            lambda_min: None,
            stable_lr: None,
            iterations: 0,
            stop_reason: reason,
        }
    }
}

/// The Lanczos settings of every curvature reading of a study (and of `experiments
/// curvature`): the models crate's defaults, relative residual 1e-5 and at most 100
/// Hessian-vector products.
pub fn lanczos_config() -> LanczosConfig {
    LanczosConfig::new()
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// How it ended.
    pub status: RunStatus,
    /// Test metrics, when training ended normally.
    pub metrics: Option<TestMetrics>,
    /// Training-set metrics, when training ended normally.
    pub train_metrics: Option<TrainMetrics>,
    /// Curvature readings, in epoch order (empty unless `[record] curvature_stride` is set).
    pub curvature: Vec<CurvatureReading>,
    /// The fit report (also for diverged runs: the curve up to the divergence).
    pub report: Option<FitReport>,
    /// The fitted model, when the run ended [`RunStatus::Ok`] (saved as
    /// `runs/<id>.model.json`).
    pub model: Option<SavedModel>,
    /// The input standardisation the model was trained with, if any (saved with it).
    pub standardization: Option<InputStandardization>,
    /// The oscillation measure (see [`oscillation`]).
    pub oscillation: Option<f64>,
    /// The dataset's Bayes error rate (every generator's, from its class densities).
    pub bayes_error: Option<f64>,
    /// Wall-clock seconds (the only number that differs between identical runs).
    pub wall_seconds: f64,
}

impl RunOutcome {
    /// The outcome of a run that produced nothing: `status` alone, no wall time.
    pub fn not_run(status: RunStatus) -> Self {
        RunOutcome {
            status,
            metrics: None,
            train_metrics: None,
            curvature: Vec::new(),
            report: None,
            model: None,
            standardization: None,
            oscillation: None,
            bayes_error: None,
            wall_seconds: 0.0,
        }
    }
}

/// The share of epochs, within the last `window` fraction of training, whose loss was higher
/// than the epoch before: 0 for a loss that only falls, up to 1 for one that only rises; a
/// loss bouncing up and down every epoch scores about 0.5.
///
/// Returns `None` when fewer than two losses fall in the window.
pub fn oscillation(losses: &[f64], window: f64) -> Option<f64> {
    let n = losses.len();
    let start = n - ((n as f64 * window).ceil() as usize).min(n);
    let tail = &losses[start..];
    if tail.len() < 2 {
        return None;
    }
    let rises = tail.windows(2).filter(|w| w[1] > w[0]).count();
    Some(rises as f64 / (tail.len() - 1) as f64)
}

/// Progress shared with the display, and the interrupt flag.
#[derive(Debug, Default)]
pub struct RunSignals {
    /// Epochs done by this run so far.
    pub epoch: AtomicUsize,
    /// Set to stop every run at its next check (every 256 epochs).
    pub interrupt: Option<&'static AtomicBool>,
}

/// The run's observer: it reports progress, stops at an interrupt, and reads the curvature
/// every `stride` epochs (and at epoch 0 and the last) when asked.
struct Observer<'a> {
    signals: &'a RunSignals,
    curvature: Option<CurvatureProbe<'a>>,
}

/// Reads the Hessian's extreme eigenvalues of the training objective on the training part.
struct CurvatureProbe<'a> {
    train: &'a Dataset,
    l2: f64,
    stride: usize,
    config: LanczosConfig,
    /// The run's own stream for Lanczos start vectors, so readings are the same bits on any
    /// thread count.
    rng: ChaCha8Rng,
    readings: Vec<CurvatureReading>,
}

impl CurvatureProbe<'_> {
    fn read(&mut self, epoch: usize, model: ModelView<'_>) {
        let result = models::curvature(model, self.train, self.l2, &self.config, &mut self.rng);
        self.readings.push(CurvatureReading::new(epoch, result));
    }
}

impl TrainingObserver for Observer<'_> {
    fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
        if let Some(probe) = &mut self.curvature
            && (progress.epoch.is_multiple_of(probe.stride)
                || progress.epoch == progress.epochs_total)
        {
            probe.read(progress.epoch, progress.model);
        }
        if progress.epoch.is_multiple_of(256) {
            self.signals.epoch.store(progress.epoch, Ordering::Relaxed);
            if self
                .signals
                .interrupt
                .is_some_and(|f| f.load(Ordering::Relaxed))
            {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// A saved model's parameters as a training observer sees them.
fn view(model: &SavedModel) -> ModelView<'_> {
    match model {
        SavedModel::Logistic(m) => m.into(),
        SavedModel::Mlp(m) => m.into(),
    }
}

/// Runs one planned run to completion. Never panics on bad data or divergence: every outcome
/// is a [`RunStatus`].
pub fn execute(plan: &Plan, run: &RunPlan, signals: &RunSignals) -> RunOutcome {
    let started = Instant::now();
    let mut outcome = RunOutcome {
        bayes_error: plan.bayes.of(&run.generator).map(|b| b.rate),
        ..RunOutcome::not_run(RunStatus::Ok)
    };
    let (train, test, standardization) = match prepare_data(plan, run) {
        Ok(PreparedData {
            train,
            test: Some(test),
            standardization,
        }) => (train, test, standardization),
        Ok(PreparedData { test: None, .. }) => {
            // A study's test fraction is validated to be in (0, 1).
            outcome.status = RunStatus::Failed {
                reason: "split: no test part was held out".to_owned(),
            };
            return outcome;
        }
        Err(e) => {
            outcome.status = RunStatus::Failed {
                reason: e.to_string(),
            };
            return outcome;
        }
    };
    let mut train_rng = rng(run.seed, stream::TRAIN + run.point as u64);
    let stride = plan.record.curvature_stride;
    let mut observer = Observer {
        signals,
        curvature: (stride > 0).then(|| CurvatureProbe {
            train: &train,
            l2: run.model.training().l2(),
            stride,
            config: lanczos_config(),
            rng: rng(run.seed, stream::CURVATURE + run.point as u64),
            readings: Vec::new(),
        }),
    };
    let fitted = run
        .model
        .fit_with(&train, Some(&test), &mut train_rng, &mut observer);
    let mut probe = observer.curvature;
    match fitted {
        Ok((model, report)) => {
            if let models::StopReason::Interrupted { .. } = report.stop_reason {
                outcome.status = RunStatus::Interrupted;
            } else {
                // An early-stopped run's last epoch was not shown to the observer: read it.
                if let Some(probe) = probe.as_mut()
                    && probe.readings.last().map(|r| r.epoch) != Some(report.epochs_run)
                {
                    probe.read(report.epochs_run, view(&model));
                }
                match measure(model.classifier(), &report, &train, &test) {
                    Ok((test_metrics, train_metrics)) => {
                        outcome.metrics = Some(test_metrics);
                        outcome.train_metrics = Some(train_metrics);
                        outcome.model = Some(model);
                        outcome.standardization = standardization;
                    }
                    Err(reason) => outcome.status = RunStatus::Failed { reason },
                }
            }
            outcome.oscillation = oscillation(&report.train_loss, plan.record.oscillation_window);
            outcome.report = Some(report);
        }
        Err(ModelError::Diverged {
            epoch,
            loss,
            report,
            ..
        }) => {
            outcome.status = RunStatus::Diverged {
                epoch,
                loss: loss.to_string(),
            };
            // The divergent epoch's parameters are not kept: its row says why there is none.
            if let Some(probe) = probe.as_mut() {
                probe
                    .readings
                    .push(CurvatureReading::none(epoch, CurvatureStop::Diverged));
            }
            outcome.report = Some(*report);
        }
        Err(e) => {
            outcome.status = RunStatus::Failed {
                reason: e.to_string(),
            }
        }
    }
    outcome.curvature = probe.map(|p| p.readings).unwrap_or_default();
    outcome.wall_seconds = started.elapsed().as_secs_f64();
    outcome
}

/// The classification metrics of `model`'s probabilities on `data`, and its ROC AUC.
fn classify(model: &dyn Classifier, data: &Dataset) -> Result<(ClassificationReport, f64), String> {
    let proba = model
        .predict_proba(data.features())
        .map_err(|e| e.to_string())?;
    let y = data.labels().as_slice();
    let classification = ClassificationReport::new(y, proba.as_slice(), model.threshold())
        .map_err(|e| e.to_string())?;
    let auc = roc_auc(y, proba.as_slice()).map_err(|e| e.to_string())?;
    Ok((classification, auc))
}

/// The fitted model measured on the test part and on the training part.
fn measure(
    model: &dyn Classifier,
    report: &FitReport,
    train: &Dataset,
    test: &Dataset,
) -> Result<(TestMetrics, TrainMetrics), String> {
    let (classification, auc) = classify(model, test)?;
    let test_loss = *report
        .eval_loss
        .last()
        .ok_or_else(|| "no evaluation loss was recorded".to_owned())?;
    let test_metrics = TestMetrics {
        precision: classification.precision,
        recall: classification.recall,
        f1: classification.f1,
        accuracy: classification.accuracy,
        roc_auc: auc,
        test_loss,
        train_loss: report.final_train_loss(),
    };
    let (classification, auc) = classify(model, train)?;
    let train_metrics = TrainMetrics {
        precision: classification.precision,
        recall: classification.recall,
        f1: classification.f1,
        accuracy: classification.accuracy,
        roc_auc: auc,
    };
    Ok((test_metrics, train_metrics))
}

#[cfg(test)]
mod tests {
    use super::oscillation;

    #[test]
    fn oscillation_measure() {
        assert_eq!(oscillation(&[4.0, 3.0, 2.0, 1.0], 1.0), Some(0.0));
        assert_eq!(oscillation(&[1.0, 2.0, 1.0, 2.0, 1.0], 1.0), Some(0.5));
        // Only the last half: [2, 3, 4] rises twice.
        assert_eq!(oscillation(&[9.0, 1.0, 2.0, 3.0, 4.0, 5.0], 0.5), Some(1.0));
        assert_eq!(oscillation(&[1.0], 1.0), None);
    }
}
