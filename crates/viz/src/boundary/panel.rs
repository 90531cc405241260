//! One decision-boundary panel: checking its points, evaluating the model on the grid, and
//! drawing the heat map, contour and markers.

use core_linalg::Matrix;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BoundarySpec, LabelledPoints};
use crate::VizError;
use crate::axis::Axis;
use crate::chart;
use crate::grid::{Grid, Segment, contour_segments};
use crate::output::{Canvas, DrawFailure, Look, Target};
use crate::probability::{ProbabilityFn, evaluate};
use crate::scale::Scale;
use crate::style::{self, CLASS_COLORS};
use crate::svg::{self, SlotArea, hex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    Train,
    Test,
}

/// A data point as drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Marker {
    at: (f64, f64),
    class: usize,
    split: Split,
    misclassified: bool,
}

pub(crate) struct DrawnPanel {
    title: String,
    axis_labels: (String, String),
    x: Axis,
    y: Axis,
    x_edges: Vec<f64>,
    y_edges: Vec<f64>,
    colors: Vec<RGBColor>,
    contour: Vec<Segment>,
    markers: Vec<Marker>,
    n_dropped: usize,
}

impl PanelContent {
    /// Points left out of the panel for a non-finite coordinate.
    pub(crate) fn n_dropped(&self) -> usize {
        match self {
            PanelContent::Drawn(drawn) => drawn.n_dropped,
            PanelContent::Empty { n_dropped, .. } => *n_dropped,
        }
    }
}

pub(crate) enum PanelContent {
    Drawn(Box<DrawnPanel>),
    /// No point with two finite coordinates; `n_dropped` points had a non-finite one.
    Empty {
        title: String,
        n_dropped: usize,
    },
}

/// Checks `points` (named `field`) and returns them as `(x, y, label)` rows.
fn labelled_rows(
    target: &Target,
    field: &str,
    points: &LabelledPoints<'_>,
) -> Result<Vec<(f64, f64, f64)>, VizError> {
    let features = points.features;
    if features.ncols() != 2 {
        return Err(VizError::InvalidShape {
            path: target.path.clone(),
            field: format!("{field}.features"),
            expected: 2,
            found: features.ncols(),
        });
    }
    if points.labels.len() != features.nrows() {
        return Err(VizError::LengthMismatch {
            path: target.path.clone(),
            field: format!("{field}.labels"),
            expected: features.nrows(),
            found: points.labels.len(),
            per: "row of features",
        });
    }
    if let Some((index, &value)) = points
        .labels
        .iter()
        .enumerate()
        .find(|(_, l)| **l != 0.0 && **l != 1.0)
    {
        return Err(VizError::InvalidLabel {
            path: target.path.clone(),
            field: format!("{field}.labels"),
            index,
            value,
        });
    }
    Ok((0..features.nrows())
        .map(|row| (features[(row, 0)], features[(row, 1)], points.labels[row]))
        .collect())
}

fn check_settings(target: &Target, spec: &BoundarySpec<'_>) -> Result<(), VizError> {
    if !(2..=1000).contains(&spec.resolution) {
        return Err(target.invalid(
            "resolution",
            spec.resolution,
            "2..=1000 grid points per side",
        ));
    }
    if !(spec.margin.is_finite() && (0.0..=10.0).contains(&spec.margin)) {
        return Err(target.invalid("margin", spec.margin, "a fraction in [0, 10]"));
    }
    if !(0.0..=1.0).contains(&spec.threshold) {
        return Err(target.invalid("threshold", spec.threshold, "a probability in [0, 1]"));
    }
    Ok(())
}

/// The markers of the finite points; a point is misclassified when its probability is on the
/// other side of `threshold` than its label (never when the probability is NaN).
fn markers(
    points: &[(f64, f64, f64, Split)],
    probabilities: &[f64],
    threshold: f64,
) -> Vec<Marker> {
    points
        .iter()
        .zip(probabilities)
        .map(|(&(x, y, label, split), &p)| Marker {
            at: (x, y),
            class: usize::from(label == 1.0),
            split,
            misclassified: !p.is_nan() && (p >= threshold) != (label == 1.0),
        })
        .collect()
}

pub(crate) fn prepare_panel(
    target: &Target,
    spec: &BoundarySpec<'_>,
    probability: &ProbabilityFn<'_>,
) -> Result<PanelContent, VizError> {
    check_settings(target, spec)?;
    let mut points = Vec::new();
    for (field, split, set) in [
        ("train", Split::Train, &spec.train),
        ("test", Split::Test, &spec.test),
    ] {
        if let Some(set) = set {
            let rows = labelled_rows(target, field, set)?;
            points.extend(rows.into_iter().map(|(x, y, l)| (x, y, l, split)));
        }
    }
    let n_points = points.len();
    points.retain(|(x, y, _, _)| x.is_finite() && y.is_finite());
    let n_dropped = n_points - points.len();
    let Some(grid) = Grid::covering(
        points.iter().map(|p| (p.0, p.1)),
        spec.margin,
        spec.resolution,
    ) else {
        return Ok(PanelContent::Empty {
            title: spec.title.clone(),
            n_dropped,
        });
    };
    let on_grid = evaluate(target, probability, &grid.to_matrix())?;
    let at_points = Matrix::from_fn(points.len(), 2, |r, c| {
        if c == 0 { points[r].0 } else { points[r].1 }
    });
    let at_points = evaluate(target, probability, &at_points)?;
    let edges = |(lo, hi): (f64, f64), n: usize| -> Vec<f64> {
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect()
    };
    let (nx, ny) = (grid.xs.len(), grid.ys.len());
    Ok(PanelContent::Drawn(Box::new(DrawnPanel {
        title: spec.title.clone(),
        axis_labels: spec.axis_labels.clone(),
        x: Axis::numeric(Scale::Linear, grid.x_bounds.0, grid.x_bounds.1),
        y: Axis::numeric(Scale::Linear, grid.y_bounds.0, grid.y_bounds.1),
        x_edges: edges(grid.x_bounds, nx),
        y_edges: edges(grid.y_bounds, ny),
        colors: on_grid.iter().map(|p| style::diverging_color(*p)).collect(),
        contour: contour_segments(&on_grid, &grid.xs, &grid.ys, spec.threshold),
        markers: markers(&points, &at_points, spec.threshold),
        n_dropped,
    })))
}

/// Draws `panel` in `area`. On an SVG canvas only its frame is drawn here, and the inside is
/// left to a slot that [`DrawnPanel::svg_layer`] fills.
pub(crate) fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &PanelContent,
    title_size: f64,
    look: Look,
) -> Result<(), DrawFailure> {
    let panel = match panel {
        PanelContent::Drawn(panel) => panel,
        PanelContent::Empty { title, .. } => {
            let body = chart::titled(area, title, title_size)?;
            return chart::draw_placeholder(&body, "no finite point to draw", look);
        }
    };
    let body = chart::titled(area, &panel.title, title_size)?;
    let labels = (panel.axis_labels.0.as_str(), panel.axis_labels.1.as_str());
    let mut chart = chart::chart(&body, &panel.x, &panel.y, labels, false, look)?;
    if look.canvas == Canvas::Svg {
        return svg::reserve_slot(
            &mut chart,
            (panel.x.lo, panel.x.hi),
            (panel.y.lo, panel.y.hi),
        );
    }
    chart::draw_cells(&mut chart, &panel.x_edges, &panel.y_edges, &panel.colors)?;
    chart.draw_series(
        panel
            .contour
            .iter()
            .map(|[a, b]| PathElement::new(vec![*a, *b], BLACK.stroke_width(2))),
    )?;
    let of = |split: Split| panel.markers.iter().filter(move |m| m.split == split);
    chart.draw_series(of(Split::Train).map(|m| {
        EmptyElement::at(m.at)
            + Circle::new((0, 0), 4, CLASS_COLORS[m.class].filled())
            + Circle::new((0, 0), 4, WHITE.stroke_width(1))
    }))?;
    chart.draw_series(
        of(Split::Test).map(|m| TriangleMarker::new(m.at, 7, CLASS_COLORS[m.class].filled())),
    )?;
    chart.draw_series(
        panel
            .markers
            .iter()
            .filter(|m| m.misclassified)
            .map(|m| Circle::new(m.at, 8, BLACK.stroke_width(2))),
    )?;
    Ok(())
}

impl DrawnPanel {
    /// The inside of the panel as SVG markup for the slot at `area`, drawn as [`draw_panel`]
    /// draws it on a bitmap: the heat map as an embedded PNG of one pixel per grid cell, then
    /// the contour, the training points (circles with a white rim), the test points
    /// (triangles) and the rings of the misclassified, as vectors.
    pub(crate) fn svg_layer(&self, area: SlotArea) -> Result<String, DrawFailure> {
        let (nx, ny) = (self.x_edges.len() - 1, self.y_edges.len() - 1);
        // Grid rows run bottom to top, image rows top to bottom.
        let rgb: Vec<u8> = (0..ny)
            .rev()
            .flat_map(|j| &self.colors[j * nx..(j + 1) * nx])
            .flat_map(|c| [c.0, c.1, c.2])
            .collect();
        let mut out = svg::png_image(area, (nx as u32, ny as u32), &rgb)?;
        let ranges = ((self.x.lo, self.x.hi), (self.y.lo, self.y.hi));
        let at = |point: (f64, f64)| {
            let (x, y) = area.place(point, ranges.0, ranges.1);
            (svg::number(x), svg::number(y))
        };
        if !self.contour.is_empty() {
            out.push_str("<path d=\"");
            for [a, b] in &self.contour {
                let ((ax, ay), (bx, by)) = (at(*a), at(*b));
                out.push_str(&format!("M{ax} {ay}L{bx} {by}"));
            }
            out.push_str(
                "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"2\" \
                 stroke-linecap=\"round\"/>\n",
            );
        }
        let of = |split: Split| self.markers.iter().filter(move |m| m.split == split);
        out.push_str("<g stroke=\"#FFFFFF\" stroke-width=\"1\">\n");
        for m in of(Split::Train) {
            let (x, y) = at(m.at);
            let fill = hex(CLASS_COLORS[m.class]);
            out.push_str(&format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" fill=\"{fill}\"/>\n"
            ));
        }
        out.push_str("</g>\n");
        // plotters' triangle marker of size 7: corners at -90°, -210° and -330° around the
        // point, 7 pixels out.
        for m in of(Split::Test) {
            let (x, y) = area.place(m.at, ranges.0, ranges.1);
            let (x, top) = (svg::number(x), svg::number(y - 7.0));
            let fill = hex(CLASS_COLORS[m.class]);
            out.push_str(&format!(
                "<path d=\"M{x} {top}l-6.06 10.5h12.12z\" fill=\"{fill}\"/>\n"
            ));
        }
        out.push_str("<g fill=\"none\" stroke=\"#000000\" stroke-width=\"2\">\n");
        for m in self.markers.iter().filter(|m| m.misclassified) {
            let (x, y) = at(m.at);
            out.push_str(&format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"8\"/>\n"));
        }
        out.push_str("</g>\n");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misclassified_points_are_on_the_wrong_side_of_the_threshold() {
        let points = [
            (0.0, 0.0, 1.0, Split::Train),
            (0.0, 0.0, 0.0, Split::Train),
            (0.0, 0.0, 1.0, Split::Test),
            (0.0, 0.0, 0.0, Split::Test),
        ];
        let found = markers(&points, &[0.9, 0.5, 0.2, f64::NAN], 0.5);
        let flags: Vec<bool> = found.iter().map(|m| m.misclassified).collect();
        assert_eq!(flags, vec![false, true, true, false]);
        assert_eq!(found[0].class, 1);
    }
}
