//! The bundled font: DejaVu Sans, registered with plotters once per process.
//!
//! plotters is built without its system-font stack (font-kit, fontconfig), so text renders the
//! same on a fresh machine, in CI and in a container without fonts. The licence of the font is
//! in `assets/LICENSE-DejaVu.txt`.

use std::path::Path;
use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

use crate::VizError;

/// The family name every text style of this crate uses. The font is registered under it, and
/// SVG output names it, so an SVG viewer falls back to its own sans-serif font.
pub(crate) const FAMILY: &str = "sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera / DejaVu licence), about 740 KB.
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers the bundled font under [`FAMILY`] the first time it is called.
///
/// # Errors
/// [`VizError::Font`] if the bundled bytes are not a font plotters can read (a packaging bug).
pub(crate) fn ensure_registered(path: &Path) -> Result<(), VizError> {
    let registered =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if registered {
        Ok(())
    } else {
        Err(VizError::Font {
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_is_small_and_loads() {
        assert!(DEJAVU_SANS.len() < 1_000_000, "{} bytes", DEJAVU_SANS.len());
        ensure_registered(Path::new("test.png")).unwrap();
        ensure_registered(Path::new("test.png")).unwrap();
    }
}
