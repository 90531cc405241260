//! The figures inside `report.html`: each as inline SVG or as a PNG data URI, whichever is
//! smaller, so the page shows every picture when copied out of its folder or mailed.

use std::path::Path;

use base64::Engine as _;

use super::escape;
use crate::figures::FigureFile;

/// A figure as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EmbeddedFigure {
    /// The figure's files and description.
    pub(super) file: FigureFile,
    /// The markup that shows it: an `<svg>` element or an `<img>` with a `data:` URI; a link
    /// to `figures/<name>.svg` only when neither file could be read (a warning says so).
    pub(super) markup: String,
}

/// Reads `figure`'s SVG and PNG from `dir/figures/` and keeps the smaller as markup, so the page
/// needs no other file. A file that cannot be read is a warning on stderr, prefixed `study`.
pub(super) fn embed(study: &str, dir: &Path, figure: FigureFile) -> EmbeddedFigure {
    let folder = dir.join("figures");
    let alt = escape(&figure.title);
    let svg = std::fs::read_to_string(folder.join(format!("{}.svg", figure.name)));
    let png = std::fs::read(folder.join(format!("{}.png", figure.name)));
    let inline = svg.as_ref().ok().and_then(|svg| inline_svg(svg, &alt));
    let data_uri = png.as_ref().ok().map(|png| {
        format!(
            "<img src=\"data:image/png;base64,{}\" alt=\"{alt}\">",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    });
    let markup = match (inline, data_uri) {
        (Some(svg), Some(png)) if svg.len() <= png.len() => svg,
        (_, Some(png)) => png,
        (Some(svg), None) => svg,
        (None, None) => {
            let error = svg.err().or(png.err()).map(|e| e.to_string());
            eprintln!(
                "{study}: warning: figure {} not embedded in report.html: {}",
                figure.name,
                error.unwrap_or_else(|| "its SVG has no <svg> element".into())
            );
            format!(
                "<img src=\"figures/{}.svg\" alt=\"{alt}\">",
                escape(&figure.name)
            )
        }
    };
    EmbeddedFigure {
        file: figure,
        markup,
    }
}

/// `svg` as an element of the page, labelled `alt` (escaped) for screen readers; `None` when
/// it has no `<svg` element. Figures are drawn without `id`s, scripts or style sheets, so
/// several can share a page.
fn inline_svg(svg: &str, alt: &str) -> Option<String> {
    let rest = &svg[svg.find("<svg")? + "<svg".len()..];
    Some(format!(
        "<svg role=\"img\" aria-label=\"{alt}\"{}",
        rest.trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(name: &str) -> FigureFile {
        FigureFile {
            name: name.into(),
            title: "a \"title\"".into(),
            caption: String::new(),
        }
    }

    #[test]
    fn the_smaller_form_is_embedded() {
        let dir = std::env::temp_dir().join(format!("report-embed-{}", std::process::id()));
        let folder = dir.join("figures");
        std::fs::create_dir_all(&folder).unwrap();
        let small_svg = "<svg width=\"2\" height=\"2\" viewBox=\"0 0 2 2\"></svg>\n";
        std::fs::write(folder.join("small.svg"), small_svg).unwrap();
        std::fs::write(folder.join("small.png"), [7u8; 300]).unwrap();
        let embedded = embed("s", &dir, figure("small"));
        assert_eq!(
            embedded.markup,
            "<svg role=\"img\" aria-label=\"a &quot;title&quot;\" width=\"2\" height=\"2\" \
             viewBox=\"0 0 2 2\"></svg>"
        );
        std::fs::write(
            folder.join("large.svg"),
            format!("<svg>{}</svg>", "x".repeat(500)),
        )
        .unwrap();
        std::fs::write(folder.join("large.png"), [1u8, 2, 3]).unwrap();
        let embedded = embed("s", &dir, figure("large"));
        assert_eq!(
            embedded.markup,
            "<img src=\"data:image/png;base64,AQID\" alt=\"a &quot;title&quot;\">"
        );
        // Nothing to read: a link, and a warning.
        let embedded = embed("s", &dir, figure("missing"));
        assert!(embedded.markup.contains("src=\"figures/missing.svg\""));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
