//! Structurally wrong input is a typed error whose message names the file and the fix, and
//! nothing is written.

use std::path::Path;

use viz::{
    BoundaryGridSpec, BoundaryPanel, BoundarySpec, EpochsToFractionSpec, GradientHeatmapSpec,
    GroupCurve, LossCurvesSpec, LossSeries, Matrix, MetricSpec, ParameterValues, Scale, VizError,
};

use crate::common::{Scratch, every_figure, logistic, points};

/// Asserts the error message names the file, and nothing was left in the folder.
fn assert_reported(scratch: &Scratch, error: &VizError, path: &Path, fragment: &str) {
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    assert!(message.starts_with(char::is_lowercase), "{message}");
    assert!(scratch.listing().is_empty(), "{:?}", scratch.listing());
}

#[test]
fn an_unknown_extension_is_an_error_for_every_figure() {
    let scratch = Scratch::new("extension");
    for (name, _, draw) in every_figure() {
        for file in ["figure.jpg", "figure", "figure.png.bak"] {
            let path = scratch.file(file);
            let error = draw(&path).expect_err(name);
            assert!(
                matches!(error, VizError::UnsupportedFormat { .. }),
                "{name}: {error}"
            );
            assert_reported(&scratch, &error, &path, "*.png or *.svg");
        }
    }
}

#[test]
fn sizes_out_of_range_are_errors() {
    let scratch = Scratch::new("size");
    let path = scratch.file("loss.png");
    for size in [(0, 0), (10, 400), (640, 100_000)] {
        let spec = LossCurvesSpec::new("t", vec![LossSeries::new("a", 1, vec![1.0])])
            .with_size(size.0, size.1);
        let error = viz::loss_curves(&path, &spec).unwrap_err();
        assert!(matches!(error, VizError::InvalidSize { .. }), "{error}");
        assert_reported(&scratch, &error, &path, "width must be in");
    }
    let (x, y) = points();
    let panels = (0..6)
        .map(|_| BoundaryPanel::new(BoundarySpec::new("p").with_train(&x, &y), logistic))
        .collect();
    let spec = BoundaryGridSpec::new("too many", panels, 6).with_size(800, 600);
    let error = viz::boundary_grid(&path, &spec).unwrap_err();
    assert!(
        matches!(
            error,
            VizError::InvalidSize {
                min_width: 1410,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn losses_must_have_one_value_per_epoch() {
    let scratch = Scratch::new("loss-lengths");
    let path = scratch.file("loss.svg");
    let bad = LossSeries::new("0.1", 7, vec![1.0, 0.5]).with_epochs(vec![0.0]);
    let error = viz::loss_curves(&path, &LossCurvesSpec::new("t", vec![bad])).unwrap_err();
    assert!(
        matches!(
            error,
            VizError::LengthMismatch {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{error}"
    );
    assert_reported(&scratch, &error, &path, "series[0].train");
    let bad = LossSeries::new("0.1", 7, vec![1.0, 0.5]).with_eval(vec![1.0]);
    let error = viz::loss_curves(&path, &LossCurvesSpec::new("t", vec![bad])).unwrap_err();
    assert_reported(&scratch, &error, &path, "series[0].eval");
    let curve = GroupCurve::new("0.1", vec![0.0, 1.0], vec![1.0]);
    let spec = LossCurvesSpec::new("t", vec![]).with_group_curves("median", vec![curve]);
    let error = viz::loss_curves(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "group_curves[0].train");
}

#[test]
fn boundary_points_must_be_two_features_with_binary_labels() {
    let scratch = Scratch::new("boundary-points");
    let path = scratch.file("boundary.png");
    let three = Matrix::zeros(2, 3);
    let spec = BoundarySpec::new("t").with_train(&three, &[0.0, 1.0]);
    let error = viz::decision_boundary(&path, &spec, logistic).unwrap_err();
    assert!(
        matches!(error, VizError::InvalidShape { found: 3, .. }),
        "{error}"
    );
    assert_reported(&scratch, &error, &path, "train.features");

    let (x, _) = points();
    let spec = BoundarySpec::new("t").with_test(&x, &[0.0, 1.0]);
    let error = viz::decision_boundary(&path, &spec, logistic).unwrap_err();
    assert!(matches!(error, VizError::LengthMismatch { .. }), "{error}");
    assert_reported(&scratch, &error, &path, "test.labels");

    for label in [2.0, f64::NAN, -1.0] {
        let labels = [0.0, 1.0, label, 0.0];
        let spec = BoundarySpec::new("t").with_train(&x, &labels);
        let error = viz::decision_boundary(&path, &spec, logistic).unwrap_err();
        assert!(
            matches!(error, VizError::InvalidLabel { index: 2, .. }),
            "{error}"
        );
        assert_reported(&scratch, &error, &path, "labels must be 0.0 or 1.0");
    }
}

#[test]
fn boundary_settings_are_checked() {
    let scratch = Scratch::new("boundary-settings");
    let path = scratch.file("boundary.png");
    let (x, y) = points();
    let base = || BoundarySpec::new("t").with_train(&x, &y);
    let cases = [
        (base().with_resolution(0), "resolution"),
        (base().with_resolution(1), "resolution"),
        (base().with_resolution(100_000), "resolution"),
        (base().with_margin(-0.1), "margin"),
        (base().with_margin(f64::NAN), "margin"),
        (base().with_threshold(1.5), "threshold"),
        (base().with_threshold(f64::NAN), "threshold"),
    ];
    for (spec, field) in cases {
        let error = viz::decision_boundary(&path, &spec, logistic).unwrap_err();
        assert!(matches!(error, VizError::InvalidSetting { .. }), "{error}");
        assert_reported(&scratch, &error, &path, field);
    }
    let spec = BoundaryGridSpec::new("t", vec![BoundaryPanel::new(base(), logistic)], 0);
    let error = viz::boundary_grid(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "n_columns");
}

#[test]
fn a_failing_or_miscounting_probability_function_is_reported() {
    let scratch = Scratch::new("probability");
    let path = scratch.file("boundary.png");
    let (x, y) = points();
    let spec = BoundarySpec::new("t")
        .with_train(&x, &y)
        .with_resolution(10);
    let failing = |_: &Matrix| -> Result<Vec<f64>, String> { Err("model was never fitted".into()) };
    let error = viz::decision_boundary(&path, &spec, failing).unwrap_err();
    assert!(
        matches!(error, VizError::Probability { n_rows: 100, .. }),
        "{error}"
    );
    assert_reported(&scratch, &error, &path, "probability function failed");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert_eq!(source, "model was never fitted");

    let short = |_: &Matrix| vec![0.5; 3];
    let error = viz::decision_boundary(&path, &spec, short).unwrap_err();
    assert!(
        matches!(
            error,
            VizError::ProbabilityCount {
                expected: 100,
                found: 3,
                ..
            }
        ),
        "{error}"
    );
    assert_reported(&scratch, &error, &path, "one probability per row");
}

#[test]
fn the_models_return_type_is_accepted_as_it_is() {
    let scratch = Scratch::new("vector");
    let path = scratch.file("boundary.png");
    let (x, y) = points();
    let spec = BoundarySpec::new("t")
        .with_train(&x, &y)
        .with_resolution(10);
    let like_a_model = |grid: &Matrix| -> Result<viz::Vector, std::io::Error> {
        Ok(viz::Vector::from_vec(logistic(grid)))
    };
    assert!(
        viz::decision_boundary(&path, &spec, like_a_model)
            .unwrap()
            .is_written()
    );
}

#[test]
fn metric_lengths_and_scales_are_checked() {
    let scratch = Scratch::new("metric");
    let path = scratch.file("metric.png");
    let spec = MetricSpec::new(
        "t",
        ParameterValues::Numeric(vec![1.0, 2.0]),
        vec![vec![1.0]],
    );
    let error = viz::metric_vs_parameter(&path, &spec).unwrap_err();
    assert_reported(
        &scratch,
        &error,
        &path,
        "measured has 1 values but 2 were expected",
    );
    let spec = MetricSpec::new("t", ParameterValues::Numeric(vec![1.0]), vec![vec![1.0]])
        .with_reference("original", vec![1.0, 2.0]);
    let error = viz::metric_vs_parameter(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "reference");
    let spec = MetricSpec::new("t", ParameterValues::Numeric(vec![1.0]), vec![vec![1.0]])
        .with_bands("mean ± sd", vec![]);
    let error = viz::metric_vs_parameter(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "bands has 0 values");
    let spec = MetricSpec::new(
        "t",
        ParameterValues::Categorical(vec!["relu".into()]),
        vec![vec![1.0]],
    )
    .with_x_scale(Scale::Log);
    let error = viz::metric_vs_parameter(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "x_scale");
}

#[test]
fn gradient_norms_must_match_increasing_epochs() {
    let scratch = Scratch::new("gradient");
    let path = scratch.file("gradients.png");
    let spec = GradientHeatmapSpec::new("t", vec![0.0, 1.0], vec![vec![1.0, 2.0], vec![1.0]]);
    let error = viz::gradient_heatmap(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "norms[1]");
    for epochs in [vec![1.0, 0.0], vec![0.0, 0.0], vec![0.0, f64::NAN]] {
        let spec = GradientHeatmapSpec::new("t", epochs, vec![vec![1.0, 2.0]]);
        let error = viz::gradient_heatmap(&path, &spec).unwrap_err();
        assert_reported(&scratch, &error, &path, "strictly increasing");
    }
}

#[test]
fn the_loss_fraction_must_be_between_zero_and_one() {
    let scratch = Scratch::new("fraction");
    let path = scratch.file("fraction.png");
    for fraction in [0.0, 1.0, -0.3, f64::NAN] {
        let spec = EpochsToFractionSpec::new("t", fraction, vec![]);
        let error = viz::epochs_to_fraction(&path, &spec).unwrap_err();
        assert_reported(&scratch, &error, &path, "fraction");
    }
}

#[test]
fn a_missing_folder_is_a_write_error_naming_the_path() {
    let scratch = Scratch::new("missing-folder");
    let path = scratch.file("not/there/loss.png");
    let (_, _, draw) = every_figure().remove(0);
    let error = draw(&path).unwrap_err();
    assert!(matches!(error, VizError::Write { .. }), "{error}");
    assert_reported(&scratch, &error, &path, "folder exists");
}

#[test]
fn a_shared_colour_range_must_be_finite_and_positive() {
    let scratch = Scratch::new("gradient-range");
    let path = scratch.file("gradients.png");
    for (lowest, highest) in [
        (0.0, 1.0),
        (1.0, 0.1),
        (f64::NAN, 1.0),
        (1e-3, f64::INFINITY),
    ] {
        let spec = GradientHeatmapSpec::new("t", vec![0.0], vec![vec![1.0]])
            .with_shared_color_range(lowest, highest);
        let error = viz::gradient_heatmap(&path, &spec).unwrap_err();
        assert_reported(&scratch, &error, &path, "shared_color_range");
        assert_reported(&scratch, &error, &path, "0 < lowest <= highest");
    }
}

#[test]
fn share_grids_check_their_shape_and_columns() {
    let scratch = Scratch::new("share-grid");
    let path = scratch.file("grid.png");
    let cell = Some(viz::ShareCell { count: 1, total: 5 });
    let rows = vec!["a".to_string()];
    let spec = viz::ShareGridSpec::new("t", vec![0.1, 1.0], rows.clone(), vec![vec![cell]]);
    let error = viz::share_grid(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "cells[0]");
    let spec = viz::ShareGridSpec::new("t", vec![1.0, 0.1], rows.clone(), vec![vec![cell, cell]]);
    let error = viz::share_grid(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "strictly increasing");
    let too_many = Some(viz::ShareCell { count: 6, total: 5 });
    let spec = viz::ShareGridSpec::new("t", vec![0.1], rows.clone(), vec![vec![too_many]]);
    let error = viz::share_grid(&path, &spec).unwrap_err();
    assert_reported(&scratch, &error, &path, "6/5");
    let spec =
        viz::ShareGridSpec::new("t", vec![0.1], rows, vec![vec![cell]]).with_markers("m", vec![]);
    assert!(
        viz::share_grid(&path, &spec).unwrap().is_written(),
        "no markers at all is fine"
    );
}
