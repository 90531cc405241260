//! One run: draw the data, split it, fit the model, measure it.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use core_linalg::Dataset;
use data::Generator;
use metrics::{ClassificationReport, roc_auc};
use models::saved::{InputStandardization, SavedModel};
use models::{Classifier, EpochProgress, FitReport, ModelError, TrainingObserver};
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

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// How it ended.
    pub status: RunStatus,
    /// Test metrics, when training ended normally.
    pub metrics: Option<TestMetrics>,
    /// The fit report (also for diverged runs: the curve up to the divergence).
    pub report: Option<FitReport>,
    /// The fitted model, when the run ended [`RunStatus::Ok`] (saved as
    /// `runs/<id>.model.json`).
    pub model: Option<SavedModel>,
    /// The input standardisation the model was trained with, if any (saved with it).
    pub standardization: Option<InputStandardization>,
    /// The oscillation measure (see [`oscillation`]).
    pub oscillation: Option<f64>,
    /// The dataset's Bayes error rate, when known (blobs).
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

struct Observer<'a>(&'a RunSignals);

impl TrainingObserver for Observer<'_> {
    fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
        if progress.epoch.is_multiple_of(256) {
            self.0.epoch.store(progress.epoch, Ordering::Relaxed);
            if self.0.interrupt.is_some_and(|f| f.load(Ordering::Relaxed)) {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Runs one planned run to completion. Never panics on bad data or divergence: every outcome
/// is a [`RunStatus`].
pub fn execute(plan: &Plan, run: &RunPlan, signals: &RunSignals) -> RunOutcome {
    let started = Instant::now();
    let bayes_error = match run.generator {
        Generator::Blobs(b) => Some(b.bayes_error_rate()),
        _ => None,
    };
    let mut outcome = RunOutcome {
        bayes_error,
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
    let mut observer = Observer(signals);
    let fitted = run
        .model
        .fit_with(&train, Some(&test), &mut train_rng, &mut observer);
    match fitted {
        Ok((model, report)) => {
            if let models::StopReason::Interrupted { .. } = report.stop_reason {
                outcome.status = RunStatus::Interrupted;
            } else {
                match measure(model.classifier(), &report, &test) {
                    Ok(m) => {
                        outcome.metrics = Some(m);
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
            outcome.report = Some(*report);
        }
        Err(e) => {
            outcome.status = RunStatus::Failed {
                reason: e.to_string(),
            }
        }
    }
    outcome.wall_seconds = started.elapsed().as_secs_f64();
    outcome
}

fn measure(
    model: &dyn Classifier,
    report: &FitReport,
    test: &Dataset,
) -> Result<TestMetrics, String> {
    let proba = model
        .predict_proba(test.features())
        .map_err(|e| e.to_string())?;
    let y = test.labels().as_slice();
    let classification = ClassificationReport::new(y, proba.as_slice(), model.threshold())
        .map_err(|e| e.to_string())?;
    let auc = roc_auc(y, proba.as_slice()).map_err(|e| e.to_string())?;
    let test_loss = *report
        .eval_loss
        .last()
        .ok_or_else(|| "no evaluation loss was recorded".to_owned())?;
    Ok(TestMetrics {
        precision: classification.precision,
        recall: classification.recall,
        f1: classification.f1,
        accuracy: classification.accuracy,
        roc_auc: auc,
        test_loss,
        train_loss: report.final_train_loss(),
    })
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
