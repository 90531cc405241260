//! Gradient norms per layer and epoch as a heat map with a log colour scale.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::axis::{Axis, all_decades, log_label, log_ticks};
use crate::chart::{self, ColorBar, LegendEntry, Swatch};
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::scale::{LogColorScale, Scale};
use crate::style::{self, LEGEND_SIZE, NO_DATA, TITLE_SIZE};
use crate::{PlotOutcome, VizError};

/// What [`gradient_heatmap`] draws.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientHeatmapSpec {
    /// Drawn above the chart (nothing when empty).
    pub title: String,
    /// The epoch of each sample, finite and strictly increasing.
    pub epochs: Vec<f64>,
    /// `norms[l][k]`: the gradient norm of weight layer `l` at `epochs[k]`, numbered from 0
    /// as everywhere in this project (layer 0 takes the input, the last one feeds the output).
    /// NaN means "not measured" and is drawn grey.
    pub norms: Vec<Vec<f64>>,
    /// The norms at the bottom and top of the colour scale, when it is shared with other heat
    /// maps (see [`GradientHeatmapSpec::with_shared_color_range`]); `None` spans this map's own
    /// norms.
    pub shared_color_range: Option<(f64, f64)>,
    /// Width and height in pixels (default 900 × 480; at least 400 × 240).
    pub size: (u32, u32),
}

impl GradientHeatmapSpec {
    /// A heat map of `norms[layer][sample]` taken at `epochs[sample]`.
    pub fn new(
        title: impl Into<String>,
        epochs: Vec<f64>,
        norms: Vec<Vec<f64>>,
    ) -> GradientHeatmapSpec {
        GradientHeatmapSpec {
            title: title.into(),
            epochs,
            norms,
            shared_color_range: None,
            size: (900, 480),
        }
    }

    /// A heat map from samples laid out as a training report keeps them: `samples[k][l]` is the
    /// norm of layer `l` at `epochs[k]`. A sample with fewer layers than the longest one is
    /// padded with NaN (drawn grey).
    pub fn from_samples(
        title: impl Into<String>,
        epochs: Vec<f64>,
        samples: &[Vec<f64>],
    ) -> GradientHeatmapSpec {
        let n_layers = samples.iter().map(Vec::len).max().unwrap_or(0);
        let norms = (0..n_layers)
            .map(|l| {
                samples
                    .iter()
                    .map(|s| s.get(l).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        GradientHeatmapSpec::new(title, epochs, norms)
    }

    /// Fixes the colour scale to run from `lowest` to `highest` (finite, `0 < lowest ≤
    /// highest`) instead of this map's own smallest and largest norm, so that heat maps drawn
    /// with the same range can be compared by their colours; the colour bar says the scale is
    /// shared. Norms outside the range get the colour of its nearer end.
    pub fn with_shared_color_range(mut self, lowest: f64, highest: f64) -> GradientHeatmapSpec {
        self.shared_color_range = Some((lowest, highest));
        self
    }

    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> GradientHeatmapSpec {
        self.size = (width, height);
        self
    }
}

/// Draws layer (y) against epoch (x), each cell coloured by its gradient norm on a log colour
/// scale (viridis: dark for small, yellow for large) with a colour bar, so gradients that
/// vanish by orders of magnitude towards the input of a deep sigmoid net stand out.
///
/// Layers are numbered from 0 (layer 0 takes the input), as in the gradient files, saved models
/// and `gradcheck`; the y axis says so.
///
/// The colour scale spans the smallest to the largest finite positive norm, or the shared range
/// when one is set. The trap: zero has no logarithm, so a norm of exactly 0 (a gradient that
/// vanished completely) gets the colour of the smallest norm; NaN cells are grey and counted as
/// dropped.
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`]; [`VizError::LengthMismatch`]
/// when a layer does not have one norm per epoch; [`VizError::InvalidSetting`] when `epochs`
/// is not finite and strictly increasing, or the shared colour range is not finite with
/// `0 < lowest ≤ highest`; [`VizError::Write`]. No finite positive norm gives
/// `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{GradientHeatmapSpec, gradient_heatmap};
///
/// let epochs: Vec<f64> = (0..50).map(f64::from).collect();
/// // Gradients shrinking tenfold per layer towards the input.
/// let norms = (1..=4)
///     .map(|layer| epochs.iter().map(|e| 10f64.powi(layer - 4) / (1.0 + e / 10.0)).collect())
///     .collect();
/// let spec = GradientHeatmapSpec::new("sigmoid, 4 layers", epochs, norms);
/// let path = std::env::temp_dir().join("viz-doc-gradients.png");
/// assert!(gradient_heatmap(&path, &spec)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn gradient_heatmap(
    path: impl AsRef<Path>,
    spec: &GradientHeatmapSpec,
) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (400, 240))?;
    check(&target, spec)?;
    if spec.epochs.is_empty() || spec.norms.is_empty() {
        return Ok(PlotOutcome::skipped("no gradient norms"));
    }
    let Some(scale) = color_scale(spec) else {
        return Ok(PlotOutcome::skipped(
            "no finite, positive gradient norm to place on a log colour scale",
        ));
    };
    let figure = prepare(spec, scale);
    target.write(&figure)?;
    Ok(PlotOutcome::Written {
        n_dropped: figure.n_dropped,
    })
}

fn check(target: &Target, spec: &GradientHeatmapSpec) -> Result<(), VizError> {
    for (layer, norms) in spec.norms.iter().enumerate() {
        if norms.len() != spec.epochs.len() {
            return Err(VizError::LengthMismatch {
                path: target.path.clone(),
                field: format!("norms[{layer}]"),
                expected: spec.epochs.len(),
                found: norms.len(),
                per: "epoch",
            });
        }
    }
    if let Some((lowest, highest)) = spec.shared_color_range {
        let valid = lowest.is_finite() && highest.is_finite() && 0.0 < lowest && lowest <= highest;
        if !valid {
            return Err(target.invalid(
                "shared_color_range",
                format!("{lowest}..{highest}"),
                "finite norms with 0 < lowest <= highest",
            ));
        }
    }
    let increasing = spec.epochs.windows(2).all(|w| w[0] < w[1]);
    if let Some(bad) = spec.epochs.iter().find(|e| !e.is_finite()) {
        return Err(target.invalid("epochs", bad, "finite, strictly increasing epochs"));
    }
    if !increasing {
        return Err(target.invalid(
            "epochs",
            format!("{:?}", spec.epochs),
            "finite, strictly increasing epochs",
        ));
    }
    Ok(())
}

/// The colour scale of `spec` (checked): its shared range, or the span of its own finite,
/// positive norms; `None` when it has no finite, positive norm to draw.
fn color_scale(spec: &GradientHeatmapSpec) -> Option<LogColorScale> {
    let own = LogColorScale::from_values(spec.norms.iter().flatten().copied())?;
    Some(match spec.shared_color_range {
        Some((lowest, highest)) => LogColorScale::from_values([lowest, highest]).unwrap_or(own),
        None => own,
    })
}

/// The edges of the cells centred on `centres` (strictly increasing): half-way between
/// neighbours, and as far out at the ends as the neighbouring half-gap (±0.5 for one centre).
pub(crate) fn cell_edges(centres: &[f64]) -> Vec<f64> {
    match centres {
        [] => Vec::new(),
        [only] => vec![only - 0.5, only + 0.5],
        [first, second, ..] => {
            let n = centres.len();
            let mut edges = vec![first - (second - first) / 2.0];
            edges.extend(centres.windows(2).map(|w| w[0] / 2.0 + w[1] / 2.0));
            edges.push(centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2.0);
            edges
        }
    }
}

struct GradientFigure {
    title: String,
    x: Axis,
    y: Axis,
    x_edges: Vec<f64>,
    y_edges: Vec<f64>,
    colors: Vec<RGBColor>,
    scale: LogColorScale,
    shared_scale: bool,
    has_missing: bool,
    n_dropped: usize,
}

fn prepare(spec: &GradientHeatmapSpec, scale: LogColorScale) -> GradientFigure {
    let n_layers = spec.norms.len();
    let x_edges = cell_edges(&spec.epochs);
    let mut x = Axis::numeric(Scale::Linear, x_edges[0], x_edges[x_edges.len() - 1]);
    if spec.epochs.iter().all(|e| e.fract() == 0.0) {
        x = x.whole_numbers();
    }
    let y = Axis::categorical((0..n_layers).map(|l| l.to_string()).collect());
    let colors = spec
        .norms
        .iter()
        .flatten()
        .map(|v| style::sequential_color(scale.normalize(*v)))
        .collect();
    let n_dropped = spec.norms.iter().flatten().filter(|v| v.is_nan()).count();
    GradientFigure {
        title: spec.title.clone(),
        x,
        y,
        x_edges,
        y_edges: (0..=n_layers).map(|l| l as f64 - 0.5).collect(),
        colors,
        scale,
        shared_scale: spec.shared_color_range.is_some(),
        has_missing: n_dropped > 0,
        n_dropped,
    }
}

const SIDE_WIDTH: u32 = 150;

impl Figure for GradientFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let body = chart::titled(root, &self.title, TITLE_SIZE)?;
        let (width, height) = body.dim_in_pixel();
        let (plot, side) = body.split_horizontally(width - SIDE_WIDTH);
        let labels = ("epoch", "weight layer (0 takes the input)");
        let mut chart = chart::chart(&plot, &self.x, &self.y, labels, false, look)?;
        chart::draw_cells(&mut chart, &self.x_edges, &self.y_edges, &self.colors)?;
        let LogColorScale { log_min, log_max } = self.scale;
        let (ticks, _) = log_ticks(log_min, log_max);
        let decades = all_decades(&ticks);
        // A shared scale says so in a second heading line, and its bar starts a line lower.
        let (heading, top) = if self.shared_scale {
            side.draw(&Text::new(
                "gradient norm",
                (8, 12),
                style::anchored(LEGEND_SIZE, HPos::Left, VPos::Top),
            ))?;
            ("shared scale", 32)
        } else {
            ("gradient norm", 12)
        };
        let bar = ColorBar {
            heading,
            color_at: &|t| style::sequential_color(Some(t)),
            ticks: ticks
                .iter()
                .map(|k| ((k - log_min) / (log_max - log_min), log_label(*k, decades)))
                .collect(),
        };
        let bottom = height as i32 - 60 - if self.has_missing { 30 } else { 0 };
        chart::draw_color_bar(&side, &bar, top, bottom, look)?;
        if self.has_missing {
            let entry = [LegendEntry::new(Swatch::Block(NO_DATA), "no data")];
            chart::draw_legend(&side, None, &entry, bottom + 12, look)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_lie_half_way_between_centres() {
        assert_eq!(cell_edges(&[0.0, 10.0, 20.0]), vec![-5.0, 5.0, 15.0, 25.0]);
        assert_eq!(cell_edges(&[3.0]), vec![2.5, 3.5]);
        assert_eq!(cell_edges(&[0.0, 1.0, 5.0]), vec![-0.5, 0.5, 3.0, 7.0]);
        assert!(cell_edges(&[]).is_empty());
    }

    #[test]
    fn zero_norms_get_the_smallest_colour_and_nan_is_dropped() {
        let spec = GradientHeatmapSpec::new(
            "t",
            vec![0.0, 1.0],
            vec![vec![0.0, 1e-3], vec![1.0, f64::NAN]],
        );
        let scale = LogColorScale::from_values(spec.norms.iter().flatten().copied()).unwrap();
        let figure = prepare(&spec, scale);
        assert_eq!(figure.colors[0], figure.colors[1]);
        assert_eq!(figure.colors[3], NO_DATA);
        assert_eq!(figure.n_dropped, 1);
    }

    #[test]
    fn a_shared_range_gives_equal_norms_equal_colours_across_maps() {
        let small = GradientHeatmapSpec::new("a", vec![0.0], vec![vec![1e-4], vec![1e-3]]);
        let large = GradientHeatmapSpec::new("b", vec![0.0], vec![vec![1e-3], vec![1.0]]);
        let colors = |spec: &GradientHeatmapSpec| {
            let figure = prepare(spec, color_scale(spec).unwrap());
            (figure.colors, figure.shared_scale)
        };
        // Each on its own scale, 1e-3 is the top of one map and the bottom of the other.
        assert_ne!(colors(&small).0[1], colors(&large).0[0]);
        let small = small.with_shared_color_range(1e-5, 10.0);
        let large = large.with_shared_color_range(1e-5, 10.0);
        let (small_colors, shared) = colors(&small);
        assert!(shared);
        assert_eq!(small_colors[1], colors(&large).0[0]);
        let scale = color_scale(&small).unwrap();
        assert_eq!((scale.log_min, scale.log_max), (-5.0, 1.0));
        // Outside the range: the nearer end's colour.
        let beyond = GradientHeatmapSpec::new("c", vec![0.0], vec![vec![1e-9], vec![1e9]])
            .with_shared_color_range(1e-5, 10.0);
        let (beyond, _) = colors(&beyond);
        assert_eq!(beyond[0], style::sequential_color(Some(0.0)));
        assert_eq!(beyond[1], style::sequential_color(Some(1.0)));
    }

    #[test]
    fn samples_are_transposed_to_layers() {
        let spec =
            GradientHeatmapSpec::from_samples("t", vec![0.0, 1.0], &[vec![1.0, 2.0], vec![3.0]]);
        assert_eq!(spec.norms[0], vec![1.0, 3.0]);
        assert!(spec.norms[1][1].is_nan());
    }
}
