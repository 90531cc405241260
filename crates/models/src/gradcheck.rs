//! A public finite-difference gradient checker: the proof that hand-written backpropagation is
//! right, and a tool for students writing their own.

use core_linalg::{Activation, Dataset};

use crate::network::Network;
use crate::{LogisticRegression, Mlp, ModelError};

/// The default step `h` of the central difference `(L(θ + h) − L(θ − h)) / 2h` for smooth
/// models.
///
/// Its truncation error is `O(h²)` and its rounding error `O(ε·L/h)`; 1e-5 balances the two in
/// f64, which matters for the tiny early-layer gradients of deep sigmoid nets.
pub const DEFAULT_STEP: f64 = 1e-5;

/// The step for models with kinks (ReLU hidden layers): smaller, so that a perturbation rarely
/// carries a ReLU input across zero, where the function has no derivative and the difference
/// quotient measures neither side. Check at a generic point (not at exactly zero biases).
pub const KINKED_STEP: f64 = 1e-6;

/// A model whose objective and gradient can be evaluated on data: what the checker needs.
///
/// Parameters are exposed as a list of flat tensors (for the built-in models: layer 0's
/// weights in column-major order, layer 0's biases, layer 1's weights, …). Implement it for
/// your own model to check your own backpropagation.
pub trait Differentiable: Clone {
    /// Number of parameter tensors.
    fn n_tensors(&self) -> usize;
    /// A human-readable name for tensor `index`, such as `layer 2 weights`.
    fn tensor_name(&self, index: usize) -> String;
    /// The values of tensor `index`, mutable (the checker perturbs them one at a time).
    fn tensor_mut(&mut self, index: usize) -> &mut [f64];
    /// The objective on `data` (mean BCE plus `λ/2 Σ‖W‖²`).
    fn objective(&self, data: &Dataset, l2: f64) -> f64;
    /// The analytic gradient of [`Differentiable::objective`], one vector per tensor.
    fn gradient(&self, data: &Dataset, l2: f64) -> Vec<Vec<f64>>;
    /// The finite-difference step suited to this model: [`DEFAULT_STEP`] unless the model has
    /// kinks ([`KINKED_STEP`]).
    fn finite_difference_step(&self) -> f64 {
        DEFAULT_STEP
    }
}

impl Differentiable for Network {
    fn n_tensors(&self) -> usize {
        2 * self.layers.len()
    }
    fn tensor_name(&self, index: usize) -> String {
        let kind = if index.is_multiple_of(2) {
            "weights"
        } else {
            "biases"
        };
        format!("layer {} {kind}", index / 2)
    }
    fn tensor_mut(&mut self, index: usize) -> &mut [f64] {
        let layer = &mut self.layers[index / 2];
        if index.is_multiple_of(2) {
            layer.weights.as_mut_slice()
        } else {
            layer.biases.as_mut_slice()
        }
    }
    fn objective(&self, data: &Dataset, l2: f64) -> f64 {
        self.evaluate_objective(data, l2)
    }
    fn finite_difference_step(&self) -> f64 {
        let has_hidden_relu = self.layers.len() > 1 && self.hidden_activation == Activation::Relu;
        if has_hidden_relu {
            KINKED_STEP
        } else {
            DEFAULT_STEP
        }
    }
    fn gradient(&self, data: &Dataset, l2: f64) -> Vec<Vec<f64>> {
        self.evaluate_gradient(data, l2)
            .into_iter()
            .flat_map(|g| [g.weights.as_slice().to_vec(), g.biases.as_slice().to_vec()])
            .collect()
    }
}

/// Both built-in models delegate to their network.
macro_rules! delegate_differentiable {
    ($model:ty) => {
        impl Differentiable for $model {
            fn n_tensors(&self) -> usize {
                Differentiable::n_tensors(&self.fitted.network)
            }
            fn tensor_name(&self, index: usize) -> String {
                Differentiable::tensor_name(&self.fitted.network, index)
            }
            fn tensor_mut(&mut self, index: usize) -> &mut [f64] {
                Differentiable::tensor_mut(&mut self.fitted.network, index)
            }
            fn objective(&self, data: &Dataset, l2: f64) -> f64 {
                Differentiable::objective(&self.fitted.network, data, l2)
            }
            fn gradient(&self, data: &Dataset, l2: f64) -> Vec<Vec<f64>> {
                Differentiable::gradient(&self.fitted.network, data, l2)
            }
            fn finite_difference_step(&self) -> f64 {
                Differentiable::finite_difference_step(&self.fitted.network)
            }
        }
    };
}
delegate_differentiable!(Mlp);
delegate_differentiable!(LogisticRegression);

/// The central-difference gradient `(L(θ + h e_i) − L(θ − h e_i)) / 2h` of every parameter.
///
/// Costs two objective evaluations per parameter: use a small dataset.
pub fn finite_difference_gradient<M: Differentiable>(
    model: &M,
    data: &Dataset,
    l2: f64,
    step: f64,
) -> Vec<Vec<f64>> {
    let mut probe = model.clone();
    (0..model.n_tensors())
        .map(|t| {
            let len = probe.tensor_mut(t).len();
            (0..len)
                .map(|i| {
                    let original = probe.tensor_mut(t)[i];
                    probe.tensor_mut(t)[i] = original + step;
                    let plus = probe.objective(data, l2);
                    probe.tensor_mut(t)[i] = original - step;
                    let minus = probe.objective(data, l2);
                    probe.tensor_mut(t)[i] = original;
                    (plus - minus) / (2.0 * step)
                })
                .collect()
        })
        .collect()
}

/// How well one tensor's analytic gradient matches its numerical one.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorCheck {
    /// The tensor's name, such as `layer 0 weights`.
    pub name: String,
    /// Number of parameters in the tensor.
    pub n_parameters: usize,
    /// `‖a − n‖ / (‖a‖ + ‖n‖)` over the whole tensor (0 when both are zero).
    pub relative_error: f64,
}

/// The per-tensor result of a gradient check.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// One entry per parameter tensor, in the model's order.
    pub tensors: Vec<TensorCheck>,
}

impl GradientCheck {
    /// The largest per-tensor relative error.
    pub fn max_relative_error(&self) -> f64 {
        self.tensors
            .iter()
            .map(|t| t.relative_error)
            .fold(0.0, f64::max)
    }

    /// Whether every tensor's relative error is at most `tolerance` (NaN never passes).
    pub fn passes(&self, tolerance: f64) -> bool {
        self.tensors.iter().all(|t| t.relative_error <= tolerance)
    }
}

/// Compares analytic and numerical gradients tensor by tensor with
/// `‖a − n‖ / (‖a‖ + ‖n‖)`: a per-tensor measure, because per-element relative errors are
/// swamped by noise on tiny entries in deep nets.
///
/// # Panics
/// If the two lists (or any pair of tensors) have different lengths, or `names` is shorter.
pub fn compare_gradients(
    names: &[String],
    analytic: &[Vec<f64>],
    numeric: &[Vec<f64>],
) -> GradientCheck {
    assert_eq!(analytic.len(), numeric.len(), "tensor counts differ");
    let tensors = analytic
        .iter()
        .zip(numeric)
        .enumerate()
        .map(|(t, (a, n))| {
            assert_eq!(a.len(), n.len(), "tensor {t} lengths differ");
            let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
            let diff = norm(&mut a.iter().zip(n).map(|(x, y)| x - y));
            let scale = norm(&mut a.iter().copied()) + norm(&mut n.iter().copied());
            TensorCheck {
                name: names[t].clone(),
                n_parameters: a.len(),
                relative_error: if scale == 0.0 { diff } else { diff / scale },
            }
        })
        .collect();
    GradientCheck { tensors }
}

/// Checks a model's analytic gradient on `data` against central differences with the model's
/// [`Differentiable::finite_difference_step`].
///
/// A correct backpropagation gives per-tensor relative errors around 1e-9; anything above 1e-6
/// deserves suspicion, and a real bug typically shows 1e-3 or more.
///
/// # Errors
/// [`ModelError::FeatureCountMismatch`] if the data does not fit the model's first layer;
/// [`ModelError::InvalidHyperparameter`] for a negative or non-finite `l2`.
///
/// # Example
/// ```
/// use core_linalg::{Activation, Dataset, Matrix, Vector};
/// use models::{MlpConfig, check_gradients};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mlp = MlpConfig::new(&[2, 5, 5, 1])
///     .with_hidden_activation(Activation::Tanh)
///     .initialise(&mut rng)?;
/// let x = Matrix::from_row_slice(3, 2, &[0.1, -0.3, 0.5, 0.2, -0.7, 0.9]);
/// let data = Dataset::new(x, Vector::from_vec(vec![0.0, 1.0, 1.0]))?;
/// let check = check_gradients(&mlp, &data, 0.0)?;
/// assert!(check.passes(1e-6), "{check:?}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_gradients<M: Differentiable + crate::Classifier>(
    model: &M,
    data: &Dataset,
    l2: f64,
) -> Result<GradientCheck, ModelError> {
    crate::classifier::check_training_data_shape(data, model.n_features())?;
    if !(l2.is_finite() && l2 >= 0.0) {
        return Err(ModelError::invalid("l2", l2, "a finite number ≥ 0"));
    }
    let names: Vec<String> = (0..model.n_tensors())
        .map(|t| model.tensor_name(t))
        .collect();
    let analytic = model.gradient(data, l2);
    let numeric = finite_difference_gradient(model, data, l2, model.finite_difference_step());
    Ok(compare_gradients(&names, &analytic, &numeric))
}
