//! Every figure kind is written as PNG and as SVG, at the requested size.

use crate::common::{Scratch, assert_svg_size, every_figure, png_size};

#[test]
fn every_figure_is_written_as_png_of_the_requested_size() {
    let scratch = Scratch::new("png");
    for (name, size, draw) in every_figure() {
        let path = scratch.file(&format!("{name}.png"));
        let outcome = draw(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(outcome.is_written(), "{name}: {outcome:?}");
        assert_eq!(png_size(&path), size, "{name}");
    }
}

#[test]
fn every_figure_is_written_as_svg_of_the_requested_size() {
    let scratch = Scratch::new("svg");
    for (name, size, draw) in every_figure() {
        let path = scratch.file(&format!("{name}.svg"));
        let outcome = draw(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(outcome.is_written(), "{name}: {outcome:?}");
        assert_svg_size(&path, size);
    }
}

#[test]
fn the_extension_is_read_in_any_letter_case() {
    let scratch = Scratch::new("case");
    let (_, size, draw) = every_figure().remove(0);
    let path = scratch.file("loss.PNG");
    assert!(draw(&path).unwrap().is_written());
    assert_eq!(png_size(&path), size);
}

#[test]
fn writing_leaves_no_temporary_file_and_replaces_an_old_one() {
    let scratch = Scratch::new("atomic");
    let path = scratch.file("figure.png");
    std::fs::write(&path, b"old").unwrap();
    for (_, size, draw) in every_figure() {
        assert!(draw(&path).unwrap().is_written());
        assert_eq!(png_size(&path), size);
    }
    assert_eq!(scratch.listing(), vec!["figure.png".to_string()]);
}

#[test]
fn a_png_has_text_pixels_in_its_title_row() {
    // The bundled font renders: the title band of a loss plot is not blank.
    let scratch = Scratch::new("text");
    let (_, _, draw) = every_figure().remove(0);
    let path = scratch.file("loss.png");
    assert!(draw(&path).unwrap().is_written());
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut rgb).unwrap();
    let row_bytes = info.line_size;
    let title_band = &rgb[8 * row_bytes..30 * row_bytes];
    let dark = title_band
        .chunks(3)
        .filter(|p| p.iter().all(|c| *c < 100))
        .count();
    assert!(
        dark > 50,
        "only {dark} dark pixels where the title should be"
    );
}
