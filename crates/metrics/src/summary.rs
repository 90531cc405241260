//! Mean ± standard deviation of one metric across runs (seeds, folds).

use std::fmt;

use core_linalg::kernels;
use serde::Serialize;

use crate::{Argument, MetricsError, validate};

/// Count, mean, sample standard deviation, minimum and maximum of a metric across runs.
///
/// `mean = (1/n) Σ xᵢ` and `std = √( Σ (xᵢ − mean)² / (n − 1) )`, the *sample* standard
/// deviation (Bessel's correction, numpy's `ddof=1`), because the runs are a sample of the seeds
/// one could have used. The trap: with a single value there is no spread to estimate, and `std`
/// is defined as 0.0 rather than NaN.
///
/// Both sums use the fixed order of [`core_linalg::kernels::sum`], so a summary is bit-identical
/// from run to run. They are taken over the values scaled by a power of two (an exact operation
/// that leaves ordinary results unchanged), so huge but finite values cannot overflow the mean.
/// The mean is clamped into `[min, max]`, where the exact mean lies, so rounding can never
/// place it outside, and a constant series has `std` exactly 0. `std` is `+∞` only when the
/// true standard deviation exceeds `f64::MAX`.
///
/// `Display` prints `mean ± std` with 4 decimal places, or with the formatter's precision:
///
/// # Example
/// ```
/// use metrics::Summary;
/// let accuracies = Summary::from_values(&[0.9945, 0.9957, 0.9969])?;
/// assert_eq!(accuracies.n, 3);
/// assert_eq!(accuracies.to_string(), "0.9957 ± 0.0012");
/// assert_eq!(format!("{accuracies:.2}"), "1.00 ± 0.00");
/// # Ok::<(), metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Number of values, at least 1.
    pub n: usize,
    /// Arithmetic mean, within `[min, max]`.
    pub mean: f64,
    /// Sample standard deviation (`n − 1` denominator); 0.0 when `n = 1`.
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarises a series of finite values; see [`Summary`] for the formulas.
    ///
    /// # Errors
    /// [`MetricsError::Empty`] for an empty slice, and [`MetricsError::NonFinite`] naming the
    /// index and value of the first NaN or infinite value (a diverged run's loss, say, should be
    /// reported as diverged, not averaged).
    ///
    /// # Example
    /// ```
    /// use metrics::Summary;
    /// let s = Summary::from_values(&[1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!((s.mean, s.min, s.max), (2.5, 1.0, 4.0));
    /// assert!((s.std - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    /// assert_eq!(Summary::from_values(&[0.7])?.std, 0.0);
    /// assert!(Summary::from_values(&[1.0, f64::NAN]).is_err());
    /// # Ok::<(), metrics::MetricsError>(())
    /// ```
    pub fn from_values(values: &[f64]) -> Result<Self, MetricsError> {
        if values.is_empty() {
            return Err(MetricsError::Empty {
                argument: Argument::Values,
            });
        }
        validate::check_finite(Argument::Values, values)?;
        let n = values.len();
        let (min, max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });

        let scale = power_of_two_at_most(min.abs().max(max.abs()));
        let mut scaled: Vec<f64> = values.iter().map(|v| v / scale).collect();
        let mean = (kernels::sum(&scaled) / n as f64).clamp(min / scale, max / scale);
        let std = if n == 1 {
            0.0
        } else {
            for v in &mut scaled {
                *v = (*v - mean) * (*v - mean);
            }
            (kernels::sum(&scaled) / (n - 1) as f64).sqrt() * scale
        };
        Ok(Summary {
            n,
            mean: mean * scale,
            std,
            min,
            max,
        })
    }
}

/// The largest power of two not above `x` for a normal `x`, else 1.0 (zero and subnormal
/// values cannot overflow and need no scaling). Dividing by it is exact.
fn power_of_two_at_most(x: f64) -> f64 {
    const EXPONENT_BITS: u64 = 0x7ff0_0000_0000_0000;
    if x.is_normal() {
        f64::from_bits(x.to_bits() & EXPONENT_BITS)
    } else {
        1.0
    }
}

impl fmt::Display for Summary {
    /// `mean ± std`, each with the formatter's precision (default 4 decimal places).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = f.precision().unwrap_or(4);
        write!(f, "{:.digits$} ± {:.digits$}", self.mean, self.std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_a_power_of_two() {
        assert_eq!(power_of_two_at_most(4.0), 4.0);
        assert_eq!(power_of_two_at_most(0.9957), 0.5);
        assert_eq!(power_of_two_at_most(f64::MAX), 2f64.powi(1023));
        assert_eq!(power_of_two_at_most(0.0), 1.0);
        assert_eq!(power_of_two_at_most(5e-324), 1.0);
    }

    #[test]
    fn huge_values_do_not_overflow_the_mean() {
        let s = Summary::from_values(&[f64::MAX, f64::MAX, f64::MAX]).unwrap();
        assert_eq!((s.mean, s.std), (f64::MAX, 0.0));
        let s = Summary::from_values(&[1e308, -1e308]).unwrap();
        assert_eq!(s.mean, 0.0);
        assert!((s.std - 2f64.sqrt() * 1e308).abs() <= 1e293);
    }

    #[test]
    fn mean_stays_within_range() {
        // Naively, (0.1 + 0.1 + 0.1) / 3 = 0.10000000000000002 > 0.1.
        let s = Summary::from_values(&[0.1, 0.1, 0.1]).unwrap();
        assert_eq!((s.mean, s.std), (0.1, 0.0));
    }

    #[test]
    fn display_uses_requested_digits() {
        let s = Summary::from_values(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.to_string(), "2.5000 ± 1.2910");
        assert_eq!(format!("{s:.1}"), "2.5 ± 1.3");
        assert_eq!(format!("{s:.0}"), "2 ± 1");
    }
}
