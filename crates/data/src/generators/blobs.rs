//! Two isotropic Gaussian clouds.

use core_linalg::Dataset;
use rand::Rng;

use super::{add_noise_and_label, check_scale, class_sizes};
use crate::DataError;
use crate::bayes::{BayesError, ClassDensities, DensityModel};

/// Two isotropic Gaussian clouds of standard deviation `std`, whose means are `separation`
/// standard deviations apart: class 0 around `(−separation·std/2, 0)`, class 1 around
/// `(+separation·std/2, 0)`.
///
/// - **Difficulty:** `separation` (default [`Blobs::DEFAULT_SEPARATION`]), in standard
///   deviations; `std` only stretches the picture (as `scale` does) and leaves the overlap alone.
/// - **Scale:** every feature is multiplied by `scale` (default 1) after the noise is added.
/// - **Bayes error:** because the clouds share one isotropic covariance, the best possible
///   classifier is the line `x = 0`, and its error rate is known in closed form,
///   `Φ(−separation/2)` ([`Blobs::bayes_error_rate`], [`Blobs::bayes_error`]): a trained
///   model's test error can be compared against it. Neither `std` nor `scale` changes it.
///
/// # Example
/// ```
/// use data::Blobs;
/// use rand::SeedableRng;
/// let blobs = Blobs::new(3.0)?.with_std(0.5)?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let dataset = blobs.generate(200, &mut rng)?;
/// assert_eq!((dataset.n_samples(), dataset.n_positive()), (200, 100));
/// assert!((blobs.bayes_error_rate() - 0.0668072012688581).abs() < 1e-15);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blobs {
    separation: f64,
    std: f64,
    scale: f64,
}

impl Default for Blobs {
    /// Clouds with every setting at its default.
    fn default() -> Self {
        Blobs {
            separation: Blobs::DEFAULT_SEPARATION,
            std: Blobs::DEFAULT_STD,
            scale: Blobs::DEFAULT_SCALE,
        }
    }
}

impl Blobs {
    /// The default separation: means 4 standard deviations apart, a Bayes error of
    /// `Φ(−2) ≈ 2.3%`, so the clouds visibly overlap at their edges yet a linear model (and any
    /// network) can come within a point of the best possible error.
    pub const DEFAULT_SEPARATION: f64 = 4.0;

    /// The default standard deviation of each cloud.
    pub const DEFAULT_STD: f64 = 1.0;

    /// The default feature scale: the features as generated.
    pub const DEFAULT_SCALE: f64 = 1.0;

    /// Clouds whose means are `separation` standard deviations apart, with `std = 1` and
    /// scale 1.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `separation` when it is negative, NaN or
    /// infinite.
    pub fn new(separation: f64) -> Result<Self, DataError> {
        Blobs::default().with_separation(separation)
    }

    /// Sets the distance between the means, in standard deviations.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `separation` when it is negative, NaN or
    /// infinite, or so large that `separation · std` overflows.
    pub fn with_separation(self, separation: f64) -> Result<Self, DataError> {
        if !(separation.is_finite() && separation >= 0.0 && (separation * self.std).is_finite()) {
            return Err(DataError::InvalidParameter {
                field: "separation",
                value: separation,
                expected: "a finite number >= 0 (with separation * std finite)",
            });
        }
        Ok(Blobs { separation, ..self })
    }

    /// Sets the standard deviation of each cloud along each axis (default 1).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `std` when it is not strictly positive and
    /// finite, or so large that `separation · std` overflows.
    pub fn with_std(self, std: f64) -> Result<Self, DataError> {
        if !(std.is_finite() && std > 0.0 && (self.separation * std).is_finite()) {
            return Err(DataError::InvalidParameter {
                field: "std",
                value: std,
                expected: "a finite number > 0 (with separation * std finite)",
            });
        }
        Ok(Blobs { std, ..self })
    }

    /// Sets the constant every feature is multiplied by (after the noise is added).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `scale` unless it is within
    /// [`MIN_SCALE`](crate::MIN_SCALE)`..=`[`MAX_SCALE`](crate::MAX_SCALE).
    pub fn with_scale(self, scale: f64) -> Result<Self, DataError> {
        Ok(Blobs {
            scale: check_scale(scale)?,
            ..self
        })
    }

    /// The constant every feature is multiplied by.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The distance between the means, in standard deviations.
    pub fn separation(&self) -> f64 {
        self.separation
    }

    /// The standard deviation of each cloud along each axis.
    pub fn std(&self) -> f64 {
        self.std
    }

    /// The means of class 0 and class 1 before scaling: `(∓separation·std/2, 0)`.
    pub fn means(&self) -> [[f64; 2]; 2] {
        let half = self.separation * self.std / 2.0;
        [[-half, 0.0], [half, 0.0]]
    }

    /// The error rate of the best possible classifier on balanced classes:
    /// `Φ(−separation/2) = ½·erfc(separation / (2√2))`, where Φ is the standard normal CDF.
    ///
    /// It does not depend on `std`: 0.5 for `separation = 0`, about 0.1587 for 2, 0.0228 for 4.
    ///
    /// # Example
    /// ```
    /// use data::Blobs;
    /// assert_eq!(Blobs::new(0.0)?.bayes_error_rate(), 0.5);
    /// assert!((Blobs::new(2.0)?.bayes_error_rate() - 0.15865525393145707).abs() < 1e-16);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error_rate(&self) -> f64 {
        0.5 * libm::erfc(self.separation / (2.0 * std::f64::consts::SQRT_2))
    }

    /// [`Blobs::bayes_error_rate`] as a [`BayesError`], marked as a closed form.
    pub fn bayes_error(&self) -> BayesError {
        BayesError::closed_form(self.bayes_error_rate())
    }

    /// The class densities of the generated features (two Gaussians), for the Bayes
    /// classifier.
    pub fn class_densities(&self) -> ClassDensities {
        ClassDensities::new(
            DensityModel::Blobs {
                means: self.means(),
                std: self.std,
            },
            self.scale,
        )
    }

    /// Draws `n_samples` points, class 0 rows first.
    ///
    /// Random draws, in order: for each row, two standard normals `(z_x, z_y)`; the point is
    /// `scale·(mean + std·(z_x, z_y))`.
    ///
    /// # Errors
    /// [`DataError::TooFewSamples`] when `n_samples < 2`, [`DataError::TooManySamples`] when
    /// `n_samples > MAX_SAMPLES`, [`DataError::Dataset`] if `std` is so large that a coordinate
    /// overflows to infinity. Nothing is drawn from `rng` when an error is returned early.
    pub fn generate(&self, n_samples: usize, rng: &mut impl Rng) -> Result<Dataset, DataError> {
        let (n_class0, _) = class_sizes(n_samples)?;
        let [mean0, mean1] = self.means();
        let points = (0..n_samples)
            .map(|row| if row < n_class0 { mean0 } else { mean1 })
            .collect();
        add_noise_and_label(points, n_class0, self.std, self.scale, rng)
    }
}
