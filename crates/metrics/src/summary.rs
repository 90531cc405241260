//! One metric across runs (seeds, folds): mean ± standard deviation, median and quartiles,
//! and which of the two a quantity is reported with ([`Statistic`]).

use std::fmt;

use core_linalg::kernels;
use serde::Serialize;

use crate::{Argument, MetricsError, validate};

/// Which statistic summarises a quantity across seeds, chosen by the scale it is read on.
///
/// The trap it avoids: on a log scale one seed that ends decades away from the others drags
/// the mean to a value no seed has (four losses near 1e-5 and one at 0.41 have a mean of
/// 0.08), and `mean − std` falls below zero, off a log axis. The median and the quartiles
/// move with the bulk of the seeds instead, and stay positive for positive values.
///
/// # Example
/// ```
/// use metrics::{Statistic, Summary};
/// let losses = Summary::from_values(&[1.1e-5, 0.9e-5, 1.0e-5, 1.2e-5, 0.41])?;
/// assert_eq!(losses.centre(Statistic::MedianIqr), 1.1e-5);
/// assert_eq!(losses.interval(Statistic::MedianIqr), (1.0e-5, 1.2e-5));
/// assert_eq!(Statistic::MedianIqr.name(), "median [Q1, Q3]");
/// # Ok::<(), metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Mean ± sample standard deviation: for quantities read on a linear scale and bounded,
    /// such as precision, recall, F1, accuracy and ROC AUC (all in `[0, 1]`), where no seed
    /// can lie orders of magnitude from the others.
    MeanSd,
    /// Median with the interquartile range `[Q1, Q3]`: for quantities read on a log scale
    /// (losses, epochs, gradient norms, curvature), where seeds can differ by decades.
    MedianIqr,
}

impl Statistic {
    /// How a table header names it: `mean ± sd` or `median [Q1, Q3]`.
    pub const fn name(self) -> &'static str {
        match self {
            Statistic::MeanSd => "mean ± sd",
            Statistic::MedianIqr => "median [Q1, Q3]",
        }
    }

    /// The centre alone, in words: `mean` or `median`.
    pub const fn centre_name(self) -> &'static str {
        match self {
            Statistic::MeanSd => "mean",
            Statistic::MedianIqr => "median",
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Count, mean, sample standard deviation, quartiles, minimum and maximum of a metric across
/// runs.
///
/// `mean = (1/n) Σ xᵢ` and `std = √( Σ (xᵢ − mean)² / (n − 1) )`, the *sample* standard
/// deviation (Bessel's correction, numpy's `ddof=1`), because the runs are a sample of the seeds
/// one could have used. The trap: with a single value there is no spread to estimate, and `std`
/// is defined as 0.0 rather than NaN.
///
/// **Quartiles** are Hyndman and Fan's type 7 (linear interpolation between order
/// statistics; numpy's default `np.quantile`, R's default `quantile`): with the values sorted
/// as `x₀ ≤ … ≤ xₙ₋₁`, the `p`-quantile is `x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋₊₁ − x_⌊h⌋)` at
/// `h = (n − 1)·p`. So `q1` (p = 0.25), `median` (p = 0.5) and `q3` (p = 0.75) of
/// `[1, 2, 3, 4]` are 1.75, 2.5 and 3.25; of five values, `q1` and `q3` are the second and
/// fourth smallest exactly. Values are sorted with `total_cmp`. Which of the two summaries a
/// quantity is reported with is a [`Statistic`].
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
/// assert_eq!((accuracies.min, accuracies.median, accuracies.max), (0.9945, 0.9957, 0.9969));
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
    /// First quartile (type 7, see [`Summary`]).
    pub q1: f64,
    /// Median (the type-7 0.5-quantile: the middle value, or the mean of the two middle ones).
    pub median: f64,
    /// Third quartile (type 7).
    pub q3: f64,
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
    /// let s = Summary::from_values(&[4.0, 1.0, 3.0, 2.0])?;
    /// assert_eq!((s.mean, s.min, s.max), (2.5, 1.0, 4.0));
    /// assert_eq!((s.q1, s.median, s.q3), (1.75, 2.5, 3.25));
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
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (min, max) = (sorted[0], sorted[n - 1]);

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
            q1: quantile_of_sorted(&sorted, 0.25),
            median: quantile_of_sorted(&sorted, 0.5),
            q3: quantile_of_sorted(&sorted, 0.75),
            max,
        })
    }

    /// The centre under `statistic`: the mean, or the median.
    pub fn centre(&self, statistic: Statistic) -> f64 {
        match statistic {
            Statistic::MeanSd => self.mean,
            Statistic::MedianIqr => self.median,
        }
    }

    /// The spread under `statistic` as `(low, high)`: `mean ∓ std`, or `(q1, q3)`. This is
    /// what an error bar spans; `mean − std` can fall below `min` (and below zero), the
    /// quartiles never leave `[min, max]`.
    pub fn interval(&self, statistic: Statistic) -> (f64, f64) {
        match statistic {
            Statistic::MeanSd => (self.mean - self.std, self.mean + self.std),
            Statistic::MedianIqr => (self.q1, self.q3),
        }
    }
}

/// The type-7 `p`-quantile of finite values sorted ascending (not empty), `p` in `[0, 1]`.
/// Interpolates as `a·(1 − f) + b·f` when `b − a` overflows, and stays within `[a, b]`.
fn quantile_of_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let fraction = h - below as f64;
    let a = sorted[below];
    let Some(&b) = sorted.get(below + 1).filter(|_| fraction > 0.0) else {
        return a;
    };
    let gap = b - a;
    let value = if gap.is_finite() {
        a + fraction * gap
    } else {
        a * (1.0 - fraction) + b * fraction
    };
    value.clamp(a, b)
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
    fn quartiles_of_opposite_extremes_stay_finite() {
        // b − a overflows: the interpolation falls back to a·(1 − f) + b·f.
        let s = Summary::from_values(&[-f64::MAX, f64::MAX]).unwrap();
        assert_eq!(s.median, 0.0);
        let half = f64::MAX / 2.0;
        assert!((s.q1 + half).abs() <= half * 1e-15, "{}", s.q1);
        assert!((s.q3 - half).abs() <= half * 1e-15, "{}", s.q3);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let sorted = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_of_sorted(&sorted, 0.0), 1.0);
        assert_eq!(quantile_of_sorted(&sorted, 1.0), 8.0);
        // h = 3 · 0.5 = 1.5: halfway between 2 and 4.
        assert_eq!(quantile_of_sorted(&sorted, 0.5), 3.0);
        // h = 3 · 0.25 = 0.75: three quarters of the way from 1 to 2.
        assert_eq!(quantile_of_sorted(&sorted, 0.25), 1.75);
        assert_eq!(quantile_of_sorted(&[5.0], 0.75), 5.0);
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
