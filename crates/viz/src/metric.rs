//! A metric against a swept parameter: every seed, the caller's summary across seeds (a
//! [`Band`]), and an optional reference.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::Axis;
use crate::band::Band;
use crate::chart::{self, LegendEntry, Swatch};
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::scale::{Scale, finite_bounds, pad_range, to_display};
use crate::style::{self, TITLE_SIZE};
use crate::{PlotOutcome, VizError};

/// The values of a swept parameter, in sweep order.
#[derive(Debug, Clone, PartialEq)]
pub enum ParameterValues {
    /// Numbers, placed on a linear or log axis (e.g. learning rates, widths).
    Numeric(Vec<f64>),
    /// Names, placed side by side in the given order (e.g. activation functions).
    Categorical(Vec<String>),
}

impl ParameterValues {
    fn len(&self) -> usize {
        match self {
            ParameterValues::Numeric(values) => values.len(),
            ParameterValues::Categorical(names) => names.len(),
        }
    }
}

/// What [`metric_vs_parameter`] draws.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSpec {
    /// Drawn above the chart (nothing when empty).
    pub title: String,
    /// The x-axis description, e.g. `"learning rate"`.
    pub x_label: String,
    /// The y-axis description, e.g. `"test F1"`.
    pub y_label: String,
    /// The swept values.
    pub parameter: ParameterValues,
    /// For each swept value, the metric of every seed (same length as `parameter`).
    pub measured: Vec<Vec<f64>>,
    /// For each swept value, the summary across its seeds (same length as `parameter`;
    /// `None` where there is none), when the caller gives one.
    pub bands: Option<Vec<Option<Band>>>,
    /// The legend text of the bands, naming the statistic (e.g. `"median [Q1, Q3]"`).
    pub measured_label: String,
    /// For each swept value, a value to compare with (e.g. the original project's), if any.
    pub reference: Option<Vec<f64>>,
    /// The legend text of the reference series (default `"original project"`).
    pub reference_label: String,
    /// The x scale of a numeric parameter (a categorical one must stay `Linear`).
    pub x_scale: Scale,
    /// The y scale.
    pub y_scale: Scale,
    /// Width and height in pixels (default 800 × 520; at least 320 × 240).
    pub size: (u32, u32),
}

impl MetricSpec {
    /// `measured[i]` (one value per seed) against `parameter[i]`, on linear axes, without a
    /// summary until [`MetricSpec::with_bands`] gives one.
    pub fn new(
        title: impl Into<String>,
        parameter: ParameterValues,
        measured: Vec<Vec<f64>>,
    ) -> MetricSpec {
        MetricSpec {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            parameter,
            measured,
            bands: None,
            measured_label: String::new(),
            reference: None,
            reference_label: "original project".into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            size: (800, 520),
        }
    }

    /// Sets the axis descriptions.
    pub fn with_axis_labels(mut self, x: impl Into<String>, y: impl Into<String>) -> MetricSpec {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Adds reference values (one per swept value) drawn as open squares.
    pub fn with_reference(mut self, label: impl Into<String>, values: Vec<f64>) -> MetricSpec {
        self.reference_label = label.into();
        self.reference = Some(values);
        self
    }

    /// Adds the summary across seeds at each swept value (one per value, `None` where there
    /// is none), drawn bold with its error bar; `label` names the statistic in the legend,
    /// e.g. `"this study, median [Q1, Q3]"`.
    pub fn with_bands(mut self, label: impl Into<String>, bands: Vec<Option<Band>>) -> MetricSpec {
        self.measured_label = label.into();
        self.bands = Some(bands);
        self
    }

    /// Sets the x scale (log for learning rates).
    pub fn with_x_scale(mut self, scale: Scale) -> MetricSpec {
        self.x_scale = scale;
        self
    }

    /// Sets the y scale.
    pub fn with_y_scale(mut self, scale: Scale) -> MetricSpec {
        self.y_scale = scale;
        self
    }

    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> MetricSpec {
        self.size = (width, height);
        self
    }
}

/// Draws a metric against a swept parameter: each seed as a faint dot, the caller's summary
/// across seeds ([`MetricSpec::with_bands`]) as a filled circle with an error bar from its
/// `low` to its `high`, and the optional reference values as open squares.
///
/// Numeric parameters' centres are joined by lines in sweep order; categorical ones are not.
/// Values that cannot be placed (non-finite, or ≤ 0 on a log axis) are dropped and counted; a
/// band whose centre cannot be placed is dropped too. On a log y axis an error bar reaching
/// below the axis (a `low` ≤ 0) is cut at its bottom.
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`]; [`VizError::LengthMismatch`]
/// when `measured`, `bands` or `reference` does not have one entry per swept value;
/// [`VizError::InvalidSetting`] for a log x scale with a categorical parameter;
/// [`VizError::Write`]. Nothing drawable gives `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{Band, MetricSpec, ParameterValues, Scale, metric_vs_parameter};
///
/// let spec = MetricSpec::new(
///     "F1 by learning rate",
///     ParameterValues::Numeric(vec![0.001, 0.01, 0.1]),
///     vec![vec![0.61, 0.64], vec![0.80, 0.84], vec![0.90, 0.88]],
/// )
/// .with_bands(
///     "this study, mean ± sd",
///     vec![Some(Band::new(0.625, 0.60, 0.65)), Some(Band::new(0.82, 0.79, 0.85)), None],
/// )
/// .with_axis_labels("learning rate", "test F1")
/// .with_x_scale(Scale::Log)
/// .with_reference("original project", vec![0.6, 0.8, 0.9]);
/// let path = std::env::temp_dir().join("viz-doc-metric.svg");
/// assert!(metric_vs_parameter(&path, &spec)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn metric_vs_parameter(
    path: impl AsRef<Path>,
    spec: &MetricSpec,
) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (320, 240))?;
    check(&target, spec)?;
    let figure = prepare(spec);
    match figure {
        Some(figure) => {
            target.write(&figure)?;
            Ok(PlotOutcome::Written {
                n_dropped: figure.n_dropped,
            })
        }
        None => Ok(PlotOutcome::skipped(
            "no swept value has a drawable metric or reference value",
        )),
    }
}

fn check(target: &Target, spec: &MetricSpec) -> Result<(), VizError> {
    let n = spec.parameter.len();
    let lengths = [
        ("measured", Some(spec.measured.len())),
        ("bands", spec.bands.as_ref().map(Vec::len)),
        ("reference", spec.reference.as_ref().map(Vec::len)),
    ];
    for (field, length) in lengths {
        if let Some(found) = length
            && found != n
        {
            return Err(VizError::LengthMismatch {
                path: target.path.clone(),
                field: field.to_string(),
                expected: n,
                found,
                per: "swept parameter value",
            });
        }
    }
    if matches!(spec.parameter, ParameterValues::Categorical(_)) && spec.x_scale == Scale::Log {
        return Err(target.invalid(
            "x_scale",
            "Log",
            "Scale::Linear for a categorical parameter (names have no logarithm)",
        ));
    }
    Ok(())
}

/// One swept value as drawn: x in display space, values in data space.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    x: f64,
    /// The drawable value of each seed.
    seeds: Vec<f64>,
    /// The caller's summary, when its centre is drawable.
    band: Option<Band>,
    reference: Option<f64>,
}

struct MetricFigure {
    title: String,
    x_label: String,
    y_label: String,
    x: Axis,
    y: Axis,
    columns: Vec<Column>,
    joined: bool,
    legend: Vec<LegendEntry>,
    n_dropped: usize,
}

fn prepare(spec: &MetricSpec) -> Option<MetricFigure> {
    let x_positions: Vec<Option<f64>> = match &spec.parameter {
        ParameterValues::Numeric(values) => values
            .iter()
            .map(|v| to_display(spec.x_scale, *v))
            .collect(),
        ParameterValues::Categorical(names) => (0..names.len()).map(|i| Some(i as f64)).collect(),
    };
    let drawable = |v: &f64| to_display(spec.y_scale, *v).is_some();
    let mut n_dropped = 0;
    let mut columns = Vec::new();
    for (i, x) in x_positions.iter().enumerate() {
        let reference = spec.reference.as_ref().map(|r| r[i]);
        let band = spec.bands.as_ref().and_then(|b| b[i]);
        let n_values =
            spec.measured[i].len() + usize::from(reference.is_some()) + usize::from(band.is_some());
        let Some(x) = *x else {
            n_dropped += n_values;
            continue;
        };
        let seeds: Vec<f64> = spec.measured[i].iter().copied().filter(drawable).collect();
        let reference = reference.filter(drawable);
        let band = band.filter(|b| drawable(&b.centre));
        n_dropped +=
            n_values - seeds.len() - usize::from(reference.is_some()) - usize::from(band.is_some());
        columns.push(Column {
            x,
            band,
            seeds,
            reference,
        });
    }
    if columns
        .iter()
        .all(|c| c.seeds.is_empty() && c.band.is_none() && c.reference.is_none())
    {
        return None;
    }
    let y_values = columns.iter().flat_map(|c| {
        let bar = c.band.map(|b| [b.low, b.centre, b.high]);
        c.seeds
            .iter()
            .copied()
            .chain(bar.into_iter().flatten())
            .chain(c.reference)
    });
    let y = Axis::fit(spec.y_scale, y_values)?;
    let x = match &spec.parameter {
        ParameterValues::Categorical(names) => Axis::categorical(names.clone()),
        ParameterValues::Numeric(_) => {
            let (lo, hi) = finite_bounds(columns.iter().map(|c| c.x))?;
            let (lo, hi) = pad_range(lo, hi, 0.08);
            Axis::numeric(spec.x_scale, lo, hi)
        }
    };
    let color = style::group_color(0);
    let mut legend = Vec::new();
    if columns.iter().any(|c| c.band.is_some()) {
        legend.push(LegendEntry::new(
            Swatch::Dot(color),
            spec.measured_label.clone(),
        ));
    }
    legend.push(LegendEntry::new(
        Swatch::Dot(style::faded(color, 0.35)),
        "single seeds",
    ));
    if columns.iter().any(|c| c.reference.is_some()) {
        legend.push(LegendEntry::new(
            Swatch::Square(style::group_color(1)),
            spec.reference_label.clone(),
        ));
    }
    Some(MetricFigure {
        title: spec.title.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        x,
        y,
        joined: matches!(spec.parameter, ParameterValues::Numeric(_)),
        columns,
        legend,
        n_dropped,
    })
}

impl Figure for MetricFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let body = chart::titled(root, &self.title, TITLE_SIZE)?;
        let width = body.dim_in_pixel().0;
        let legend_width = chart::legend_width(&body, None, &self.legend, width * 2 / 5)?;
        let (plot, legend_area) = body.split_horizontally(width - legend_width);
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let mut chart = chart::chart(&plot, &self.x, &self.y, labels, true, look)?;
        let measured = style::group_color(0);
        let reference = style::group_color(1);
        // Bar ends that cannot be placed (≤ 0 on a log axis) are cut at the bottom.
        let place = |v: f64| {
            self.y
                .place(v)
                .unwrap_or(self.y.lo)
                .clamp(self.y.lo, self.y.hi)
        };
        let centres: Vec<(f64, f64)> = self
            .columns
            .iter()
            .filter_map(|c| c.band.map(|b| (c.x, place(b.centre))))
            .collect();
        let references: Vec<(f64, f64)> = self
            .columns
            .iter()
            .filter_map(|c| c.reference.map(|r| (c.x, place(r))))
            .collect();
        if self.joined {
            chart.draw_series(LineSeries::new(centres.clone(), measured.stroke_width(2)))?;
            chart.draw_series(DashedLineSeries::new(
                references.clone(),
                6,
                5,
                reference.stroke_width(1),
            ))?;
        }
        chart.draw_series(self.columns.iter().flat_map(|c| {
            let seed_color = style::faded(measured, 0.35);
            c.seeds
                .iter()
                .map(move |s| Circle::new((c.x, place(*s)), 3, seed_color.filled()))
        }))?;
        chart.draw_series(self.columns.iter().filter_map(|c| {
            let band = c.band?;
            (band.high > band.low).then(|| {
                ErrorBar::new_vertical(
                    c.x,
                    place(band.low),
                    place(band.centre),
                    place(band.high),
                    measured.stroke_width(2),
                    12,
                )
            })
        }))?;
        chart.draw_series(
            centres
                .iter()
                .map(|p| Circle::new(*p, 5, measured.filled())),
        )?;
        chart.draw_series(references.iter().map(|p| {
            EmptyElement::at(*p) + Rectangle::new([(-6, -6), (6, 6)], reference.stroke_width(2))
        }))?;
        chart::draw_legend(&legend_area, None, &self.legend, 12, look)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_the_finite_seeds_and_the_given_bands() {
        let band = Band::new(2.0, 1.0, 3.0);
        let spec = MetricSpec::new(
            "t",
            ParameterValues::Numeric(vec![0.1, 1.0]),
            vec![vec![1.0, 3.0, f64::NAN], vec![f64::NAN]],
        )
        .with_bands(
            "median [Q1, Q3]",
            vec![Some(band), Some(Band::point(f64::NAN))],
        )
        .with_x_scale(Scale::Log);
        let figure = prepare(&spec).unwrap();
        assert_eq!(figure.columns[0].x, -1.0);
        assert_eq!(figure.columns[0].seeds, vec![1.0, 3.0]);
        assert_eq!(figure.columns[0].band, Some(band));
        assert_eq!(figure.columns[1].band, None);
        // One NaN seed in each column and the undrawable band.
        assert_eq!(figure.n_dropped, 3);
        assert_eq!(figure.legend.len(), 2);
    }

    #[test]
    fn without_bands_only_the_seeds_are_drawn() {
        let spec = MetricSpec::new(
            "t",
            ParameterValues::Numeric(vec![1.0, 2.0]),
            vec![vec![0.5], vec![0.7, 0.8]],
        );
        let figure = prepare(&spec).unwrap();
        assert!(figure.columns.iter().all(|c| c.band.is_none()));
        assert_eq!(figure.legend.len(), 1, "only the seeds are in the legend");
    }

    #[test]
    fn non_positive_parameters_are_dropped_on_a_log_axis() {
        let spec = MetricSpec::new(
            "t",
            ParameterValues::Numeric(vec![0.0, 1.0]),
            vec![vec![1.0], vec![2.0]],
        )
        .with_x_scale(Scale::Log);
        let figure = prepare(&spec).unwrap();
        assert_eq!(figure.columns.len(), 1);
        assert_eq!(figure.n_dropped, 1);
    }
}
