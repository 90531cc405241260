//! Hidden-layer activations, each forward rule written beside its derivative.

use std::fmt;
use std::str::FromStr;

/// An element-wise activation function for hidden layers.
///
/// The derivatives are expressed through the activation's *output* `a = f(z)`, so
/// backpropagation needs only the stored activations, not the pre-activations. The second
/// derivative is what Hessian-vector products need (`models`' curvature):
///
/// | activation | `f(z)` | `f'(z)` in terms of `a = f(z)` | `f''(z)` in terms of `a` |
/// |---|---|---|---|
/// | `Identity` | `z` | `1` | `0` |
/// | `Relu` | `max(z, 0)` | `1` if `a > 0`, else `0` (the subgradient at 0 is taken as 0) | `0` (away from the kink at 0, where none exists) |
/// | `Sigmoid` | `1 / (1 + e^(−z))` | `a (1 − a)` (at most 1/4: the root of vanishing gradients) | `a (1 − a)(1 − 2a)` |
/// | `Tanh` | `tanh z` | `1 − a²` | `−2a (1 − a²)` |
///
/// # Example
/// ```
/// use core_linalg::Activation;
/// let relu: Activation = "relu".parse()?;
/// assert_eq!(relu.apply(-2.0), 0.0);
/// assert_eq!(Activation::Sigmoid.derivative_from_output(0.5), 0.25);
/// # Ok::<(), core_linalg::ParseActivationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Activation {
    /// `f(z) = z`: a linear layer.
    Identity,
    /// `f(z) = max(z, 0)`, the default hidden activation.
    #[default]
    Relu,
    /// The logistic function; saturates, so deep sigmoid nets suffer vanishing gradients.
    Sigmoid,
    /// The hyperbolic tangent; zero-centred, still saturates.
    Tanh,
}

impl Activation {
    /// Every activation, in a fixed order (for listing accepted values and for tests).
    pub const ALL: [Activation; 4] = [
        Activation::Identity,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
    ];

    /// The lowercase name used in study files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }

    /// The forward rule `a = f(z)`, with the very bits the training kernels compute.
    ///
    /// Sigmoid and tanh are evaluated by this crate's own exponential and series (within a few
    /// ulp of the C library's `exp` and `tanh`, and the same on every platform), not by the
    /// platform's maths library. ReLU gives `+0` for `z ≤ 0` and for NaN.
    #[inline]
    pub fn apply(self, z: f64) -> f64 {
        crate::kernels::activate(self, z)
    }

    /// The derivative `f'(z)`, computed from the output `a = f(z)` (see the table above).
    #[inline]
    pub fn derivative_from_output(self, a: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if a > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Tanh => 1.0 - a * a,
        }
    }

    /// The second derivative `f''(z)`, computed from the output `a = f(z)` (see the table
    /// above): the derivative of [`Activation::derivative_from_output`] along `z`. ReLU's is 0
    /// everywhere it exists.
    #[inline]
    pub fn second_derivative_from_output(self, a: f64) -> f64 {
        match self {
            Activation::Identity | Activation::Relu => 0.0,
            // d/dz [a (1 − a)] = a'(1 − 2a) with a' = a (1 − a).
            Activation::Sigmoid => a * (1.0 - a) * (1.0 - 2.0 * a),
            // d/dz [1 − a²] = −2a·a' with a' = 1 − a².
            Activation::Tanh => -2.0 * a * (1.0 - a * a),
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an activation name that is not one of [`Activation::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown activation {value:?}: expected one of identity, relu, sigmoid, tanh")]
pub struct ParseActivationError {
    /// The name that was given.
    pub value: String,
}

impl FromStr for Activation {
    type Err = ParseActivationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| ParseActivationError {
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ALL` lists every variant once (this match stops compiling when a variant is added and
    /// not counted), and the unknown-name message lists every name.
    #[test]
    fn all_lists_every_variant_and_the_message_names_them() {
        let index = |a: Activation| match a {
            Activation::Identity => 0,
            Activation::Relu => 1,
            Activation::Sigmoid => 2,
            Activation::Tanh => 3,
        };
        let mut seen: Vec<usize> = Activation::ALL.iter().map(|&a| index(a)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..4).collect::<Vec<_>>());
        let message = "swish".parse::<Activation>().unwrap_err().to_string();
        for activation in Activation::ALL {
            assert!(message.contains(activation.name()), "{message}");
            assert_eq!(activation.name().parse::<Activation>(), Ok(activation));
        }
    }

    #[test]
    fn derivative_from_output_matches_central_difference() {
        let h = 1e-6;
        for act in Activation::ALL {
            for &z in &[-3.0, -0.7, 0.2, 1.5, 4.0] {
                let numeric = (act.apply(z + h) - act.apply(z - h)) / (2.0 * h);
                let analytic = act.derivative_from_output(act.apply(z));
                assert!((numeric - analytic).abs() < 1e-8, "{act} at {z}");
            }
        }
    }

    #[test]
    fn second_derivative_from_output_matches_central_difference() {
        let h = 1e-5;
        for act in Activation::ALL {
            // ReLU's points stay clear of its kink at 0.
            for &z in &[-3.0, -0.7, 0.2, 1.5, 4.0] {
                let derivative = |z: f64| act.derivative_from_output(act.apply(z));
                let numeric = (derivative(z + h) - derivative(z - h)) / (2.0 * h);
                let analytic = act.second_derivative_from_output(act.apply(z));
                assert!((numeric - analytic).abs() < 1e-8, "{act} at {z}");
            }
        }
    }

    #[test]
    fn names_round_trip_and_unknown_lists_choices() {
        for act in Activation::ALL {
            assert_eq!(act.name().parse::<Activation>().unwrap(), act);
        }
        let err = "relu6".parse::<Activation>().unwrap_err().to_string();
        assert!(err.contains("relu6") && err.contains("sigmoid"), "{err}");
    }
}
