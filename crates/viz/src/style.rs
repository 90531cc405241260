//! Colours, text sizes and colour maps shared by every figure.

use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::font::FAMILY;

/// Text sizes in pixels (plotters' font size: about 1.24 × the height of a capital letter).
pub(crate) const TITLE_SIZE: f64 = 24.0;
pub(crate) const PANEL_TITLE_SIZE: f64 = 20.0;
pub(crate) const AXIS_DESC_SIZE: f64 = 18.0;
pub(crate) const TICK_SIZE: f64 = 15.0;
pub(crate) const LEGEND_SIZE: f64 = 15.0;

/// Drawn where a value is NaN ("no data").
pub(crate) const NO_DATA: RGBColor = RGBColor(190, 190, 190);
/// Axis descriptions, tick labels and outlines.
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);

/// The end of the diverging map at probability 0 (class 0, blue).
pub(crate) const DIVERGING_LOW: RGBColor = RGBColor(67, 147, 195);
/// The middle of the diverging map at probability 0.5.
pub(crate) const DIVERGING_MID: RGBColor = RGBColor(255, 255, 255);
/// The end of the diverging map at probability 1 (class 1, red).
pub(crate) const DIVERGING_HIGH: RGBColor = RGBColor(214, 96, 77);

/// Markers of true class 0 and 1: darker than the heat map so they stand out on it.
pub(crate) const CLASS_COLORS: [RGBColor; 2] = [RGBColor(8, 48, 107), RGBColor(140, 10, 30)];

/// The Okabe–Ito palette (distinguishable with colour-vision deficiencies), yellow left out
/// (too light on white), then two extra darks.
const PALETTE: [RGBColor; 9] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(117, 112, 179),
    RGBColor(140, 86, 75),
];

/// The colour of the `index`-th group (cycles after nine).
pub(crate) fn group_color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// A text style of the bundled font.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&INK)
}

/// A text style anchored at `h`, `v`.
pub(crate) fn anchored(size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    text(size).pos(Pos::new(h, v))
}

/// `color` at opacity `alpha` over white, as an opaque colour (for legend swatches).
pub(crate) fn faded(color: RGBColor, alpha: f64) -> RGBColor {
    lerp(RGBColor(255, 255, 255), color, alpha)
}

fn lerp(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The diverging colour of a probability: blue at 0, white at 0.5, red at 1, linear between;
/// values outside `[0, 1]` are clamped; NaN is grey ("no data").
pub(crate) fn diverging_color(probability: f64) -> RGBColor {
    if probability.is_nan() {
        return NO_DATA;
    }
    let p = probability.clamp(0.0, 1.0);
    if p <= 0.5 {
        lerp(DIVERGING_LOW, DIVERGING_MID, p / 0.5)
    } else {
        lerp(DIVERGING_MID, DIVERGING_HIGH, (p - 0.5) / 0.5)
    }
}

/// The sequential colour (viridis: dark purple → yellow) of `t` in `[0, 1]`; `None` is grey.
pub(crate) fn sequential_color(t: Option<f64>) -> RGBColor {
    match t {
        Some(t) => ViridisRGB::get_color(t.clamp(0.0, 1.0)),
        None => NO_DATA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_map_endpoints_and_middle() {
        assert_eq!(diverging_color(0.0), DIVERGING_LOW);
        assert_eq!(diverging_color(0.5), RGBColor(255, 255, 255));
        assert_eq!(diverging_color(1.0), DIVERGING_HIGH);
        assert_eq!(diverging_color(-3.0), DIVERGING_LOW);
        assert_eq!(diverging_color(7.0), DIVERGING_HIGH);
        assert_eq!(diverging_color(f64::NAN), NO_DATA);
    }

    #[test]
    fn diverging_map_is_bluish_below_and_reddish_above_the_middle() {
        let below = diverging_color(0.3);
        let above = diverging_color(0.7);
        assert!(below.2 > below.0, "{below:?}");
        assert!(above.0 > above.2, "{above:?}");
    }

    #[test]
    fn sequential_map_ends_are_dark_and_light() {
        let dark = sequential_color(Some(0.0));
        let light = sequential_color(Some(1.0));
        let brightness = |c: RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
        assert!(brightness(dark) < brightness(light));
        assert_eq!(sequential_color(None), NO_DATA);
    }

    #[test]
    fn palette_cycles() {
        assert_eq!(group_color(0), group_color(9));
        assert_ne!(group_color(0), group_color(1));
    }
}
