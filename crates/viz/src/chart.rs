//! Drawing helpers shared by the figures: the chart with our axes, the legend column and the
//! colour bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::axis::{Axis, AxisCoord};
use crate::output::{DrawFailure, Look};
use crate::style::{self, GRID, INK, LEGEND_SIZE, TICK_SIZE};

/// The coordinates of every chart in this crate: linear display space with our own ticks.
pub(crate) type Coords = Cartesian2d<AxisCoord, AxisCoord>;

/// A chart over `x` × `y` in `area`, with its axes, tick labels and descriptions drawn.
///
/// `grid_lines` draws light grid lines at the ticks (off for heat maps).
pub(crate) fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
    descriptions: (&str, &str),
    grid_lines: bool,
    look: Look,
) -> Result<ChartContext<'a, DB, Coords>, DrawFailure> {
    const X_LABEL_AREA: u32 = 52;
    let (width, height) = area.dim_in_pixel();
    let y = y.thinned(f64::from(height) - f64::from(X_LABEL_AREA) - 18.0, |_| {
        1.6 * TICK_SIZE
    });
    let y_label_width = y
        .ticks
        .iter()
        .map(|t| y.label(*t).chars().count())
        .max()
        .unwrap_or(1) as u32;
    let y_label_area = 34 + 9 * y_label_width;
    let x = x.thinned(f64::from(width) - f64::from(y_label_area) - 28.0, |text| {
        text.chars().count() as f64 * 0.56 * TICK_SIZE + 14.0
    });
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_right(22)
        .margin_left(6)
        .margin_bottom(6)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x.coord(), y.coord())?;
    let x_format = |v: &f64| x.label(*v);
    let y_format = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(descriptions.0)
        .y_desc(descriptions.1)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(style::text(TICK_SIZE))
        .y_label_offset(look.drop(TICK_SIZE))
        .axis_desc_style(style::text(style::AXIS_DESC_SIZE))
        .axis_style(INK)
        .bold_line_style(GRID)
        .light_line_style(RGBColor(242, 242, 242));
    if !grid_lines {
        mesh.disable_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// What a legend entry shows before its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A horizontal line of the given width.
    Line(RGBColor, u32),
    /// A dashed horizontal line.
    Dashed(RGBColor),
    /// A filled circle.
    Dot(RGBColor),
    /// A filled triangle.
    Triangle(RGBColor),
    /// A black ring (a highlighted point).
    Ring,
    /// An `x`.
    Cross(RGBColor),
    /// An open square.
    Square(RGBColor),
    /// A filled square.
    Block(RGBColor),
}

/// One line of a legend.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    pub(crate) swatch: Swatch,
    pub(crate) text: String,
}

impl LegendEntry {
    pub(crate) fn new(swatch: Swatch, text: impl Into<String>) -> LegendEntry {
        LegendEntry {
            swatch,
            text: text.into(),
        }
    }
}

const SWATCH_WIDTH: i32 = 28;
const LINE_HEIGHT: i32 = 22;

/// The width a legend column needs for `entries` (and an optional heading), at most
/// `max_width`.
pub(crate) fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    entries: &[LegendEntry],
    max_width: u32,
) -> Result<u32, DrawFailure> {
    let font = style::text(LEGEND_SIZE);
    let mut widest = 0;
    for text in entries.iter().map(|e| e.text.as_str()).chain(heading) {
        widest = widest.max(area.estimate_text_size(text, &font)?.0);
    }
    Ok((widest + SWATCH_WIDTH as u32 + 24).min(max_width))
}

/// Draws `entries` top-down from `top` (pixels) in `area`, under an optional heading; returns
/// the y just below the last entry.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    entries: &[LegendEntry],
    top: i32,
    look: Look,
) -> Result<i32, DrawFailure> {
    let mut y = top + LINE_HEIGHT / 2;
    let font = style::anchored(LEGEND_SIZE, HPos::Left, VPos::Center);
    let width = area.dim_in_pixel().0;
    if let Some(heading) = heading {
        area.draw(&Text::new(
            fit_text(area, heading, &font, width.saturating_sub(8))?,
            (4, y + look.drop(LEGEND_SIZE)),
            font.clone(),
        ))?;
        y += LINE_HEIGHT;
    }
    for entry in entries {
        draw_swatch(area, entry.swatch, (4, y))?;
        let room = width.saturating_sub(SWATCH_WIDTH as u32 + 14);
        area.draw(&Text::new(
            fit_text(area, &entry.text, &font, room)?,
            (SWATCH_WIDTH + 10, y + look.drop(LEGEND_SIZE)),
            font.clone(),
        ))?;
        y += LINE_HEIGHT;
    }
    Ok(y - LINE_HEIGHT / 2)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> Result<(), DrawFailure> {
    let middle = (x + SWATCH_WIDTH / 2, y);
    match swatch {
        Swatch::Line(color, width) => area.draw(&PathElement::new(
            vec![(x, y), (x + SWATCH_WIDTH, y)],
            color.stroke_width(width),
        ))?,
        Swatch::Dashed(color) => {
            for start in [0, 11, 22] {
                area.draw(&PathElement::new(
                    vec![(x + start, y), (x + (start + 6).min(SWATCH_WIDTH), y)],
                    color.stroke_width(2),
                ))?;
            }
        }
        Swatch::Dot(color) => {
            area.draw(&Circle::new(middle, 5, color.filled()))?;
            area.draw(&Circle::new(middle, 5, WHITE.stroke_width(1)))?;
        }
        Swatch::Triangle(color) => {
            area.draw(&TriangleMarker::new(middle, 7, color.filled()))?;
        }
        Swatch::Ring => area.draw(&Circle::new(middle, 8, BLACK.stroke_width(2)))?,
        Swatch::Cross(color) => area.draw(&Cross::new(middle, 6, color.stroke_width(3)))?,
        Swatch::Square(color) => area.draw(&Rectangle::new(
            [(middle.0 - 5, y - 5), (middle.0 + 5, y + 5)],
            color.stroke_width(2),
        ))?,
        Swatch::Block(color) => area.draw(&Rectangle::new(
            [(middle.0 - 7, y - 7), (middle.0 + 7, y + 7)],
            color.filled(),
        ))?,
    }
    Ok(())
}

/// A vertical colour bar.
pub(crate) struct ColorBar<'a> {
    /// Drawn above the bar.
    pub(crate) heading: &'a str,
    /// The colour at position `t ∈ [0, 1]` (0 at the bottom).
    pub(crate) color_at: &'a dyn Fn(f64) -> RGBColor,
    /// Tick positions in `[0, 1]` with their labels.
    pub(crate) ticks: Vec<(f64, String)>,
}

/// Draws `bar` in `area` between pixel rows `top` and `bottom`.
pub(crate) fn draw_color_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bar: &ColorBar<'_>,
    top: i32,
    bottom: i32,
    look: Look,
) -> Result<(), DrawFailure> {
    const LEFT: i32 = 8;
    const WIDTH: i32 = 20;
    area.draw(&Text::new(
        bar.heading.to_string(),
        (LEFT, top),
        style::anchored(LEGEND_SIZE, HPos::Left, VPos::Top),
    ))?;
    let top = top + 2 * LINE_HEIGHT - 8;
    let height = (bottom - top).max(10);
    for row in 0..height {
        let t = 1.0 - (f64::from(row) + 0.5) / f64::from(height);
        area.draw(&Rectangle::new(
            [(LEFT, top + row), (LEFT + WIDTH, top + row + 1)],
            (bar.color_at)(t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(LEFT, top), (LEFT + WIDTH, top + height)],
        INK.stroke_width(1),
    ))?;
    let font = style::anchored(TICK_SIZE, HPos::Left, VPos::Center);
    for (t, label) in &bar.ticks {
        let y = top + ((1.0 - t.clamp(0.0, 1.0)) * f64::from(height)).round() as i32;
        area.draw(&PathElement::new(
            vec![(LEFT + WIDTH, y), (LEFT + WIDTH + 5, y)],
            INK.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            label.clone(),
            (LEFT + WIDTH + 8, y + look.drop(TICK_SIZE)),
            font.clone(),
        ))?;
    }
    Ok(())
}

/// Draws "nothing to draw" with `reason` in the middle of `area` (an empty panel of a grid).
pub(crate) fn draw_placeholder<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    reason: &str,
    look: Look,
) -> Result<(), DrawFailure> {
    let (width, height) = area.dim_in_pixel();
    let centre = (width as i32 / 2, height as i32 / 2 + look.drop(LEGEND_SIZE));
    area.draw(&Text::new(
        fit_text(
            area,
            reason,
            &style::text(LEGEND_SIZE),
            width.saturating_sub(8),
        )?,
        centre,
        style::anchored(LEGEND_SIZE, HPos::Center, VPos::Center),
    ))?;
    Ok(())
}

/// Draws a heat map of `colors` (row-major, `x_edges.len() - 1` cells per row): cell `(i, j)`
/// spans `x_edges[i]..x_edges[i + 1]` × `y_edges[j]..y_edges[j + 1]` in display space. Runs
/// of equal colour along a row become one rectangle, which keeps SVG files small. Each
/// rectangle reaches half a cell into the next one to the right and above (which is drawn
/// later and covers it), so an SVG viewer's anti-aliasing shows no seams between cells.
pub(crate) fn draw_cells<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coords>,
    x_edges: &[f64],
    y_edges: &[f64],
    colors: &[RGBColor],
) -> Result<(), DrawFailure> {
    let nx = x_edges.len().saturating_sub(1);
    if nx == 0 {
        return Ok(());
    }
    let ny = y_edges.len().saturating_sub(1);
    // The far edge of cell `k` of `n`, overlapping the next cell by half its width.
    let overlapping = |edges: &[f64], k: usize, n: usize| {
        if k < n - 1 {
            edges[k + 1] + (edges[k + 2] - edges[k + 1]) / 2.0
        } else {
            edges[k + 1]
        }
    };
    let mut rectangles = Vec::new();
    for (j, row) in colors.chunks(nx).enumerate().take(ny) {
        let top = overlapping(y_edges, j, ny);
        let mut start = 0;
        for i in 1..=row.len() {
            if i == row.len() || row[i] != row[start] {
                let right = overlapping(x_edges, i - 1, nx);
                rectangles.push(Rectangle::new(
                    [(x_edges[start], y_edges[j]), (right, top)],
                    row[start].filled(),
                ));
                start = i;
            }
        }
    }
    chart.draw_series(rectangles)?;
    Ok(())
}

/// `text`, shortened with `…` until it is at most `max_width` pixels wide in `style`.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    max_width: u32,
) -> Result<String, DrawFailure> {
    if area.estimate_text_size(text, style)?.0 <= max_width {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let shortened: String = chars.iter().chain(['…'].iter()).collect();
        if area.estimate_text_size(&shortened, style)?.0 <= max_width {
            return Ok(shortened);
        }
    }
    Ok(String::new())
}

/// Draws `title` centred at the top of `area` (nothing when empty; shortened with `…` when
/// too wide) and returns the area below.
pub(crate) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    size: f64,
) -> Result<DrawingArea<DB, Shift>, DrawFailure> {
    if title.is_empty() {
        return Ok(area.margin(6, 0, 0, 0));
    }
    let style = style::text(size);
    let title = fit_text(
        area,
        title,
        &style,
        area.dim_in_pixel().0.saturating_sub(16),
    )?;
    Ok(area.margin(8, 0, 0, 0).titled(&title, style)?)
}
