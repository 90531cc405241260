//! The parameters of a feed-forward network and its hand-written forward and backward passes.
//!
//! Shapes, for a batch of `n` samples and layer `l` mapping `fan_in → fan_out`:
//!
//! ```text
//! forward   Z_l  = A_{l-1} · W_l + 1·b_lᵀ        W_l: fan_in × fan_out,  A_0 = X: n × d
//!           A_l  = f(Z_l)   (hidden),  A_L = Z_L = logits (output)
//! loss      L    = (1/n) Σ_i bce_with_logits(z_i, y_i)  (+ λ/2 Σ_l ‖W_l‖²)
//! backward  ∂Z_L = (σ(Z_L) − y) / n
//!           ∂W_l = A_{l-1}ᵀ · ∂Z_l (+ λ W_l),   ∂b_l = column sums of ∂Z_l
//!           ∂Z_{l-1} = (∂Z_l · W_lᵀ) ⊙ f'(Z_{l-1}),  with f' computed from A_{l-1}
//! ```
//!
//! Every buffer lives in a [`Workspace`] allocated once per batch size, so an epoch allocates
//! nothing.

use core_linalg::kernels::{
    column_sums_into, matmul_add_bias_activate_into, matmul_transpose_a_into,
    matmul_transpose_b_times_derivative_into, mean_bce_gradient_into, mean_bce_with_logits,
    mean_bce_with_logits_and_gradient_into,
};
use core_linalg::{Activation, Dataset, Matrix, Vector};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Whether every entry of `x` is finite, without a branch per entry: `v · 0` is ±0 for a finite
/// `v` and NaN for an infinite or NaN one, and a NaN stays in the running sum. Eight sums side
/// by side, so the loop vectorises and costs a fraction of a microsecond per epoch even for
/// the largest nets of the studies.
fn all_finite(x: &[f64]) -> bool {
    let mut sums = [0.0f64; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (sum, &v) in sums.iter_mut().zip(chunk) {
            *sum += v * 0.0;
        }
    }
    chunks.remainder().iter().all(|v| v.is_finite()) && sums.iter().all(|&s| s == 0.0)
}

/// One dense layer: `Z = A_prev · weights + biases`.
///
/// `weights` has shape `fan_in × fan_out` (one column per neuron, as in NumPy's `X @ W`) and is
/// stored column-major; `biases` has length `fan_out`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Weights, `fan_in × fan_out`.
    pub weights: Matrix,
    /// Biases, one per output neuron.
    pub biases: Vector,
}

impl Layer {
    /// A layer of zeros.
    pub(crate) fn zeros(fan_in: usize, fan_out: usize) -> Self {
        Layer {
            weights: Matrix::zeros(fan_in, fan_out),
            biases: Vector::zeros(fan_out),
        }
    }

    /// Number of inputs.
    pub fn fan_in(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of outputs (neurons).
    pub fn fan_out(&self) -> usize {
        self.weights.ncols()
    }
}

/// How initial weights are drawn. Biases always start at zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Initialisation {
    /// He: `N(0, 2 / fan_in)`, which keeps ReLU activations' variance constant with depth.
    He,
    /// Xavier/Glorot normal: `N(0, 2 / (fan_in + fan_out))`, for sigmoid, tanh and identity.
    Glorot,
}

impl Initialisation {
    /// The scheme for a hidden activation: He for ReLU, Glorot for the others.
    pub(crate) fn for_hidden(activation: Activation) -> Self {
        match activation {
            Activation::Relu => Initialisation::He,
            _ => Initialisation::Glorot,
        }
    }

    fn std(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Initialisation::He => (2.0 / fan_in as f64).sqrt(),
            Initialisation::Glorot => (2.0 / (fan_in + fan_out) as f64).sqrt(),
        }
    }
}

/// A feed-forward network: hidden layers with one activation and a linear output layer whose
/// logit goes through the sigmoid for probabilities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Network {
    pub(crate) layers: Vec<Layer>,
    pub(crate) hidden_activation: Activation,
}

impl Network {
    /// Draws the initial parameters. Layers are drawn in order, each weight matrix in
    /// column-major order (all of neuron 0's incoming weights, then neuron 1's, …); hidden
    /// layers use `hidden_init`, the output layer Glorot (it feeds a sigmoid).
    pub(crate) fn initialise<R: Rng + ?Sized>(
        layer_sizes: &[usize],
        hidden_activation: Activation,
        hidden_init: Initialisation,
        rng: &mut R,
    ) -> Self {
        let n_layers = layer_sizes.len() - 1;
        let layers = layer_sizes
            .windows(2)
            .enumerate()
            .map(|(l, pair)| {
                let (fan_in, fan_out) = (pair[0], pair[1]);
                let init = if l + 1 == n_layers {
                    Initialisation::Glorot
                } else {
                    hidden_init
                };
                let std = init.std(fan_in, fan_out);
                let mut layer = Layer::zeros(fan_in, fan_out);
                for w in layer.weights.iter_mut() {
                    let z: f64 = StandardNormal.sample(rng);
                    *w = std * z;
                }
                layer
            })
            .collect();
        Network {
            layers,
            hidden_activation,
        }
    }

    pub(crate) fn n_features(&self) -> usize {
        self.layers[0].fan_in()
    }

    pub(crate) fn layer_sizes(&self) -> Vec<usize> {
        std::iter::once(self.n_features())
            .chain(self.layers.iter().map(Layer::fan_out))
            .collect()
    }

    fn activation_of(&self, layer: usize) -> Activation {
        if layer + 1 == self.layers.len() {
            Activation::Identity
        } else {
            self.hidden_activation
        }
    }

    /// Runs the forward pass on `x`, leaving every layer's output in `ws.activations` (the last
    /// one holds the logits).
    pub(crate) fn forward(&self, x: &Matrix, ws: &mut Workspace) {
        debug_assert_eq!(x.nrows(), ws.n_samples());
        for l in 0..self.layers.len() {
            let (before, rest) = ws.activations.split_at_mut(l);
            let input = if l == 0 { x } else { &before[l - 1] };
            let layer = &self.layers[l];
            matmul_add_bias_activate_into(
                &mut rest[0],
                input,
                &layer.weights,
                &layer.biases,
                self.activation_of(l),
            );
        }
    }

    /// The logits left by the last [`Network::forward`].
    pub(crate) fn logits<'w>(&self, ws: &'w Workspace) -> &'w [f64] {
        ws.activations[self.layers.len() - 1].as_slice()
    }

    /// The objective at the parameters of the last forward pass: mean BCE plus `λ/2 Σ ‖W‖²`.
    pub(crate) fn objective(&self, ws: &Workspace, labels: &[f64], l2: f64) -> f64 {
        let data_loss = mean_bce_with_logits(self.logits(ws), labels);
        if l2 == 0.0 {
            data_loss
        } else {
            data_loss + 0.5 * l2 * self.squared_weight_norm()
        }
    }

    /// [`Network::objective`], also leaving `∂(mean BCE)/∂logits` in the output layer's `∂Z`
    /// for [`Network::backward_from_output_gradient`]: one exponential per sample serves both.
    pub(crate) fn objective_and_output_gradient(
        &self,
        ws: &mut Workspace,
        labels: &[f64],
        l2: f64,
    ) -> f64 {
        let last = self.layers.len() - 1;
        let Workspace {
            activations,
            deltas,
        } = ws;
        let data_loss = mean_bce_with_logits_and_gradient_into(
            deltas[last].as_mut_slice(),
            activations[last].as_slice(),
            labels,
        );
        if l2 == 0.0 {
            data_loss
        } else {
            data_loss + 0.5 * l2 * self.squared_weight_norm()
        }
    }

    /// Whether every weight and bias is finite. Checked once per epoch by training: a ReLU or
    /// a saturated sigmoid or tanh can hide an infinite or NaN parameter from the loss (an
    /// infinite pre-activation comes out as 0 or 1), and such a model cannot be used or saved.
    pub(crate) fn parameters_are_finite(&self) -> bool {
        self.layers
            .iter()
            .all(|l| all_finite(l.weights.as_slice()) && all_finite(l.biases.as_slice()))
    }

    fn squared_weight_norm(&self) -> f64 {
        self.layers.iter().map(|l| l.weights.norm_squared()).sum()
    }

    /// Backpropagation after [`Network::forward`] on the same `x`: writes `∂objective/∂θ` into
    /// `grads` (same shapes as `self.layers`).
    pub(crate) fn backward(
        &self,
        x: &Matrix,
        labels: &[f64],
        l2: f64,
        ws: &mut Workspace,
        grads: &mut [Layer],
    ) {
        let last = self.layers.len() - 1;
        {
            let Workspace {
                activations,
                deltas,
            } = ws;
            mean_bce_gradient_into(
                deltas[last].as_mut_slice(),
                activations[last].as_slice(),
                labels,
            );
        }
        self.backward_from_output_gradient(x, l2, ws, grads);
    }

    /// The rest of [`Network::backward`] once the output layer's `∂Z` is in place (as left by
    /// [`Network::objective_and_output_gradient`]).
    pub(crate) fn backward_from_output_gradient(
        &self,
        x: &Matrix,
        l2: f64,
        ws: &mut Workspace,
        grads: &mut [Layer],
    ) {
        for l in (0..self.layers.len()).rev() {
            let input = if l == 0 { x } else { &ws.activations[l - 1] };
            let grad = &mut grads[l];
            matmul_transpose_a_into(&mut grad.weights, input, &ws.deltas[l]);
            column_sums_into(&mut grad.biases, &ws.deltas[l]);
            if l2 != 0.0 {
                // ∂(λ/2 ‖W‖²)/∂W = λ W; descend(x, −λ, W) adds λ W.
                core_linalg::kernels::descend(
                    grad.weights.as_mut_slice(),
                    -l2,
                    self.layers[l].weights.as_slice(),
                );
            }
            if l > 0 {
                let (lower, upper) = ws.deltas.split_at_mut(l);
                matmul_transpose_b_times_derivative_into(
                    &mut lower[l - 1],
                    &upper[0],
                    &self.layers[l].weights,
                    &ws.activations[l - 1],
                    self.hidden_activation,
                );
            }
        }
    }

    /// `θ ← θ − learning_rate · ∂θ` for every tensor.
    pub(crate) fn descend(&mut self, learning_rate: f64, grads: &[Layer]) {
        for (layer, grad) in self.layers.iter_mut().zip(grads) {
            core_linalg::kernels::descend(
                layer.weights.as_mut_slice(),
                learning_rate,
                grad.weights.as_slice(),
            );
            core_linalg::kernels::descend(
                layer.biases.as_mut_slice(),
                learning_rate,
                grad.biases.as_slice(),
            );
        }
    }

    /// Zeroed gradient buffers with this network's shapes.
    pub(crate) fn zero_gradients(&self) -> Vec<Layer> {
        self.layers
            .iter()
            .map(|l| Layer::zeros(l.fan_in(), l.fan_out()))
            .collect()
    }

    /// The objective on `data` at the current parameters (allocates its own workspace).
    pub(crate) fn evaluate_objective(&self, data: &Dataset, l2: f64) -> f64 {
        let mut ws = Workspace::new(self, data.n_samples());
        self.forward(data.features(), &mut ws);
        self.objective(&ws, data.labels().as_slice(), l2)
    }

    /// The gradient of the objective on `data` (allocates its own buffers).
    pub(crate) fn evaluate_gradient(&self, data: &Dataset, l2: f64) -> Vec<Layer> {
        let mut ws = Workspace::new(self, data.n_samples());
        let mut grads = self.zero_gradients();
        self.forward(data.features(), &mut ws);
        self.backward(
            data.features(),
            data.labels().as_slice(),
            l2,
            &mut ws,
            &mut grads,
        );
        grads
    }

    /// Probabilities `σ(logit)` for each row of `x` (allocates its own workspace). σ is
    /// `core-linalg`'s own (as for sigmoid hidden layers), so predictions have the same bits on
    /// every platform.
    pub(crate) fn predict_proba(&self, x: &Matrix) -> Vector {
        let mut ws = Workspace::new(self, x.nrows());
        self.forward(x, &mut ws);
        Vector::from_iterator(
            x.nrows(),
            self.logits(&ws)
                .iter()
                .map(|&z| Activation::Sigmoid.apply(z)),
        )
    }
}

/// Buffers for one batch size: every layer's output and every layer's `∂Z`.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    activations: Vec<Matrix>,
    deltas: Vec<Matrix>,
}

impl Workspace {
    pub(crate) fn new(network: &Network, n_samples: usize) -> Self {
        let shapes = || {
            network
                .layers
                .iter()
                .map(move |l| Matrix::zeros(n_samples, l.fan_out()))
        };
        Workspace {
            activations: shapes().collect(),
            deltas: shapes().collect(),
        }
    }

    fn n_samples(&self) -> usize {
        self.activations[0].nrows()
    }
}
