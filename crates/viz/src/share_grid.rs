//! A grid of runs by a log-scaled parameter (columns) and named settings (rows), each cell
//! coloured by the share of its runs where something happened (say: diverged), with a
//! predicted value marked on each row.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::axis::{Axis, AxisKind};
use crate::chart::{self, ColorBar, LegendEntry, Swatch};
use crate::gradient::cell_edges;
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::scale::{Scale, finite_bounds, pad_range, to_display};
use crate::style::{self, GRID, INK, NO_DATA, TICK_SIZE, TITLE_SIZE};
use crate::{PlotOutcome, VizError};

/// The runs of one cell: `count` of `total` had the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareCell {
    /// Runs with the event (say, diverged).
    pub count: usize,
    /// Runs in the cell.
    pub total: usize,
}

/// What [`share_grid`] draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareGridSpec {
    /// Drawn above the chart (nothing when empty).
    pub title: String,
    /// The x-axis description, e.g. `"learning rate (log scale)"`.
    pub x_label: String,
    /// The y-axis description, e.g. `"feature scale, standardised"`.
    pub y_label: String,
    /// The column values, finite, positive and strictly increasing (placed on a log axis).
    pub columns: Vec<f64>,
    /// The row names, bottom row first.
    pub rows: Vec<String>,
    /// `cells[row][column]`; `None` where no run was made.
    pub cells: Vec<Vec<Option<ShareCell>>>,
    /// What the colour means, e.g. `"share of seeds that diverged"` (the colour bar's heading).
    pub share_label: String,
    /// A value per row to mark on the x axis (`None`: no mark on that row), e.g. the largest
    /// stable learning rate predicted from the curvature.
    pub markers: Vec<Option<f64>>,
    /// The legend text of the markers.
    pub marker_label: String,
    /// Width and height in pixels (default 900 × 520; at least 400 × 240).
    pub size: (u32, u32),
}

impl ShareGridSpec {
    /// A grid of `cells[row][column]` over `columns` (log x axis) and `rows`, without markers.
    pub fn new(
        title: impl Into<String>,
        columns: Vec<f64>,
        rows: Vec<String>,
        cells: Vec<Vec<Option<ShareCell>>>,
    ) -> ShareGridSpec {
        ShareGridSpec {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            columns,
            rows,
            cells,
            share_label: "share".into(),
            markers: Vec::new(),
            marker_label: String::new(),
            size: (900, 520),
        }
    }

    /// Sets the axis descriptions and the colour bar's heading.
    pub fn with_labels(
        mut self,
        x: impl Into<String>,
        y: impl Into<String>,
        share: impl Into<String>,
    ) -> ShareGridSpec {
        self.x_label = x.into();
        self.y_label = y.into();
        self.share_label = share.into();
        self
    }

    /// Marks a value on each row (one per row, `None` for none) with a legend text.
    pub fn with_markers(
        mut self,
        label: impl Into<String>,
        markers: Vec<Option<f64>>,
    ) -> ShareGridSpec {
        self.marker_label = label.into();
        self.markers = markers;
        self
    }

    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> ShareGridSpec {
        self.size = (width, height);
        self
    }
}

/// Draws each cell coloured by its share (white at 0, red at 1; grey where no run was made)
/// and labelled `count/total`, with a colour bar, and each row's marker as a black bar across
/// the row at its value (the x axis widens to include it).
///
/// Markers that are not finite and positive cannot be placed on the log axis and are dropped
/// (counted in [`PlotOutcome::Written`]).
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`]; [`VizError::LengthMismatch`]
/// when `cells` has not one row per row name, a row not one cell per column, or `markers`
/// (when given) not one per row; [`VizError::InvalidSetting`] when `columns` are not finite,
/// positive and strictly increasing, or a cell counts more events than runs;
/// [`VizError::Write`]. No column or no row gives `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{ShareCell, ShareGridSpec, share_grid};
///
/// let cell = |count, total| Some(ShareCell { count, total });
/// let spec = ShareGridSpec::new(
///     "divergence by learning rate and feature scale",
///     vec![0.1, 0.3, 1.0],
///     vec!["scale 1".into(), "scale 10".into()],
///     vec![vec![cell(0, 5), cell(0, 5), cell(1, 5)], vec![cell(0, 5), cell(4, 5), cell(5, 5)]],
/// )
/// .with_labels("learning rate (log scale)", "feature scale", "share of seeds that diverged")
/// .with_markers("predicted 2 / λ_max", vec![Some(1.6), Some(0.2)]);
/// let path = std::env::temp_dir().join("viz-doc-share-grid.svg");
/// assert!(share_grid(&path, &spec)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn share_grid(path: impl AsRef<Path>, spec: &ShareGridSpec) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (400, 240))?;
    check(&target, spec)?;
    if spec.columns.is_empty() || spec.rows.is_empty() {
        return Ok(PlotOutcome::skipped("no columns or no rows"));
    }
    let figure = prepare(spec);
    target.write(&figure)?;
    Ok(PlotOutcome::Written {
        n_dropped: figure.n_dropped,
    })
}

fn check(target: &Target, spec: &ShareGridSpec) -> Result<(), VizError> {
    let mismatch = |field: String, expected: usize, found: usize, per: &'static str| {
        VizError::LengthMismatch {
            path: target.path.clone(),
            field,
            expected,
            found,
            per,
        }
    };
    if spec.cells.len() != spec.rows.len() {
        return Err(mismatch(
            "cells".into(),
            spec.rows.len(),
            spec.cells.len(),
            "row",
        ));
    }
    for (i, row) in spec.cells.iter().enumerate() {
        if row.len() != spec.columns.len() {
            let field = format!("cells[{i}]");
            return Err(mismatch(field, spec.columns.len(), row.len(), "column"));
        }
        if let Some(cell) = row.iter().flatten().find(|c| c.count > c.total) {
            let value = format!("{}/{}", cell.count, cell.total);
            return Err(target.invalid("cells", value, "a count of at most the cell's runs"));
        }
    }
    if !spec.markers.is_empty() && spec.markers.len() != spec.rows.len() {
        return Err(mismatch(
            "markers".into(),
            spec.rows.len(),
            spec.markers.len(),
            "row",
        ));
    }
    let placed = spec.columns.iter().all(|c| c.is_finite() && *c > 0.0);
    if !placed || spec.columns.windows(2).any(|w| w[0] >= w[1]) {
        return Err(target.invalid(
            "columns",
            format!("{:?}", spec.columns),
            "finite, positive, strictly increasing values (a log axis)",
        ));
    }
    Ok(())
}

/// The colour of a share: white at 0 to the diverging map's red at 1.
fn share_color(share: f64) -> RGBColor {
    style::diverging_color(0.5 + share.clamp(0.0, 1.0) / 2.0)
}

struct ShareFigure {
    title: String,
    x_label: String,
    y_label: String,
    share_label: String,
    x: Axis,
    y: Axis,
    x_edges: Vec<f64>,
    /// `(x, row, text, colour)` of every cell, in display space.
    cells: Vec<(f64, f64, String, RGBColor)>,
    colors: Vec<RGBColor>,
    /// `(x, row)` of every placed marker.
    markers: Vec<(f64, usize)>,
    legend: Vec<LegendEntry>,
    n_dropped: usize,
}

fn prepare(spec: &ShareGridSpec) -> ShareFigure {
    let centres: Vec<f64> = spec.columns.iter().map(|c| c.log10()).collect();
    let x_edges = cell_edges(&centres);
    let mut n_dropped = 0;
    let mut markers = Vec::new();
    for (row, marker) in spec.markers.iter().enumerate() {
        if let Some(value) = marker {
            match to_display(Scale::Log, *value) {
                Some(x) => markers.push((x, row)),
                None => n_dropped += 1,
            }
        }
    }
    let extent = x_edges.iter().copied().chain(markers.iter().map(|m| m.0));
    let (lo, hi) = finite_bounds(extent).unwrap_or((-0.5, 0.5));
    let (lo, hi) = pad_range(lo, hi, 0.02);
    // One labelled tick per column, at its value (not at the decades).
    let mut x = Axis::numeric(Scale::Log, lo, hi);
    x.kind = AxisKind::Log { decades: false };
    x.ticks = centres.clone();
    x.minor = Vec::new();
    let y = Axis::categorical(spec.rows.clone());
    let mut cells = Vec::new();
    let mut colors = Vec::new();
    for (row, values) in spec.cells.iter().enumerate() {
        for (column, cell) in values.iter().enumerate() {
            let (text, color) = match cell {
                Some(c) if c.total > 0 => (
                    format!("{}/{}", c.count, c.total),
                    share_color(c.count as f64 / c.total as f64),
                ),
                _ => (String::new(), NO_DATA),
            };
            colors.push(color);
            cells.push((centres[column], row as f64, text, color));
        }
    }
    let mut legend = Vec::new();
    if spec
        .cells
        .iter()
        .flatten()
        .any(|c| c.is_none_or(|c| c.total == 0))
    {
        legend.push(LegendEntry::new(Swatch::Block(NO_DATA), "no runs"));
    }
    if !markers.is_empty() {
        legend.push(LegendEntry::new(
            Swatch::Line(INK, 4),
            spec.marker_label.clone(),
        ));
    }
    ShareFigure {
        title: spec.title.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        share_label: spec.share_label.clone(),
        x,
        y,
        x_edges,
        cells,
        colors,
        markers,
        legend,
        n_dropped,
    }
}

const SIDE_WIDTH: u32 = 250;

impl Figure for ShareFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let body = chart::titled(root, &self.title, TITLE_SIZE)?;
        let (width, height) = body.dim_in_pixel();
        let (plot, side) = body.split_horizontally(width - SIDE_WIDTH);
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let mut chart = chart::chart(&plot, &self.x, &self.y, labels, false, look)?;
        let y_edges: Vec<f64> = (0..=self.y.ticks.len()).map(|r| r as f64 - 0.5).collect();
        chart::draw_cells(&mut chart, &self.x_edges, &y_edges, &self.colors)?;
        let (left, right) = (self.x_edges[0], self.x_edges[self.x_edges.len() - 1]);
        let rules = y_edges.iter().map(|&y| vec![(left, y), (right, y)]).chain(
            self.x_edges
                .iter()
                .map(|&x| vec![(x, y_edges[0]), (x, y_edges[y_edges.len() - 1])]),
        );
        chart.draw_series(rules.map(|line| PathElement::new(line, GRID.stroke_width(1))))?;
        let font = style::anchored(TICK_SIZE, HPos::Center, VPos::Center);
        for (x, row, text, color) in &self.cells {
            let dark = u32::from(color.0) + u32::from(color.1) + u32::from(color.2) < 380;
            let ink = if dark { WHITE } else { INK };
            let text = Text::new(text.clone(), (*x, *row), font.clone().color(&ink));
            chart.draw_series(std::iter::once(text))?;
        }
        chart.draw_series(self.markers.iter().map(|&(x, row)| {
            let row = row as f64;
            PathElement::new(vec![(x, row - 0.42), (x, row + 0.42)], INK.stroke_width(4))
        }))?;
        let bar = ColorBar {
            heading: &self.share_label,
            color_at: &share_color,
            ticks: [0.0, 0.25, 0.5, 0.75, 1.0]
                .iter()
                .map(|t| (*t, format!("{t}")))
                .collect(),
        };
        let bottom = height as i32 - 60 - 30 * self.legend.len() as i32;
        chart::draw_color_bar(&side, &bar, 12, bottom, look)?;
        chart::draw_legend(&side, None, &self.legend, bottom + 12, look)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_coloured_by_share_and_markers_widen_the_axis() {
        let cell = |count, total| Some(ShareCell { count, total });
        let spec = ShareGridSpec::new(
            "t",
            vec![0.1, 1.0],
            vec!["a".into(), "b".into()],
            vec![vec![cell(0, 5), cell(5, 5)], vec![None, cell(2, 4)]],
        )
        .with_markers("predicted", vec![Some(100.0), Some(-1.0)]);
        let figure = prepare(&spec);
        assert_eq!(figure.cells[0].2, "0/5");
        assert_eq!(figure.cells[0].3, RGBColor(255, 255, 255));
        assert_eq!(figure.cells[1].3, style::DIVERGING_HIGH);
        assert_eq!(figure.cells[2].3, NO_DATA);
        assert_eq!(figure.cells[3].2, "2/4");
        // 100 lies two decades right of the last column: the axis reaches it.
        assert_eq!(figure.markers, vec![(2.0, 0)]);
        assert!(figure.x.hi >= 2.0);
        assert_eq!(figure.x.ticks, vec![-1.0, 0.0], "a tick per column");
        assert_eq!(figure.n_dropped, 1);
        assert_eq!(figure.legend.len(), 2);
    }
}
