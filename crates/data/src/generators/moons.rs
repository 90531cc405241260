//! Two interleaving half circles, as scikit-learn's `make_moons`.

use std::f64::consts::PI;

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, check_scale, class_sizes, spaced_inclusive};
use crate::DataError;
use crate::bayes::{
    BayesError, ClassDensities, CurveDensity, CurveShape, DensityModel, ReflectedCurves,
};

/// The classes as curves: class 0 on the upper unit half circle; class 1, the inner arc, is it
/// reflected through `(½, ¼)`: `(1 − cos t, ½ − sin t) = (1, ½) − (cos t, sin t)`. The arcs
/// are closest (0.5 apart) between `(1, 0)` and `(1, −½)`, and between `(0, ½)` and `(0, 1)`;
/// both lie in the box `[−1, 2] × [−½, 1]`, whose diagonal is below 3.4.
const CURVES: ReflectedCurves = ReflectedCurves {
    shape: CurveShape::UnitArc {
        start: 0.0,
        end: PI,
    },
    center: [1.0, 0.5],
    distance: 0.5,
    diameter: 3.4,
};

/// Two interleaving half circles (scikit-learn's `make_moons`): class 0 on the outer arc
/// `(cos t, sin t)`, class 1 on the inner arc `(1 − cos t, 0.5 − sin t)`, with `t` evenly
/// spaced over `[0, π]` (both ends included) within each class, plus Gaussian noise of standard
/// deviation `noise` on each coordinate.
///
/// Without noise the points lie in `x ∈ [−1, 2]`, `y ∈ [−0.5, 1]`, and the arcs are 0.5 apart
/// at their closest. The classes are not linearly separable.
///
/// - **Difficulty:** `noise` (default [`Moons::DEFAULT_NOISE`]). The Bayes error is below
///   1e-15 up to noise 0.03, about 0.06% at 0.1, 2.9% at 0.2 and 8.6% at 0.3.
/// - **Scale:** every feature is multiplied by `scale` (default 1) after the noise is added.
/// - **Bayes error** ([`Moons::bayes_error`]): the inner arc is the outer one reflected through
///   a point, so the error is `E_{x∼p₀}[min(p₀, p₁) / (p₀ + p₁)]` over the outer class, where
///   each density is the integral of the noise over the arc (Gauss–Legendre panels); it is
///   estimated by seeded randomised quasi-Monte Carlo with its standard error, 1e-4 to 3e-4
///   (see [`BayesAccuracy`](crate::BayesAccuracy)). Below noise 0.03 the bound
///   `exp(−0.5² / 8σ²) < 1e-15` is returned instead.
///
/// # Example
/// ```
/// use data::Moons;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Moons::new().with_noise(0.1)?.generate(101, &mut rng)?;
/// // Odd counts give class 0 the extra sample.
/// assert_eq!((dataset.n_samples(), dataset.n_positive()), (101, 50));
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moons {
    noise: f64,
    scale: f64,
}

impl Default for Moons {
    fn default() -> Self {
        Moons::new()
    }
}

impl Moons {
    /// The default noise: the arcs stay clearly visible (Bayes error 2.9%), so a
    /// `[2, 20, 20, 1]` ReLU network learns the curved boundary, yet the classes overlap enough
    /// that the test error is not trivially 0.
    pub const DEFAULT_NOISE: f64 = 0.2;

    /// The default feature scale: the features as generated.
    pub const DEFAULT_SCALE: f64 = 1.0;

    /// Moons with the default noise ([`Moons::DEFAULT_NOISE`]) and scale 1; set them with
    /// [`Moons::with_noise`] and [`Moons::with_scale`].
    pub fn new() -> Self {
        Moons {
            noise: Moons::DEFAULT_NOISE,
            scale: Moons::DEFAULT_SCALE,
        }
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Moons {
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
        Ok(Moons {
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

    /// The error rate of the best possible classifier (see the type's documentation for how it
    /// is computed). It does not depend on the scale.
    ///
    /// Costs well under 0.1 s (16,384 quasi-random points, each needing both densities); noise
    /// below 0.03 or above about 1e15 costs nothing.
    ///
    /// # Example
    /// ```
    /// use data::Moons;
    /// let bayes = Moons::new().with_noise(0.3)?.bayes_error();
    /// assert!((bayes.rate - 0.086).abs() < 0.002 && bayes.uncertainty() < 1e-3);
    /// assert_eq!(Moons::new().with_noise(0.02)?.bayes_error().rate, 0.0);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error(&self) -> BayesError {
        CURVES.bayes_error(self.noise)
    }

    /// The class densities of the generated features, for the Bayes classifier.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when the noise is below 3.2e-5 (0
    /// included): without noise the classes lie on curves and have no density, and finer
    /// noise would need more quadrature panels than the memory guard allows.
    pub fn class_densities(&self) -> Result<ClassDensities, DataError> {
        let density =
            CurveDensity::new(CURVES.shape, self.noise).ok_or(DataError::InvalidParameter {
                field: "noise",
                value: self.noise,
                expected: "a number >= 3.2e-5 for class densities (noise-free classes lie on \
                           curves and have none)",
            })?;
        Ok(ClassDensities::new(
            DensityModel::Reflected {
                density,
                center: CURVES.center,
            },
            self.scale,
        ))
    }

    /// Draws `n_samples` points, class 0 (outer arc) rows first, each class in order of `t`.
    ///
    /// Random draws, in order: for each row, two standard normals `(z_x, z_y)` added as
    /// `noise·(z_x, z_y)` (drawn even when `noise = 0`); the sum is then multiplied by `scale`.
    ///
    /// # Errors
    /// [`DataError::TooFewSamples`] when `n_samples < 2`, [`DataError::TooManySamples`] when
    /// `n_samples > MAX_SAMPLES`, [`DataError::Dataset`] if `noise` is so large that a
    /// coordinate overflows to infinity. Nothing is drawn from `rng` when an error is returned
    /// early.
    pub fn generate(&self, n_samples: usize, rng: &mut impl Rng) -> Result<Dataset, DataError> {
        let (n_class0, n_class1) = class_sizes(n_samples)?;
        let outer = (0..n_class0).map(|i| {
            let t = spaced_inclusive(i, n_class0, PI);
            [libm::cos(t), libm::sin(t)]
        });
        let inner = (0..n_class1).map(|i| {
            let t = spaced_inclusive(i, n_class1, PI);
            [1.0 - libm::cos(t), 0.5 - libm::sin(t)]
        });
        add_noise_and_label(
            outer.chain(inner).collect(),
            n_class0,
            self.noise,
            self.scale,
            rng,
        )
    }
}
