//! Two concentric circles, as scikit-learn's `make_circles`.

use std::f64::consts::TAU;

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, check_scale, class_sizes, spaced_exclusive};
use crate::DataError;
use crate::bayes::{BayesError, ClassDensities, DensityModel, circles_bayes_error};

/// Two concentric circles (scikit-learn's `make_circles`): class 0 on the outer circle of
/// radius 1, class 1 on the inner circle of radius `factor`, at angles evenly spaced over
/// `[0, 2π)` within each class, plus Gaussian noise of standard deviation `noise` on each
/// coordinate.
///
/// A point at angle `t` is `r·(cos t, sin t)`. No line separates the classes; a model needs a
/// feature like `x² + y²` or a hidden layer.
///
/// - **Difficulty:** `noise` (default [`Circles::DEFAULT_NOISE`]) against the gap `1 − factor`
///   (default factor [`Circles::DEFAULT_FACTOR`]). At factor 0.5 the Bayes error is below
///   1e-15 up to noise 0.06, 0.64% at 0.1, 5.0% at 0.15 and 11% at 0.2.
/// - **Scale:** every feature is multiplied by `scale` (default 1) after the noise is added.
/// - **Bayes error** ([`Circles::bayes_error`]): a noisy circle's density depends only on the
///   distance `ρ` from the centre (a Rice density), the Bayes classifier is a threshold on `ρ`,
///   and the error is a one-dimensional integral, computed by Gauss–Legendre quadrature with
///   its bound stated (below 1e-12).
///
/// # Example
/// ```
/// use data::Circles;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Circles::new(0.5)?.with_noise(0.0)?.generate(8, &mut rng)?;
/// // Noise-free: the first point is at angle 0 on the outer circle.
/// assert_eq!(dataset.features().row(0).iter().copied().collect::<Vec<_>>(), [1.0, 0.0]);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circles {
    factor: f64,
    noise: f64,
    scale: f64,
}

impl Default for Circles {
    /// Circles with every setting at its default.
    fn default() -> Self {
        Circles {
            factor: Circles::DEFAULT_FACTOR,
            noise: Circles::DEFAULT_NOISE,
            scale: Circles::DEFAULT_SCALE,
        }
    }
}

impl Circles {
    /// The default inner radius (scikit-learn's `make_circles` default is 0.8; 0.5 leaves a gap
    /// of half the outer radius, so noise can be varied over a wide range before the rings
    /// merge).
    pub const DEFAULT_FACTOR: f64 = 0.5;

    /// The default noise: a Bayes error of 0.64%, rings clearly apart yet with a few points
    /// straying across, learnable by a `[2, 20, 20, 1]` ReLU network (at 0.2 the error is 11%
    /// and the rings merge).
    pub const DEFAULT_NOISE: f64 = 0.1;

    /// The default feature scale: the features as generated.
    pub const DEFAULT_SCALE: f64 = 1.0;

    /// Circles with inner radius `factor` (outer radius 1), the default noise
    /// ([`Circles::DEFAULT_NOISE`]) and scale 1.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `factor` unless `0 < factor < 1`.
    pub fn new(factor: f64) -> Result<Self, DataError> {
        Circles::default().with_factor(factor)
    }

    /// Sets the inner radius.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `factor` unless `0 < factor < 1` (NaN is
    /// rejected).
    pub fn with_factor(self, factor: f64) -> Result<Self, DataError> {
        if !(factor > 0.0 && factor < 1.0) {
            return Err(DataError::InvalidParameter {
                field: "factor",
                value: factor,
                expected: "a number strictly between 0 and 1",
            });
        }
        Ok(Circles { factor, ..self })
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Circles {
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
        Ok(Circles {
            scale: check_scale(scale)?,
            ..self
        })
    }

    /// The constant every feature is multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The error rate of the best possible classifier (see the type's documentation), with its
    /// quadrature bound. It does not depend on the scale; noise 0 gives 0.
    ///
    /// Costs about a millisecond (a few hundred density evaluations).
    ///
    /// # Example
    /// ```
    /// use data::{BayesAccuracy, Circles};
    /// let bayes = Circles::new(0.5)?.with_noise(0.1)?.bayes_error();
    /// assert!(matches!(bayes.accuracy, BayesAccuracy::Bounded { max_error } if max_error < 1e-10));
    /// assert!(bayes.rate > 0.005 && bayes.rate < 0.05);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error(&self) -> BayesError {
        circles_bayes_error(self.factor, self.noise)
    }

    /// The class densities of the generated features, for the Bayes classifier.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when the noise is 0: the classes then
    /// lie on circles and have no density.
    pub fn class_densities(&self) -> Result<ClassDensities, DataError> {
        if self.noise == 0.0 {
            return Err(DataError::InvalidParameter {
                field: "noise",
                value: self.noise,
                expected: "a number > 0 for class densities (noise-free classes lie on circles \
                           and have none)",
            });
        }
        Ok(ClassDensities::new(
            DensityModel::Circles {
                factor: self.factor,
                noise: self.noise,
            },
            self.scale,
        ))
    }

    /// The inner radius, in `(0, 1)`.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The standard deviation of the noise.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// Draws `n_samples` points, class 0 (outer circle) rows first, each class in order of angle.
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
        let on_circle = |radius: f64, n: usize| {
            (0..n).map(move |i| {
                let t = spaced_exclusive(i, n, TAU);
                [radius * libm::cos(t), radius * libm::sin(t)]
            })
        };
        let points = on_circle(1.0, n_class0)
            .chain(on_circle(self.factor, n_class1))
            .collect();
        add_noise_and_label(points, n_class0, self.noise, self.scale, rng)
    }
}
