//! Exact Hessian-vector products `H·v` of the training objective, by forward-over-reverse
//! differentiation (Pearlmutter's R-operator) of the hand-written backward pass.
//!
//! `R{·}` is the directional derivative `d/dε (·)(θ + ε v)` at `ε = 0`. Applied to every line of
//! the forward and backward passes it gives `R{∂θ} = H·v`, at the cost of about two more
//! passes. Each rule below is the R-rule of the line beside it (shapes as in the table of
//! `network.rs`; `v` is `(V_l, c_l)`, shaped like `(W_l, b_l)`; `⊙` is element-wise;
//! `f', f''` are computed from the stored outputs `A_l`, see [`Activation`]):
//!
//! ```text
//!           pass                                          R-rule
//! forward   Z_l  = A_{l-1}·W_l + 1·b_lᵀ                   R{Z_l} = R{A_{l-1}}·W_l + A_{l-1}·V_l + 1·c_lᵀ,  R{A_{-1}} = R{X} = 0
//!           A_l  = f(Z_l)   (hidden)                      R{A_l} = f'(Z_l) ⊙ R{Z_l}
//! loss      ℓ(z) = bce(z, y), ℓ' = σ(z) − y,  ℓ'' = σ(z)·σ(−z)
//! backward  D_L  = ℓ'(Z_L) / n                            R{D_L} = ℓ''(Z_L) ⊙ R{Z_L} / n
//!           ∂W_l = A_{l-1}ᵀ·D_l + λ W_l                   R{∂W_l} = R{A_{l-1}}ᵀ·D_l + A_{l-1}ᵀ·R{D_l} + λ V_l
//!           ∂b_l = column sums of D_l                     R{∂b_l} = column sums of R{D_l}
//!           G_{l-1} = D_l·W_lᵀ                            R{G_{l-1}} = R{D_l}·W_lᵀ + D_l·V_lᵀ
//!           D_{l-1} = G_{l-1} ⊙ f'(Z_{l-1})               R{D_{l-1}} = R{G_{l-1}} ⊙ f'(Z_{l-1}) + G_{l-1} ⊙ f''(Z_{l-1}) ⊙ R{Z_{l-1}}
//! ```
//!
//! The pass at `θ` does not depend on `v`, so it runs once, in [`Hessian::new`], keeping every
//! `A_l`, `D_l`, `ℓ''/n` and, for sigmoid and tanh, `K_l = G_l ⊙ f''(Z_l)` (for ReLU and the
//! identity `f'' = 0`, so the term and its cost vanish). Each product then runs only the
//! R-passes, into buffers allocated there: six matrix products per hidden layer of the size of
//! an epoch's three.

use core_linalg::kernels::{
    column_sums_into, descend, matmul_add_bias_activate_into, matmul_into, matmul_transpose_a_into,
    matmul_transpose_b_into, matmul_transpose_b_times_derivative_into, mean_bce_gradient_into,
    multiply_by_activation_derivative,
};
use core_linalg::{Activation, Dataset, Matrix};

use crate::network::{Layer, Network};
use crate::{ModelError, ModelView};

/// A term of the R-passes deliberately left out or changed, for the negative controls of the
/// curvature tests: a check that cannot see these is no check. Not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HessianFault {
    /// Drop `K_{l-1} ⊙ R{Z_{l-1}} = G_{l-1} ⊙ f''(Z_{l-1}) ⊙ R{Z_{l-1}}`, the activations'
    /// second-order term.
    DropActivationCurvature,
    /// Use `σ(z)` for the loss curvature `ℓ'' = σ(z)·σ(−z)`.
    LossCurvatureWithoutComplement,
    /// Drop `D_l·V_lᵀ` from `R{G_{l-1}}`: the weights' own change in the backward pass.
    DropWeightTermOfBackward,
}

/// The Hessian of the training objective (mean binary cross-entropy plus `λ/2 Σ_l ‖W_l‖²`,
/// as training minimises it) of a model at its current parameters on a dataset, as an
/// operator: [`Hessian::product_into`] gives the exact `H·v` without ever forming `H`.
///
/// Vectors are flat, in the order of the model's [`crate::Differentiable`] tensors: layer 0's
/// weights (column-major, so all of neuron 0's incoming weights first), layer 0's biases,
/// layer 1's weights, and so on.
///
/// A product costs about twice an epoch's arithmetic; the buffers are allocated once, by
/// [`Hessian::new`], so products allocate nothing. ReLU's second derivative is taken as 0, which
/// is exact except on the kink itself, where none exists: on a sample whose pre-activation is
/// exactly 0 the Hessian is that of the side ReLU's derivative takes (the left, slope 0).
///
/// # Example
/// ```
/// use core_linalg::{Dataset, Matrix, Vector};
/// use models::{Hessian, LogisticRegression};
///
/// // For logistic regression H = (1/n) Σ σ(z)σ(−z)·[x 1]ᵀ[x 1]; at w = 0, b = 0 every
/// // σ(z)σ(−z) is 1/4, so H·(0, 1) is (mean x, 1)/4.
/// let model = LogisticRegression::from_parameters(Vector::from_vec(vec![0.0]), 0.0, 0.5)?;
/// let x = Matrix::from_row_slice(2, 1, &[1.0, 3.0]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0.0, 1.0]))?;
/// let mut hessian = Hessian::new(&model, &data, 0.0)?;
/// let mut hv = [0.0; 2];
/// hessian.product_into(&[0.0, 1.0], &mut hv)?;
/// assert_eq!(hv, [0.5, 0.25]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Hessian<'a> {
    network: &'a Network,
    features: &'a Matrix,
    l2: f64,
    n_parameters: usize,
    fault: Option<HessianFault>,
    /// At `θ`: each layer's output `A_l` (the last holds the logits).
    activations: Vec<Matrix>,
    /// At `θ`: `D_l = ∂objective/∂Z_l`.
    deltas: Vec<Matrix>,
    /// At `θ`: `K_l = G_l ⊙ f''(Z_l)` with `G_l = ∂objective/∂A_l`, for the hidden layers;
    /// empty when the hidden activation's `f''` is 0.
    activation_curvature: Vec<Matrix>,
    /// At `θ`: `ℓ''(z_i) / n` per sample.
    loss_curvature: Vec<f64>,
    /// The direction `v`, shaped like the layers.
    direction: Vec<Layer>,
    /// `H·v`, shaped like the layers.
    product: Vec<Layer>,
    /// `R{Z_l}`.
    r_preactivations: Vec<Matrix>,
    /// `R{A_l}`, for the hidden layers.
    r_activations: Vec<Matrix>,
    /// `R{D_l}`.
    r_deltas: Vec<Matrix>,
    /// Per layer, `n × fan_out`: the second product of `R{Z_l}`, then of `R{D_l}`.
    scratch_rows: Vec<Matrix>,
    /// Per layer, `fan_in × fan_out`: the second product of `R{∂W_l}`.
    scratch_weights: Vec<Matrix>,
}

impl std::fmt::Debug for Hessian<'_> {
    /// The shape and settings, not the buffers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hessian")
            .field("layer_sizes", &self.network.layer_sizes())
            .field("hidden_activation", &self.network.hidden_activation)
            .field("n_samples", &self.features.nrows())
            .field("l2", &self.l2)
            .field("fault", &self.fault)
            .finish_non_exhaustive()
    }
}

impl<'a> Hessian<'a> {
    /// Runs the forward and backward pass of `model` on `data` once and allocates every buffer
    /// the products need.
    ///
    /// # Errors
    /// [`ModelError::FeatureCountMismatch`] when `data` does not fit the model's first layer;
    /// [`ModelError::InvalidHyperparameter`] for a negative or non-finite `l2`, or a network
    /// without parameters; [`ModelError::NonFiniteParameter`] naming the first NaN or infinite
    /// parameter; [`ModelError::CurvatureNotMeasurable`] when a layer's output or the gradient
    /// overflows on this data (a model whose training diverged, say). A [`Dataset`] always has
    /// at least one sample, so there is no empty case.
    pub fn new(
        model: impl Into<ModelView<'a>>,
        data: &'a Dataset,
        l2: f64,
    ) -> Result<Self, ModelError> {
        let network = model.into().network;
        check_network(network)?;
        if data.n_features() != network.n_features() {
            return Err(ModelError::FeatureCountMismatch {
                context: "curvature",
                expected: network.n_features(),
                found: data.n_features(),
            });
        }
        if !(l2.is_finite() && l2 >= 0.0) {
            return Err(ModelError::invalid(
                "l2",
                l2,
                "a finite number ≥ 0 (the penalty training used; 0 for none)",
            ));
        }
        let n = data.n_samples();
        let layers = &network.layers;
        let n_layers = layers.len();
        let rows = |l: &Layer| Matrix::zeros(n, l.fan_out());
        let hidden = &layers[..n_layers - 1];
        let mut hessian = Hessian {
            network,
            features: data.features(),
            l2,
            n_parameters: layers
                .iter()
                .map(|l| l.weights.len() + l.biases.len())
                .sum(),
            fault: None,
            activations: layers.iter().map(rows).collect(),
            deltas: layers.iter().map(rows).collect(),
            activation_curvature: if has_curvature(network.hidden_activation) {
                hidden.iter().map(rows).collect()
            } else {
                Vec::new()
            },
            loss_curvature: vec![0.0; n],
            direction: network.zero_gradients(),
            product: network.zero_gradients(),
            r_preactivations: layers.iter().map(rows).collect(),
            r_activations: hidden.iter().map(rows).collect(),
            r_deltas: layers.iter().map(rows).collect(),
            scratch_rows: layers.iter().map(rows).collect(),
            scratch_weights: network
                .zero_gradients()
                .into_iter()
                .map(|g| g.weights)
                .collect(),
        };
        hessian.pass_at_parameters(data.labels().as_slice())?;
        Ok(hessian)
    }

    /// The number of parameters: the length of `v` and of `H·v`.
    pub fn n_parameters(&self) -> usize {
        self.n_parameters
    }

    /// Writes `H·v` into `out`. Both are flat, in the order described at [`Hessian`].
    ///
    /// # Errors
    /// [`ModelError::ParameterCountMismatch`] when `v` or `out` does not have
    /// [`Hessian::n_parameters`] entries. A non-finite `v` gives a non-finite product, not an
    /// error.
    pub fn product_into(&mut self, v: &[f64], out: &mut [f64]) -> Result<(), ModelError> {
        for (name, len) in [("direction", v.len()), ("output", out.len())] {
            if len != self.n_parameters {
                return Err(ModelError::ParameterCountMismatch {
                    name,
                    expected: self.n_parameters,
                    found: len,
                });
            }
        }
        unflatten(v, &mut self.direction);
        self.r_forward();
        self.r_backward();
        flatten(&self.product, out);
        Ok(())
    }

    /// Breaks one term of the R-passes on purpose (see [`HessianFault`]). Not part of the API.
    #[doc(hidden)]
    pub fn with_fault(mut self, fault: HessianFault) -> Self {
        self.fault = Some(fault);
        self.fill_loss_curvature();
        self
    }

    fn activation_of(&self, layer: usize) -> Activation {
        if layer + 1 == self.network.layers.len() {
            Activation::Identity
        } else {
            self.network.hidden_activation
        }
    }

    /// The forward and backward pass at `θ`, keeping `A_l`, `D_l`, `G_l` and `ℓ''/n`.
    fn pass_at_parameters(&mut self, labels: &[f64]) -> Result<(), ModelError> {
        let network = self.network;
        let layers = &network.layers;
        let last = layers.len() - 1;
        for l in 0..=last {
            let activation = self.activation_of(l);
            let (before, rest) = self.activations.split_at_mut(l);
            let input = if l == 0 {
                self.features
            } else {
                &before[l - 1]
            };
            let layer = &layers[l];
            matmul_add_bias_activate_into(
                &mut rest[0],
                input,
                &layer.weights,
                &layer.biases,
                activation,
            );
            if !all_finite(rest[0].as_slice()) {
                return Err(not_finite(format!("layer {l}'s output")));
            }
        }
        let logits = self.activations[last].as_slice();
        mean_bce_gradient_into(self.deltas[last].as_mut_slice(), logits, labels);
        self.fill_loss_curvature();
        let activation = network.hidden_activation;
        for l in (1..=last).rev() {
            let (lower, upper) = self.deltas.split_at_mut(l);
            let (d, a) = (&mut lower[l - 1], &self.activations[l - 1]);
            if let Some(k) = self.activation_curvature.get_mut(l - 1) {
                // G_{l-1} = D_l·W_lᵀ, then D_{l-1} = G ⊙ f' and K_{l-1} = G ⊙ f''.
                matmul_transpose_b_into(k, &upper[0], &layers[l].weights);
                d.copy_from(k);
                multiply_by_activation_derivative(d, a, activation);
                for (k, &a) in k.as_mut_slice().iter_mut().zip(a.as_slice()) {
                    *k *= activation.second_derivative_from_output(a);
                }
            } else {
                matmul_transpose_b_times_derivative_into(
                    d,
                    &upper[0],
                    &layers[l].weights,
                    a,
                    activation,
                );
            }
            if !all_finite(d.as_slice()) {
                return Err(not_finite(format!(
                    "the gradient at layer {}'s output",
                    l - 1
                )));
            }
        }
        Ok(())
    }

    /// `ℓ''(z_i) / n` for every logit of the pass at `θ`.
    fn fill_loss_curvature(&mut self) {
        let logits = self.activations[self.activations.len() - 1].as_slice();
        let scale = 1.0 / logits.len() as f64;
        for (s, &z) in self.loss_curvature.iter_mut().zip(logits) {
            *s = scale * loss_curvature(z, self.fault);
        }
    }

    /// `R{Z_l}`, `R{A_l}` and `R{D_L}` for the direction in `self.direction`.
    fn r_forward(&mut self) {
        let network = self.network;
        let layers = &network.layers;
        let last = layers.len() - 1;
        for (l, layer) in layers.iter().enumerate() {
            let (v, c) = (&self.direction[l].weights, &self.direction[l].biases);
            let r_z = &mut self.r_preactivations[l];
            if l == 0 {
                // R{Z_0} = X·V_0 + 1·c_0ᵀ.
                matmul_add_bias_activate_into(r_z, self.features, v, c, Activation::Identity);
            } else {
                // R{Z_l} = R{A_{l-1}}·W_l + (A_{l-1}·V_l + 1·c_lᵀ).
                let scratch = &mut self.scratch_rows[l];
                let a_prev = &self.activations[l - 1];
                matmul_add_bias_activate_into(scratch, a_prev, v, c, Activation::Identity);
                matmul_into(r_z, &self.r_activations[l - 1], &layer.weights);
                add_assign(r_z.as_mut_slice(), scratch.as_slice());
            }
            if l < last {
                // R{A_l} = f'(Z_l) ⊙ R{Z_l}.
                let r_a = &mut self.r_activations[l];
                r_a.copy_from(r_z);
                multiply_by_activation_derivative(
                    r_a,
                    &self.activations[l],
                    self.network.hidden_activation,
                );
            }
        }
        // R{D_L} = ℓ''(Z_L) ⊙ R{Z_L} / n.
        let r_logits = self.r_preactivations[last].as_slice();
        let r_d = self.r_deltas[last].as_mut_slice();
        for ((r_d, &r_z), &s) in r_d.iter_mut().zip(r_logits).zip(&self.loss_curvature) {
            *r_d = s * r_z;
        }
    }

    /// `R{∂W_l}`, `R{∂b_l}` and `R{D_{l-1}}`, from the last layer down, into `self.product`.
    fn r_backward(&mut self) {
        let network = self.network;
        let layers = &network.layers;
        let activation = self.network.hidden_activation;
        for l in (0..layers.len()).rev() {
            let product = &mut self.product[l];
            let v = &self.direction[l].weights;
            // R{∂W_l} = A_{l-1}ᵀ·R{D_l} (+ R{A_{l-1}}ᵀ·D_l) + λ V_l, with A_{-1} = X, R{X} = 0.
            let input = if l == 0 {
                self.features
            } else {
                &self.activations[l - 1]
            };
            matmul_transpose_a_into(&mut product.weights, input, &self.r_deltas[l]);
            if l > 0 {
                let scratch = &mut self.scratch_weights[l];
                matmul_transpose_a_into(scratch, &self.r_activations[l - 1], &self.deltas[l]);
                add_assign(product.weights.as_mut_slice(), scratch.as_slice());
            }
            if self.l2 != 0.0 {
                // descend(x, −λ, V) adds λ V.
                descend(product.weights.as_mut_slice(), -self.l2, v.as_slice());
            }
            // R{∂b_l} = column sums of R{D_l}.
            column_sums_into(&mut product.biases, &self.r_deltas[l]);
            if l == 0 {
                continue;
            }
            // R{D_{l-1}} = R{G_{l-1}} ⊙ f' + K_{l-1} ⊙ R{Z_{l-1}}
            //            = (R{D_l}·W_lᵀ) ⊙ f' + (D_l·V_lᵀ) ⊙ f' + K_{l-1} ⊙ R{Z_{l-1}}.
            let (lower, upper) = self.r_deltas.split_at_mut(l);
            let (r_d, a) = (&mut lower[l - 1], &self.activations[l - 1]);
            matmul_transpose_b_times_derivative_into(
                r_d,
                &upper[0],
                &layers[l].weights,
                a,
                activation,
            );
            if self.fault != Some(HessianFault::DropWeightTermOfBackward) {
                let scratch = &mut self.scratch_rows[l - 1];
                matmul_transpose_b_times_derivative_into(
                    scratch,
                    &self.deltas[l],
                    v,
                    a,
                    activation,
                );
                add_assign(r_d.as_mut_slice(), scratch.as_slice());
            }
            if let Some(k) = self.activation_curvature.get(l - 1)
                && self.fault != Some(HessianFault::DropActivationCurvature)
            {
                let r_z = self.r_preactivations[l - 1].as_slice();
                for ((r_d, &k), &r_z) in r_d.as_mut_slice().iter_mut().zip(k.as_slice()).zip(r_z) {
                    *r_d += k * r_z;
                }
            }
        }
    }
}

/// Whether `f''` is ever non-zero: for sigmoid and tanh, not for ReLU (away from its kink) and
/// the identity. Read from the activation table at outputs in [−1, 1] rather than listed here,
/// so an activation added later cannot be taken for a piecewise-linear one by mistake.
fn has_curvature(activation: Activation) -> bool {
    (-8..=8).any(|i| activation.second_derivative_from_output(f64::from(i) / 8.0) != 0.0)
}

/// `ℓ''(z) = σ(z)·σ(−z)`, the curvature of `bce(z, y)` in the logit (the same for both labels).
/// The product of the two sigmoids keeps its relative accuracy for large `|z|`, where
/// `σ(z)(1 − σ(z))` would round to 0.
fn loss_curvature(z: f64, fault: Option<HessianFault>) -> f64 {
    let sigmoid = |z: f64| Activation::Sigmoid.apply(z);
    if fault == Some(HessianFault::LossCurvatureWithoutComplement) {
        sigmoid(z)
    } else {
        sigmoid(z) * sigmoid(-z)
    }
}

/// A network the operator can work on: at least one layer, no zero-width layer, every
/// parameter finite.
fn check_network(network: &Network) -> Result<(), ModelError> {
    let layers = &network.layers;
    if layers.is_empty() || layers.iter().any(|l| l.weights.is_empty()) {
        let sizes: Vec<(usize, usize)> = layers.iter().map(|l| l.weights.shape()).collect();
        return Err(ModelError::invalid(
            "layer_sizes",
            format!("{sizes:?}"),
            "at least one layer, each with at least one input and one output",
        ));
    }
    for (l, layer) in layers.iter().enumerate() {
        for (tensor, values) in [
            ("weights", layer.weights.as_slice()),
            ("biases", layer.biases.as_slice()),
        ] {
            if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                return Err(ModelError::NonFiniteParameter {
                    layer: l,
                    tensor,
                    index,
                    value: values[index],
                });
            }
        }
    }
    Ok(())
}

fn not_finite(what: String) -> ModelError {
    ModelError::CurvatureNotMeasurable {
        reason: format!(
            "{what} is not finite on this data (are the parameters or features too large? has \
             training diverged?)"
        ),
    }
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// `target += addend`, element by element.
fn add_assign(target: &mut [f64], addend: &[f64]) {
    debug_assert_eq!(target.len(), addend.len());
    for (t, a) in target.iter_mut().zip(addend) {
        *t += a;
    }
}

/// Copies a flat vector into tensors shaped like the layers (weights, then biases, per layer).
fn unflatten(flat: &[f64], layers: &mut [Layer]) {
    let mut rest = flat;
    for layer in layers {
        for tensor in [layer.weights.as_mut_slice(), layer.biases.as_mut_slice()] {
            let (head, tail) = rest.split_at(tensor.len());
            tensor.copy_from_slice(head);
            rest = tail;
        }
    }
}

/// The inverse of [`unflatten`].
fn flatten(layers: &[Layer], flat: &mut [f64]) {
    let mut rest = flat;
    for layer in layers {
        for tensor in [layer.weights.as_slice(), layer.biases.as_slice()] {
            let (head, tail) = rest.split_at_mut(tensor.len());
            head.copy_from_slice(tensor);
            rest = tail;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_linalg::Vector;

    fn tiny_data() -> Dataset {
        let x = Matrix::from_row_slice(2, 1, &[1.0, -1.0]);
        Dataset::new(x, Vector::from_vec(vec![0.0, 1.0])).expect("valid")
    }

    /// A network without parameters cannot come from a model's constructor, but the operator
    /// still refuses one rather than panic.
    #[test]
    fn a_network_without_parameters_is_refused() {
        let data = tiny_data();
        for layers in [vec![], vec![Layer::zeros(1, 0), Layer::zeros(0, 1)]] {
            let network = Network {
                layers,
                hidden_activation: Activation::Relu,
            };
            let view = ModelView::of_network(&network);
            let err = Hessian::new(view, &data, 0.0).expect_err("no parameters");
            assert!(
                err.to_string().contains("layer_sizes")
                    && err.to_string().contains("at least one layer"),
                "{err}"
            );
        }
    }

    #[test]
    fn flatten_inverts_unflatten() {
        let mut layers = vec![Layer::zeros(2, 3), Layer::zeros(3, 1)];
        let flat: Vec<f64> = (0..13).map(f64::from).collect();
        unflatten(&flat, &mut layers);
        assert_eq!(layers[0].weights[(1, 0)], 1.0);
        assert_eq!(layers[0].biases[2], 8.0);
        assert_eq!(layers[1].biases[0], 12.0);
        let mut back = vec![0.0; 13];
        flatten(&layers, &mut back);
        assert_eq!(back, flat);
    }
}
