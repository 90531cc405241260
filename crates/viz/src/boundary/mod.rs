//! Decision boundaries: the predicted probability over a grid as a heat map, its threshold
//! contour, and the data on top; alone or as a grid of panels.
mod panel;

use std::path::Path;

use core_linalg::Matrix;
use plotters::coord::Shift;
use plotters::prelude::*;

use self::panel::{PanelContent, Split, draw_panel, prepare_panel};
use crate::chart::{self, ColorBar, LegendEntry, Swatch};
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::probability::{IntoProbabilities, ProbabilityFn};
use crate::style::{self, CLASS_COLORS, PANEL_TITLE_SIZE, TITLE_SIZE};
use crate::svg::SlotArea as SvgSlotArea;
use crate::{PlotOutcome, VizError};

/// Samples with known classes: one sample per row of `features` (exactly two columns), one
/// label (0.0 or 1.0) per row.
#[derive(Debug, Clone, Copy)]
pub struct LabelledPoints<'a> {
    /// One sample per row, two columns.
    pub features: &'a Matrix,
    /// The true class of each row, 0.0 or 1.0.
    pub labels: &'a [f64],
}

/// What one decision-boundary panel shows.
#[derive(Debug, Clone)]
pub struct BoundarySpec<'a> {
    /// Drawn above the panel, e.g. `"width 20 — F1 0.82"`.
    pub title: String,
    /// Training points, drawn as circles.
    pub train: Option<LabelledPoints<'a>>,
    /// Test points, drawn as triangles.
    pub test: Option<LabelledPoints<'a>>,
    /// Grid points per side (default 150, 2..=1000).
    pub resolution: usize,
    /// Space around the data, as a fraction of its extent on each side (default 0.1).
    pub margin: f64,
    /// The decision threshold: its contour is drawn, and a point is misclassified when
    /// `(p ≥ threshold) ≠ label` (default 0.5, in `[0, 1]`).
    pub threshold: f64,
    /// The axis descriptions (default `x₁`, `x₂`).
    pub axis_labels: (String, String),
    /// Width and height in pixels for [`decision_boundary`] (default 760 × 600, at least
    /// 400 × 300); [`boundary_grid`] ignores it and sizes panels from its own size.
    pub size: (u32, u32),
}

impl<'a> BoundarySpec<'a> {
    /// A panel titled `title`, with no points yet and default settings.
    pub fn new(title: impl Into<String>) -> BoundarySpec<'a> {
        BoundarySpec {
            title: title.into(),
            train: None,
            test: None,
            resolution: 150,
            margin: 0.1,
            threshold: 0.5,
            axis_labels: ("x₁".into(), "x₂".into()),
            size: (760, 600),
        }
    }

    /// Sets the training points.
    pub fn with_train(mut self, features: &'a Matrix, labels: &'a [f64]) -> BoundarySpec<'a> {
        self.train = Some(LabelledPoints { features, labels });
        self
    }

    /// Sets the test points.
    pub fn with_test(mut self, features: &'a Matrix, labels: &'a [f64]) -> BoundarySpec<'a> {
        self.test = Some(LabelledPoints { features, labels });
        self
    }

    /// Sets the grid points per side.
    pub fn with_resolution(mut self, resolution: usize) -> BoundarySpec<'a> {
        self.resolution = resolution;
        self
    }

    /// Sets the margin around the data (a fraction of its extent).
    pub fn with_margin(mut self, margin: f64) -> BoundarySpec<'a> {
        self.margin = margin;
        self
    }

    /// Sets the decision threshold.
    pub fn with_threshold(mut self, threshold: f64) -> BoundarySpec<'a> {
        self.threshold = threshold;
        self
    }

    /// Sets the axis descriptions.
    pub fn with_axis_labels(
        mut self,
        x: impl Into<String>,
        y: impl Into<String>,
    ) -> BoundarySpec<'a> {
        self.axis_labels = (x.into(), y.into());
        self
    }

    /// Sets the size in pixels (used by [`decision_boundary`]).
    pub fn with_size(mut self, width: u32, height: u32) -> BoundarySpec<'a> {
        self.size = (width, height);
        self
    }
}

/// One panel of a [`boundary_grid`]: what to show and the model's probability function.
pub struct BoundaryPanel<'a> {
    /// What the panel shows.
    pub spec: BoundarySpec<'a>,
    probability: Box<ProbabilityFn<'a>>,
}

impl<'a> BoundaryPanel<'a> {
    /// A panel drawing `spec` with the class-1 probabilities from `probability`.
    pub fn new<P: IntoProbabilities>(
        spec: BoundarySpec<'a>,
        probability: impl Fn(&Matrix) -> P + 'a,
    ) -> BoundaryPanel<'a> {
        BoundaryPanel {
            spec,
            probability: Box::new(move |x| probability(x).into_probabilities()),
        }
    }
}

impl std::fmt::Debug for BoundaryPanel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundaryPanel")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// What [`boundary_grid`] draws.
#[derive(Debug)]
pub struct BoundaryGridSpec<'a> {
    /// Drawn above all panels (nothing when empty).
    pub title: String,
    /// The panels, filled in row by row.
    pub panels: Vec<BoundaryPanel<'a>>,
    /// Panels per row (at least 1).
    pub n_columns: usize,
    /// Width and height of the whole picture in pixels (default: 380 × 380 per panel plus a
    /// 210-pixel legend column and the title). Each panel needs at least 200 × 200.
    pub size: (u32, u32),
}

impl<'a> BoundaryGridSpec<'a> {
    /// `panels` in rows of `n_columns`, under `title`, at the default size.
    pub fn new(
        title: impl Into<String>,
        panels: Vec<BoundaryPanel<'a>>,
        n_columns: usize,
    ) -> BoundaryGridSpec<'a> {
        let columns = n_columns.clamp(1, panels.len().max(1));
        let rows = panels.len().div_ceil(columns).max(1);
        BoundaryGridSpec {
            title: title.into(),
            panels,
            n_columns,
            size: (
                (columns as u32 * 380 + SIDE_WIDTH).min(crate::output::MAX_SIDE),
                (rows as u32 * 380 + 50).min(crate::output::MAX_SIDE),
            ),
        }
    }

    /// Sets the size of the whole picture in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> BoundaryGridSpec<'a> {
        self.size = (width, height);
        self
    }
}

const SIDE_WIDTH: u32 = 210;

/// Draws the decision boundary of a two-feature classifier.
///
/// `probability` is called once with every point of a `resolution × resolution` grid covering
/// the data (plus `margin` on each side) as one [`Matrix`], one point per row, two columns, and
/// once with the data points. The heat map is blue at p = 0, white at 0.5 and red at 1 (NaN is
/// grey); the `threshold` contour is a black line (marching squares); training points are
/// circles and test points triangles, coloured by true class, with a black ring when
/// misclassified. Points with a non-finite coordinate are dropped (counted in
/// [`PlotOutcome::Written`]); with no finite point there is nothing to cover and the figure is
/// skipped. Probabilities outside `[0, 1]` are drawn clamped.
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`]; [`VizError::InvalidShape`],
/// [`VizError::LengthMismatch`] or [`VizError::InvalidLabel`] for points that are not two
/// columns with one 0/1 label per row; [`VizError::InvalidSetting`] for a resolution, margin
/// or threshold out of range; [`VizError::Probability`] or [`VizError::ProbabilityCount`]
/// when `probability` fails or returns the wrong number of values; [`VizError::Write`].
///
/// # Example
/// ```
/// use viz::{BoundarySpec, Matrix, decision_boundary};
///
/// let x = Matrix::from_row_slice(4, 2, &[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
/// let y = [0.0, 0.0, 1.0, 1.0];
/// let spec = BoundarySpec::new("logistic regression — F1 1.00").with_train(&x, &y);
/// // A model whose probability rises along the second feature.
/// let probability = |grid: &Matrix| -> Vec<f64> {
///     grid.row_iter().map(|row| 1.0 / (1.0 + (-8.0 * (row[1] - 0.5)).exp())).collect()
/// };
/// let path = std::env::temp_dir().join("viz-doc-boundary.png");
/// assert!(decision_boundary(&path, &spec, probability)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn decision_boundary<P: IntoProbabilities>(
    path: impl AsRef<Path>,
    spec: &BoundarySpec<'_>,
    probability: impl Fn(&Matrix) -> P,
) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (400, 300))?;
    let probability = |x: &Matrix| probability(x).into_probabilities();
    let panel = prepare_panel(&target, spec, &probability)?;
    if !matches!(panel, PanelContent::Drawn(_)) {
        return Ok(PlotOutcome::skipped(NO_POINTS));
    }
    let n_dropped = panel.n_dropped();
    target.write(&BoundaryFigure {
        title: String::new(),
        panels: vec![panel],
        n_columns: 1,
        legend: legend(std::slice::from_ref(spec), spec.threshold),
    })?;
    Ok(PlotOutcome::Written { n_dropped })
}

/// Draws several decision boundaries side by side, `n_columns` per row, each under its own
/// title (for example one per hidden-layer width, titled with its F1), with one legend and
/// colour bar for all.
///
/// Each panel is drawn as by [`decision_boundary`]; a panel without a finite point says so in
/// its place. The figure is skipped when no panel has anything to draw.
///
/// # Errors
/// As [`decision_boundary`], for any panel; [`VizError::InvalidSetting`] when `n_columns` is 0,
/// and [`VizError::InvalidSize`] when the size leaves a panel less than 200 × 200 pixels.
///
/// # Example
/// ```
/// use viz::{BoundaryGridSpec, BoundaryPanel, BoundarySpec, Matrix, boundary_grid};
///
/// let x = Matrix::from_row_slice(3, 2, &[0.0, 0.0, 1.0, 1.0, 2.0, 0.5]);
/// let y = [0.0, 1.0, 1.0];
/// let panels = [1.0, 4.0]
///     .into_iter()
///     .map(|steepness| {
///         let spec = BoundarySpec::new(format!("steepness {steepness}")).with_train(&x, &y);
///         BoundaryPanel::new(spec, move |grid: &Matrix| -> Vec<f64> {
///             grid.row_iter().map(|r| 1.0 / (1.0 + (-steepness * (r[0] - 0.5)).exp())).collect()
///         })
///     })
///     .collect();
/// let spec = BoundaryGridSpec::new("steepness sweep", panels, 2);
/// let path = std::env::temp_dir().join("viz-doc-boundary-grid.svg");
/// assert!(boundary_grid(&path, &spec)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn boundary_grid(
    path: impl AsRef<Path>,
    spec: &BoundaryGridSpec<'_>,
) -> Result<PlotOutcome, VizError> {
    let path = path.as_ref();
    let n_panels = spec.panels.len().max(1);
    let columns = spec.n_columns.clamp(1, n_panels);
    let rows = n_panels.div_ceil(columns);
    let min = (
        columns as u32 * 200 + SIDE_WIDTH,
        rows as u32 * 200 + if spec.title.is_empty() { 0 } else { 40 },
    );
    let target = Target::new(path, spec.size, min)?;
    if spec.n_columns == 0 {
        return Err(target.invalid("n_columns", 0, "at least 1 panel per row"));
    }
    let mut panels = Vec::with_capacity(spec.panels.len());
    for panel in &spec.panels {
        panels.push(prepare_panel(&target, &panel.spec, &panel.probability)?);
    }
    if !panels.iter().any(|p| matches!(p, PanelContent::Drawn(_))) {
        return Ok(PlotOutcome::skipped(if spec.panels.is_empty() {
            "no panels"
        } else {
            NO_POINTS
        }));
    }
    let n_dropped = panels.iter().map(PanelContent::n_dropped).sum();
    let specs: Vec<BoundarySpec<'_>> = spec.panels.iter().map(|p| p.spec.clone()).collect();
    let threshold = specs.first().map_or(0.5, |s| s.threshold);
    target.write(&BoundaryFigure {
        title: spec.title.clone(),
        panels,
        n_columns: columns,
        legend: legend(&specs, threshold),
    })?;
    Ok(PlotOutcome::Written { n_dropped })
}

const NO_POINTS: &str = "no point with two finite coordinates";

fn legend(specs: &[BoundarySpec<'_>], threshold: f64) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    for (split, name, has) in [
        (
            Split::Train,
            "train",
            specs.iter().any(|s| s.train.is_some()),
        ),
        (Split::Test, "test", specs.iter().any(|s| s.test.is_some())),
    ] {
        if has {
            for (class, color) in CLASS_COLORS.iter().enumerate() {
                let swatch = match split {
                    Split::Train => Swatch::Dot(*color),
                    Split::Test => Swatch::Triangle(*color),
                };
                entries.push(LegendEntry::new(swatch, format!("{name}, class {class}")));
            }
        }
    }
    entries.push(LegendEntry::new(Swatch::Ring, "misclassified"));
    entries.push(LegendEntry::new(
        Swatch::Line(BLACK, 2),
        format!("p = {}", crate::axis::format_value(threshold)),
    ));
    entries
}

struct BoundaryFigure {
    title: String,
    panels: Vec<PanelContent>,
    n_columns: usize,
    legend: Vec<LegendEntry>,
}

impl Figure for BoundaryFigure {
    /// Slot `index` is the inside of the `index`-th panel that has points.
    fn svg_slot(&self, index: usize, area: SvgSlotArea) -> Result<String, DrawFailure> {
        let panel = self
            .panels
            .iter()
            .filter_map(|panel| match panel {
                PanelContent::Drawn(drawn) => Some(drawn),
                PanelContent::Empty { .. } => None,
            })
            .nth(index)
            .ok_or_else(|| DrawFailure(format!("internal: no panel for SVG slot {index}")))?;
        panel.svg_layer(area)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let width = root.dim_in_pixel().0;
        let (body, side) = root.split_horizontally(width - SIDE_WIDTH);
        let body = if self.panels.len() == 1 {
            body
        } else {
            chart::titled(&body, &self.title, TITLE_SIZE)?
        };
        let rows = self.panels.len().div_ceil(self.n_columns);
        let areas = body.split_evenly((rows, self.n_columns));
        let title_size = if self.panels.len() == 1 {
            TITLE_SIZE
        } else {
            PANEL_TITLE_SIZE
        };
        for (panel, area) in self.panels.iter().zip(&areas) {
            draw_panel(area, panel, title_size, look)?;
        }
        let side = side.margin(40, 10, 4, 4);
        let legend_bottom = chart::draw_legend(&side, None, &self.legend, 0, look)?;
        let bar = ColorBar {
            heading: "P(class 1)",
            color_at: &style::diverging_color,
            ticks: [0.0, 0.25, 0.5, 0.75, 1.0]
                .iter()
                .map(|t| (*t, crate::axis::format_value(*t)))
                .collect(),
        };
        let side_height = side.dim_in_pixel().1 as i32;
        let bar_bottom = (legend_bottom + 40 + 260).min(side_height - 20);
        chart::draw_color_bar(&side, &bar, legend_bottom + 30, bar_bottom, look)?;
        Ok(())
    }
}
