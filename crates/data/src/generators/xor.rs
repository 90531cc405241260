//! The XOR pattern: opposite quadrants share a class.

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, check_scale, class_sizes};
use crate::DataError;
use crate::bayes::{BayesError, ClassDensities, DensityModel, normal_cdf};

/// Points uniform in `[−1, 1]²`, labelled 1 when `x·y > 0` (first and third quadrants) and 0
/// otherwise (second and fourth), plus Gaussian noise of standard deviation `noise` on each
/// coordinate.
///
/// Classes are balanced by construction: each class's points are drawn in its own two
/// quadrants, alternating between them (class 1: even rows in the first quadrant, odd rows in
/// the third; class 0: even rows in the fourth, odd rows in the second, counting within the
/// class). The trap: noise can carry a point across an axis, and its label stays that of the
/// quadrant it was drawn in, so with noise the classes overlap near the axes.
///
/// - **Difficulty:** `noise` (default [`Xor::DEFAULT_NOISE`]). The classes touch along the
///   axes, so any noise costs about `0.8·noise` in Bayes error: 3.9% at 0.05, 7.7% at 0.1, 15%
///   at 0.2.
/// - **Scale:** every feature is multiplied by `scale` (default 1) after the noise is added.
/// - **Bayes error** ([`Xor::bayes_error`]), in closed form from the class densities: each
///   class is two unit squares blurred by noise, whose density is separable,
///   `g(x)·g(y)` with `g(u) = Φ(u/σ) − Φ((u − 1)/σ)`. The densities cross exactly on the axes,
///   so the Bayes classifier is the sign of `x·y`, and it errs when exactly one coordinate's
///   noise carries it across its axis: `E = 2q(1 − q)` with
///   `q = ∫₀¹ Φ(−u/σ) du = Φ(−1/σ) + σ(φ(0) − φ(1/σ))`.
///
/// # Example
/// ```
/// use data::Xor;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Xor::new().with_noise(0.0)?.generate(100, &mut rng)?;
/// let x = dataset.features();
/// for row in 0..100 {
///     let positive = x[(row, 0)] * x[(row, 1)] > 0.0;
///     assert_eq!(positive, dataset.labels()[row] == 1.0);
/// }
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Xor {
    noise: f64,
    scale: f64,
}

impl Default for Xor {
    fn default() -> Self {
        Xor::new()
    }
}

impl Xor {
    /// The default noise: a Bayes error of 3.9%. The classes touch along the axes, so the
    /// error grows with any noise (7.7% at 0.1, 15% at 0.2, where the quadrants blur into each
    /// other); at 0.05 the four squares stay distinct and a `[2, 20, 20, 1]` ReLU network
    /// learns them.
    pub const DEFAULT_NOISE: f64 = 0.05;

    /// The default feature scale: the features as generated.
    pub const DEFAULT_SCALE: f64 = 1.0;

    /// The pattern with the default noise ([`Xor::DEFAULT_NOISE`]) and scale 1; set them with
    /// [`Xor::with_noise`] and [`Xor::with_scale`].
    pub fn new() -> Self {
        Xor {
            noise: Xor::DEFAULT_NOISE,
            scale: Xor::DEFAULT_SCALE,
        }
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Xor {
            noise: check_noise(noise)?,
            ..self
        })
    }

    /// Sets the constant every feature is multiplied by (after the noise is added).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `scale` unless it is within
    /// [`MIN_SCALE`](crate::MIN_SCALE)`..=`[`MAX_SCALE`](crate::MAX_SCALE).
    pub fn with_scale(self, scale: f64) -> Result<Self, DataError> {
        Ok(Xor {
            scale: check_scale(scale)?,
            ..self
        })
    }

    /// The standard deviation of the noise.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// The constant every feature is multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The error rate of the best possible classifier, `2q(1 − q)` (see the type's
    /// documentation). It does not depend on the scale, is 0 without noise and tends to ½ as
    /// the noise grows.
    ///
    /// # Example
    /// ```
    /// use data::Xor;
    /// assert_eq!(Xor::new().with_noise(0.0)?.bayes_error().rate, 0.0);
    /// let q = 0.1 / (2.0 * std::f64::consts::PI).sqrt(); // Φ(−10) and φ(10) are negligible
    /// let rate = Xor::new().with_noise(0.1)?.bayes_error().rate;
    /// assert!((rate - 2.0 * q * (1.0 - q)).abs() < 1e-15);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error(&self) -> BayesError {
        let sigma = self.noise;
        // φ(0) − φ(1/σ) = φ(0)·(1 − e^{−1/2σ²}), without cancellation for large σ.
        let density_drop =
            -libm::expm1(-0.5 / (sigma * sigma)) / (2.0 * std::f64::consts::PI).sqrt();
        let q = normal_cdf(-1.0 / sigma) + sigma * density_drop;
        BayesError::closed_form(2.0 * q * (1.0 - q))
    }

    /// The class densities of the generated features, for the Bayes classifier (with noise 0,
    /// the indicator functions of the squares, halved).
    pub fn class_densities(&self) -> ClassDensities {
        ClassDensities::new(DensityModel::Xor { noise: self.noise }, self.scale)
    }

    /// Draws `n_samples` points, class 0 rows first.
    ///
    /// Random draws, in order: for each row, two uniforms `u, v` in `[0, 1)` giving the
    /// magnitudes `(1 − u, 1 − v)` in `(0, 1]` (never 0, so `x·y ≠ 0`), signed by the row's
    /// quadrant; then, for each row, two standard normals added as `noise·(z_x, z_y)` (drawn
    /// even when `noise = 0`); the sum is then multiplied by `scale`.
    ///
    /// # Errors
    /// [`DataError::TooFewSamples`] when `n_samples < 2`, [`DataError::TooManySamples`] when
    /// `n_samples > MAX_SAMPLES`, [`DataError::Dataset`] if `noise` is so large that a
    /// coordinate overflows to infinity. Nothing is drawn from `rng` when an error is returned
    /// early.
    pub fn generate(&self, n_samples: usize, rng: &mut impl Rng) -> Result<Dataset, DataError> {
        let (n_class0, _) = class_sizes(n_samples)?;
        let points = (0..n_samples)
            .map(|row| {
                let (class1, index) = if row < n_class0 {
                    (false, row)
                } else {
                    (true, row - n_class0)
                };
                let signs = match (class1, index % 2 == 0) {
                    (true, true) => [1.0, 1.0],
                    (true, false) => [-1.0, -1.0],
                    (false, true) => [1.0, -1.0],
                    (false, false) => [-1.0, 1.0],
                };
                let u: f64 = rng.random();
                let v: f64 = rng.random();
                [signs[0] * (1.0 - u), signs[1] * (1.0 - v)]
            })
            .collect();
        add_noise_and_label(points, n_class0, self.noise, self.scale, rng)
    }
}
