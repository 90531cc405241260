//! Axes in display space: range, tick positions and their labels, and the plotters
//! coordinate that places values along them.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::scale::{Scale, linear_range, log_range, to_display};

/// What the tick labels of an axis mean.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisKind {
    Linear,
    /// `decades`: every tick is a power of ten, labelled `10ᵏ`; otherwise ticks are labelled
    /// with their values.
    Log {
        decades: bool,
    },
    /// Category `i` sits at display position `i`.
    Categorical(Vec<String>),
}

/// One axis in display space: its range, tick positions and how to label them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub(crate) kind: AxisKind,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    /// Labelled ticks (display space).
    pub(crate) ticks: Vec<f64>,
    /// Unlabelled minor ticks (display space), drawn as light grid lines.
    pub(crate) minor: Vec<f64>,
    step: f64,
    /// Ticks only at whole numbers (for counts such as epochs).
    whole_numbers: bool,
}

impl Axis {
    /// A numeric axis over the display-space range `[lo, hi]` (already padded).
    pub(crate) fn numeric(scale: Scale, lo: f64, hi: f64) -> Axis {
        match scale {
            Scale::Linear => {
                let (ticks, step) = nice_ticks(lo, hi, 6);
                Axis {
                    kind: AxisKind::Linear,
                    lo,
                    hi,
                    ticks,
                    minor: Vec::new(),
                    step,
                    whole_numbers: false,
                }
            }
            Scale::Log => {
                let (ticks, minor) = log_ticks(lo, hi);
                Axis {
                    kind: AxisKind::Log {
                        decades: all_decades(&ticks),
                    },
                    lo,
                    hi,
                    ticks,
                    minor,
                    step: 1.0,
                    whole_numbers: false,
                }
            }
        }
    }

    /// The padded axis for `values` (data space) on `scale`; `None` when none can be drawn.
    pub(crate) fn fit(scale: Scale, values: impl IntoIterator<Item = f64>) -> Option<Axis> {
        let (lo, hi) = match scale {
            Scale::Linear => linear_range(values)?,
            Scale::Log => log_range(values)?,
        };
        Some(Axis::numeric(scale, lo, hi))
    }

    /// An axis with one tick per category name, at positions `0, 1, …`.
    pub(crate) fn categorical(names: Vec<String>) -> Axis {
        let n = names.len().max(1) as f64;
        Axis {
            ticks: (0..names.len()).map(|i| i as f64).collect(),
            kind: AxisKind::Categorical(names),
            lo: -0.5,
            hi: n - 0.5,
            minor: Vec::new(),
            step: 1.0,
            whole_numbers: true,
        }
    }

    /// This linear axis with ticks only at whole numbers (a step of at least 1), for counts
    /// such as epochs.
    pub(crate) fn whole_numbers(mut self) -> Axis {
        if self.kind == AxisKind::Linear {
            self.whole_numbers = true;
            if self.step < 1.0 {
                self.ticks = whole_ticks(self.lo, self.hi);
                self.step = 1.0;
            }
        }
        self
    }

    /// The scale data values go through before they are placed on this axis.
    pub(crate) fn scale(&self) -> Scale {
        match self.kind {
            AxisKind::Log { .. } => Scale::Log,
            AxisKind::Linear | AxisKind::Categorical(_) => Scale::Linear,
        }
    }

    /// The display position of a data value; `None` when it cannot be drawn on this axis.
    pub(crate) fn place(&self, value: f64) -> Option<f64> {
        to_display(self.scale(), value)
    }

    /// The label of the tick at display position `position`.
    pub(crate) fn label(&self, position: f64) -> String {
        match &self.kind {
            AxisKind::Linear => format_tick(position, self.step),
            AxisKind::Log { decades } => log_label(position, *decades),
            AxisKind::Categorical(names) => {
                let index = position.round();
                if index >= 0.0 && (index as usize) < names.len() {
                    names[index as usize].clone()
                } else {
                    String::new()
                }
            }
        }
    }

    /// This axis with fewer labelled ticks if its labels would collide along `room` pixels,
    /// where a label `text` needs `extent(text)` pixels along the axis. A linear axis gets a
    /// coarser round step; other axes keep every second, third, … tick. At least the first
    /// tick is always kept.
    pub(crate) fn thinned(&self, room: f64, extent: impl Fn(&str) -> f64) -> Axis {
        let fits = |ticks: &[f64]| {
            ticks.windows(2).all(|pair| {
                let spacing = (pair[1] - pair[0]) * room / (self.hi - self.lo);
                let needed = (extent(&self.label(pair[0])) + extent(&self.label(pair[1]))) / 2.0;
                spacing >= needed
            })
        };
        if fits(&self.ticks) {
            return self.clone();
        }
        if self.kind == AxisKind::Linear {
            let mut candidate = self.clone();
            for target in (1..=6).rev() {
                let (ticks, step) = nice_ticks(self.lo, self.hi, target);
                if self.whole_numbers && step < 1.0 {
                    continue;
                }
                candidate.ticks = ticks;
                candidate.step = step;
                if fits(&candidate.ticks) {
                    break;
                }
            }
            return candidate;
        }
        let mut candidate = self.clone();
        for stride in 1..=self.ticks.len().max(1) {
            candidate.ticks = self.ticks.iter().copied().step_by(stride).collect();
            if fits(&candidate.ticks) {
                break;
            }
        }
        candidate
    }

    /// The plotters coordinate for this axis, with our ticks as its key points.
    pub(crate) fn coord(&self) -> AxisCoord {
        AxisCoord {
            lo: self.lo,
            hi: self.hi,
            ticks: self.ticks.clone(),
            minor: self.minor.clone(),
        }
    }
}

/// A linear plotters coordinate over display space whose key points are our ticks.
///
/// Its mapping is plain arithmetic with saturating casts, so even a stray NaN or ±∞ lands on
/// the edge of the chart instead of tripping an assertion.
#[derive(Debug, Clone)]
pub(crate) struct AxisCoord {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    minor: Vec<f64>,
}

impl Ranged for AxisCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        let pixels = t * f64::from(limit.1 - limit.0);
        limit.0.saturating_add(pixels.round() as i32)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Evenly spaced ticks inside `[lo, hi]` at multiples of a step of 1, 2 or 5 × 10ᵏ, the step
/// that makes about `target` intervals; with the step used.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 1.0);
    }
    let target = target.max(1) as f64;
    let magnitude = 10f64.powf((span / target).log10().floor());
    // The round step whose number of intervals is closest to the target.
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .min_by(|a, b| {
            let miss = |step: f64| (span / step - target).abs();
            miss(*a).total_cmp(&miss(*b))
        })
        .unwrap_or(magnitude);
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    let ticks = (0..)
        .map(|k| (first + k as f64) * step)
        .take_while(|t| *t <= last * step + step * 1e-9)
        .take(100)
        .map(|t| if t.abs() < step * 1e-9 { 0.0 } else { t })
        .collect();
    (ticks, step)
}

/// The whole numbers in `[lo, hi]` (at most 100).
fn whole_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let first = lo.ceil();
    (0..100)
        .map(|k| first + f64::from(k))
        .take_while(|t| *t <= hi)
        .collect()
}

/// Ticks of a log axis over `[lo, hi]` in log10 units: labelled decades (every 2nd or 3rd when
/// there are many), or 1-2-5 positions when fewer than two decades fit; minor ticks at the
/// integers 2…9 of each decade when the axis spans at most six decades.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], Vec::new());
    }
    let first = lo.ceil() as i64;
    let last = hi.floor() as i64;
    let n_decades = (last - first + 1).max(0);
    let stride = (n_decades / 8 + 1).max(1);
    let decades: Vec<f64> = (first..=last)
        .filter(|k| (k - first) % stride == 0)
        .map(|k| k as f64)
        .collect();
    let in_range = |t: &f64| *t >= lo - 1e-12 && *t <= hi + 1e-12;
    let multiples = |ms: &[f64]| -> Vec<f64> {
        ((lo.floor() as i64)..=(hi.ceil() as i64))
            .flat_map(|k| ms.iter().map(move |m| k as f64 + m.log10()))
            .filter(in_range)
            .collect()
    };
    let minor = if span <= 6.0 {
        multiples(&[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    } else {
        Vec::new()
    };
    if decades.len() >= 2 {
        return (decades, minor);
    }
    let one_two_five = multiples(&[1.0, 2.0, 5.0]);
    if one_two_five.len() >= 2 {
        return (one_two_five, minor);
    }
    let all = multiples(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    if all.len() >= 2 {
        return (all, Vec::new());
    }
    // Less than a factor of two: evenly spaced positions labelled with their values.
    (nice_ticks(lo, hi, 4).0, Vec::new())
}

/// A linear tick label: as many decimals as the step needs; scientific notation for very large
/// or very small magnitudes; never `-0`.
pub(crate) fn format_tick(value: f64, step: f64) -> String {
    let value = if value.abs() < step.abs() * 1e-9 {
        0.0
    } else {
        value
    };
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e5).contains(&magnitude) {
        let digits = (magnitude.log10().floor() - step.abs().log10().floor()).clamp(0.0, 6.0);
        return format!("{:.*e}", digits as usize, value);
    }
    let decimals = (-(step.abs().log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize;
    format!("{value:.decimals$}")
}

/// `true` when every tick (log10 units) is a whole power of ten.
pub(crate) fn all_decades(ticks: &[f64]) -> bool {
    ticks.iter().all(|t| (t - t.round()).abs() < 1e-9)
}

/// The label of the log tick at `position` (log10 units): `10ᵏ` when the axis is labelled in
/// decades, otherwise the value with up to three significant digits (so one axis never mixes
/// `10⁻¹` with `0.2`).
pub(crate) fn log_label(position: f64, decades: bool) -> String {
    if decades {
        format!("10{}", superscript(position.round() as i64))
    } else {
        format_value(10f64.powf(position))
    }
}

/// A value with up to three significant digits, in plain or (for magnitudes below 10⁻³ or from
/// 10⁵ on) scientific notation, without trailing zeros.
pub(crate) fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs();
    if !(1e-3..1e5).contains(&magnitude) {
        let text = format!("{value:.2e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => text,
        };
    }
    let integer_digits = magnitude.log10().floor() as i32 + 1;
    let decimals = (3 - integer_digits).max(0) as usize;
    trim_zeros(&format!("{value:.decimals$}"))
}

/// `"1.500"` → `"1.5"`, `"2.000"` → `"2"`; integers are left alone.
fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// `k` in Unicode superscript digits, e.g. `-3` → `⁻³`.
pub(crate) fn superscript(k: i64) -> String {
    k.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn nice_ticks_use_round_steps() {
        let (ticks, step) = nice_ticks(-0.3, 10.4, 5);
        assert!(close(step, 2.0));
        assert_eq!(ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let (ticks, step) = nice_ticks(0.0, 1.0, 6);
        assert!(close(step, 0.2));
        assert_eq!(ticks.len(), 6);
    }

    #[test]
    fn log_ticks_are_decades_when_two_fit() {
        let (ticks, minor) = log_ticks(-3.2, 0.1);
        assert_eq!(ticks, vec![-3.0, -2.0, -1.0, 0.0]);
        assert!(minor.iter().any(|m| close(*m, -3.0 + 2f64.log10())));
        let (ticks, _) = log_ticks(0.1, 0.9);
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert!(ticks.iter().all(|t| (0.1..=0.9).contains(t)));
    }

    #[test]
    fn tick_labels() {
        assert_eq!(format_tick(0.4, 0.2), "0.4");
        assert_eq!(format_tick(-1e-17, 0.2), "0.0");
        assert_eq!(format_tick(0.0, 5.0), "0");
        assert_eq!(format_tick(150.0, 50.0), "150");
        assert_eq!(format_tick(2e-5, 1e-5), "2e-5");
        assert_eq!(log_label(-3.0, true), "10⁻³");
        assert_eq!(log_label(2.0, true), "10²");
        assert_eq!(log_label(2f64.log10(), false), "2");
        assert_eq!(log_label(-1.0, false), "0.1");
        assert_eq!(format_value(0.0012345), "0.00123");
        assert_eq!(format_value(1.5), "1.5");
        assert_eq!(format_value(12.345), "12.3");
        assert_eq!(format_value(2e-5), "2e-5");
    }

    #[test]
    fn a_log_axis_never_mixes_decades_and_values() {
        let narrow = Axis::numeric(Scale::Log, -1.4, -0.6);
        let labels: Vec<String> = narrow.ticks.iter().map(|t| narrow.label(*t)).collect();
        assert!(labels.iter().all(|l| !l.contains('⁻')), "{labels:?}");
        let wide = Axis::numeric(Scale::Log, -3.5, 0.5);
        let labels: Vec<String> = wide.ticks.iter().map(|t| wide.label(*t)).collect();
        assert!(labels.iter().all(|l| l.starts_with("10")), "{labels:?}");
    }

    #[test]
    fn thinning_keeps_labels_apart() {
        let axis = Axis::numeric(Scale::Linear, 0.0, 1.0);
        assert_eq!(axis.ticks.len(), 6);
        // 100 pixels, 30 pixels per label: at most 3 labels.
        let thin = axis.thinned(100.0, |_| 30.0);
        assert!(
            thin.ticks.len() <= 3 && !thin.ticks.is_empty(),
            "{:?}",
            thin.ticks
        );
        assert_eq!(axis.thinned(1000.0, |_| 30.0).ticks, axis.ticks);
        let names = (0..40).map(|i| i.to_string()).collect();
        let layers = Axis::categorical(names).thinned(200.0, |_| 20.0);
        assert!(
            layers.ticks.len() <= 10 && layers.ticks[0] == 0.0,
            "{:?}",
            layers.ticks
        );
    }

    #[test]
    fn whole_number_axes_never_tick_between_integers() {
        let axis = Axis::numeric(Scale::Linear, -0.5, 3.5).whole_numbers();
        assert_eq!(axis.ticks, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(axis.label(2.0), "2");
        let thin = axis.thinned(40.0, |_| 15.0);
        assert!(
            thin.ticks.iter().all(|t| t.fract() == 0.0),
            "{:?}",
            thin.ticks
        );
        let wide = Axis::numeric(Scale::Linear, 0.0, 1000.0).whole_numbers();
        assert_eq!(wide.ticks, Axis::numeric(Scale::Linear, 0.0, 1000.0).ticks);
    }

    #[test]
    fn categorical_axis_labels_its_positions() {
        let axis = Axis::categorical(vec!["relu".into(), "tanh".into()]);
        assert_eq!((axis.lo, axis.hi), (-0.5, 1.5));
        assert_eq!(axis.label(1.0), "tanh");
        assert_eq!(axis.label(7.0), "");
    }
}
