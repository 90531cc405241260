//! Sessions: one per browser tab, each training on its own thread.
//!
//! A [`Run`] is one training of one set of settings. Its thread calls the same `fit_with` as
//! `experiments train`, from the same seeds, with an observer that pauses, steps and stops it
//! between epochs and hands a [`Snapshot`] of the parameters to the viewer every
//! `epochs_per_frame` epochs, so pausing or watching never changes a number. While a viewer is
//! attached the trainer waits for it to take each snapshot before making the next (lockstep:
//! the page sees every `epochs_per_frame`-th epoch); without one it runs free.
//!
//! The [`Registry`] limits how many sessions exist, and ends those whose tab has gone away.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use core_linalg::{Dataset, Matrix};
use data::BayesError;
use models::SavedModel;
use tokio::sync::Notify;

use super::config::{DataSource, FieldProblem, Settings};
use super::frame::{self, Series};
use super::trainer::{extent_of, prepare, train};
use crate::pipeline::PreparedData;
use crate::plan::ModelPlan;

/// Where a run is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// At epoch 0, not started yet.
    Ready,
    /// Paused by the page (or after a step).
    Paused,
    /// Paused because the page stopped answering for the idle timeout.
    Idle,
    /// Training.
    Running,
    /// Every epoch of the budget ran.
    Completed,
    /// Early stopping fired.
    EarlyStopped,
    /// The loss stopped being finite or exceeded the divergence factor times the first loss.
    Diverged,
    /// Training could not run (the message says why).
    Failed,
}

impl Phase {
    /// The state's name in frames and status replies.
    pub fn label(&self) -> &'static str {
        match self {
            Phase::Ready => "ready",
            Phase::Paused => "paused",
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Completed => "completed",
            Phase::EarlyStopped => "early_stopped",
            Phase::Diverged => "diverged",
            Phase::Failed => "failed",
        }
    }

    /// Not training now (paused or finished): a frame in this state is worth drawing fully.
    pub fn is_resting(&self) -> bool {
        !matches!(self, Phase::Running)
    }

    /// Training has ended and cannot be resumed.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            Phase::Completed | Phase::EarlyStopped | Phase::Diverged | Phase::Failed
        )
    }
}

/// The parameters and progress at one epoch, for the viewer.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Epochs performed.
    pub epoch: usize,
    /// The training objective at this epoch.
    pub train_loss: f64,
    /// The model at this epoch (`None` when a parameter is not finite).
    pub model: Option<SavedModel>,
    /// The training loss so far, bounded (see [`Series`]).
    pub curve: Series,
    /// The run's state.
    pub phase: Phase,
    /// Why it stopped, for diverged and failed runs.
    pub message: Option<String>,
    /// Training speed over the last frames (0 when paused).
    pub epochs_per_second: f64,
}

/// What the page asked the trainer to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Mode {
    Paused,
    Running,
    /// Run until this epoch, then pause.
    StepTo(usize),
}

/// The state a run's trainer and its controllers share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) mode: Mode,
    /// Paused by the idle timeout rather than the page.
    pub(super) idle: bool,
    pub(super) stop: bool,
    pub(super) viewer: bool,
    pub(super) epochs_per_frame: usize,
    /// The snapshot waiting for the viewer.
    pub(super) pending: Option<Snapshot>,
    /// The latest snapshot (for the model download and the status reply).
    pub(super) latest: Option<Snapshot>,
    /// The model a finished fit returned.
    pub(super) fitted: Option<SavedModel>,
}

/// One training of one set of settings.
#[derive(Debug)]
pub struct Run {
    /// Counts the session's runs; frames carry it so the page ignores a replaced run's frames.
    pub generation: u64,
    /// The validated settings.
    pub settings: Settings,
    /// The data, drawn and split as `experiments train` draws and splits it.
    pub data: PreparedData,
    /// The plane the views cover: `[x0, x1, y0, y1]`.
    pub extent: [f64; 4],
    /// The decision-boundary grid (see [`frame::grid`]).
    pub boundary_grid: Matrix,
    /// The neuron maps' grid (no rows for logistic regression).
    pub neuron_grid: Matrix,
    /// The generator's Bayes error, the lowest error any classifier can reach on its data
    /// (`None` for uploaded data).
    pub bayes_error: Option<BayesError>,
    shared: Mutex<Shared>,
    pub(super) changed: Condvar,
    pub(super) frames: Arc<Notify>,
}

impl Run {
    pub(super) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, change: impl FnOnce(&mut Shared)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    /// The L2 penalty of the objective.
    pub fn l2(&self) -> f64 {
        self.settings.run().model.training().l2()
    }

    /// Weight layers of the net (1 for logistic regression).
    pub fn n_weight_layers(&self) -> usize {
        self.settings.run().model.layer_sizes().len() - 1
    }

    /// Takes the snapshot waiting for the viewer, letting the trainer go on.
    pub fn take_pending(&self) -> Option<Snapshot> {
        let snapshot = self.lock().pending.take();
        self.changed.notify_all();
        snapshot
    }

    /// The latest snapshot.
    pub fn latest(&self) -> Option<Snapshot> {
        self.lock().latest.clone()
    }

    /// The model to download: the fitted one when training has finished (with the settings
    /// it was trained with, as `experiments train --save` writes it), else the latest
    /// snapshot's parameters.
    ///
    /// # Errors
    /// A diverged or failed run has no model (the message says why), nor has a run before its
    /// first snapshot.
    pub fn model(&self) -> Result<SavedModel, String> {
        let shared = self.lock();
        if let Some(model) = &shared.fitted {
            return Ok(model.clone());
        }
        match &shared.latest {
            Some(latest) if latest.phase.is_finished() => Err(format!(
                "{}: there is no model to save; reset, or change the settings",
                latest
                    .message
                    .as_deref()
                    .unwrap_or("training did not finish")
            )),
            Some(Snapshot {
                model: Some(model), ..
            }) => Ok(model.clone()),
            _ => Err("has no parameters yet: the run is starting".to_owned()),
        }
    }

    fn stop(&self) {
        self.set(|s| s.stop = true);
    }

    /// Where the run is now: finished, or what the page last asked for.
    pub fn phase(&self) -> Phase {
        let s = self.lock();
        match (&s.latest, s.mode) {
            (Some(latest), _) if latest.phase.is_finished() => latest.phase.clone(),
            (_, Mode::Running | Mode::StepTo(_)) => Phase::Running,
            (_, Mode::Paused) if s.idle => Phase::Idle,
            (Some(latest), Mode::Paused) if latest.epoch > 0 => Phase::Paused,
            _ => Phase::Ready,
        }
    }
}

/// A control action from the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Train.
    Play,
    /// Stop training at the next epoch, keeping the run.
    Pause,
    /// Train one epoch, then pause.
    Step,
    /// Start the run again from its initial weights, paused.
    Reset,
}

/// One tab's session.
#[derive(Debug)]
pub struct Session {
    /// Its id in URLs.
    pub id: String,
    last_seen: Mutex<Instant>,
    state: Mutex<SessionState>,
    /// Signalled when a snapshot is waiting for the viewer.
    pub frames: Arc<Notify>,
}

#[derive(Debug, Default)]
struct SessionState {
    uploaded: Option<Dataset>,
    run: Option<Arc<Run>>,
    generation: u64,
    viewer: bool,
    epochs_per_frame: Option<usize>,
}

/// Why a run could not start.
#[derive(Debug)]
pub enum StartError {
    /// The data could not be made (a message naming the field).
    Data(FieldProblem),
    /// No thread could be started.
    Thread(String),
}

impl Session {
    fn state(&self) -> MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the page is still there.
    pub fn touch(&self) {
        *self.last_seen.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.last_seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }

    /// The current run.
    pub fn run(&self) -> Option<Arc<Run>> {
        self.state().run.clone()
    }

    /// Stores uploaded data for runs with [`DataSource::Uploaded`].
    pub fn set_uploaded(&self, data: Dataset) {
        self.state().uploaded = Some(data);
    }

    /// The uploaded data, if any.
    pub fn uploaded(&self) -> Option<Dataset> {
        self.state().uploaded.clone()
    }

    /// Replaces the current run by a new one of `settings`, paused at epoch 0.
    ///
    /// # Errors
    /// [`StartError`] when the data cannot be made or no thread can be started.
    pub fn start(&self, settings: Settings) -> Result<Arc<Run>, StartError> {
        let mut state = self.state();
        let data = prepare(&settings, state.uploaded.as_ref()).map_err(StartError::Data)?;
        let extent = extent_of(&data);
        let is_mlp = matches!(settings.run().model, ModelPlan::Mlp(_));
        let bayes_error = match settings.source {
            DataSource::Generated => settings.plan.bayes.of(&settings.run().generator),
            DataSource::Uploaded => None,
        };
        let epochs_per_frame = state.epochs_per_frame.unwrap_or(DEFAULT_EPOCHS_PER_FRAME);
        state.generation += 1;
        let run = Arc::new(Run {
            generation: state.generation,
            settings,
            data,
            extent,
            boundary_grid: frame::grid(extent, frame::BOUNDARY_GRID),
            neuron_grid: if is_mlp {
                frame::grid(extent, frame::NEURON_GRID)
            } else {
                Matrix::zeros(0, 2)
            },
            bayes_error,
            shared: Mutex::new(Shared {
                mode: Mode::Paused,
                idle: false,
                stop: false,
                viewer: state.viewer,
                epochs_per_frame,
                pending: None,
                latest: None,
                fitted: None,
            }),
            changed: Condvar::new(),
            frames: Arc::clone(&self.frames),
        });
        let trainer = Arc::clone(&run);
        std::thread::Builder::new()
            .name(format!("train-{}-{}", self.id, run.generation))
            // The main thread's size: the kernels' unoptimised (debug) build needs more than
            // the default 2 MiB.
            .stack_size(8 << 20)
            .spawn(move || train(&trainer))
            .map_err(|e| StartError::Thread(format!("cannot start a training thread: {e}")))?;
        if let Some(old) = state.run.replace(Arc::clone(&run)) {
            old.stop();
        }
        Ok(run)
    }

    /// Applies a control action to the current run.
    ///
    /// # Errors
    /// No run yet (send settings first), or a reset whose run cannot be restarted.
    pub fn control(&self, action: Action) -> Result<(), String> {
        let run = self
            .run()
            .ok_or("no run yet: send the settings first (PUT …/settings)")?;
        match action {
            Action::Play => run.set(|s| {
                s.mode = Mode::Running;
                s.idle = false;
            }),
            Action::Pause => run.set(|s| s.mode = Mode::Paused),
            Action::Step => run.set(|s| {
                let at = s.latest.as_ref().map_or(0, |l| l.epoch);
                s.mode = Mode::StepTo(at + 1);
                s.idle = false;
            }),
            Action::Reset => {
                self.start(run.settings.clone()).map_err(|e| match e {
                    StartError::Data(p) => format!("{}: {}", p.field, p.message),
                    StartError::Thread(m) => m,
                })?;
            }
        }
        Ok(())
    }

    /// Sets how many epochs pass between frames (kept for later runs too).
    pub fn set_epochs_per_frame(&self, epochs: usize) {
        let mut state = self.state();
        state.epochs_per_frame = Some(epochs);
        if let Some(run) = &state.run {
            run.set(|s| s.epochs_per_frame = epochs);
        }
    }

    /// Attaches or detaches the viewer (the trainer keeps pace with an attached one).
    pub fn set_viewer(&self, attached: bool) {
        let mut state = self.state();
        state.viewer = attached;
        if let Some(run) = &state.run {
            run.set(|s| s.viewer = attached);
        }
    }

    /// Stops training for good.
    fn end(&self) {
        if let Some(run) = self.state().run.take() {
            run.stop();
        }
    }

    /// Pauses a running run because the page went quiet.
    fn pause_idle(&self) {
        if let Some(run) = self.run() {
            run.set(|s| {
                if s.mode != Mode::Paused {
                    s.mode = Mode::Paused;
                    s.idle = true;
                }
            });
        }
    }
}

/// Epochs between frames until the page says otherwise.
pub const DEFAULT_EPOCHS_PER_FRAME: usize = 10;

/// Every session, with the limits on how many there are and how long a quiet one lives.
#[derive(Debug)]
pub struct Registry {
    sessions: Mutex<BTreeMap<String, Arc<Session>>>,
    max_sessions: usize,
    idle_timeout: Duration,
    ids: RandomState,
}

impl Registry {
    /// An empty registry.
    pub fn new(max_sessions: usize, idle_timeout: Duration) -> Self {
        Registry {
            sessions: Mutex::new(BTreeMap::new()),
            max_sessions,
            idle_timeout,
            ids: RandomState::new(),
        }
    }

    fn sessions(&self) -> MutexGuard<'_, BTreeMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new session.
    ///
    /// # Errors
    /// The session limit is reached (the message says what to do).
    pub fn create(&self) -> Result<Arc<Session>, String> {
        let mut sessions = self.sessions();
        if sessions.len() >= self.max_sessions {
            return Err(format!(
                "the server already has {} sessions, its limit (--max-sessions {}): close \
                 another playground tab, or wait {} s for an abandoned one to end",
                sessions.len(),
                self.max_sessions,
                self.idle_timeout.as_secs()
            ));
        }
        let mut n = sessions.len() as u64;
        let id = loop {
            let id = format!("{:016x}", self.ids.hash_one(n));
            if !sessions.contains_key(&id) {
                break id;
            }
            n += 1;
        };
        let session = Arc::new(Session {
            id: id.clone(),
            last_seen: Mutex::new(Instant::now()),
            state: Mutex::new(SessionState::default()),
            frames: Arc::new(Notify::new()),
        });
        sessions.insert(id, Arc::clone(&session));
        Ok(session)
    }

    /// The session with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.sessions().get(id).cloned()
    }

    /// Ends a session and stops its training.
    pub fn remove(&self, id: &str) {
        if let Some(session) = self.sessions().remove(id) {
            session.end();
        }
    }

    /// Pauses sessions quiet for the idle timeout, and ends those without a viewer that have
    /// been quiet for it too (a tab that never connected, or a script that went away).
    pub fn reap(&self) {
        let quiet: Vec<Arc<Session>> = self
            .sessions()
            .values()
            .filter(|s| s.idle_for() >= self.idle_timeout)
            .cloned()
            .collect();
        for session in quiet {
            session.pause_idle();
            if !session.state().viewer {
                self.remove(&session.id);
            }
        }
    }
}
