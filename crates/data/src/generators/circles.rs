//! Two concentric circles, as scikit-learn's `make_circles`.

use std::f64::consts::TAU;

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, class_sizes, spaced_exclusive};
use crate::DataError;

/// Two concentric circles (scikit-learn's `make_circles`): class 0 on the outer circle of
/// radius 1, class 1 on the inner circle of radius `factor`, at angles evenly spaced over
/// `[0, 2π)` within each class, plus Gaussian noise of standard deviation `noise` on each
/// coordinate.
///
/// A point at angle `t` is `r·(cos t, sin t)`. No line separates the classes; a model needs a
/// feature like `x² + y²` or a hidden layer.
///
/// # Example
/// ```
/// use data::Circles;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Circles::new(0.5)?.generate(8, &mut rng)?;
/// // Noise-free: the first point is at angle 0 on the outer circle.
/// assert_eq!(dataset.features().row(0).iter().copied().collect::<Vec<_>>(), [1.0, 0.0]);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circles {
    factor: f64,
    noise: f64,
}

impl Circles {
    /// Noise-free circles with inner radius `factor` (outer radius 1).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `factor` unless `0 < factor < 1`.
    pub fn new(factor: f64) -> Result<Self, DataError> {
        Circles {
            factor: 0.5,
            noise: 0.0,
        }
        .with_factor(factor)
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
    /// `noise·(z_x, z_y)` (drawn even when `noise = 0`).
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
        add_noise_and_label(points, n_class0, self.noise, rng)
    }
}
