//! A run's training thread: its data prepared by the pipeline `experiments train` uses, and one
//! `fit_with` whose observer pauses, steps and stops it between epochs and hands each frame's
//! [`Snapshot`] to the session.

use std::ops::ControlFlow;
use std::time::Instant;

use core_linalg::Dataset;
use models::{EpochProgress, ModelError, ModelView, SavedModel, StopReason, TrainingObserver};

use super::config::{DataSource, FieldProblem, Settings};
use super::frame::Series;
use super::session::{Mode, Phase, Run, Snapshot};
use crate::pipeline::{self, PipelineError, PreparedData};
use crate::plan::ModelPlan;

/// The data of a run: generated and split by the pipeline `experiments train` uses, with the
/// data seed, or the uploaded file split the way `train --data` splits a file.
pub(super) fn prepare(
    settings: &Settings,
    uploaded: Option<&Dataset>,
) -> Result<PreparedData, FieldProblem> {
    let (plan, run) = (&settings.plan, settings.run());
    let prepared = match (settings.source, uploaded) {
        (DataSource::Generated, _) => pipeline::prepare_data(plan, run),
        (DataSource::Uploaded, Some(data)) => pipeline::split_and_standardize(
            data.clone(),
            plan.data.test_fraction,
            run.standardize,
            run.data_seed,
        ),
        (DataSource::Uploaded, None) => {
            return Err(FieldProblem::new(
                "data",
                "no CSV file was uploaded to this session",
            ));
        }
    };
    prepared.map_err(|e| {
        let field = match e {
            PipelineError::Split(_) => "dataset.test_fraction",
            PipelineError::Standardize(_) => "dataset.standardize",
            _ => "dataset",
        };
        FieldProblem::new(field, e.to_string())
    })
}

/// A square around every point, with a tenth of its side to spare on each side.
pub(super) fn extent_of(data: &PreparedData) -> [f64; 4] {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for d in std::iter::once(&data.train).chain(data.test.as_ref()) {
        let x = d.features();
        for r in 0..x.nrows() {
            for c in 0..2 {
                lo[c] = lo[c].min(x[(r, c)]);
                hi[c] = hi[c].max(x[(r, c)]);
            }
        }
    }
    let side = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9) * 1.2;
    let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    [
        centre[0] - side / 2.0,
        centre[0] + side / 2.0,
        centre[1] - side / 2.0,
        centre[1] + side / 2.0,
    ]
}

/// The observer on the training thread.
struct Trainer<'a> {
    run: &'a Run,
    curve: Series,
    /// Epoch and time of the last frame, for epochs per second.
    clock: Option<(usize, Instant)>,
    epochs_per_second: f64,
}

impl Trainer<'_> {
    /// A copy of the parameters the observer is shown, as the run's kind of model.
    fn model_of(&self, view: &ModelView<'_>) -> Option<SavedModel> {
        match &self.run.settings.run().model {
            ModelPlan::Logistic(_) => view.to_logistic_regression().map(SavedModel::Logistic),
            ModelPlan::Mlp(_) => Some(SavedModel::Mlp(view.to_mlp())),
        }
    }

    fn snapshot(
        &mut self,
        epoch: usize,
        train_loss: f64,
        model: Option<SavedModel>,
        phase: Phase,
    ) -> Snapshot {
        let now = Instant::now();
        if phase == Phase::Running {
            if let Some((e0, t0)) = self.clock {
                let dt = now.duration_since(t0).as_secs_f64();
                if dt > 0.0 && epoch > e0 {
                    let rate = (epoch - e0) as f64 / dt;
                    self.epochs_per_second = if self.epochs_per_second > 0.0 {
                        0.8 * self.epochs_per_second + 0.2 * rate
                    } else {
                        rate
                    };
                }
            }
            self.clock = Some((epoch, now));
        } else {
            self.clock = None;
            self.epochs_per_second = 0.0;
        }
        Snapshot {
            epoch,
            train_loss,
            model,
            curve: self.curve.clone(),
            phase,
            message: None,
            epochs_per_second: self.epochs_per_second,
        }
    }
}

impl TrainingObserver for Trainer<'_> {
    fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
        let epoch = progress.epoch;
        self.curve.push(epoch, &[progress.train_loss]);
        let run = self.run;
        let mut s = run.lock();
        loop {
            if s.stop {
                return ControlFlow::Break(());
            }
            let pause_here = match s.mode {
                Mode::Paused => true,
                Mode::StepTo(target) => epoch >= target,
                Mode::Running => false,
            };
            let frame_due = epoch.is_multiple_of(s.epochs_per_frame);
            // Lockstep: with a viewer, wait until it has taken the previous frame.
            if frame_due && !pause_here && s.viewer && s.pending.is_some() {
                s = run.changed.wait(s).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            if frame_due || pause_here {
                let phase = match (pause_here, s.idle, epoch) {
                    (false, _, _) => Phase::Running,
                    (true, true, _) => Phase::Idle,
                    (true, false, 0) => Phase::Ready,
                    (true, false, _) => Phase::Paused,
                };
                drop(s);
                let model = self.model_of(&progress.model);
                let snapshot = self.snapshot(epoch, progress.train_loss, model, phase);
                s = run.lock();
                s.latest = Some(snapshot.clone());
                s.pending = Some(snapshot);
                run.frames.notify_one();
            }
            if !pause_here {
                return ControlFlow::Continue(());
            }
            s.mode = Mode::Paused;
            while s.mode == Mode::Paused && !s.stop {
                s = run.changed.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            if s.stop {
                return ControlFlow::Break(());
            }
            // Resumed: this epoch's update happens now.
            return ControlFlow::Continue(());
        }
    }
}

/// The training thread: one `fit_with`, as `experiments train` calls it.
pub(super) fn train(run: &Run) {
    // The stream of `experiments train`'s model, so the same seed gives the same model.
    let mut rng = pipeline::rng(run.settings.run().seed, pipeline::stream::TRAIN_COMMAND);
    let mut trainer = Trainer {
        run,
        curve: Series::new(1),
        clock: None,
        epochs_per_second: 0.0,
    };
    let fitted = run
        .settings
        .run()
        .model
        .fit_with(&run.data.train, None, &mut rng, &mut trainer);
    let (phase, model, message, epoch, loss) = match fitted {
        Ok((_, report)) if matches!(report.stop_reason, StopReason::Interrupted { .. }) => return,
        Ok((model, report)) => {
            let phase = match report.stop_reason {
                StopReason::EarlyStopped { .. } => Phase::EarlyStopped,
                _ => Phase::Completed,
            };
            (
                phase,
                Some(model),
                None,
                report.epochs_run,
                report.final_train_loss(),
            )
        }
        Err(ModelError::Diverged {
            epoch,
            loss,
            first_loss,
            ..
        }) => {
            let factor = run.settings.run().model.training().divergence_factor();
            let message = format!(
                "diverged at epoch {epoch}: the loss {loss} {} (the first loss was {first_loss}); \
                 lower the learning rate",
                if loss.is_finite() {
                    format!("exceeded {factor} × the first loss")
                } else {
                    "is not finite".to_owned()
                }
            );
            (Phase::Diverged, None, Some(message), epoch, loss)
        }
        Err(e) => (Phase::Failed, None, Some(e.to_string()), 0, f64::NAN),
    };
    trainer.curve.push(epoch, &[loss]);
    let mut snapshot = trainer.snapshot(epoch, loss, model.clone(), phase);
    snapshot.message = message;
    let mut s = run.lock();
    if s.stop {
        return;
    }
    if snapshot.model.is_none() {
        // Keep showing the last finite parameters.
        snapshot.model = s.latest.as_ref().and_then(|l| l.model.clone());
    }
    s.fitted = model;
    s.latest = Some(snapshot.clone());
    s.pending = Some(snapshot);
    drop(s);
    run.frames.notify_one();
}
