//! Two interleaving half circles, as scikit-learn's `make_moons`.

use std::f64::consts::PI;

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, class_sizes, spaced_inclusive};
use crate::DataError;

/// Two interleaving half circles (scikit-learn's `make_moons`): class 0 on the outer arc
/// `(cos t, sin t)`, class 1 on the inner arc `(1 − cos t, 0.5 − sin t)`, with `t` evenly
/// spaced over `[0, π]` (both ends included) within each class, plus Gaussian noise of standard
/// deviation `noise` on each coordinate.
///
/// Without noise the points lie in `x ∈ [−1, 2]`, `y ∈ [−0.5, 1]`. The classes are not linearly
/// separable; noise around 0.1 to 0.3 makes them overlap a little.
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
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moons {
    noise: f64,
}

impl Moons {
    /// Noise-free moons (`noise = 0`); add noise with [`Moons::with_noise`].
    pub fn new() -> Self {
        Moons { noise: 0.0 }
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Moons {
            noise: check_noise(noise)?,
        })
    }

    /// The standard deviation of the noise.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// Draws `n_samples` points, class 0 (outer arc) rows first, each class in order of `t`.
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
        let outer = (0..n_class0).map(|i| {
            let t = spaced_inclusive(i, n_class0, PI);
            [libm::cos(t), libm::sin(t)]
        });
        let inner = (0..n_class1).map(|i| {
            let t = spaced_inclusive(i, n_class1, PI);
            [1.0 - libm::cos(t), 0.5 - libm::sin(t)]
        });
        add_noise_and_label(outer.chain(inner).collect(), n_class0, self.noise, rng)
    }
}
