//! The Bayes error of each generator, and the class densities it is computed from (the
//! methods are described on [`BayesError`]).

mod curve;
mod radial;

pub(crate) use curve::{CurveDensity, CurveShape, ReflectedCurves};
pub(crate) use radial::{circles_bayes_error, radial_density};

/// Truncation radius in noise standard deviations: a Gaussian term farther than `R·σ` from the
/// point is dropped. The probability mass beyond it in 2-D is `exp(−R²/2) ≈ 2.6e-18`.
pub(crate) const CUTOFF_SIGMAS: f64 = 9.0;

/// A Bayes error rate and how precisely it is known.
///
/// The Bayes error is the error rate of the best possible classifier, the one that picks the
/// class of larger density: with equal class priors, `E = ½ ∫ min(p₀(x), p₁(x)) dx`. It is the
/// floor a trained model's test error is measured against, and it is how this crate states a
/// dataset's overlap as one number.
///
/// Every generator places a class on a curve (or in squares, or around a point) with its curve
/// parameter evenly spaced or uniform, then adds isotropic Gaussian noise of standard deviation
/// `σ`; as the sample grows, a class's points follow the density
/// `p(x) = ∫ φ_σ(x − c(s)) ds` over the uniform parameter `s`. Each generator computes `E` from
/// its own densities as exactly as their structure allows:
///
/// | generator | densities | how `E` is computed | accuracy | cost |
/// |---|---|---|---|---|
/// | blobs | two Gaussians | closed form `Φ(−separation/2)` | rounding | nanoseconds |
/// | xor | unit squares blurred (separable) | closed form `2q(1 − q)` | rounding | nanoseconds |
/// | circles | Rice densities of the radius | 1-D Gauss–Legendre, split at the crossing radius | stated bound, below 1e-12 | about a millisecond |
/// | moons, spirals | Gauss–Legendre panels along the curve | randomised quasi-Monte Carlo, 16 × 1,024 points | standard error stated, 1e-4 to 4e-4 | at most about 0.1 s |
///
/// The result is a pure function of the configuration, the same bits on every machine, so a
/// caller that needs it once per study row can cache it by configuration.
///
/// Two properties hold for every generator: the feature scale does not change `E` (scaling
/// every feature by the same constant is an invertible map, and the Bayes error is invariant
/// under those), and noise 0 gives `E = 0` (without noise the classes lie on disjoint curves or
/// sets; spirals touch only at one point, which carries no probability). A test checks every
/// generator's `E` against the error of the Bayes classifier (the argmax of the same densities)
/// on 200,000 generated points, at two noise levels, one of them scaled by 10.
///
/// # Example
/// ```
/// use data::{BayesAccuracy, Xor};
/// let bayes = Xor::new().with_noise(0.1)?.bayes_error();
/// assert!((bayes.rate - 0.0766).abs() < 1e-4);
/// assert_eq!(bayes.accuracy, BayesAccuracy::ClosedForm);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct BayesError {
    /// The error rate of the Bayes classifier on balanced classes, in `[0, ½]`.
    pub rate: f64,
    /// How `rate` was computed and how far from the true value it may be.
    pub accuracy: BayesAccuracy,
}

/// How a [`BayesError`] was computed, with its error bound or standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum BayesAccuracy {
    /// A closed-form expression: exact up to floating-point rounding (a few ulps).
    ClosedForm,
    /// Deterministic numerical integration or an analytic bound: the true value is within
    /// `max_error` of `rate`.
    Bounded {
        /// The largest difference between `rate` and the true Bayes error.
        max_error: f64,
    },
    /// A (randomised quasi-) Monte Carlo estimate from a fixed-seed stream, so the same
    /// configuration always gives the same bits: the true value is within a few
    /// `standard_error` of `rate`.
    MonteCarlo {
        /// The standard error of the estimate: the standard deviation of 16 independently
        /// shifted replicate estimates over `√16`.
        standard_error: f64,
        /// The number of points averaged, over all replicates.
        n_samples: usize,
    },
}

impl BayesError {
    /// A closed-form rate.
    pub(crate) fn closed_form(rate: f64) -> Self {
        BayesError {
            rate,
            accuracy: BayesAccuracy::ClosedForm,
        }
    }

    /// A rate known to within `max_error`.
    pub(crate) fn bounded(rate: f64, max_error: f64) -> Self {
        BayesError {
            rate,
            accuracy: BayesAccuracy::Bounded { max_error },
        }
    }

    /// The uncertainty of `rate` as one number: 0 for a closed form, the bound, or the standard
    /// error.
    pub fn uncertainty(&self) -> f64 {
        match self.accuracy {
            BayesAccuracy::ClosedForm => 0.0,
            BayesAccuracy::Bounded { max_error } => max_error,
            BayesAccuracy::MonteCarlo { standard_error, .. } => standard_error,
        }
    }
}

/// The Bayes error when the noise is so large that the classes are indistinguishable, or
/// `None` when it is not.
///
/// For any coupling of the two noise-free classes, the total variation between the noisy
/// classes is at most `D / (σ·√(2π))`, where `D` is the largest distance between a point of one
/// class and a point of the other; so `E = ½(1 − TV) ≥ ½ − D / (2σ√(2π))`. When that gap is
/// below 1e-15 the rate is ½ to double precision, and computing it from densities of width `σ`
/// would only risk overflow.
pub(crate) fn indistinguishable(diameter: f64, noise: f64) -> Option<BayesError> {
    let gap = diameter / (2.0 * noise * (2.0 * std::f64::consts::PI).sqrt());
    (gap < 1e-15).then(|| BayesError::bounded(0.5, gap))
}

/// The Bayes error when the noise is so small that the classes, whose noise-free sets are at
/// least `distance` apart, cannot meet, or `None` when it is not.
///
/// The classifier "nearer noise-free set" errs only when the noise moves a point by at least
/// `distance / 2`, which a 2-D Gaussian does with probability `exp(−distance² / (8σ²))`; the
/// Bayes error is at most that. Below 1e-15 the rate is 0 to double precision.
pub(crate) fn separated(distance: f64, noise: f64) -> Option<BayesError> {
    let bound = (-(distance * distance) / (8.0 * noise * noise)).exp();
    (bound < 1e-15).then(|| BayesError::bounded(0.0, bound))
}

/// The standard normal CDF, `Φ(x) = ½·erfc(−x/√2)`, accurate in both tails.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The class densities `[p₀(x), p₁(x)]` of a generator's features, for the Bayes classifier.
///
/// Built by each generator's `class_densities` (and [`Generator::class_densities`]); they are
/// the densities its Bayes error is computed from, evaluated at a point of the generated
/// (scaled) feature space. Evaluating one point costs from a few nanoseconds (blobs, xor) to
/// about a microsecond (moons, spirals: a sum over the curve's quadrature nodes near the point).
///
/// [`Generator::class_densities`]: crate::Generator::class_densities
///
/// # Example
/// ```
/// use data::Moons;
/// let densities = Moons::new().with_noise(0.2)?.class_densities()?;
/// // A point on the outer arc is class 0; one on the inner arc is class 1.
/// assert!(densities.posterior([-1.0, 0.0]) < 0.01);
/// assert!(densities.posterior([2.0, 0.5]) > 0.99);
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClassDensities {
    model: DensityModel,
    /// The generator's feature scale: a feature point `x` is the unscaled point `x / scale`.
    scale: f64,
}

/// The unscaled class densities of one generator.
#[derive(Debug, Clone)]
pub(crate) enum DensityModel {
    /// Two isotropic Gaussians.
    Blobs {
        /// Class means.
        means: [[f64; 2]; 2],
        /// Their common standard deviation.
        std: f64,
    },
    /// Uniform unit squares in opposite quadrants, blurred by Gaussian noise.
    Xor {
        /// The noise standard deviation (0 allowed: the densities are then indicator functions).
        noise: f64,
    },
    /// Two circles of radii 1 (class 0) and `factor` (class 1), blurred.
    Circles {
        /// The inner radius.
        factor: f64,
        /// The noise standard deviation (> 0).
        noise: f64,
    },
    /// Class 0 on a curve; class 1 is its point reflection `x ↦ center − x`.
    Reflected {
        /// The density of class 0.
        density: CurveDensity,
        /// Twice the centre of symmetry.
        center: [f64; 2],
    },
}

impl ClassDensities {
    /// Densities of unscaled features `model`, for features multiplied by `scale`.
    pub(crate) fn new(model: DensityModel, scale: f64) -> Self {
        ClassDensities { model, scale }
    }

    /// The two class densities at `point` (a row of the generated features).
    ///
    /// They integrate to 1 over the plane each, and are the densities of the features after
    /// scaling: `p_scaled(x) = p(x / scale) / scale²`.
    pub fn densities(&self, point: [f64; 2]) -> [f64; 2] {
        let x = [point[0] / self.scale, point[1] / self.scale];
        let jacobian = 1.0 / (self.scale * self.scale);
        let [p0, p1] = match &self.model {
            DensityModel::Blobs { means, std } => {
                let gaussian = |mean: [f64; 2]| {
                    let u = (x[0] - mean[0]) / std;
                    let v = (x[1] - mean[1]) / std;
                    (-0.5 * (u * u + v * v)).exp() / (2.0 * std::f64::consts::PI * std * std)
                };
                [gaussian(means[0]), gaussian(means[1])]
            }
            DensityModel::Xor { noise } => {
                // One coordinate of a unit-square class: uniform on (0, 1] plus noise.
                let g = |u: f64| {
                    if *noise == 0.0 {
                        if u > 0.0 && u <= 1.0 { 1.0 } else { 0.0 }
                    } else {
                        normal_cdf(u / noise) - normal_cdf((u - 1.0) / noise)
                    }
                };
                let (gx, gy, hx, hy) = (g(x[0]), g(x[1]), g(-x[0]), g(-x[1]));
                [0.5 * (gx * hy + hx * gy), 0.5 * (gx * gy + hx * hy)]
            }
            DensityModel::Circles { factor, noise } => {
                let rho = x[0].hypot(x[1]);
                [
                    radial_density(rho, 1.0, *noise),
                    radial_density(rho, *factor, *noise),
                ]
            }
            DensityModel::Reflected { density, center } => [
                density.density(x),
                density.density([center[0] - x[0], center[1] - x[1]]),
            ],
        };
        [p0 * jacobian, p1 * jacobian]
    }

    /// The probability of class 1 at `point` under equal priors, `p₁ / (p₀ + p₁)`; ½ where both
    /// densities are 0 (far outside both classes, or between noise-free xor squares).
    pub fn posterior(&self, point: [f64; 2]) -> f64 {
        let [p0, p1] = self.densities(point);
        if p0 + p1 > 0.0 { p1 / (p0 + p1) } else { 0.5 }
    }
}
