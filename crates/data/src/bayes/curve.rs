//! The density of a class spread uniformly along a curve and blurred by Gaussian noise, and the
//! randomised quasi-Monte Carlo estimate of the Bayes error between such a class and its point
//! reflection.
//!
//! The density `p(x) = ∫ φ_σ(x − c(s)) ds / (b − a)` over the curve parameter `s ∈ [a, b]` is
//! integrated by 8-point Gauss–Legendre rules on panels at most `3σ` of arc long. Along a
//! straight curve the integrand is a Gaussian bump of width `σ`, and on a panel of three widths
//! the rule's error term, `(8!)⁴·h¹⁷ / (17·(16!)³)·max|f⁽¹⁶⁾|` with `h = 3` and
//! `f⁽¹⁶⁾(0) = 15!! ≈ 2e6`, is about 4e-9 of the bump's peak; on the convex side of a bend the
//! bump narrows (to `σ·√(R/(R + d))` at distance `d` from a circle of radius `R`), so within
//! `4σ` of the moons and spirals the density is within about 5e-7 relative of one on panels
//! four times finer (a test checks 1e-6): far below what the Monte Carlo resolves or what could
//! move the Bayes classifier. Terms of nodes farther than `8σ` are dropped (each below
//! `e^{−32}` of the peak). Only panels that can hold a node within `8σ` of the point are
//! visited, found from the curve's geometry, so one evaluation costs a few dozen exponentials
//! per pass of the curve near the point.

use std::f64::consts::{PI, TAU};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{BayesAccuracy, BayesError, indistinguishable, separated};

/// A density drops the Gaussian terms of nodes farther than this many `σ` from the point:
/// each is below `e^{−32} ≈ 1.3e-14` of the peak.
const DENSITY_CUTOFF_SIGMAS: f64 = 8.0;

/// Each panel is at most this many `σ` of arc long.
const PANEL_SIGMAS: f64 = 3.0;

/// The most panels one curve density may use (each holds 27 `f64`, so at most about 7 MB),
/// which sets the finest noise a curve density supports: about its arc length / 98,304.
pub(crate) const MAX_PANELS: usize = 1 << 15;

/// Quasi-random points per replicate in [`monte_carlo`].
const N_POINTS: usize = 1 << 10;

/// Independently shifted replicates in [`monte_carlo`] (their spread gives the standard error).
const N_REPLICATES: usize = 16;

/// The seed of the Monte Carlo shifts: fixed, so a configuration's Bayes error is one number.
const MONTE_CARLO_SEED: u64 = 0xBA7E_5E22_0F0C_1A55;

/// 8-point Gauss–Legendre nodes on `[−1, 1]` (positive half) and their weights.
const GL_NODES: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
const GL_WEIGHTS: [f64; 4] = [
    0.362_683_783_378_362,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_26,
];

/// The 8 Gauss–Legendre nodes and weights mapped to `[lo, hi]`, nodes ascending.
pub(crate) fn gauss_legendre(lo: f64, hi: f64) -> [(f64, f64); 8] {
    let mid = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    std::array::from_fn(|k| {
        let (sign, j) = if k < 4 { (-1.0, 3 - k) } else { (1.0, k - 4) };
        (mid + sign * half * GL_NODES[j], half * GL_WEIGHTS[j])
    })
}

/// A curve carrying one class, with its parameter uniform over `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CurveShape {
    /// `(cos t, sin t)` on the unit circle, `t ∈ [start, end] ⊆ [0, 2π]`.
    UnitArc {
        /// First angle.
        start: f64,
        /// Last angle.
        end: f64,
    },
    /// `r·(cos 2π·turns·r, sin 2π·turns·r)`, `r ∈ [0, 1]`.
    Spiral {
        /// Turns of the spiral.
        turns: f64,
    },
}

impl CurveShape {
    /// The parameter range `[start, end]`.
    fn range(self) -> (f64, f64) {
        match self {
            CurveShape::UnitArc { start, end } => (start, end),
            CurveShape::Spiral { .. } => (0.0, 1.0),
        }
    }

    /// The point at parameter `s`.
    fn point(self, s: f64) -> [f64; 2] {
        match self {
            CurveShape::UnitArc { .. } => [libm::cos(s), libm::sin(s)],
            CurveShape::Spiral { turns } => {
                let theta = TAU * turns * s;
                [s * libm::cos(theta), s * libm::sin(theta)]
            }
        }
    }

    /// The largest arc length per unit of parameter over `[start, end]`: 1 on the unit
    /// circle, `√(1 + (2π·turns)²)` at the spiral's outer end.
    fn max_speed(self) -> f64 {
        self.max_speed_until(self.range().1)
    }

    /// The largest arc length per unit of parameter over `[start, s]`: 1 on the unit circle,
    /// `√(1 + (2π·turns·s)²)` on the spiral (whose speed grows with `s`).
    fn max_speed_until(self, s: f64) -> f64 {
        match self {
            CurveShape::UnitArc { .. } => 1.0,
            CurveShape::Spiral { turns } => (TAU * turns * s).hypot(1.0),
        }
    }

    /// Parameter intervals (at most three) outside which no curve point is within `reach` of `x`.
    fn window(self, x: [f64; 2], reach: f64) -> ([(f64, f64); 3], usize) {
        let (start, end) = self.range();
        let rho = x[0].hypot(x[1]);
        let mut out = [(0.0, 0.0); 3];
        match self {
            CurveShape::UnitArc { .. } => {
                // |x − e(t)|² = (ρ − 1)² + 4ρ·sin²((t − α)/2).
                if (rho - 1.0).abs() > reach {
                    return (out, 0);
                }
                let s = reach / (2.0 * rho.sqrt());
                if s >= 1.0 || s.is_nan() {
                    out[0] = (start, end);
                    return (out, 1);
                }
                let beta = 2.0 * libm::asin(s);
                let alpha = libm::atan2(x[1], x[0]);
                let mut n = 0;
                for shift in [-TAU, 0.0, TAU] {
                    let lo = (alpha - beta + shift).max(start);
                    let hi = (alpha + beta + shift).min(end);
                    if lo <= hi {
                        out[n] = (lo, hi);
                        n += 1;
                    }
                }
                (out, n)
            }
            CurveShape::Spiral { .. } => {
                // |x − c(r)| ≥ | |x| − |c(r)| | = |ρ − r|.
                let lo = (rho - reach).max(start);
                let hi = (rho + reach).min(end);
                if lo <= hi {
                    out[0] = (lo, hi);
                    (out, 1)
                } else {
                    (out, 0)
                }
            }
        }
    }
}

/// One panel of a curve: its middle point, its 8 quadrature nodes and their weights.
#[derive(Debug, Clone)]
struct Panel {
    middle: [f64; 2],
    nodes: [[f64; 2]; 8],
    weights: [f64; 8],
}

/// The density of a class uniform along a [`CurveShape`] plus isotropic Gaussian noise.
#[derive(Debug, Clone)]
pub(crate) struct CurveDensity {
    shape: CurveShape,
    noise: f64,
    panels: Vec<Panel>,
    /// The parameter where each panel starts, ascending.
    starts: Vec<f64>,
    /// The largest distance from a panel's middle point to any point of it.
    panel_radius: f64,
}

impl CurveDensity {
    /// The density of `shape` blurred by `noise`, or `None` when `noise` is 0 (no density) or
    /// so small that the curve needs more than [`MAX_PANELS`] panels (never when
    /// `noise ≥ parameter length · max speed / (3·MAX_PANELS)`).
    pub(crate) fn new(shape: CurveShape, noise: f64) -> Option<Self> {
        CurveDensity::with_panels(shape, noise, PANEL_SIGMAS)
    }

    /// [`CurveDensity::new`] with panels at most `panel_sigmas·σ` of arc long.
    ///
    /// Panel `j` runs from `s_j` to `s_j + hσ / v(s_j + hσ)` with `h = panel_sigmas`, where
    /// `v(s)` bounds the speed up to `s`; the speed grows along the curve and is at least 1, so
    /// every panel is at most `hσ` of arc long and its middle point is within `hσ/2` of all of
    /// it.
    fn with_panels(shape: CurveShape, noise: f64, panel_sigmas: f64) -> Option<Self> {
        if noise <= 0.0 || noise.is_nan() {
            return None;
        }
        let (start, end) = shape.range();
        let length = end - start;
        let (mut panels, mut starts) = (Vec::new(), Vec::new());
        let mut lo = start;
        while lo < end {
            if panels.len() == MAX_PANELS {
                return None;
            }
            let arc = panel_sigmas * noise;
            let step = arc / shape.max_speed_until((lo + arc).min(end));
            let hi = if lo + step >= end { end } else { lo + step };
            let rule = gauss_legendre(lo, hi);
            panels.push(Panel {
                middle: shape.point(0.5 * (lo + hi)),
                nodes: rule.map(|(s, _)| shape.point(s)),
                weights: rule.map(|(_, w)| w / length),
            });
            starts.push(lo);
            lo = hi;
        }
        Some(CurveDensity {
            shape,
            noise,
            panels,
            starts,
            panel_radius: 0.5 * panel_sigmas * noise,
        })
    }

    /// The density at `x`, `∫ φ_σ(x − c(s)) ds / (b − a)`.
    pub(crate) fn density(&self, x: [f64; 2]) -> f64 {
        let sigma = self.noise;
        let cut = DENSITY_CUTOFF_SIGMAS * sigma;
        let (intervals, n_intervals) = self.shape.window(x, cut);
        let reach2 = (cut + self.panel_radius).powi(2);
        let mut sum = 0.0;
        // The intervals ascend; a panel shared by two of them is visited once.
        let mut visited = 0;
        for &(lo, hi) in &intervals[..n_intervals] {
            // Panels that start at or before `hi` and end at or after `lo`.
            let first = self.starts.partition_point(|&s| s <= lo).saturating_sub(1);
            let first = first.max(visited);
            let past = self.starts.partition_point(|&s| s <= hi);
            visited = visited.max(past);
            if first >= past {
                continue;
            }
            for panel in &self.panels[first..past] {
                let (dx, dy) = (x[0] - panel.middle[0], x[1] - panel.middle[1]);
                if dx * dx + dy * dy > reach2 {
                    continue;
                }
                for (node, weight) in panel.nodes.iter().zip(panel.weights) {
                    let u = (x[0] - node[0]) / sigma;
                    let v = (x[1] - node[1]) / sigma;
                    let d2 = u * u + v * v;
                    if d2 <= DENSITY_CUTOFF_SIGMAS * DENSITY_CUTOFF_SIGMAS {
                        sum += weight * libm::exp(-0.5 * d2);
                    }
                }
            }
        }
        sum / (2.0 * PI * sigma * sigma)
    }
}

/// Two classes on curves, class 1 the point reflection `x ↦ center − x` of class 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ReflectedCurves {
    /// Class 0's curve.
    pub(crate) shape: CurveShape,
    /// Twice the centre of symmetry.
    pub(crate) center: [f64; 2],
    /// The smallest distance between the noise-free classes (0 if they touch).
    pub(crate) distance: f64,
    /// An upper bound on the largest distance between a point of one class and one of the
    /// other.
    pub(crate) diameter: f64,
}

impl ReflectedCurves {
    /// The Bayes error at noise `noise`.
    ///
    /// Noise 0 gives 0 (the classes are disjoint curves, or touch at a point, which carries no
    /// probability). Noise so small that the classes cannot meet, or so large that they are
    /// indistinguishable, gives the analytic bound ([`separated`], [`indistinguishable`]).
    /// Otherwise, [`monte_carlo`]. When the noise is too fine for [`MAX_PANELS`] panels (below
    /// about `1.5e-4` for spirals of 1.5 turns), the Monte Carlo runs at the finest noise that
    /// fits, `σ_f`, and the result is the interval `[0, E(σ_f) + 3·SE]` (its middle, with half
    /// its width as the bound): the Bayes error cannot fall as noise grows, because more noise
    /// is the same data with independent noise added, which no classifier can use.
    pub(crate) fn bayes_error(&self, noise: f64) -> BayesError {
        if noise == 0.0 {
            return BayesError::bounded(0.0, 0.0);
        }
        if let Some(bayes) =
            separated(self.distance, noise).or_else(|| indistinguishable(self.diameter, noise))
        {
            return bayes;
        }
        if let Some(density) = CurveDensity::new(self.shape, noise) {
            return monte_carlo(&density, self.center);
        }
        let (start, end) = self.shape.range();
        let finest = (end - start) * self.shape.max_speed() / (PANEL_SIGMAS * MAX_PANELS as f64);
        match CurveDensity::new(self.shape, finest * (1.0 + 1e-9)) {
            Some(density) => {
                let at_finest = monte_carlo(&density, self.center);
                let upper = (at_finest.rate + 3.0 * at_finest.uncertainty()).min(0.5);
                BayesError::bounded(0.5 * upper, 0.5 * upper)
            }
            None => BayesError::bounded(0.25, 0.25),
        }
    }
}

/// The Bayes error between class 0 with density `density` and class 1, its point reflection
/// `x ↦ center − x`, by randomised quasi-Monte Carlo.
///
/// With equal priors `E = ½ ∫ min(p₀, p₁) = E_{x∼p₀}[m(x)]` with `m = min(p₀, p₁) / (p₀ + p₁)`
/// (the reflection maps `p₀` to `p₁` and leaves `m` unchanged, so sampling class 0 suffices;
/// averaging `m` rather than counting misclassified points also lowers the variance). A point
/// of class 0 is drawn from three uniforms `(u₀, u₁, u₂)`: the curve parameter at `u₀`, plus
/// noise `σ·√(−2 ln(1 − u₁))·(cos 2πu₂, sin 2πu₂)` (Box–Muller). The uniforms are the
/// [`N_POINTS`] points of the Kronecker sequence `i·α mod 1`, `α = (1/φ, 1/φ², 1/φ³)` with `φ`
/// the root of `φ⁴ = φ + 1` (the "R₃" sequence, which fills the cube more evenly than random
/// points), shifted by a uniform random vector mod 1; [`N_REPLICATES`] independent shifts give
/// independent unbiased estimates, whose mean is the result and whose standard deviation over
/// `√N_REPLICATES` is its standard error. The shifts come from a fixed-seed ChaCha8 stream and
/// every function from `libm`, so the estimate is the same on every machine.
pub(crate) fn monte_carlo(density: &CurveDensity, center: [f64; 2]) -> BayesError {
    let mut rng = ChaCha8Rng::seed_from_u64(MONTE_CARLO_SEED);
    let phi: f64 = 1.220_744_084_605_759_5;
    let alpha = [1.0 / phi, 1.0 / (phi * phi), 1.0 / (phi * phi * phi)];
    let (start, end) = density.shape.range();
    let sigma = density.noise;
    let replicates: [f64; N_REPLICATES] = std::array::from_fn(|_| {
        let shift: [f64; 3] = std::array::from_fn(|_| rng.random());
        let mut sum = 0.0;
        for i in 0..N_POINTS {
            let u: [f64; 3] = std::array::from_fn(|k| (shift[k] + i as f64 * alpha[k]).fract());
            let point = density.shape.point(start + (end - start) * u[0]);
            let radius = sigma * libm::sqrt(-2.0 * libm::log(1.0 - u[1]));
            let x = [
                point[0] + radius * libm::cos(TAU * u[2]),
                point[1] + radius * libm::sin(TAU * u[2]),
            ];
            let p0 = density.density(x);
            let p1 = density.density([center[0] - x[0], center[1] - x[1]]);
            if p0 + p1 > 0.0 {
                sum += p0.min(p1) / (p0 + p1);
            }
        }
        sum / N_POINTS as f64
    });
    let n = N_REPLICATES as f64;
    let mean = replicates.iter().sum::<f64>() / n;
    let variance = replicates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    BayesError {
        rate: mean,
        accuracy: BayesAccuracy::MonteCarlo {
            standard_error: (variance / n).sqrt(),
            n_samples: N_REPLICATES * N_POINTS,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_is_exact_for_degree_15() {
        for degree in 0..16 {
            let integral: f64 = gauss_legendre(0.0, 1.0)
                .iter()
                .map(|&(x, w)| w * x.powi(degree))
                .sum();
            let exact = 1.0 / (degree + 1) as f64;
            assert!(
                (integral - exact).abs() < 1e-15,
                "degree {degree}: {integral}"
            );
        }
        // Degree 16 is not exact: the rule has 8 nodes, not more.
        let integral: f64 = gauss_legendre(0.0, 1.0)
            .iter()
            .map(|&(x, w)| w * x.powi(16))
            .sum();
        assert!((integral - 1.0 / 17.0).abs() > 1e-12);
    }

    #[test]
    fn a_density_integrates_to_one() {
        // Midpoint rule over a fine grid covering the blurred curve.
        for (shape, noise) in [
            (
                CurveShape::UnitArc {
                    start: 0.0,
                    end: PI,
                },
                0.1,
            ),
            (CurveShape::Spiral { turns: 1.5 }, 0.05),
        ] {
            let density = CurveDensity::new(shape, noise).unwrap();
            let h = noise / 4.0;
            let half = ((1.0 + 8.0 * noise) / h).ceil() as i64;
            let mut total = 0.0;
            for i in -half..=half {
                for j in -half..=half {
                    total += density.density([i as f64 * h, j as f64 * h]) * h * h;
                }
            }
            assert!((total - 1.0).abs() < 1e-9, "{shape:?}: {total}");
        }
    }

    #[test]
    fn the_window_keeps_every_near_node() {
        // Summing every node within the cutoff, panel by panel, gives the windowed sum exactly.
        let shape = CurveShape::Spiral { turns: 2.0 };
        let density = CurveDensity::new(shape, 0.08).unwrap();
        for k in 0..200 {
            let x = [
                -1.2 + 2.4 * ((k * 37) % 200) as f64 / 200.0,
                -1.2 + 2.4 * k as f64 / 200.0,
            ];
            let mut all = 0.0;
            for panel in &density.panels {
                for (node, weight) in panel.nodes.iter().zip(panel.weights) {
                    let u = (x[0] - node[0]) / 0.08;
                    let v = (x[1] - node[1]) / 0.08;
                    let d2 = u * u + v * v;
                    if d2 <= DENSITY_CUTOFF_SIGMAS * DENSITY_CUTOFF_SIGMAS {
                        all += weight * libm::exp(-0.5 * d2);
                    }
                }
            }
            let all = all / (2.0 * PI * 0.08 * 0.08);
            let windowed = density.density(x);
            assert_eq!(all.to_bits(), windowed.to_bits(), "{x:?}");
        }
    }

    #[test]
    fn densities_agree_with_panels_four_times_finer() {
        for (shape, noise) in [
            (
                CurveShape::UnitArc {
                    start: 0.0,
                    end: PI,
                },
                0.05,
            ),
            (
                CurveShape::UnitArc {
                    start: 0.0,
                    end: PI,
                },
                0.3,
            ),
            (CurveShape::Spiral { turns: 1.5 }, 0.02),
            (CurveShape::Spiral { turns: 3.0 }, 0.1),
        ] {
            let coarse = CurveDensity::new(shape, noise).unwrap();
            let fine = CurveDensity::with_panels(shape, noise, PANEL_SIGMAS / 4.0).unwrap();
            let mut worst: f64 = 0.0;
            for k in 0..2000 {
                // Points along the curve, pushed off it by up to 4σ.
                let s = k as f64 / 2000.0;
                let (start, end) = shape.range();
                let on = shape.point(start + (end - start) * s);
                let off = 4.0 * noise * ((k * 7919) % 1000) as f64 / 1000.0;
                let x = [
                    on[0] + off * (k as f64).cos(),
                    on[1] + off * (k as f64).sin(),
                ];
                let (a, b) = (coarse.density(x), fine.density(x));
                worst = worst.max((a - b).abs() / b);
            }
            assert!(worst < 1e-6, "{shape:?} at {noise}: {worst:e}");
        }
    }

    #[test]
    fn too_fine_a_noise_has_no_density() {
        assert!(CurveDensity::new(CurveShape::Spiral { turns: 1.0 }, 0.0).is_none());
        assert!(CurveDensity::new(CurveShape::Spiral { turns: 1.0 }, 1e-6).is_none());
        assert!(CurveDensity::new(CurveShape::Spiral { turns: 1.0 }, 1e-3).is_some());
    }
}
