//! From a drawing to a file: the format chosen by extension, the size check, PNG encoding, the
//! SVG slots filled (`svg.rs`) and the atomic write (`core_linalg::file::write_atomic`).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::svg::SlotArea as SvgSlotArea;
use crate::{VizError, font};

/// What a plotting function did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a skipped figure carries a reason worth logging"]
pub enum PlotOutcome {
    /// The file was written.
    Written {
        /// Input values left out because they cannot be drawn: non-finite numbers, values
        /// ≤ 0 on a log axis, points with a NaN coordinate. Worth logging when not 0.
        n_dropped: usize,
    },
    /// Nothing was drawable (empty input, all NaN, …); no file was written and any existing
    /// file at the path is untouched.
    Skipped {
        /// Why, in lowercase words, e.g. `no finite, positive training loss`.
        reason: String,
    },
}

impl PlotOutcome {
    /// `true` when the file was written.
    pub fn is_written(&self) -> bool {
        matches!(self, PlotOutcome::Written { .. })
    }

    pub(crate) fn skipped(reason: impl Into<String>) -> PlotOutcome {
        PlotOutcome::Skipped {
            reason: reason.into(),
        }
    }
}

/// The largest width and height accepted, in pixels.
pub(crate) const MAX_SIDE: u32 = 8192;

/// The file formats, chosen by the extension of the output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// `.png` or `.svg`, in any letter case.
    pub(crate) fn from_path(path: &Path) -> Result<ImageFormat, VizError> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        match extension.to_ascii_lowercase().as_str() {
            "png" => Ok(ImageFormat::Png),
            "svg" => Ok(ImageFormat::Svg),
            _ => Err(VizError::UnsupportedFormat {
                path: path.to_path_buf(),
                extension,
            }),
        }
    }
}

/// A checked destination: path, format and size.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) path: PathBuf,
    format: ImageFormat,
    size: (u32, u32),
}

impl Target {
    /// Checks the extension and that `size` lies in `min..=MAX_SIDE` on each side.
    pub(crate) fn new(path: &Path, size: (u32, u32), min: (u32, u32)) -> Result<Target, VizError> {
        let format = ImageFormat::from_path(path)?;
        let (width, height) = size;
        if !(min.0..=MAX_SIDE).contains(&width) || !(min.1..=MAX_SIDE).contains(&height) {
            return Err(VizError::InvalidSize {
                path: path.to_path_buf(),
                width,
                height,
                min_width: min.0,
                min_height: min.1,
                max: MAX_SIDE,
            });
        }
        Ok(Target {
            path: path.to_path_buf(),
            format,
            size,
        })
    }

    /// An error for a bad setting, naming this target's path.
    pub(crate) fn invalid(
        &self,
        field: &'static str,
        value: impl std::fmt::Display,
        expected: &'static str,
    ) -> VizError {
        VizError::InvalidSetting {
            path: self.path.clone(),
            field,
            value: value.to_string(),
            expected,
        }
    }

    /// Draws `figure` on a white canvas and writes the file atomically.
    pub(crate) fn write(&self, figure: &impl Figure) -> Result<(), VizError> {
        font::ensure_registered(&self.path)?;
        let (width, height) = self.size;
        let draw_error = |failure: DrawFailure| VizError::Draw {
            path: self.path.clone(),
            message: failure.0,
        };
        let bytes = match self.format {
            ImageFormat::Png => {
                let mut rgb = vec![0u8; width as usize * height as usize * 3];
                {
                    let root = BitMapBackend::with_buffer(&mut rgb, self.size).into_drawing_area();
                    render(&root, figure, Look::BITMAP).map_err(draw_error)?;
                }
                encode_png(&rgb, self.size).map_err(|e| VizError::Encode {
                    path: self.path.clone(),
                    message: e.to_string(),
                })?
            }
            ImageFormat::Svg => {
                let mut svg = String::new();
                {
                    let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
                    render(&root, figure, Look::SVG).map_err(draw_error)?;
                }
                crate::svg::fill_slots(&svg, |index, area| figure.svg_slot(index, area))
                    .map_err(draw_error)?
                    .into_bytes()
            }
        };
        core_linalg::file::write_atomic(&self.path, &bytes).map_err(|source| VizError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// Something that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Draws on `root`, which is already filled white.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure>;

    /// The markup of the `index`-th slot that [`Figure::draw`] reserved on an SVG canvas
    /// (see `svg.rs`), which lies at `area`. Figures that reserve none keep this default.
    fn svg_slot(&self, index: usize, _area: SvgSlotArea) -> Result<String, DrawFailure> {
        Err(DrawFailure(format!(
            "internal: SVG slot {index} reserved by a figure that fills none"
        )))
    }
}

/// What a figure is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Canvas {
    /// Pixels, encoded as PNG.
    Bitmap,
    /// SVG markup, where a figure may reserve slots for markup plotters cannot write.
    Svg,
}

/// What differs between the backends: the canvas, and a correction to text placement.
///
/// plotters 0.3.7 rasterises `ab_glyph` text with its baseline half a font size below the top
/// of the box it reports, so in a PNG text anchored at its vertical centre sits about a fifth
/// of the font size too high. An SVG leaves text placement to the viewer and needs nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Look {
    centre_drop: f64,
    pub(crate) canvas: Canvas,
}

impl Look {
    const BITMAP: Look = Look {
        centre_drop: 0.2,
        canvas: Canvas::Bitmap,
    };
    const SVG: Look = Look {
        centre_drop: 0.0,
        canvas: Canvas::Svg,
    };

    /// Pixels to move text of `size` down so its centre meets the anchor.
    pub(crate) fn drop(self, size: f64) -> i32 {
        (self.centre_drop * size).round() as i32
    }
}

/// A plotters error, reduced to its message (backends have different error types).
#[derive(Debug)]
pub(crate) struct DrawFailure(pub(crate) String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawFailure {
    fn from(error: DrawingAreaErrorKind<E>) -> Self {
        DrawFailure(error.to_string())
    }
}

fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &impl Figure,
    look: Look,
) -> Result<(), DrawFailure> {
    root.fill(&WHITE)?;
    figure.draw(root, look)?;
    root.present()?;
    Ok(())
}

fn encode_png(rgb: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension_in_any_case() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a/b.png")).unwrap(),
            ImageFormat::Png
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.SVG")).unwrap(),
            ImageFormat::Svg
        );
        let error = ImageFormat::from_path(Path::new("b.jpg")).unwrap_err();
        assert!(error.to_string().contains("b.jpg"), "{error}");
        assert!(error.to_string().contains(".png or *.svg"), "{error}");
        assert!(ImageFormat::from_path(Path::new("noextension")).is_err());
    }

    #[test]
    fn sizes_outside_the_range_are_errors() {
        assert!(Target::new(Path::new("a.png"), (0, 100), (100, 100)).is_err());
        assert!(Target::new(Path::new("a.png"), (100, 99_999), (100, 100)).is_err());
        assert!(Target::new(Path::new("a.png"), (100, 100), (100, 100)).is_ok());
    }
}
