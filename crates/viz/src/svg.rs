//! Markup that plotters' SVG backend cannot write, spliced into its output: while drawing on
//! an SVG canvas a figure reserves a *slot* (a rectangle of a colour no figure uses), and
//! after drawing it fills each slot with its own markup, such as a heat map as an embedded PNG
//! image with the points drawn over it as compact vectors.
//!
//! Why: plotters writes every heat-map cell as its own `<rect>` and every marker as one or two
//! elements carrying all their attributes, and it has no image element without the `image`
//! crate, which this crate leaves out.

use base64::Engine as _;
use plotters::prelude::*;

use crate::chart::Coords;
use crate::output::DrawFailure;

/// The fill of a reserved slot: a colour no figure draws with.
const SLOT_FILL: RGBColor = RGBColor(1, 2, 3);
/// How plotters writes [`SLOT_FILL`] in an element.
const SLOT_MARK: &str = "fill=\"#010203\"";

/// Where a slot lies on the canvas, in pixels, and the display-space ranges it spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SlotArea {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

impl SlotArea {
    /// The pixel position of the display-space point `(x, y)` in a slot spanning `x_range`
    /// left to right and `y_range` bottom to top.
    pub(crate) fn place(
        &self,
        (x, y): (f64, f64),
        x_range: (f64, f64),
        y_range: (f64, f64),
    ) -> (f64, f64) {
        (
            self.x + (x - x_range.0) / (x_range.1 - x_range.0) * self.width,
            self.y + (y_range.1 - y) / (y_range.1 - y_range.0) * self.height,
        )
    }
}

/// Reserves the part of `chart` spanning `x` × `y` (display space) for markup written after
/// drawing; see [`fill_slots`].
pub(crate) fn reserve_slot<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coords>,
    x: (f64, f64),
    y: (f64, f64),
) -> Result<(), DrawFailure> {
    chart.draw_series(std::iter::once(Rectangle::new(
        [(x.0, y.1), (x.1, y.0)],
        SLOT_FILL.filled(),
    )))?;
    Ok(())
}

/// Replaces the `k`-th reserved slot of `svg` (in drawing order) with `fill(k, area)`.
///
/// # Errors
/// What `fill` returns, or a failure naming the slot whose rectangle cannot be read (an
/// internal error: plotters wrote it in a form this module does not know).
pub(crate) fn fill_slots(
    svg: &str,
    mut fill: impl FnMut(usize, SlotArea) -> Result<String, DrawFailure>,
) -> Result<String, DrawFailure> {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    let mut index = 0;
    while let Some(mark) = rest.find(SLOT_MARK) {
        let unreadable = || DrawFailure(format!("internal: SVG slot {index} cannot be read"));
        let start = rest[..mark].rfind("<rect").ok_or_else(unreadable)?;
        let end = mark + rest[mark..].find("/>").ok_or_else(unreadable)? + 2;
        let element = &rest[start..end];
        let number = |name: &str| attribute(element, name).ok_or_else(unreadable);
        let area = SlotArea {
            x: number("x")?,
            y: number("y")?,
            width: number("width")?,
            height: number("height")?,
        };
        out.push_str(&rest[..start]);
        out.push_str(&fill(index, area)?);
        rest = &rest[end..];
        index += 1;
    }
    out.push_str(rest);
    Ok(out)
}

/// The number in attribute `name="…"` of `element`.
fn attribute(element: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = element.find(&key)? + key.len();
    let length = element[start..].find('"')?;
    element[start..start + length].parse().ok()
}

/// An `<image>` showing the `width` × `height` RGB pixels `rgb` (rows top-down) stretched over
/// `area`, as an embedded PNG. Viewers interpolate between the pixels when they scale it up.
///
/// # Errors
/// The PNG encoder's failure (an internal error: the buffer has the wrong length).
pub(crate) fn png_image(
    area: SlotArea,
    (width, height): (u32, u32),
    rgb: &[u8],
) -> Result<String, DrawFailure> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    encoder.set_filter(png::Filter::Adaptive);
    let encoded = encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(rgb));
    encoded.map_err(|e| DrawFailure(format!("internal: embedded PNG: {e}")))?;
    Ok(format!(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" \
         href=\"data:image/png;base64,{}\"/>\n",
        number(area.x),
        number(area.y),
        number(area.width),
        number(area.height),
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

/// A pixel coordinate in at most one decimal (`201.3`, `12`): a tenth of a pixel is finer
/// than any screen shows, and shorter numbers keep a file of thousands of points small.
pub(crate) fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

/// `#RRGGBB`.
pub(crate) fn hex(color: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(number(201.34), "201.3");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-0.04), "0");
        assert_eq!(number(-3.26), "-3.3");
        assert_eq!(hex(RGBColor(8, 48, 107)), "#08306B");
    }

    #[test]
    fn slots_are_filled_in_order_with_their_areas() {
        let svg = "<svg>\n<rect x=\"0\" y=\"0\" width=\"9\" height=\"9\" opacity=\"1\" \
                   fill=\"#FFFFFF\" stroke=\"none\"/>\n<rect x=\"10\" y=\"20\" width=\"30\" \
                   height=\"40\" opacity=\"1\" fill=\"#010203\" stroke=\"none\"/>\n<text>a</text>\n\
                   <rect x=\"5\" y=\"6\" width=\"7\" height=\"8\" opacity=\"1\" \
                   fill=\"#010203\" stroke=\"none\"/>\n</svg>\n";
        let mut seen = Vec::new();
        let filled = fill_slots(svg, |k, area| {
            seen.push((k, area));
            Ok(format!("<slot{k}/>"))
        })
        .unwrap();
        assert_eq!(
            filled,
            "<svg>\n<rect x=\"0\" y=\"0\" width=\"9\" height=\"9\" opacity=\"1\" \
             fill=\"#FFFFFF\" stroke=\"none\"/>\n<slot0/>\n<text>a</text>\n<slot1/>\n</svg>\n"
        );
        let area = |x, y, width, height| SlotArea {
            x,
            y,
            width,
            height,
        };
        assert_eq!(
            seen,
            vec![
                (0, area(10.0, 20.0, 30.0, 40.0)),
                (1, area(5.0, 6.0, 7.0, 8.0))
            ]
        );
        assert!(fill_slots("<svg fill=\"#010203\"/>", |_, _| Ok(String::new())).is_err());
    }

    #[test]
    fn places_map_ranges_onto_the_area_with_y_up() {
        let area = SlotArea {
            x: 100.0,
            y: 50.0,
            width: 200.0,
            height: 100.0,
        };
        assert_eq!(
            area.place((0.0, 0.0), (0.0, 2.0), (0.0, 1.0)),
            (100.0, 150.0)
        );
        assert_eq!(
            area.place((2.0, 1.0), (0.0, 2.0), (0.0, 1.0)),
            (300.0, 50.0)
        );
        assert_eq!(
            area.place((0.5, 0.25), (0.0, 2.0), (0.0, 1.0)),
            (150.0, 125.0)
        );
    }

    #[test]
    fn images_embed_a_png_of_the_pixels() {
        let area = SlotArea {
            x: 1.0,
            y: 2.0,
            width: 30.0,
            height: 40.0,
        };
        let image = png_image(area, (2, 1), &[255, 0, 0, 0, 0, 255]).unwrap();
        assert!(image.starts_with("<image x=\"1\" y=\"2\" width=\"30\" height=\"40\""));
        let data = image
            .split("base64,")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png_image(area, (2, 2), &[0; 3]).is_err(), "too few bytes");
    }
}
