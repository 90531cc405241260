//! The training loop shared by both models: full-batch (or seeded mini-batch) gradient descent
//! with optional early stopping, divergence detection and diagnostics.

use std::ops::ControlFlow;

use core_linalg::{Activation, Dataset, Matrix, Vector};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::network::{Layer, Network, Workspace};
use crate::{Classifier, LogisticRegression, Mlp, ModelError};

/// The largest number of epochs accepted: the loss curve alone takes 8 bytes per epoch.
pub const MAX_EPOCHS: usize = 100_000_000;

/// The default divergence factor: a run whose loss exceeds this multiple of its first loss is
/// stopped as diverged. A binary cross-entropy that starts near ln 2 ≈ 0.69 and passes 69 means
/// the average logit is wrong by about 69: training has blown up, not wobbled.
pub const DEFAULT_DIVERGENCE_FACTOR: f64 = 100.0;

/// The default loss fraction for [`FitReport::epochs_to_fraction`]: the original project
/// tracked the epochs needed to reach 30 % of the first loss.
pub const DEFAULT_LOSS_FRACTION: f64 = 0.3;

/// Tolerance-based early stopping: stop once the loss has failed to improve on the best loss
/// so far by more than `tolerance` for `patience` consecutive epochs.
///
/// It is off by default. MLP losses can oscillate; with early stopping on, a temporary rise
/// ends training and hides the oscillation, which is what the original project found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStopping {
    /// Minimum improvement that counts, `≥ 0`.
    pub tolerance: f64,
    /// Consecutive epochs without such an improvement before stopping, `≥ 1`.
    pub patience: usize,
}

/// How the training set is walked each epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchMode {
    /// One gradient step per epoch on the whole training set (the original method).
    #[default]
    Full,
    /// Shuffle with the caller's RNG each epoch, then one step per batch of this many samples
    /// (the last batch of an epoch may be smaller).
    MiniBatch {
        /// Samples per batch, `≥ 1`.
        batch_size: usize,
    },
}

/// The hyperparameters of gradient-descent training, shared by both models.
///
/// Build it with [`TrainingConfig::default`] and the `with_*` setters, or through the setters of
/// `MlpConfig` and `LogisticRegressionConfig`. It is validated by the model config's `validate`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingConfig {
    pub(crate) learning_rate: f64,
    pub(crate) epochs: usize,
    pub(crate) l2: f64,
    pub(crate) batch: BatchMode,
    pub(crate) early_stopping: Option<EarlyStopping>,
    pub(crate) divergence_factor: f64,
    pub(crate) loss_fraction: f64,
    pub(crate) gradient_norm_stride: usize,
    pub(crate) eval_stride: usize,
    pub(crate) threshold: f64,
}

impl Default for TrainingConfig {
    /// Learning rate 0.01, 1,000 epochs, no L2, full batch, no early stopping, divergence
    /// factor 100, loss fraction 0.3, no gradient-norm sampling, the evaluation loss every
    /// epoch, decision threshold 0.5.
    fn default() -> Self {
        TrainingConfig {
            learning_rate: 0.01,
            epochs: 1000,
            l2: 0.0,
            batch: BatchMode::Full,
            early_stopping: None,
            divergence_factor: DEFAULT_DIVERGENCE_FACTOR,
            loss_fraction: DEFAULT_LOSS_FRACTION,
            gradient_norm_stride: 0,
            eval_stride: 1,
            threshold: 0.5,
        }
    }
}

impl TrainingConfig {
    fn training_mut(&mut self) -> &mut TrainingConfig {
        self
    }

    training_setters!();

    /// The step size of gradient descent.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// The maximum number of epochs.
    pub fn epochs(&self) -> usize {
        self.epochs
    }
    /// The L2 penalty coefficient λ.
    pub fn l2(&self) -> f64 {
        self.l2
    }
    /// Full batch or mini-batches.
    pub fn batch(&self) -> BatchMode {
        self.batch
    }
    /// Early stopping, if on.
    pub fn early_stopping(&self) -> Option<EarlyStopping> {
        self.early_stopping
    }
    /// The loss multiple that counts as divergence.
    pub fn divergence_factor(&self) -> f64 {
        self.divergence_factor
    }
    /// The fraction of the first loss for [`FitReport::epochs_to_fraction`].
    pub fn loss_fraction(&self) -> f64 {
        self.loss_fraction
    }
    /// Gradient norms are sampled every this many epochs (0: never).
    pub fn gradient_norm_stride(&self) -> usize {
        self.gradient_norm_stride
    }
    /// The evaluation loss is measured every this many epochs, and at the last.
    pub fn eval_stride(&self) -> usize {
        self.eval_stride
    }
    /// The probability at or above which `predict` answers 1.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Checks every field, returning the first violation.
    ///
    /// # Errors
    /// [`ModelError::InvalidHyperparameter`] naming the field, its value and what is allowed.
    pub fn validate(&self) -> Result<(), ModelError> {
        let lr = self.learning_rate;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ModelError::invalid(
                "learning_rate",
                lr,
                "a finite number > 0, such as 0.01",
            ));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(ModelError::invalid(
                "epochs",
                self.epochs,
                format!("an integer from 1 to {MAX_EPOCHS}"),
            ));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(ModelError::invalid(
                "l2",
                self.l2,
                "a finite number ≥ 0 (0 turns it off)",
            ));
        }
        if let BatchMode::MiniBatch { batch_size: 0 } = self.batch {
            return Err(ModelError::invalid("batch_size", 0, "an integer ≥ 1"));
        }
        if let Some(stop) = self.early_stopping {
            if !(stop.tolerance.is_finite() && stop.tolerance >= 0.0) {
                return Err(ModelError::invalid(
                    "tolerance",
                    stop.tolerance,
                    "a finite number ≥ 0",
                ));
            }
            if stop.patience == 0 {
                return Err(ModelError::invalid(
                    "patience",
                    0,
                    "an integer ≥ 1 when early stopping is on",
                ));
            }
        }
        if !(self.divergence_factor.is_finite() && self.divergence_factor > 1.0) {
            return Err(ModelError::invalid(
                "divergence_factor",
                self.divergence_factor,
                "a finite number > 1",
            ));
        }
        if !(self.loss_fraction > 0.0 && self.loss_fraction < 1.0) {
            return Err(ModelError::invalid(
                "loss_fraction",
                self.loss_fraction,
                "a number strictly between 0 and 1, such as 0.3",
            ));
        }
        if self.eval_stride == 0 {
            return Err(ModelError::invalid(
                "eval_stride",
                0,
                "an integer ≥ 1 (1 measures the evaluation loss every epoch)",
            ));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(ModelError::invalid(
                "threshold",
                self.threshold,
                "a probability in [0, 1]",
            ));
        }
        Ok(())
    }
}

/// Generates the `with_*` setters for the fields of [`TrainingConfig`] on any type with a
/// `training_mut(&mut self) -> &mut TrainingConfig`: `TrainingConfig` itself and both model
/// configs, so the setters are defined once.
macro_rules! training_setters {
    () => {
        /// Sets the gradient-descent step size (must be finite and > 0).
        pub fn with_learning_rate(mut self, learning_rate: f64) -> Self {
            self.training_mut().learning_rate = learning_rate;
            self
        }
        /// Sets the maximum number of epochs (1 to [`crate::MAX_EPOCHS`]).
        pub fn with_epochs(mut self, epochs: usize) -> Self {
            self.training_mut().epochs = epochs;
            self
        }
        /// Sets the L2 penalty λ: the objective gains `λ/2 Σ‖W‖²` over weights (not biases).
        pub fn with_l2(mut self, l2: f64) -> Self {
            self.training_mut().l2 = l2;
            self
        }
        /// Chooses full-batch or seeded mini-batch gradient descent.
        pub fn with_batch(mut self, batch: crate::BatchMode) -> Self {
            self.training_mut().batch = batch;
            self
        }
        /// Turns tolerance-based early stopping on (`Some`) or off (`None`, the default).
        pub fn with_early_stopping(mut self, early_stopping: Option<crate::EarlyStopping>) -> Self {
            self.training_mut().early_stopping = early_stopping;
            self
        }
        /// Sets the loss multiple of the first loss that counts as divergence (> 1).
        pub fn with_divergence_factor(mut self, factor: f64) -> Self {
            self.training_mut().divergence_factor = factor;
            self
        }
        /// Sets the fraction of the first loss for `FitReport::epochs_to_fraction` (in (0, 1)).
        pub fn with_loss_fraction(mut self, fraction: f64) -> Self {
            self.training_mut().loss_fraction = fraction;
            self
        }
        /// Samples each layer's weight-gradient norm every `stride` epochs (0 turns it off).
        pub fn with_gradient_norm_stride(mut self, stride: usize) -> Self {
            self.training_mut().gradient_norm_stride = stride;
            self
        }
        /// Measures the evaluation-set loss every `stride` epochs and at the last one (≥ 1;
        /// the default 1 measures it every epoch). Each measurement is a forward pass over the
        /// evaluation set, so a caller that only keeps every k-th point saves that time.
        pub fn with_eval_stride(mut self, stride: usize) -> Self {
            self.training_mut().eval_stride = stride;
            self
        }
        /// Sets the probability at or above which `predict` answers 1 (in [0, 1]).
        pub fn with_threshold(mut self, threshold: f64) -> Self {
            self.training_mut().threshold = threshold;
            self
        }
    };
}
pub(crate) use training_setters;

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum StopReason {
    /// Every requested epoch ran.
    Completed,
    /// Early stopping fired after `epoch` updates.
    EarlyStopped {
        /// Updates performed.
        epoch: usize,
    },
    /// The observer asked to stop after `epoch` updates.
    Interrupted {
        /// Updates performed.
        epoch: usize,
    },
    /// The loss measured after `epoch` updates was not finite or exceeded the divergence
    /// factor times the first loss. It counts as NaN once a parameter is infinite or NaN,
    /// even if the activations hide that parameter from the computed loss.
    Diverged {
        /// Updates performed before the divergent loss was measured.
        epoch: usize,
        /// The divergent loss.
        loss: f64,
    },
}

impl StopReason {
    /// A short lowercase label: `completed`, `early_stopped`, `interrupted` or `diverged`.
    pub fn label(&self) -> &'static str {
        match self {
            StopReason::Completed => "completed",
            StopReason::EarlyStopped { .. } => "early_stopped",
            StopReason::Interrupted { .. } => "interrupted",
            StopReason::Diverged { .. } => "diverged",
        }
    }
}

/// Per-layer weight-gradient norms `‖∂W_l‖_F`, sampled every `stride` epochs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GradientNorms {
    n_layers: usize,
    epochs: Vec<usize>,
    values: Vec<f64>,
}

impl GradientNorms {
    /// The epochs (updates performed before the gradient was taken) at which norms were sampled.
    pub fn epochs(&self) -> &[usize] {
        &self.epochs
    }
    /// Number of layers per sample.
    pub fn n_layers(&self) -> usize {
        self.n_layers
    }
    /// Number of samples taken.
    pub fn n_samples(&self) -> usize {
        self.epochs.len()
    }
    /// The norms of sample `i`, first layer first.
    ///
    /// # Panics
    /// If `i >= n_samples()`.
    pub fn sample(&self, i: usize) -> &[f64] {
        &self.values[i * self.n_layers..(i + 1) * self.n_layers]
    }
}

/// What happened during a fit.
///
/// Epochs count gradient-descent updates: `train_loss[i]` is the objective after `i` epochs,
/// so `train_loss[0]` is the loss of the initial parameters and the last entry is the loss of
/// the returned model. With mini-batches an epoch is one pass over the data.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// Objective on the training set after each epoch (`epochs_run + 1` entries).
    pub train_loss: Vec<f64>,
    /// Mean BCE on the evaluation set, when one was given (else empty), at the epochs in
    /// `eval_epochs`.
    pub eval_loss: Vec<f64>,
    /// The epochs of `eval_loss`: every `eval_stride`-th epoch from 0, and the last epoch run
    /// (so with the default stride 1, every epoch, as for `train_loss`).
    pub eval_epochs: Vec<usize>,
    /// Why training stopped.
    pub stop_reason: StopReason,
    /// Gradient-descent epochs performed.
    pub epochs_run: usize,
    /// The loss fraction used for `epochs_to_fraction`.
    pub loss_fraction: f64,
    /// The first `i` with `train_loss[i] ≤ loss_fraction × train_loss[0]`, if reached.
    pub epochs_to_fraction: Option<usize>,
    /// Sampled per-layer gradient norms (empty when sampling was off).
    pub gradient_norms: GradientNorms,
}

impl FitReport {
    /// The training objective of the returned model (the last entry of `train_loss`).
    pub fn final_train_loss(&self) -> f64 {
        *self.train_loss.last().expect("train_loss is never empty")
    }
}

/// What a [`TrainingObserver`] is told after each loss measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochProgress<'a> {
    /// Epochs performed so far.
    pub epoch: usize,
    /// The maximum number of epochs.
    pub epochs_total: usize,
    /// The training objective after `epoch` epochs.
    pub train_loss: f64,
    /// The parameters after `epoch` epochs (those `train_loss` was measured at), borrowed:
    /// free unless the observer reads it. Clone a model from it with [`ModelView::to_mlp`].
    pub model: ModelView<'a>,
}

/// A read-only view of a network's parameters: the model being trained, as handed to a
/// [`TrainingObserver`], or a fitted [`Mlp`] or [`LogisticRegression`] (`From` both).
///
/// Borrowing costs nothing; [`ModelView::to_mlp`] and
/// [`ModelView::to_logistic_regression`] copy the parameters into a model of their own, with
/// the threshold and training settings of the run, for a caller that wants a snapshot.
///
/// # Example
/// An observer that keeps a copy of the model every 100 epochs (to draw how the decision
/// boundary moves, say) and nothing in between:
/// ```
/// use std::ops::ControlFlow;
/// use core_linalg::{Dataset, Matrix, Vector};
/// use models::{Classifier, EpochProgress, Mlp, MlpConfig, TrainingObserver};
/// use rand::SeedableRng;
///
/// struct Snapshots {
///     every: usize,
///     taken: Vec<(usize, Mlp)>,
/// }
///
/// impl TrainingObserver for Snapshots {
///     fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
///         if progress.epoch % self.every == 0 {
///             self.taken.push((progress.epoch, progress.model.to_mlp()));
///         }
///         ControlFlow::Continue(())
///     }
/// }
///
/// let x = Matrix::from_row_slice(4, 2, &[-2., 0., -1., 1., 1., -1., 2., 0.]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0., 0., 1., 1.]))?;
/// let mut snapshots = Snapshots { every: 100, taken: Vec::new() };
/// let config = MlpConfig::new(&[2, 3, 1]).with_learning_rate(0.1).with_epochs(300);
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let (mlp, _) = config.fit_with(&data, None, &mut rng, &mut snapshots)?;
///
/// let epochs: Vec<usize> = snapshots.taken.iter().map(|(epoch, _)| *epoch).collect();
/// assert_eq!(epochs, [0, 100, 200, 300]);
/// // The last snapshot is the returned model, bit for bit.
/// assert_eq!(snapshots.taken[3].1, mlp);
/// assert!(snapshots.taken[0].1.loss(&data)? > mlp.loss(&data)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct ModelView<'a> {
    pub(crate) network: &'a Network,
    threshold: f64,
    trained_with: Option<&'a TrainingConfig>,
}

impl<'a> ModelView<'a> {
    /// A view of a bare network, with the default threshold and no training settings.
    #[cfg(test)]
    pub(crate) fn of_network(network: &'a Network) -> Self {
        ModelView {
            network,
            threshold: 0.5,
            trained_with: None,
        }
    }

    /// The layer sizes, input first, e.g. `[2, 20, 20, 1]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.network.layer_sizes()
    }

    /// The layers, input side first (layer `l`'s `weights` is `fan_in × fan_out`).
    pub fn layers(&self) -> &'a [Layer] {
        &self.network.layers
    }

    /// The hidden-layer activation (meaningless when there is no hidden layer).
    pub fn hidden_activation(&self) -> Activation {
        self.network.hidden_activation
    }

    /// The number of weights and biases.
    pub fn n_parameters(&self) -> usize {
        self.network
            .layers
            .iter()
            .map(|l| l.weights.len() + l.biases.len())
            .sum()
    }

    /// A copy of the parameters as a fitted MLP, with the run's threshold and training
    /// settings (a network without hidden layer gives the MLP `[d, 1]`).
    pub fn to_mlp(&self) -> Mlp {
        let mut mlp = Mlp::from_layers(
            self.network.layers.clone(),
            self.network.hidden_activation,
            self.threshold,
        )
        .expect("a view only ever shows the finite, well-shaped parameters of a valid model");
        mlp.fitted.trained_with = self.trained_with.cloned();
        mlp
    }

    /// A copy of the parameters as a fitted logistic regression, or `None` when the network
    /// has hidden layers.
    pub fn to_logistic_regression(&self) -> Option<LogisticRegression> {
        let [layer] = self.network.layers.as_slice() else {
            return None;
        };
        let mut model = LogisticRegression::from_parameters(
            layer.weights.column(0).into_owned(),
            layer.biases[0],
            self.threshold,
        )
        .expect("a view only ever shows the finite, well-shaped parameters of a valid model");
        model.fitted.trained_with = self.trained_with.cloned();
        Some(model)
    }
}

impl std::fmt::Debug for ModelView<'_> {
    /// The shape only: a view is printed with every progress report, the parameters would
    /// drown it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelView")
            .field("layer_sizes", &self.layer_sizes())
            .field("hidden_activation", &self.network.hidden_activation)
            .finish_non_exhaustive()
    }
}

impl<'a> From<&'a Mlp> for ModelView<'a> {
    fn from(mlp: &'a Mlp) -> Self {
        ModelView {
            network: &mlp.fitted.network,
            threshold: mlp.threshold(),
            trained_with: mlp.trained_with(),
        }
    }
}

impl<'a> From<&'a LogisticRegression> for ModelView<'a> {
    fn from(model: &'a LogisticRegression) -> Self {
        ModelView {
            network: &model.fitted.network,
            threshold: model.threshold(),
            trained_with: model.trained_with(),
        }
    }
}

/// Receives progress during training, and may stop it.
///
/// `models` never prints: a caller that wants a progress bar or a Ctrl-C handler implements
/// this trait. It is called once per epoch, so keep it cheap: `progress.model` shows the
/// current parameters for free, but copying them ([`ModelView::to_mlp`]) or measuring
/// something on them is best done every k-th epoch (see [`ModelView`]'s example).
pub trait TrainingObserver {
    /// Called after each loss measurement. Return `ControlFlow::Break(())` to stop training;
    /// the model so far is returned with [`StopReason::Interrupted`].
    fn on_epoch(&mut self, progress: &EpochProgress<'_>) -> ControlFlow<()>;
}

/// An observer that never interrupts and records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl TrainingObserver for NoObserver {
    fn on_epoch(&mut self, _progress: &EpochProgress<'_>) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Mini-batch state: a shuffled row order and buffers for full and remainder batches.
struct MiniBatches {
    order: Vec<usize>,
    batch_size: usize,
    full: Option<(Matrix, Vector, Workspace)>,
    remainder: Option<(Matrix, Vector, Workspace)>,
}

impl MiniBatches {
    fn new(network: &Network, n_samples: usize, n_features: usize, batch_size: usize) -> Self {
        let batch_size = batch_size.min(n_samples);
        let buffers = |size: usize| {
            (size > 0).then(|| {
                (
                    Matrix::zeros(size, n_features),
                    Vector::zeros(size),
                    Workspace::new(network, size),
                )
            })
        };
        MiniBatches {
            order: (0..n_samples).collect(),
            batch_size,
            full: buffers(batch_size),
            remainder: buffers(n_samples % batch_size),
        }
    }

    /// One epoch of mini-batch steps, in a freshly shuffled order.
    fn run_epoch<R: Rng + ?Sized>(
        &mut self,
        network: &mut Network,
        data: &Dataset,
        settings: &TrainingConfig,
        grads: &mut [Layer],
        rng: &mut R,
    ) {
        self.order.shuffle(rng);
        for chunk in self.order.chunks(self.batch_size) {
            let slot = if chunk.len() == self.batch_size {
                &mut self.full
            } else {
                &mut self.remainder
            };
            let (x, y, ws) = slot
                .as_mut()
                .expect("buffers exist for every batch size used");
            for (r, &row) in chunk.iter().enumerate() {
                for c in 0..x.ncols() {
                    x[(r, c)] = data.features()[(row, c)];
                }
                y[r] = data.labels()[row];
            }
            network.forward(x, ws);
            network.backward(x, y.as_slice(), settings.l2, ws, grads);
            network.descend(settings.learning_rate, grads);
        }
    }
}

/// Trains `network` in place. The settings must already be validated and the data checked
/// against the network's shape by the caller.
pub(crate) fn train<R: Rng + ?Sized>(
    network: &mut Network,
    settings: &TrainingConfig,
    data: &Dataset,
    eval: Option<&Dataset>,
    rng: &mut R,
    observer: &mut dyn TrainingObserver,
) -> Result<FitReport, ModelError> {
    let x = data.features();
    let y = data.labels().as_slice();
    let n_layers = network.layers.len();
    let mut ws = Workspace::new(network, data.n_samples());
    let mut eval_ws = eval.map(|e| Workspace::new(network, e.n_samples()));
    let mut grads = network.zero_gradients();
    let mut batches = match settings.batch {
        BatchMode::Full => None,
        BatchMode::MiniBatch { batch_size } => Some(MiniBatches::new(
            network,
            data.n_samples(),
            data.n_features(),
            batch_size,
        )),
    };

    let stride = settings.gradient_norm_stride;
    let n_norm_samples = if stride == 0 {
        0
    } else {
        settings.epochs.div_ceil(stride)
    };
    let n_evals = if eval.is_some() {
        settings.epochs / settings.eval_stride + 2
    } else {
        0
    };
    let mut report = FitReport {
        train_loss: Vec::with_capacity(settings.epochs + 1),
        eval_loss: Vec::with_capacity(n_evals),
        eval_epochs: Vec::with_capacity(n_evals),
        stop_reason: StopReason::Completed,
        epochs_run: 0,
        loss_fraction: settings.loss_fraction,
        epochs_to_fraction: None,
        gradient_norms: GradientNorms {
            n_layers,
            epochs: Vec::with_capacity(n_norm_samples),
            values: Vec::with_capacity(n_norm_samples * n_layers),
        },
    };
    let mut best_loss = f64::INFINITY;
    let mut epochs_without_improvement = 0;

    for epoch in 0..=settings.epochs {
        network.forward(x, &mut ws);
        // Full batch: the loss and the output layer's gradient share one exponential per
        // sample; the gradient is used below by `backward_from_output_gradient`.
        let loss = match batches {
            None => network.objective_and_output_gradient(&mut ws, y, settings.l2),
            Some(_) => network.objective(&ws, y, settings.l2),
        };
        // The objective at a parameter that is not finite is not a number, even where the
        // activations would hide it from the computed loss (see `parameters_are_finite`):
        // the run then stops as diverged in this epoch, like one whose loss overflowed.
        let loss = if network.parameters_are_finite() {
            loss
        } else {
            f64::NAN
        };
        report.train_loss.push(loss);
        report.epochs_run = epoch;
        if epoch.is_multiple_of(settings.eval_stride) {
            evaluate(network, eval, eval_ws.as_mut(), &mut report, epoch);
        }

        let first_loss = report.train_loss[0];
        if !loss.is_finite() || loss > settings.divergence_factor * first_loss {
            report.stop_reason = StopReason::Diverged { epoch, loss };
            evaluate(network, eval, eval_ws.as_mut(), &mut report, epoch);
            return Err(ModelError::Diverged {
                epoch,
                loss,
                first_loss,
                report: Box::new(report),
            });
        }
        if report.epochs_to_fraction.is_none() && loss <= settings.loss_fraction * first_loss {
            report.epochs_to_fraction = Some(epoch);
        }
        if let Some(stop) = settings.early_stopping {
            if loss > best_loss - stop.tolerance {
                epochs_without_improvement += 1;
            } else {
                epochs_without_improvement = 0;
            }
            best_loss = best_loss.min(loss);
            if epochs_without_improvement >= stop.patience {
                report.stop_reason = StopReason::EarlyStopped { epoch };
                break;
            }
        }
        let progress = EpochProgress {
            epoch,
            epochs_total: settings.epochs,
            train_loss: loss,
            model: ModelView {
                network,
                threshold: settings.threshold,
                trained_with: Some(settings),
            },
        };
        if observer.on_epoch(&progress).is_break() {
            report.stop_reason = StopReason::Interrupted { epoch };
            break;
        }
        if epoch == settings.epochs {
            break;
        }

        match batches.as_mut() {
            None => {
                network.backward_from_output_gradient(x, settings.l2, &mut ws, &mut grads);
                if stride != 0 && epoch.is_multiple_of(stride) {
                    record_gradient_norms(&mut report.gradient_norms, epoch, &grads);
                }
                network.descend(settings.learning_rate, &grads);
            }
            Some(batches) => {
                if stride != 0 && epoch.is_multiple_of(stride) {
                    // Sample the full-batch gradient so norms mean the same in both modes.
                    network.backward(x, y, settings.l2, &mut ws, &mut grads);
                    record_gradient_norms(&mut report.gradient_norms, epoch, &grads);
                }
                batches.run_epoch(network, data, settings, &mut grads, rng);
            }
        }
    }
    // Every way out of the loop above leaves the parameters of the last epoch run in place.
    let last = report.epochs_run;
    evaluate(network, eval, eval_ws.as_mut(), &mut report, last);
    Ok(report)
}

/// Appends the evaluation loss at `epoch` to `report`, unless there is no evaluation set or it
/// was already measured at this epoch.
fn evaluate(
    network: &Network,
    eval: Option<&Dataset>,
    workspace: Option<&mut Workspace>,
    report: &mut FitReport,
    epoch: usize,
) {
    if let (Some(e), Some(ws)) = (eval, workspace)
        && report.eval_epochs.last() != Some(&epoch)
    {
        network.forward(e.features(), ws);
        report
            .eval_loss
            .push(network.objective(ws, e.labels().as_slice(), 0.0));
        report.eval_epochs.push(epoch);
    }
}

fn record_gradient_norms(norms: &mut GradientNorms, epoch: usize, grads: &[Layer]) {
    norms.epochs.push(epoch);
    norms.values.extend(grads.iter().map(|g| g.weights.norm()));
}
