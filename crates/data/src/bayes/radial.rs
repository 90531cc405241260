//! Circles: the density of a noisy circle depends only on the distance from the centre, so
//! the Bayes error is a one-dimensional integral over that distance.
//!
//! A class uniform on the circle of radius `a` plus noise `σ` has the planar density
//! `p_a(x) = exp(−(ρ − a)² / 2σ²) · I₀ₑ(ρa/σ²) / (2πσ²)` at distance `ρ = |x|`, where
//! `I₀ₑ(κ) = e^{−κ}·I₀(κ)` is the scaled modified Bessel function; the distance `ρ` then has the
//! Rice density `f_a(ρ) = 2πρ·p_a(ρ)`. The likelihood ratio `f_inner / f_outer` falls with `ρ`,
//! so the Bayes classifier is a single threshold `ρ*` and
//! `E = ½ (∫₀^{ρ*} f_outer + ∫_{ρ*}^∞ f_inner)`.

use std::f64::consts::PI;

use super::curve::gauss_legendre;
use super::{BayesError, CUTOFF_SIGMAS, indistinguishable, separated};

/// `I₀ₑ(κ) = e^{−κ}·I₀(κ)` for `κ ≥ 0`, to about 1e-15 relative.
///
/// For `κ < 50`, the trapezoid rule on `(1/π) ∫₀^π e^{κ(cos u − 1)} du` with `n ≥ 24 + 9√κ`
/// intervals: the integrand is periodic and analytic, so the rule's relative error is about
/// `2·I_{2n}(κ) / I₀(κ) < exp(−(2n)²/2κ) < e^{−160}`. For `κ ≥ 50`, the asymptotic series
/// `(2πκ)^{−½} Σ_k a_k / κ^k` with `a_k = a_{k−1}·(2k − 1)² / 8k`, summed until a term falls
/// below 1e-17 of the sum (it does before the series turns, near `k = 2κ`), whose neglected
/// part is the exponentially small `e^{−2κ}`.
pub(crate) fn bessel_i0e(kappa: f64) -> f64 {
    if kappa < 50.0 {
        i0e_trapezoid(kappa, 24 + (9.0 * kappa.sqrt()).ceil() as usize)
    } else {
        i0e_series(kappa)
    }
}

/// `(1/π) ∫₀^π e^{κ(cos u − 1)} du` by the trapezoid rule with `n` intervals.
fn i0e_trapezoid(kappa: f64, n: usize) -> f64 {
    let mut sum = 0.5 * (1.0 + libm::exp(-2.0 * kappa));
    for j in 1..n {
        sum += libm::exp(kappa * (libm::cos(PI * j as f64 / n as f64) - 1.0));
    }
    sum / n as f64
}

/// The asymptotic series of `I₀ₑ(κ)`, for large `κ`.
fn i0e_series(kappa: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..200 {
        let odd = (2 * k - 1) as f64;
        term *= odd * odd / (8.0 * k as f64 * kappa);
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    sum / (2.0 * PI * kappa).sqrt()
}

/// The planar density at distance `rho` from the centre of a circle of radius `radius`
/// blurred by Gaussian noise `noise > 0`.
pub(crate) fn radial_density(rho: f64, radius: f64, noise: f64) -> f64 {
    let z = (rho - radius) / noise;
    libm::exp(-0.5 * z * z) * bessel_i0e(rho * radius / (noise * noise))
        / (2.0 * PI * noise * noise)
}

/// The Rice density of the distance from the centre, `2πρ·p(ρ)`.
fn rice(rho: f64, radius: f64, noise: f64) -> f64 {
    2.0 * PI * rho * radial_density(rho, radius, noise)
}

/// The Bayes error between the unit circle (class 0) and the circle of radius `factor < 1`
/// (class 1), both blurred by `noise`.
///
/// The integral runs over `[1 − Rσ, factor + Rσ]` with `R` = [`CUTOFF_SIGMAS`]: outside it,
/// `min(f_outer, f_inner)` is below a density whose mass there is at most `e^{−R²/2}` (a point
/// moves that far from its circle only if its noise does), so the range costs at most
/// `e^{−R²/2} ≈ 2.6e-18`. Each side of `ρ*` (found by bisection on the log ratio) is integrated
/// by composite 8-point Gauss–Legendre on panels at most `σ` wide, then again on panels half as
/// wide; the finer result is returned, with the difference between the two (which bounds the
/// finer one's error for a rule converging this fast) plus the truncation as its bound.
pub(crate) fn circles_bayes_error(factor: f64, noise: f64) -> BayesError {
    if noise == 0.0 {
        return BayesError::bounded(0.0, 0.0);
    }
    if let Some(bayes) = separated(1.0 - factor, noise).or(indistinguishable(2.0, noise)) {
        return bayes;
    }
    let tail = (-0.5 * CUTOFF_SIGMAS * CUTOFF_SIGMAS).exp();
    let lo = (1.0 - CUTOFF_SIGMAS * noise).max(0.0);
    let hi = factor + CUTOFF_SIGMAS * noise;
    // ln f_inner − ln f_outer: positive below ρ*, negative above.
    let log_ratio = |rho: f64| {
        let (z_in, z_out) = ((rho - factor) / noise, (rho - 1.0) / noise);
        0.5 * (z_out * z_out - z_in * z_in) + libm::log(bessel_i0e(rho * factor / (noise * noise)))
            - libm::log(bessel_i0e(rho / (noise * noise)))
    };
    let crossing = if log_ratio(hi) >= 0.0 {
        hi
    } else if log_ratio(lo) <= 0.0 {
        lo
    } else {
        let (mut below, mut above) = (lo, hi);
        for _ in 0..200 {
            let mid = 0.5 * (below + above);
            if mid <= below || mid >= above {
                break;
            }
            if log_ratio(mid) > 0.0 {
                below = mid;
            } else {
                above = mid;
            }
        }
        0.5 * (below + above)
    };
    let integrate = |from: f64, to: f64, radius: f64, refine: usize| {
        if to <= from {
            return 0.0;
        }
        let n_panels = ((to - from) / noise).ceil().max(1.0) as usize * refine;
        let width = (to - from) / n_panels as f64;
        (0..n_panels)
            .map(|j| {
                let a = from + width * j as f64;
                gauss_legendre(a, a + width)
                    .iter()
                    .map(|&(rho, w)| w * rice(rho, radius, noise))
                    .sum::<f64>()
            })
            .sum::<f64>()
    };
    let both = |refine| {
        0.5 * (integrate(lo, crossing, 1.0, refine) + integrate(crossing, hi, factor, refine))
    };
    let (coarse, fine) = (both(1), both(2));
    BayesError::bounded(fine, (fine - coarse).abs() + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_branches_agree_and_match_pinned_values() {
        // e^{-κ}·I0(κ) for κ = 1, 10, 50, from mpmath (besseli(0, κ)·exp(−κ), 30 digits).
        assert!((bessel_i0e(0.0) - 1.0).abs() < 1e-16);
        for (kappa, expected) in [
            (1.0, 0.465_759_607_593_640_4),
            (10.0, 0.127_833_337_163_428_6),
            (50.0, 0.056_561_626_647_454_19),
        ] {
            let found = bessel_i0e(kappa);
            assert!((found - expected).abs() < 2e-16, "{kappa}: {found}");
        }
        // Around the switch, the trapezoid (also with four times the intervals) and the
        // series agree.
        for kappa in [30.0, 50.0, 70.0] {
            let series = i0e_series(kappa);
            for n in [24 + (9.0 * f64::sqrt(kappa)).ceil() as usize, 400] {
                let trapezoid = i0e_trapezoid(kappa, n);
                assert!(
                    (trapezoid - series).abs() < 4e-15 * series,
                    "{kappa}, {n}: {trapezoid} {series}"
                );
            }
        }
    }

    #[test]
    fn rice_density_integrates_to_one() {
        for (radius, noise) in [(1.0, 0.1), (0.5, 0.3), (0.3, 1.0)] {
            let hi = radius + 12.0 * noise;
            let n = 400;
            let total: f64 = (0..n)
                .flat_map(|j| {
                    gauss_legendre(hi * j as f64 / n as f64, hi * (j + 1) as f64 / n as f64)
                })
                .map(|(rho, w)| w * rice(rho, radius, noise))
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "{radius} {noise}: {total}");
        }
    }
}
