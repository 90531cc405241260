//! Tiny synthetic inputs for every figure kind, a scratch folder, and image-header readers.

use std::fs;
use std::path::{Path, PathBuf};

use viz::{
    Band, BoundaryGridSpec, BoundaryPanel, BoundarySpec, EpochsToFractionSpec, FractionOutcome,
    FractionRun, GradientHeatmapSpec, GroupCurve, LossCurvesSpec, LossSeries, Matrix, MetricSpec,
    ParameterValues, PlotOutcome, Scale, ShareCell, ShareGridSpec, VizError,
};

/// A fresh, empty folder for one test, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("viz-it-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Names of the files in the folder, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |range: std::ops::Range<usize>| u32::from_be_bytes(bytes[range].try_into().unwrap());
    (be(16..20), be(20..24))
}

/// Asserts `path` is an SVG of `width × height`.
pub fn assert_svg_size(path: &Path, (width, height): (u32, u32)) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains("<svg"), "{} is not an SVG", path.display());
    assert!(
        text.contains(&format!("width=\"{width}\""))
            && text.contains(&format!("height=\"{height}\"")),
        "{} is not {width}×{height}",
        path.display()
    );
}

/// A figure drawer: writes one figure kind to the given path.
pub type Drawer = Box<dyn Fn(&Path) -> Result<PlotOutcome, VizError>>;

/// A probability that rises along the first feature.
pub fn logistic(grid: &Matrix) -> Vec<f64> {
    grid.row_iter()
        .map(|row| 1.0 / (1.0 + (-3.0 * (row[0] - 0.5)).exp()))
        .collect()
}

pub fn points() -> (Matrix, Vec<f64>) {
    let x = Matrix::from_row_slice(4, 2, &[0.0, 0.0, 1.0, 0.2, 0.1, 1.0, 0.9, 0.8]);
    (x, vec![0.0, 1.0, 0.0, 1.0])
}

/// Every figure kind with small, ordinary inputs, and the size each is drawn at.
pub fn every_figure() -> Vec<(&'static str, (u32, u32), Drawer)> {
    vec![
        (
            "loss_curves",
            (640, 400),
            Box::new(|path: &Path| {
                let series = vec![
                    LossSeries::new("0.1", 1, vec![0.7, 0.5, 0.3]).with_eval(vec![0.8, 0.6, 0.4]),
                    LossSeries::new("0.1", 2, vec![0.7, 0.45, 0.35]),
                    LossSeries::new("10", 1, vec![0.7, 9.0]).with_diverged_at(1),
                ];
                let median = GroupCurve::new("0.1", vec![0.0, 1.0, 2.0], vec![0.7, 0.475, 0.325])
                    .with_eval(vec![0.8, 0.6, 0.4]);
                let spec = LossCurvesSpec::new("loss", series)
                    .with_group_name("learning rate")
                    .with_group_curves("median over seeds", vec![median])
                    .with_size(640, 400);
                viz::loss_curves(path, &spec)
            }),
        ),
        (
            "decision_boundary",
            (600, 450),
            Box::new(|path: &Path| {
                let (x, y) = points();
                let spec = BoundarySpec::new("width 3 — F1 0.50")
                    .with_train(&x, &y)
                    .with_test(&x, &y)
                    .with_resolution(40)
                    .with_size(600, 450);
                viz::decision_boundary(path, &spec, logistic)
            }),
        ),
        (
            "boundary_grid",
            (900, 500),
            Box::new(|path: &Path| {
                let (x, y) = points();
                let panels = ["width 3", "width 6", "width 20"]
                    .iter()
                    .map(|title| {
                        let spec = BoundarySpec::new(*title)
                            .with_train(&x, &y)
                            .with_resolution(30);
                        BoundaryPanel::new(spec, logistic)
                    })
                    .collect();
                let spec = BoundaryGridSpec::new("by width", panels, 3).with_size(900, 500);
                viz::boundary_grid(path, &spec)
            }),
        ),
        (
            "metric_vs_parameter",
            (500, 360),
            Box::new(|path: &Path| {
                let spec = MetricSpec::new(
                    "F1",
                    ParameterValues::Numeric(vec![0.01, 0.1, 1.0]),
                    vec![vec![0.5, 0.6], vec![0.8, 0.82], vec![0.7]],
                )
                .with_bands(
                    "mean ± sd",
                    vec![
                        Some(Band::new(0.55, 0.48, 0.62)),
                        Some(Band::new(0.81, 0.80, 0.82)),
                        Some(Band::point(0.7)),
                    ],
                )
                .with_x_scale(Scale::Log)
                .with_reference("original", vec![0.55, 0.8, 0.75])
                .with_size(500, 360);
                viz::metric_vs_parameter(path, &spec)
            }),
        ),
        (
            "metric_categorical",
            (500, 360),
            Box::new(|path: &Path| {
                let names = vec!["sigmoid".to_string(), "tanh".into(), "relu".into()];
                let spec = MetricSpec::new(
                    "final loss",
                    ParameterValues::Categorical(names),
                    vec![vec![0.3, 0.35], vec![0.1], vec![0.05, 0.06]],
                )
                .with_y_scale(Scale::Log)
                .with_size(500, 360);
                viz::metric_vs_parameter(path, &spec)
            }),
        ),
        (
            "gradient_heatmap",
            (700, 300),
            Box::new(|path: &Path| {
                let spec = GradientHeatmapSpec::new(
                    "gradients",
                    vec![0.0, 10.0, 20.0],
                    vec![
                        vec![1e-6, 1e-7, 1e-8],
                        vec![1e-3, 1e-3, 1e-4],
                        vec![0.1, 0.05, 0.01],
                    ],
                )
                .with_size(700, 300);
                viz::gradient_heatmap(path, &spec)
            }),
        ),
        (
            "epochs_to_fraction",
            (640, 420),
            Box::new(|path: &Path| {
                let run = |learning_rate, seed, outcome| FractionRun {
                    learning_rate,
                    seed,
                    outcome,
                };
                let runs = vec![
                    run(0.01, 1, FractionOutcome::Reached { epochs: 500 }),
                    run(0.01, 2, FractionOutcome::NotReached),
                    run(0.1, 1, FractionOutcome::Reached { epochs: 60 }),
                    run(0.1, 2, FractionOutcome::Reached { epochs: 40 }),
                    run(10.0, 1, FractionOutcome::Diverged),
                ];
                let spec = EpochsToFractionSpec::new("speed", 0.3, runs)
                    .with_centres("median", vec![(0.01, 500.0), (0.1, 50.0)])
                    .with_size(640, 420);
                viz::epochs_to_fraction(path, &spec)
            }),
        ),
        (
            "share_grid",
            (700, 360),
            Box::new(|path: &Path| {
                let cell = |count, total| Some(ShareCell { count, total });
                let spec = ShareGridSpec::new(
                    "diverged",
                    vec![0.1, 0.3, 1.0, 3.0],
                    vec!["scale 1".into(), "scale 10".into()],
                    vec![
                        vec![cell(0, 5), cell(0, 5), cell(1, 5), cell(5, 5)],
                        vec![cell(0, 5), cell(3, 5), None, cell(5, 5)],
                    ],
                )
                .with_labels("learning rate", "feature scale", "share diverged")
                .with_markers("predicted 2 / λ_max", vec![Some(2.0), Some(0.05)])
                .with_size(700, 360);
                viz::share_grid(path, &spec)
            }),
        ),
    ]
}
