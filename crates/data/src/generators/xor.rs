//! The XOR pattern: opposite quadrants share a class.

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, class_sizes};
use crate::DataError;

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
/// # Example
/// ```
/// use data::Xor;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Xor::new().generate(100, &mut rng)?;
/// let x = dataset.features();
/// for row in 0..100 {
///     let positive = x[(row, 0)] * x[(row, 1)] > 0.0;
///     assert_eq!(positive, dataset.labels()[row] == 1.0);
/// }
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Xor {
    noise: f64,
}

impl Xor {
    /// The noise-free pattern (`noise = 0`); add noise with [`Xor::with_noise`].
    pub fn new() -> Self {
        Xor { noise: 0.0 }
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Xor {
            noise: check_noise(noise)?,
        })
    }

    /// The standard deviation of the noise.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// Draws `n_samples` points, class 0 rows first.
    ///
    /// Random draws, in order: for each row, two uniforms `u, v` in `[0, 1)` giving the
    /// magnitudes `(1 − u, 1 − v)` in `(0, 1]` (never 0, so `x·y ≠ 0`), signed by the row's
    /// quadrant; then, for each row, two standard normals added as `noise·(z_x, z_y)` (drawn
    /// even when `noise = 0`).
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
        add_noise_and_label(points, n_class0, self.noise, rng)
    }
}
