//! Pure numbers behind every axis and colour scale: ranges that survive NaN, ∞, constants
//! and zeros on a log axis; the log colour scale.
//!
//! Everything here works in *display space*: on a log axis a value `v` is placed at `log10 v`,
//! so the plotting code only ever builds linear plotters coordinates (see `axis.rs`),
//! and plotters' own range arithmetic (which asserts on NaN) never sees user data.

/// How values map onto an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Equal distances for equal differences.
    #[default]
    Linear,
    /// Equal distances for equal ratios (base 10). Values ≤ 0 cannot be placed and are dropped.
    Log,
}

/// Values beyond this magnitude are clamped before ranges are computed, so that
/// `max - min` (and the padding added to it) stays finite.
const MAGNITUDE_LIMIT: f64 = 1e300;

/// The smallest and largest finite values, clamped to ±1e300; `None` when there is none.
pub(crate) fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-MAGNITUDE_LIMIT, MAGNITUDE_LIMIT))
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Widens `[lo, hi]` by `fraction` of its span on each side; a (near-)constant range is
/// widened to `c ± 10 %` of its value, or `±1` around zero, so it never has zero width.
pub(crate) fn pad_range(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    let span = hi - lo;
    let magnitude = lo.abs().max(hi.abs());
    if span <= magnitude * 1e-12 || span == 0.0 {
        let centre = lo / 2.0 + hi / 2.0;
        let half = if centre == 0.0 {
            1.0
        } else {
            centre.abs() * 0.1
        };
        return (centre - half, centre + half);
    }
    (lo - span * fraction, hi + span * fraction)
}

/// The padded linear axis range of the finite `values` (5 % margin each side).
///
/// NaN and ±∞ are ignored; a constant series is padded so the range has width; `None` when no
/// value is finite.
pub(crate) fn linear_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    finite_bounds(values).map(|(lo, hi)| pad_range(lo, hi, 0.05))
}

/// The padded log axis range of the finite, positive `values`, as `(log10 lo, log10 hi)`.
///
/// Values ≤ 0, NaN and ±∞ are ignored; a constant series gets half a decade each side; `None`
/// when no value is finite and positive.
pub(crate) fn log_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = finite_bounds(values.into_iter().filter(|v| *v > 0.0))?;
    let (lo, hi) = (lo.log10(), hi.log10());
    if hi - lo < 1e-12 {
        return Some((lo - 0.5, hi + 0.5));
    }
    Some(pad_range(lo, hi, 0.05))
}

/// Where a data value lands on an axis of `scale`: `log10 v` on a log axis; `None` for a value
/// that cannot be drawn there (non-finite, or ≤ 0 on a log axis).
pub(crate) fn to_display(scale: Scale, value: f64) -> Option<f64> {
    match scale {
        Scale::Linear => value.is_finite().then_some(value),
        Scale::Log => (value.is_finite() && value > 0.0).then(|| value.log10()),
    }
}

/// Maps positive values to `[0, 1]` by their logarithm, between the smallest and largest
/// positive finite value seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LogColorScale {
    /// log10 of the value drawn with colour 0.
    pub(crate) log_min: f64,
    /// log10 of the value drawn with colour 1.
    pub(crate) log_max: f64,
}

impl LogColorScale {
    /// The scale spanning the finite, positive `values`; a single distinct value gets half a
    /// decade on each side; `None` when no value is finite and positive.
    pub(crate) fn from_values(values: impl IntoIterator<Item = f64>) -> Option<LogColorScale> {
        let (lo, hi) = finite_bounds(values.into_iter().filter(|v| *v > 0.0))?;
        let (log_min, log_max) = (lo.log10(), hi.log10());
        if log_max - log_min < 1e-12 {
            return Some(LogColorScale {
                log_min: log_min - 0.5,
                log_max: log_max + 0.5,
            });
        }
        Some(LogColorScale { log_min, log_max })
    }

    /// `(log10 v − log_min) / (log_max − log_min)`, clamped to `[0, 1]`.
    ///
    /// The trap: zero and negative values have no logarithm; they are *below* every positive
    /// value and get 0 (a gradient that vanished completely is drawn as the smallest).
    /// `+∞` gets 1. NaN gets `None` ("no data").
    pub(crate) fn normalize(&self, value: f64) -> Option<f64> {
        if value.is_nan() {
            return None;
        }
        if value <= 0.0 {
            return Some(0.0);
        }
        if value == f64::INFINITY {
            return Some(1.0);
        }
        let t = (value.log10() - self.log_min) / (self.log_max - self.log_min);
        Some(t.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn linear_range_ignores_nan_and_infinity() {
        let (lo, hi) =
            linear_range([f64::NAN, 0.0, f64::INFINITY, 10.0, f64::NEG_INFINITY]).unwrap();
        assert!(close(lo, -0.5) && close(hi, 10.5), "{lo} {hi}");
    }

    #[test]
    fn linear_range_of_nothing_drawable_is_none() {
        assert_eq!(linear_range([]), None);
        assert_eq!(linear_range([f64::NAN, f64::INFINITY]), None);
    }

    #[test]
    fn constant_ranges_are_padded() {
        let (lo, hi) = linear_range([5.0, 5.0, 5.0]).unwrap();
        assert!(close(lo, 4.5) && close(hi, 5.5));
        let (lo, hi) = linear_range([0.0]).unwrap();
        assert!(close(lo, -1.0) && close(hi, 1.0));
        let (lo, hi) = linear_range([-2.0]).unwrap();
        assert!(lo < -2.0 && hi > -2.0);
    }

    #[test]
    fn extreme_values_keep_a_finite_span() {
        let (lo, hi) = linear_range([-f64::MAX, f64::MAX]).unwrap();
        assert!(lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() && hi > lo);
    }

    #[test]
    fn log_range_ignores_non_positive_values() {
        let (lo, hi) = log_range([0.1, 10.0, 0.0, -3.0, f64::NAN, f64::INFINITY]).unwrap();
        assert!(close(lo, -1.1) && close(hi, 1.1), "{lo} {hi}");
        assert_eq!(log_range([0.0, -1.0, f64::NAN]), None);
    }

    #[test]
    fn constant_log_range_gets_half_a_decade() {
        let (lo, hi) = log_range([100.0, 100.0]).unwrap();
        assert!(close(lo, 1.5) && close(hi, 2.5));
    }

    #[test]
    fn display_positions() {
        assert_eq!(to_display(Scale::Linear, -3.0), Some(-3.0));
        assert_eq!(to_display(Scale::Linear, f64::NAN), None);
        assert_eq!(to_display(Scale::Log, 1000.0), Some(3.0));
        assert_eq!(to_display(Scale::Log, 0.0), None);
        assert_eq!(to_display(Scale::Log, -1.0), None);
    }

    #[test]
    fn log_color_scale_maps_decades_linearly() {
        let scale = LogColorScale::from_values([1e-6, 1e-2, 0.0, f64::NAN]).unwrap();
        assert!(close(scale.normalize(1e-4).unwrap(), 0.5));
        assert_eq!(scale.normalize(1e-6), Some(0.0));
        assert_eq!(scale.normalize(1e-2), Some(1.0));
    }

    #[test]
    fn log_color_scale_clamps_and_handles_nan() {
        let scale = LogColorScale::from_values([1.0, 100.0]).unwrap();
        assert_eq!(scale.normalize(1e-9), Some(0.0));
        assert_eq!(scale.normalize(1e9), Some(1.0));
        assert_eq!(scale.normalize(0.0), Some(0.0));
        assert_eq!(scale.normalize(-5.0), Some(0.0));
        assert_eq!(scale.normalize(f64::INFINITY), Some(1.0));
        assert_eq!(scale.normalize(f64::NAN), None);
    }

    #[test]
    fn log_color_scale_of_constant_or_nothing() {
        let scale = LogColorScale::from_values([3.0, 3.0]).unwrap();
        assert!(close(scale.normalize(3.0).unwrap(), 0.5));
        assert_eq!(LogColorScale::from_values([0.0, f64::NAN, -1.0]), None);
    }
}
