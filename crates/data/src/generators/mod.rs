//! Seeded synthetic 2-D binary datasets with balanced classes.
//!
//! Every generator follows the same contract:
//!
//! - **Balance.** `n_samples` rows, `n_samples - n_samples / 2` of class 0 and `n_samples / 2` of
//!   class 1: equal halves, and for odd `n_samples` class 0 gets the extra sample.
//! - **Row order.** All class-0 rows first, then all class-1 rows, each class in the order of its
//!   curve parameter (angle, radius, …). Shuffle or split the result before mini-batch training.
//! - **Random draws.** Each generator documents exactly which numbers it draws from the `rng`
//!   and in what order, so a seeded [`ChaCha8Rng`](https://docs.rs/rand_chacha) gives the same
//!   dataset on every machine. Noise is always drawn, even when it is 0, so the number of draws
//!   does not depend on the noise level. Sines and cosines come from the pure-Rust `libm`
//!   crate rather than the platform's maths library, so they too are the same everywhere.
//!   The one exception: Gaussian noise is `rand_distr`'s ziggurat sampler, whose rare slow
//!   path calls the platform's `exp` and `ln`, so another OS or libc could change a last bit.
//! - **Validation first.** Configurations are checked when they are built (`new`, `with_*`),
//!   and `n_samples` is checked before the first draw, so `rand` never sees an invalid range.
//! - **Knobs.** A difficulty knob (`noise`, or `separation` for blobs) and a feature `scale`
//!   applied last, `(point + noise·z)·scale`; `DEFAULT_*` constants on each type hold the
//!   defaults that `new()` and `Default` use.
//! - **Bayes error.** `bayes_error()` and `class_densities()` describe the distribution the
//!   generator samples from (see [`BayesError`] for how each is computed).

mod blobs;
mod circles;
mod moons;
mod spec;
mod spirals;
mod xor;

use std::fmt;
use std::str::FromStr;

use core_linalg::{Dataset, Matrix, Vector};
use rand::Rng;
use rand_distr::StandardNormal;

pub use blobs::Blobs;
pub use circles::Circles;
pub use moons::Moons;
pub use spec::{GeneratorParameter, GeneratorSpec, default_value};
pub use spirals::Spirals;
pub use xor::Xor;

use crate::DataError;
use crate::bayes::{BayesError, ClassDensities};

/// The fewest samples a generator accepts: one per class.
pub const MIN_SAMPLES: usize = 2;

/// The most samples a generator accepts (2²⁶ ≈ 67 million rows, about 1.5 GB of `f64`):
/// a guard against a typo allocating all memory.
pub const MAX_SAMPLES: usize = 1 << 26;

/// The smallest feature scale a generator accepts (see [`MAX_SCALE`] for why there is a range).
pub const MIN_SCALE: f64 = 1e-6;

/// The largest feature scale a generator accepts.
///
/// Scales from [`MIN_SCALE`] to `MAX_SCALE` span twelve orders of magnitude around the default
/// 1, far more than a study of feature scale needs (a learning rate that is stable at scale 1
/// already diverges at 10). Within the range a noise-free feature (at most 2 in size) and its
/// square, which the standardiser's variance and the loss gradient compute, stay between 1e-12
/// and 4e12: far from `f64` overflow (1.8e308) and from subnormal numbers (2.2e-308). A larger
/// scale would only test overflow handling, which a huge `noise` already reaches (as
/// [`DataError::Dataset`] from `generate`).
pub const MAX_SCALE: f64 = 1e6;

/// The name of each generator, for study files and error messages.
///
/// # Example
/// ```
/// use data::GeneratorKind;
/// let kind: GeneratorKind = "moons".parse()?;
/// assert_eq!(kind, GeneratorKind::Moons);
/// assert!("moon".parse::<GeneratorKind>().unwrap_err().to_string().contains("spirals"));
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GeneratorKind {
    /// [`Blobs`]: two Gaussian clouds.
    Blobs,
    /// [`Moons`]: two interleaving half circles.
    Moons,
    /// [`Circles`]: two concentric circles.
    Circles,
    /// [`Xor`]: opposite quadrants share a class.
    Xor,
    /// [`Spirals`]: two interleaved spirals.
    Spirals,
}

impl GeneratorKind {
    /// Every generator, in a fixed order (for listing accepted names and for tests).
    pub const ALL: [GeneratorKind; 5] = [
        GeneratorKind::Blobs,
        GeneratorKind::Moons,
        GeneratorKind::Circles,
        GeneratorKind::Xor,
        GeneratorKind::Spirals,
    ];

    /// The lowercase name used in study files: `blobs`, `moons`, `circles`, `xor`, `spirals`.
    pub fn name(self) -> &'static str {
        match self {
            GeneratorKind::Blobs => "blobs",
            GeneratorKind::Moons => "moons",
            GeneratorKind::Circles => "circles",
            GeneratorKind::Xor => "xor",
            GeneratorKind::Spirals => "spirals",
        }
    }

    /// The accepted names, comma-separated, for error messages.
    pub fn names() -> String {
        GeneratorKind::ALL.map(GeneratorKind::name).join(", ")
    }
}

impl fmt::Display for GeneratorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for GeneratorKind {
    type Err = DataError;

    /// Parses an exact lowercase name.
    ///
    /// # Errors
    /// [`DataError::UnknownGenerator`], listing the accepted names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GeneratorKind::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| DataError::UnknownGenerator {
                value: s.to_owned(),
                expected: GeneratorKind::names(),
            })
    }
}

/// Any one of the generators, so a runner can hold a generator chosen at run time.
///
/// # Example
/// ```
/// use data::{Circles, Generator};
/// use rand::SeedableRng;
/// let generator = Generator::from(Circles::new(0.5)?.with_noise(0.05)?);
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
/// let dataset = generator.generate(100, &mut rng)?;
/// assert_eq!((generator.name(), dataset.n_samples(), dataset.n_positive()), ("circles", 100, 50));
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Generator {
    /// Two Gaussian clouds.
    Blobs(Blobs),
    /// Two interleaving half circles.
    Moons(Moons),
    /// Two concentric circles.
    Circles(Circles),
    /// Opposite quadrants share a class.
    Xor(Xor),
    /// Two interleaved spirals.
    Spirals(Spirals),
}

impl Generator {
    /// Which generator this is.
    pub fn kind(&self) -> GeneratorKind {
        match self {
            Generator::Blobs(_) => GeneratorKind::Blobs,
            Generator::Moons(_) => GeneratorKind::Moons,
            Generator::Circles(_) => GeneratorKind::Circles,
            Generator::Xor(_) => GeneratorKind::Xor,
            Generator::Spirals(_) => GeneratorKind::Spirals,
        }
    }

    /// The generator's lowercase name, as in [`GeneratorKind::name`].
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The constant every feature is multiplied by (default 1).
    pub fn scale(&self) -> f64 {
        match self {
            Generator::Blobs(g) => g.scale(),
            Generator::Moons(g) => g.scale(),
            Generator::Circles(g) => g.scale(),
            Generator::Xor(g) => g.scale(),
            Generator::Spirals(g) => g.scale(),
        }
    }

    /// Sets the constant every feature is multiplied by, keeping every other setting.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `scale` unless it is within
    /// [`MIN_SCALE`]`..=`[`MAX_SCALE`].
    pub fn with_scale(self, scale: f64) -> Result<Self, DataError> {
        Ok(match self {
            Generator::Blobs(g) => Generator::Blobs(g.with_scale(scale)?),
            Generator::Moons(g) => Generator::Moons(g.with_scale(scale)?),
            Generator::Circles(g) => Generator::Circles(g.with_scale(scale)?),
            Generator::Xor(g) => Generator::Xor(g.with_scale(scale)?),
            Generator::Spirals(g) => Generator::Spirals(g.with_scale(scale)?),
        })
    }

    /// The error rate of the best possible classifier on this generator's data, from its own
    /// class densities (see each generator's `bayes_error` for how, and the cost: at most
    /// about 0.1 s). It does not depend on the scale.
    ///
    /// # Example
    /// ```
    /// use data::{Blobs, Generator};
    /// let generator = Generator::from(Blobs::new(2.0)?).with_scale(10.0)?;
    /// assert!((generator.bayes_error().rate - 0.15865525393145707).abs() < 1e-16);
    /// # Ok::<(), data::DataError>(())
    /// ```
    pub fn bayes_error(&self) -> BayesError {
        match self {
            Generator::Blobs(g) => g.bayes_error(),
            Generator::Moons(g) => g.bayes_error(),
            Generator::Circles(g) => g.bayes_error(),
            Generator::Xor(g) => g.bayes_error(),
            Generator::Spirals(g) => g.bayes_error(),
        }
    }

    /// The class densities of the generated (scaled) features, for the Bayes classifier.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] with field `noise` when the classes have no density:
    /// moons, circles or spirals with noise 0, or noise too fine for the quadrature (see each
    /// generator's `class_densities`).
    pub fn class_densities(&self) -> Result<ClassDensities, DataError> {
        match self {
            Generator::Blobs(g) => Ok(g.class_densities()),
            Generator::Moons(g) => g.class_densities(),
            Generator::Circles(g) => g.class_densities(),
            Generator::Xor(g) => Ok(g.class_densities()),
            Generator::Spirals(g) => g.class_densities(),
        }
    }

    /// Draws `n_samples` rows from the wrapped generator (see its `generate` for the details).
    ///
    /// # Errors
    /// [`DataError::TooFewSamples`] when `n_samples < 2`, [`DataError::TooManySamples`] when
    /// `n_samples > MAX_SAMPLES`, and [`DataError::Dataset`] if the configuration is so large
    /// that a coordinate overflows to infinity.
    pub fn generate(&self, n_samples: usize, rng: &mut impl Rng) -> Result<Dataset, DataError> {
        match self {
            Generator::Blobs(g) => g.generate(n_samples, rng),
            Generator::Moons(g) => g.generate(n_samples, rng),
            Generator::Circles(g) => g.generate(n_samples, rng),
            Generator::Xor(g) => g.generate(n_samples, rng),
            Generator::Spirals(g) => g.generate(n_samples, rng),
        }
    }
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! impl_from_generator {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Generator {
            fn from(generator: $variant) -> Self {
                Generator::$variant(generator)
            }
        }
    )*};
}
impl_from_generator!(Blobs, Moons, Circles, Xor, Spirals);

/// Checks `n_samples` and returns the class sizes `(n_class0, n_class1)`.
fn class_sizes(n_samples: usize) -> Result<(usize, usize), DataError> {
    if n_samples < MIN_SAMPLES {
        return Err(DataError::TooFewSamples {
            n_samples,
            minimum: MIN_SAMPLES,
        });
    }
    if n_samples > MAX_SAMPLES {
        return Err(DataError::TooManySamples {
            n_samples,
            maximum: MAX_SAMPLES,
        });
    }
    Ok((n_samples - n_samples / 2, n_samples / 2))
}

/// Checks a feature scale: finite and within [`MIN_SCALE`]`..=`[`MAX_SCALE`] (NaN is rejected).
fn check_scale(scale: f64) -> Result<f64, DataError> {
    if (MIN_SCALE..=MAX_SCALE).contains(&scale) {
        Ok(scale)
    } else {
        Err(DataError::InvalidParameter {
            field: "scale",
            value: scale,
            expected: "a number from 1e-6 to 1e6 (1 leaves the features as generated)",
        })
    }
}

/// Checks a noise standard deviation: finite and non-negative.
fn check_noise(noise: f64) -> Result<f64, DataError> {
    if noise.is_finite() && noise >= 0.0 {
        Ok(noise)
    } else {
        Err(DataError::InvalidParameter {
            field: "noise",
            value: noise,
            expected: "a finite number >= 0",
        })
    }
}

/// `i`-th of `n` evenly spaced values over `[0, end]` (both ends included; `0` when `n == 1`).
fn spaced_inclusive(i: usize, n: usize, end: f64) -> f64 {
    if n <= 1 {
        0.0
    } else {
        end * i as f64 / (n - 1) as f64
    }
}

/// `i`-th of `n` evenly spaced values over `[0, end)` (the end excluded).
fn spaced_exclusive(i: usize, n: usize, end: f64) -> f64 {
    end * i as f64 / n as f64
}

/// Adds `noise · (z_x, z_y)` to every point, drawing the two standard normals of each row in
/// row order (x first), multiplies the result by `scale`, then builds the dataset with the
/// first `n_class0` rows labelled 0.
///
/// Multiplying by 1 is exact in IEEE arithmetic, so the default scale leaves every value
/// bit-identical to an unscaled generator.
fn add_noise_and_label(
    mut points: Vec<[f64; 2]>,
    n_class0: usize,
    noise: f64,
    scale: f64,
    rng: &mut impl Rng,
) -> Result<Dataset, DataError> {
    for point in &mut points {
        let z_x: f64 = rng.sample(StandardNormal);
        let z_y: f64 = rng.sample(StandardNormal);
        point[0] = (point[0] + noise * z_x) * scale;
        point[1] = (point[1] + noise * z_y) * scale;
    }
    let n_samples = points.len();
    let features = Matrix::from_fn(n_samples, 2, |row, column| points[row][column]);
    let labels = Vector::from_fn(n_samples, |row, _| if row < n_class0 { 0.0 } else { 1.0 });
    Ok(Dataset::new(features, labels)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_sizes_give_class0_the_extra_sample() {
        assert_eq!(class_sizes(2).unwrap(), (1, 1));
        assert_eq!(class_sizes(7).unwrap(), (4, 3));
        assert!(matches!(
            class_sizes(1),
            Err(DataError::TooFewSamples { n_samples: 1, .. })
        ));
        assert!(matches!(
            class_sizes(MAX_SAMPLES + 1),
            Err(DataError::TooManySamples { .. })
        ));
    }

    #[test]
    fn spacing_hits_the_ends() {
        assert_eq!(spaced_inclusive(0, 5, 2.0), 0.0);
        assert_eq!(spaced_inclusive(4, 5, 2.0), 2.0);
        assert_eq!(spaced_inclusive(0, 1, 2.0), 0.0);
        assert_eq!(spaced_exclusive(2, 4, 2.0), 1.0);
    }
}
