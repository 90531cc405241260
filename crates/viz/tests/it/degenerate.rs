//! Empty, all-NaN, single-point, constant and extreme inputs never panic: each figure is
//! skipped with a reason (and no file) or written.

use std::path::Path;

use viz::{
    Band, BoundaryGridSpec, BoundaryPanel, BoundarySpec, EpochsToFractionSpec, FractionOutcome,
    FractionRun, GradientHeatmapSpec, LossCurvesSpec, LossSeries, Matrix, MetricSpec,
    ParameterValues, PlotOutcome, Scale,
};

use crate::common::{Scratch, logistic, png_size};

const NAN: f64 = f64::NAN;

/// Runs `draw` for PNG and SVG; checks a skipped figure left no file and a written one did.
fn check(
    name: &str,
    draw: impl Fn(&Path) -> Result<PlotOutcome, viz::VizError>,
) -> Vec<PlotOutcome> {
    let scratch = Scratch::new(name);
    ["png", "svg"]
        .iter()
        .map(|extension| {
            let path = scratch.file(&format!("{name}.{extension}"));
            let outcome = draw(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            match &outcome {
                PlotOutcome::Written { .. } => assert!(path.exists(), "{name}"),
                PlotOutcome::Skipped { reason } => {
                    assert!(!reason.is_empty());
                    assert!(
                        scratch.listing().is_empty(),
                        "{name}: {:?}",
                        scratch.listing()
                    );
                }
            }
            outcome
        })
        .collect()
}

fn skipped(outcomes: &[PlotOutcome]) -> bool {
    outcomes
        .iter()
        .all(|o| matches!(o, PlotOutcome::Skipped { .. }))
}

fn written(outcomes: &[PlotOutcome]) -> bool {
    outcomes.iter().all(PlotOutcome::is_written)
}

fn losses(name: &str, series: Vec<LossSeries>) -> Vec<PlotOutcome> {
    check(name, |path| {
        viz::loss_curves(path, &LossCurvesSpec::new(name, series.clone()))
    })
}

#[test]
fn loss_curves_of_degenerate_series() {
    assert!(skipped(&losses("loss-empty", vec![])));
    assert!(skipped(&losses(
        "loss-no-epochs",
        vec![LossSeries::new("a", 1, vec![])]
    )));
    assert!(skipped(&losses(
        "loss-nan",
        vec![LossSeries::new("a", 1, vec![NAN; 4])]
    )));
    let non_positive = vec![LossSeries::new("a", 1, vec![0.0, -1.0, f64::INFINITY])];
    assert!(skipped(&losses("loss-non-positive", non_positive)));
    assert!(written(&losses(
        "loss-single",
        vec![LossSeries::new("a", 1, vec![0.7])]
    )));
    assert!(written(&losses(
        "loss-constant",
        vec![LossSeries::new("a", 1, vec![0.5; 10])]
    )));
    let mixed = vec![LossSeries::new("a", 1, vec![NAN, 0.7, NAN, 0.3]).with_eval(vec![NAN; 4])];
    let outcomes = losses("loss-mixed", mixed);
    assert_eq!(outcomes[0], PlotOutcome::Written { n_dropped: 6 });
    let extreme = vec![LossSeries::new(
        "a",
        1,
        vec![1e-300, 1e300, f64::MAX, f64::MIN_POSITIVE],
    )];
    assert!(written(&losses("loss-extreme", extreme)));
    let diverged_at_once = vec![LossSeries::new("a", 1, vec![f64::INFINITY]).with_diverged_at(0)];
    assert!(skipped(&losses("loss-diverged-at-once", diverged_at_once)));
}

fn boundary(
    name: &str,
    x: &Matrix,
    y: &[f64],
    probability: fn(&Matrix) -> Vec<f64>,
) -> Vec<PlotOutcome> {
    check(name, |path| {
        let spec = BoundarySpec::new(name).with_train(x, y).with_resolution(20);
        viz::decision_boundary(path, &spec, probability)
    })
}

#[test]
fn decision_boundary_of_degenerate_points() {
    let empty = Matrix::zeros(0, 2);
    assert!(skipped(&boundary("boundary-empty", &empty, &[], logistic)));
    let nan = Matrix::from_element(3, 2, NAN);
    assert!(skipped(&boundary(
        "boundary-nan",
        &nan,
        &[0.0, 1.0, 0.0],
        logistic
    )));
    let single = Matrix::from_row_slice(1, 2, &[2.0, -3.0]);
    assert!(written(&boundary(
        "boundary-single",
        &single,
        &[1.0],
        logistic
    )));
    let same = Matrix::from_element(5, 2, 0.0);
    assert!(written(&boundary(
        "boundary-same-point",
        &same,
        &[0.0, 1.0, 0.0, 1.0, 1.0],
        logistic
    )));
    let line = Matrix::from_row_slice(3, 2, &[0.0, 1.0, 1.0, 1.0, 2.0, 1.0]);
    assert!(written(&boundary(
        "boundary-line",
        &line,
        &[0.0, 1.0, 1.0],
        logistic
    )));
    let partly_nan = Matrix::from_row_slice(3, 2, &[0.0, 0.0, NAN, 1.0, 1.0, f64::INFINITY]);
    let outcomes = boundary(
        "boundary-partly-nan",
        &partly_nan,
        &[0.0, 1.0, 1.0],
        logistic,
    );
    assert_eq!(outcomes[0], PlotOutcome::Written { n_dropped: 2 });
    let huge = Matrix::from_row_slice(2, 2, &[-1e300, 0.0, 1e300, 1.0]);
    assert!(written(&boundary(
        "boundary-huge",
        &huge,
        &[0.0, 1.0],
        logistic
    )));
    let (x, y) = crate::common::points();
    assert!(written(&boundary("boundary-nan-model", &x, &y, |g| {
        vec![NAN; g.nrows()]
    })));
    assert!(written(&boundary("boundary-constant-model", &x, &y, |g| {
        vec![0.5; g.nrows()]
    })));
    assert!(written(&boundary("boundary-wild-model", &x, &y, |g| {
        (0..g.nrows())
            .map(|i| [-1e9, 1e9, f64::INFINITY][i % 3])
            .collect()
    })));
}

#[test]
fn boundary_grid_skips_when_no_panel_has_points_and_marks_empty_panels() {
    let empty = Matrix::zeros(0, 2);
    let (x, y) = crate::common::points();
    let outcomes = check("grid-none", |path| {
        viz::boundary_grid(path, &BoundaryGridSpec::new("none", vec![], 2))
    });
    assert!(skipped(&outcomes));
    let outcomes = check("grid-empty-panels", |path| {
        let panels = (0..2)
            .map(|_| {
                BoundaryPanel::new(BoundarySpec::new("empty").with_train(&empty, &[]), logistic)
            })
            .collect();
        viz::boundary_grid(path, &BoundaryGridSpec::new("empty", panels, 2))
    });
    assert!(skipped(&outcomes));
    let outcomes = check("grid-one-empty", |path| {
        let panels = vec![
            BoundaryPanel::new(BoundarySpec::new("empty").with_train(&empty, &[]), logistic),
            BoundaryPanel::new(
                BoundarySpec::new("full")
                    .with_train(&x, &y)
                    .with_resolution(10),
                logistic,
            ),
            BoundaryPanel::new(
                BoundarySpec::new("full")
                    .with_train(&x, &y)
                    .with_resolution(10),
                logistic,
            ),
        ];
        viz::boundary_grid(path, &BoundaryGridSpec::new("one empty", panels, 2))
    });
    assert!(written(&outcomes));
}

fn metric(
    name: &str,
    parameter: ParameterValues,
    measured: Vec<Vec<f64>>,
    y_scale: Scale,
) -> Vec<PlotOutcome> {
    check(name, |path| {
        let spec = MetricSpec::new(name, parameter.clone(), measured.clone()).with_y_scale(y_scale);
        viz::metric_vs_parameter(path, &spec)
    })
}

#[test]
fn metric_vs_parameter_of_degenerate_values() {
    use ParameterValues::{Categorical, Numeric};
    assert!(skipped(&metric(
        "metric-empty",
        Numeric(vec![]),
        vec![],
        Scale::Linear
    )));
    assert!(skipped(&metric(
        "metric-no-seeds",
        Numeric(vec![1.0]),
        vec![vec![]],
        Scale::Linear
    )));
    assert!(skipped(&metric(
        "metric-nan",
        Numeric(vec![1.0, 2.0]),
        vec![vec![NAN], vec![NAN]],
        Scale::Linear
    )));
    assert!(skipped(&metric(
        "metric-log-zero",
        Numeric(vec![1.0]),
        vec![vec![0.0]],
        Scale::Log
    )));
    assert!(written(&metric(
        "metric-single",
        Numeric(vec![1.0]),
        vec![vec![0.8]],
        Scale::Linear
    )));
    let constant = vec![vec![0.5, 0.5]; 3];
    assert!(written(&metric(
        "metric-constant",
        Numeric(vec![1.0; 3]),
        constant,
        Scale::Log
    )));
    // A mean − sd bar below zero on a log axis is cut at the bottom.
    let bar_below_zero = check("metric-bar-below-zero", |path| {
        let spec = MetricSpec::new("bar", Numeric(vec![3.0]), vec![vec![0.001, 0.001, 10.0]])
            .with_bands("mean ± sd", vec![Some(Band::new(3.334, -2.44, 9.1))])
            .with_y_scale(Scale::Log);
        viz::metric_vs_parameter(path, &spec)
    });
    assert!(written(&bar_below_zero));
    let names = vec!["only".to_string()];
    assert!(written(&metric(
        "metric-one-category",
        Categorical(names),
        vec![vec![1.0]],
        Scale::Linear
    )));
    let x_log = check("metric-log-x-zero", |path| {
        let spec = MetricSpec::new("x", Numeric(vec![0.0, -1.0]), vec![vec![1.0], vec![2.0]])
            .with_x_scale(Scale::Log);
        viz::metric_vs_parameter(path, &spec)
    });
    assert!(skipped(&x_log));
    let only_reference = check("metric-only-reference", |path| {
        let spec = MetricSpec::new("r", Numeric(vec![1.0, 2.0]), vec![vec![], vec![NAN]])
            .with_reference("original", vec![0.5, 0.6]);
        viz::metric_vs_parameter(path, &spec)
    });
    assert!(written(&only_reference));
}

fn gradients(name: &str, epochs: Vec<f64>, norms: Vec<Vec<f64>>) -> Vec<PlotOutcome> {
    check(name, |path| {
        viz::gradient_heatmap(
            path,
            &GradientHeatmapSpec::new(name, epochs.clone(), norms.clone()),
        )
    })
}

#[test]
fn gradient_heatmap_of_degenerate_norms() {
    assert!(skipped(&gradients("grad-empty", vec![], vec![])));
    assert!(skipped(&gradients(
        "grad-no-layers",
        vec![0.0, 1.0],
        vec![]
    )));
    assert!(skipped(&gradients("grad-no-epochs", vec![], vec![vec![]])));
    assert!(skipped(&gradients(
        "grad-nan",
        vec![0.0, 1.0],
        vec![vec![NAN, NAN]]
    )));
    assert!(skipped(&gradients(
        "grad-zero",
        vec![0.0, 1.0],
        vec![vec![0.0, 0.0]]
    )));
    assert!(written(&gradients(
        "grad-single",
        vec![5.0],
        vec![vec![1e-3]]
    )));
    assert!(written(&gradients(
        "grad-constant",
        vec![0.0, 1.0, 2.0],
        vec![vec![0.1; 3]; 4]
    )));
    let outcomes = gradients(
        "grad-mixed",
        vec![0.0, 1.0],
        vec![vec![0.0, NAN], vec![f64::INFINITY, 1e-30]],
    );
    assert_eq!(outcomes[0], PlotOutcome::Written { n_dropped: 1 });
    let many_layers = vec![vec![1.0, 0.5]; 60];
    assert!(written(&gradients(
        "grad-many-layers",
        vec![0.0, 1.0],
        many_layers
    )));
}

fn fraction(name: &str, runs: Vec<FractionRun>, y_scale: Scale) -> Vec<PlotOutcome> {
    check(name, |path| {
        let spec = EpochsToFractionSpec::new(name, 0.3, runs.clone()).with_y_scale(y_scale);
        viz::epochs_to_fraction(path, &spec)
    })
}

#[test]
fn epochs_to_fraction_of_degenerate_runs() {
    let run = |learning_rate, outcome| FractionRun {
        learning_rate,
        seed: 1,
        outcome,
    };
    assert!(skipped(&fraction("fraction-empty", vec![], Scale::Log)));
    let bad_rates = vec![
        run(NAN, FractionOutcome::Diverged),
        run(0.0, FractionOutcome::NotReached),
    ];
    assert!(skipped(&fraction(
        "fraction-bad-rates",
        bad_rates,
        Scale::Log
    )));
    let all_diverged = vec![
        run(1.0, FractionOutcome::Diverged),
        run(10.0, FractionOutcome::Diverged),
    ];
    assert!(written(&fraction(
        "fraction-all-diverged",
        all_diverged,
        Scale::Log
    )));
    let single = vec![run(0.1, FractionOutcome::Reached { epochs: 7 })];
    assert!(written(&fraction(
        "fraction-single",
        single.clone(),
        Scale::Log
    )));
    assert!(written(&fraction(
        "fraction-single-linear",
        single,
        Scale::Linear
    )));
    let zero = vec![
        run(0.1, FractionOutcome::Reached { epochs: 0 }),
        run(1.0, FractionOutcome::NotReached),
    ];
    let outcomes = fraction("fraction-zero-epochs", zero, Scale::Log);
    assert_eq!(outcomes[0], PlotOutcome::Written { n_dropped: 1 });
    let constant = (0..4)
        .map(|_| run(0.1, FractionOutcome::Reached { epochs: 20 }))
        .collect();
    assert!(written(&fraction(
        "fraction-constant",
        constant,
        Scale::Linear
    )));
}

#[test]
fn a_skipped_figure_leaves_an_existing_file_untouched() {
    let scratch = Scratch::new("skip-keeps");
    let path = scratch.file("loss.png");
    std::fs::write(&path, b"previous study").unwrap();
    let spec = LossCurvesSpec::new("nan", vec![LossSeries::new("a", 1, vec![NAN])]);
    assert!(!viz::loss_curves(&path, &spec).unwrap().is_written());
    assert_eq!(std::fs::read(&path).unwrap(), b"previous study");
}

#[test]
fn the_smallest_accepted_sizes_draw() {
    let scratch = Scratch::new("small");
    let path = scratch.file("small.png");
    let spec = LossCurvesSpec::new(
        "a long title that does not fit into a small picture at all",
        vec![LossSeries::new(
            "a group label that is much too long for the legend column",
            1,
            vec![0.7, 0.3],
        )],
    )
    .with_group_name("learning rate")
    .with_size(320, 240);
    assert!(viz::loss_curves(&path, &spec).unwrap().is_written());
    assert_eq!(png_size(&path), (320, 240));
    let (x, y) = crate::common::points();
    let spec = BoundarySpec::new("small")
        .with_train(&x, &y)
        .with_size(400, 300);
    assert!(
        viz::decision_boundary(&path, &spec, logistic)
            .unwrap()
            .is_written()
    );
    let panels = (0..4)
        .map(|_| {
            BoundaryPanel::new(
                BoundarySpec::new("p")
                    .with_train(&x, &y)
                    .with_resolution(10),
                logistic,
            )
        })
        .collect();
    let spec = BoundaryGridSpec::new("grid", panels, 4).with_size(4 * 200 + 210, 240);
    assert!(viz::boundary_grid(&path, &spec).unwrap().is_written());
}
