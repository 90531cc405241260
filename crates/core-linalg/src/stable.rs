//! Numerically stable scalar forms of the logistic function and binary cross-entropy.
//!
//! Each loss sits beside its derivative (micrograd style) so the two can be read together.

/// The clipping bound used wherever a loss is computed from a *probability*: `p` is clamped to
/// `[PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON]`, so a probability of exactly 0 or 1 costs at
/// most `-ln(1e-15) ≈ 34.54` instead of infinity.
///
/// The models never need it: they train on logits with [`bce_with_logits`], which is exact and
/// finite without clipping. It is the same value scikit-learn's `log_loss` used for years.
pub const PROBABILITY_EPSILON: f64 = 1e-15;

/// The logistic function `σ(z) = 1 / (1 + e^(−z))`, evaluated without overflow.
///
/// For `z < 0` it uses `e^z / (1 + e^z)`, so `e^(−z)` is never formed for large negative `z`.
/// `σ(±∞)` is 1 or 0; `σ(NaN)` is NaN.
///
/// Derivative: `σ'(z) = σ(z)(1 − σ(z))`.
///
/// # Example
/// ```
/// use core_linalg::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(-800.0), 0.0);
/// assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
/// ```
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The softplus function `ln(1 + e^z)`, evaluated as `max(z, 0) + ln(1 + e^(−|z|))`.
///
/// The rewritten form never overflows: `softplus(1e308) = 1e308`, `softplus(−1e308) = 0`,
/// `softplus(+∞) = +∞`, `softplus(−∞) = 0`.
///
/// Derivative: `softplus'(z) = σ(z)`.
///
/// # Example
/// ```
/// use core_linalg::softplus;
/// assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(softplus(1e308), 1e308);
/// ```
#[inline]
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The log of the logistic function, `ln σ(z) = −softplus(−z)`, finite for every finite `z`.
///
/// Derivative: `d/dz ln σ(z) = 1 − σ(z) = σ(−z)`.
///
/// # Example
/// ```
/// use core_linalg::log_sigmoid;
/// assert_eq!(log_sigmoid(-1e308), -1e308);
/// assert!(log_sigmoid(40.0) < 0.0);
/// ```
#[inline]
pub fn log_sigmoid(z: f64) -> f64 {
    -softplus(-z)
}

/// Binary cross-entropy of a logit `z` against a target `y ∈ [0, 1]`:
/// `ℓ(z, y) = −y ln σ(z) − (1 − y) ln(1 − σ(z)) = (1 − y)·softplus(z) + y·softplus(−z)`.
///
/// For the labels 0 and 1 only one softplus term is formed, so the loss is exact and finite for
/// every finite logit (`ℓ(1e308, 1) = 0`, `ℓ(−1e308, 1) = 1e308`) and for infinite logits whose
/// loss is mathematically finite (`ℓ(+∞, 1) = 0`). No probability clipping is involved.
///
/// Derivative: see [`bce_with_logits_gradient`].
///
/// # Example
/// ```
/// use core_linalg::bce_with_logits;
/// assert!((bce_with_logits(0.0, 1.0) - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(bce_with_logits(f64::INFINITY, 1.0), 0.0);
/// ```
#[inline]
pub fn bce_with_logits(z: f64, y: f64) -> f64 {
    if y == 0.0 {
        softplus(z)
    } else if y == 1.0 {
        softplus(-z)
    } else {
        (1.0 - y) * softplus(z) + y * softplus(-z)
    }
}

/// Derivative of [`bce_with_logits`] with respect to the logit: `∂ℓ/∂z = σ(z) − y`.
///
/// It always lies in `[−1, 1]` for finite or infinite `z` and `y ∈ [0, 1]`; this bounded
/// gradient is why models train on logits rather than on probabilities.
///
/// # Example
/// ```
/// use core_linalg::bce_with_logits_gradient;
/// assert_eq!(bce_with_logits_gradient(f64::NEG_INFINITY, 1.0), -1.0);
/// assert_eq!(bce_with_logits_gradient(0.0, 0.0), 0.5);
/// ```
#[inline]
pub fn bce_with_logits_gradient(z: f64, y: f64) -> f64 {
    sigmoid(z) - y
}

/// Binary cross-entropy of a probability `p` against a target `y`:
/// `−y ln p − (1 − y) ln(1 − p)`, with `p` clipped to
/// `[PROBABILITY_EPSILON, 1 − PROBABILITY_EPSILON]` so it is finite for `p = 0` or `p = 1`.
///
/// The trap: clipping caps the loss of a confidently wrong prediction at about 34.54. Prefer
/// [`bce_with_logits`] when the logit is available. A NaN `p` gives NaN: validate inputs first.
///
/// # Example
/// ```
/// use core_linalg::{bce_from_probability, PROBABILITY_EPSILON};
/// assert!((bce_from_probability(0.0, 1.0) + PROBABILITY_EPSILON.ln()).abs() < 1e-12);
/// assert!(bce_from_probability(1.0, 1.0) < 1e-14);
/// ```
#[inline]
pub fn bce_from_probability(p: f64, y: f64) -> f64 {
    let p = p.clamp(PROBABILITY_EPSILON, 1.0 - PROBABILITY_EPSILON);
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn sigmoid_is_symmetric() {
        for &z in &[0.0, 1e-8, 0.3, 1.0, 5.0, 20.0, 36.0, 40.0, 700.0] {
            assert_relative_eq!(sigmoid(-z), 1.0 - sigmoid(z), epsilon = 1e-15);
        }
    }

    #[test]
    fn sigmoid_extremes_are_exact() {
        assert_eq!(sigmoid(745.0), 1.0);
        assert_eq!(sigmoid(-745.0), 5e-324);
        assert_eq!(sigmoid(-746.0), 0.0);
        assert_eq!(sigmoid(1e308), 1.0);
        assert_eq!(sigmoid(-1e308), 0.0);
        assert_eq!(sigmoid(f64::INFINITY), 1.0);
        assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
        assert!(sigmoid(f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_pinned_values() {
        // Values from the closed form with mpmath at 50 digits.
        assert_relative_eq!(sigmoid(1.0), 0.7310585786300049, max_relative = 1e-15);
        assert_relative_eq!(sigmoid(-40.0), 4.248354255291589e-18, max_relative = 1e-14);
    }

    #[test]
    fn softplus_matches_naive_form_where_naive_is_safe() {
        for &z in &[-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0] {
            let naive: f64 = (1.0 + f64::exp(z)).ln();
            assert_relative_eq!(softplus(z), naive, max_relative = 1e-14);
        }
    }

    #[test]
    fn log_sigmoid_is_log_of_sigmoid() {
        for &z in &[-30.0, -3.0, 0.0, 3.0, 30.0] {
            assert_relative_eq!(log_sigmoid(z), sigmoid(z).ln(), max_relative = 1e-13);
        }
        assert_eq!(log_sigmoid(-1e308), -1e308);
        assert_eq!(log_sigmoid(f64::INFINITY), 0.0);
    }

    #[test]
    fn bce_matches_probability_form() {
        for &z in &[-10.0, -1.0, 0.0, 0.7, 10.0] {
            for &y in &[0.0, 1.0, 0.25] {
                assert_relative_eq!(
                    bce_with_logits(z, y),
                    bce_from_probability(sigmoid(z), y),
                    max_relative = 1e-10
                );
            }
        }
    }

    #[test]
    fn bce_finite_and_gradient_bounded_at_extreme_logits() {
        let mut z = 1.0;
        while z <= 1e308 {
            for &s in &[1.0, -1.0] {
                for &y in &[0.0, 1.0] {
                    let loss = bce_with_logits(s * z, y);
                    let grad = bce_with_logits_gradient(s * z, y);
                    assert!(loss.is_finite() && loss >= 0.0, "z={} y={y}", s * z);
                    assert!((-1.0..=1.0).contains(&grad), "z={} y={y}", s * z);
                }
            }
            z *= 10.0;
        }
        // Infinite logits: finite where the loss is mathematically finite.
        assert_eq!(bce_with_logits(f64::INFINITY, 1.0), 0.0);
        assert_eq!(bce_with_logits(f64::NEG_INFINITY, 0.0), 0.0);
        assert_eq!(bce_with_logits(f64::INFINITY, 0.0), f64::INFINITY);
        assert_eq!(bce_with_logits_gradient(f64::INFINITY, 0.0), 1.0);
    }

    #[test]
    fn bce_from_probability_clips() {
        let cap = -PROBABILITY_EPSILON.ln();
        assert_relative_eq!(bce_from_probability(0.0, 1.0), cap, max_relative = 1e-12);
        assert_relative_eq!(bce_from_probability(1.0, 0.0), cap, max_relative = 1e-2);
        assert!(bce_from_probability(1.0, 1.0).is_finite());
    }
}
