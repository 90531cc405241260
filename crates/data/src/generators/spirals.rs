//! Two interleaved Archimedean spirals.

use std::f64::consts::{PI, TAU};

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, class_sizes};
use crate::DataError;

/// Two interleaved Archimedean spirals making `turns` turns each, plus Gaussian noise of
/// standard deviation `noise` on each coordinate.
///
/// For the `i`-th of the `n` points of a class, the radius is `r = (i + 1)/n`, growing from
/// `1/n` (near 0) to exactly 1, and the angle is `θ = 2π·turns·r`. Class 0 is at
/// `r·(cos θ, sin θ)`; class 1 is the same spiral rotated by π, at `r·(cos(θ + π), sin(θ + π))`.
/// Starting at `1/n` rather than 0 keeps the two classes from sharing the origin.
///
/// The difficulty grows with `turns`: 0.5 is almost linearly separable, 1.5 to 2 needs a
/// deep network.
///
/// # Example
/// ```
/// use data::Spirals;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = Spirals::new(1.5)?.with_noise(0.05)?.generate(400, &mut rng)?;
/// assert_eq!(dataset.n_positive(), 200);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spirals {
    turns: f64,
    noise: f64,
}

impl Spirals {
    /// Noise-free spirals making `turns` turns each.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `turns` when it is not strictly positive and
    /// finite.
    pub fn new(turns: f64) -> Result<Self, DataError> {
        Spirals {
            turns: 1.0,
            noise: 0.0,
        }
        .with_turns(turns)
    }

    /// Sets the number of turns each spiral makes.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `turns` when it is not strictly positive and
    /// finite.
    pub fn with_turns(self, turns: f64) -> Result<Self, DataError> {
        if !(turns.is_finite() && turns > 0.0) {
            return Err(DataError::InvalidParameter {
                field: "turns",
                value: turns,
                expected: "a finite number > 0",
            });
        }
        Ok(Spirals { turns, ..self })
    }

    /// Sets the standard deviation of the Gaussian noise added to each coordinate.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when it is negative, NaN or infinite.
    pub fn with_noise(self, noise: f64) -> Result<Self, DataError> {
        Ok(Spirals {
            noise: check_noise(noise)?,
            ..self
        })
    }

    /// The number of turns each spiral makes.
    pub fn turns(&self) -> f64 {
        self.turns
    }

    /// The standard deviation of the noise.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// Draws `n_samples` points, class 0 rows first, each class from the centre outwards.
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
        let turns = self.turns;
        let spiral = move |n: usize, phase: f64| {
            (0..n).map(move |i| {
                let r = (i + 1) as f64 / n as f64;
                let theta = TAU * turns * r + phase;
                [r * libm::cos(theta), r * libm::sin(theta)]
            })
        };
        let points = spiral(n_class0, 0.0).chain(spiral(n_class1, PI)).collect();
        add_noise_and_label(points, n_class0, self.noise, rng)
    }
}
