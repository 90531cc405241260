//! Decision boundaries as SVG: the heat map is one embedded PNG per panel, the points and the
//! contour are vectors drawn once each, and a grid of panels with many points stays small.

use base64::Engine as _;
use viz::{BoundaryGridSpec, BoundaryPanel, BoundarySpec, Matrix};

use crate::common::{Scratch, logistic};

/// The decoded PNG of every `<image>` of `svg`, with its width and height.
fn embedded_pngs(svg: &str) -> Vec<(u32, u32, Vec<u8>)> {
    svg.split("href=\"data:image/png;base64,")
        .skip(1)
        .map(|rest| {
            let data = &rest[..rest.find('"').unwrap()];
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
            let mut reader = decoder.read_info().unwrap();
            let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut rgb).unwrap();
            assert_eq!(info.color_type, png::ColorType::Rgb);
            (info.width, info.height, rgb)
        })
        .collect()
}

/// `n` points on two interleaved spirals, classes alternating.
fn spirals(n: usize) -> (Matrix, Vec<f64>) {
    let x = Matrix::from_fn(n, 2, |row, column| {
        let t = row as f64 / n as f64 * 12.0;
        let sign = if row % 2 == 0 { 1.0 } else { -1.0 };
        if column == 0 {
            sign * t * t.cos()
        } else {
            sign * t * t.sin()
        }
    });
    let y = (0..n).map(|row| (row % 2) as f64).collect();
    (x, y)
}

#[test]
fn the_heat_map_is_an_embedded_png_and_points_are_vectors() {
    let scratch = Scratch::new("svg-panel");
    let path = scratch.file("boundary.svg");
    let x = Matrix::from_row_slice(4, 2, &[0.0, 0.0, 1.0, 0.2, 0.1, 1.0, 0.9, 0.8]);
    let train = [0.0, 1.0, 1.0, 1.0];
    let test = Matrix::from_row_slice(1, 2, &[0.5, 0.5]);
    let spec = BoundarySpec::new("one panel")
        .with_train(&x, &train)
        .with_test(&test, &[1.0])
        .with_resolution(40);
    assert!(
        viz::decision_boundary(&path, &spec, logistic)
            .unwrap()
            .is_written()
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(!svg.contains("#010203"), "a slot was left unfilled");
    let images = embedded_pngs(&svg);
    assert_eq!(images.len(), 1);
    let (width, height, rgb) = &images[0];
    assert_eq!((*width, *height), (40, 40), "one pixel per grid cell");
    // The probability rises along x₁: blue (class 0) on the left, red on the right, on every
    // row alike.
    let pixel = |column: usize, row: usize| {
        let at = (row * 40 + column) * 3;
        (rgb[at], rgb[at + 1], rgb[at + 2])
    };
    let (left, right) = (pixel(0, 0), pixel(39, 0));
    assert!(left.2 > left.0 && right.0 > right.2, "{left:?} {right:?}");
    assert_eq!(pixel(0, 0), pixel(0, 39));
    // Four training points (circles), one test point (a triangle path), one ring for the
    // misclassified training point (0.1, 1.0) labelled 1, and one contour path.
    let count = |needle: &str| svg.matches(needle).count();
    assert_eq!(count("r=\"4\" fill="), 4, "{svg}");
    assert_eq!(count("l-6.06 10.5h12.12z"), 1);
    assert_eq!(count("r=\"8\"/>"), 1);
    assert_eq!(count("stroke-linecap=\"round\""), 1);
    // The colour bar and the frame are rectangles; 40 × 40 cells drawn as rectangles would be
    // hundreds more.
    assert!(count("<rect") < 400, "{} rectangles", count("<rect"));
}

#[test]
fn a_grid_of_eight_panels_of_600_points_stays_under_500_kb() {
    let scratch = Scratch::new("svg-grid");
    let path = scratch.file("boundaries.svg");
    let (x, y) = spirals(600);
    let panels = (1..=8)
        .map(|k| {
            let spec = BoundarySpec::new(format!("panel {k}"))
                .with_train(&x, &y)
                .with_resolution(100);
            // A boundary through the centre, turned a little further in each panel.
            let (cos, sin) = (f64::from(k) / 3.0).sin_cos();
            BoundaryPanel::new(spec, move |grid: &Matrix| -> Vec<f64> {
                grid.row_iter()
                    .map(|r| 1.0 / (1.0 + (-(r[0] * cos + r[1] * sin)).exp()))
                    .collect()
            })
        })
        .collect();
    let spec = BoundaryGridSpec::new("eight panels", panels, 4).with_size(1398, 760);
    assert!(viz::boundary_grid(&path, &spec).unwrap().is_written());
    let svg = std::fs::read_to_string(&path).unwrap();
    assert_eq!(embedded_pngs(&svg).len(), 8);
    assert_eq!(
        svg.matches("r=\"4\" fill=").count(),
        8 * 600,
        "every point once"
    );
    let bytes = svg.len();
    assert!(bytes < 500_000, "{bytes} bytes");
}
