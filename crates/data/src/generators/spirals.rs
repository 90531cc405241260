//! Two interleaved Archimedean spirals.

use std::f64::consts::{PI, TAU};

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_noise, check_scale, class_sizes};
use crate::DataError;
use crate::bayes::{
    BayesError, ClassDensities, CurveDensity, CurveShape, DensityModel, ReflectedCurves,
};

/// Two interleaved Archimedean spirals making `turns` turns each, plus Gaussian noise of
/// standard deviation `noise` on each coordinate.
///
/// For the `i`-th of the `n` points of a class, the radius is `r = (i + 1)/n`, growing from
/// `1/n` (near 0) to exactly 1, and the angle is `θ = 2π·turns·r`. Class 0 is at
/// `r·(cos θ, sin θ)`; class 1 is the same spiral rotated by π, at `r·(cos(θ + π), sin(θ + π))`.
/// Starting at `1/n` rather than 0 keeps the two classes from sharing the origin.
///
/// - **Difficulty:** `turns` (default [`Spirals::DEFAULT_TURNS`]; 0.5 is almost linearly
///   separable, 1.5 to 2 needs a hidden layer or two) and `noise` (default
///   [`Spirals::DEFAULT_NOISE`]) against the gap between the arms, `1/(2·turns)` along a
///   radius. The arms meet at the centre, so any noise costs about `0.4·noise` in Bayes error
///   there, and noise near a quarter of the gap starts to merge the arms.
/// - **Scale:** every feature is multiplied by `scale` (default 1) after the noise is added.
/// - **Bayes error** ([`Spirals::bayes_error`]): class 1 is class 0 rotated by π, so the error
///   is `E_{x∼p₀}[min(p₀, p₁) / (p₀ + p₁)]` over class 0, where each density is the integral of
///   the noise over the spiral (Gauss–Legendre panels); it is estimated by seeded randomised
///   quasi-Monte Carlo with its standard error, 1e-4 to 4e-4 (see
///   [`BayesAccuracy`](crate::BayesAccuracy)). Like every generator's, it is the error for
///   many samples, where `r` is uniform on `[0, 1]` and the arms meet at the centre.
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
    scale: f64,
}

impl Default for Spirals {
    /// Spirals with every setting at its default.
    fn default() -> Self {
        Spirals {
            turns: Spirals::DEFAULT_TURNS,
            noise: Spirals::DEFAULT_NOISE,
            scale: Spirals::DEFAULT_SCALE,
        }
    }
}

impl Spirals {
    /// The default number of turns: one and a half turns need a curved boundary that a
    /// `[2, 20, 20, 1]` ReLU network can still follow.
    pub const DEFAULT_TURNS: f64 = 1.5;

    /// The default noise: the arms are `1/3` apart along a radius at 1.5 turns, and noise 0.05
    /// (a Bayes error of 2.3%, most of it where the arms meet at the centre) keeps them
    /// distinct; at 0.1 the error is 12%, and at 0.2 the arms merge (34%).
    pub const DEFAULT_NOISE: f64 = 0.05;

    /// The default feature scale: the features as generated.
    pub const DEFAULT_SCALE: f64 = 1.0;

    /// Spirals making `turns` turns each, with the default noise ([`Spirals::DEFAULT_NOISE`])
    /// and scale 1.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `turns` when it is not strictly positive and
    /// finite.
    pub fn new(turns: f64) -> Result<Self, DataError> {
        Spirals::default().with_turns(turns)
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

    /// Sets the constant every feature is multiplied by (after the noise is added).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `scale` unless it is within
    /// [`MIN_SCALE`](crate::MIN_SCALE)`..=`[`MAX_SCALE`](crate::MAX_SCALE).
    pub fn with_scale(self, scale: f64) -> Result<Self, DataError> {
        Ok(Spirals {
            scale: check_scale(scale)?,
            ..self
        })
    }

    /// The constant every feature is multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The classes as curves: class 1 is class 0 reflected through the origin; they touch
    /// there (distance 0), and both lie in the unit disc (no two points more than 2 apart).
    fn curves(&self) -> ReflectedCurves {
        ReflectedCurves {
            shape: CurveShape::Spiral { turns: self.turns },
            center: [0.0, 0.0],
            distance: 0.0,
            diameter: 2.0,
        }
    }

    /// The error rate of the best possible classifier (see the type's documentation for how it
    /// is computed). It does not depend on the scale; noise 0 gives 0.
    ///
    /// Costs at most about 0.1 s at 1.5 turns (16,384 quasi-random points, each needing both
    /// densities; more turns cost more). Noise below `√(1 + (2π·turns)²) / 98,304` (1e-4 at
    /// 1.5 turns) is finer than the quadrature's memory guard allows: the error is then bounded
    /// by the one at that noise, and returned as the middle of `[0, that bound]` with half its
    /// width as [`BayesAccuracy::Bounded`](crate::BayesAccuracy::Bounded).
    ///
    /// # Example
    /// ```
    /// use data::Spirals;
    /// let bayes = Spirals::new(1.5)?.with_noise(0.05)?.bayes_error();
    /// assert!(bayes.rate > 0.01 && bayes.rate < 0.03 && bayes.uncertainty() < 1e-3);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error(&self) -> BayesError {
        self.curves().bayes_error(self.noise)
    }

    /// The class densities of the generated features, for the Bayes classifier.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when the noise is below about
    /// `√(1 + (2π·turns)²) / 98,304` (0 included): without noise the classes lie on curves and
    /// have no density, and finer noise would need more quadrature panels than the memory
    /// guard allows.
    pub fn class_densities(&self) -> Result<ClassDensities, DataError> {
        let curves = self.curves();
        let density =
            CurveDensity::new(curves.shape, self.noise).ok_or(DataError::InvalidParameter {
                field: "noise",
                value: self.noise,
                expected: "a number >= sqrt(1 + (2 pi turns)^2) / 98304 for class densities \
                           (noise-free classes lie on curves and have none)",
            })?;
        Ok(ClassDensities::new(
            DensityModel::Reflected {
                density,
                center: curves.center,
            },
            self.scale,
        ))
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
    /// `noise·(z_x, z_y)` (drawn even when `noise = 0`); the sum is then multiplied by `scale`.
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
        add_noise_and_label(points, n_class0, self.noise, self.scale, rng)
    }
}
