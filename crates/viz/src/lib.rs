//! # viz: the pictures of a binary-classification study
//!
//! This crate draws the figures a study of small classifiers needs, as PNG or SVG files:
//!
//! - [`loss_curves`]: loss against epoch on a log axis, one colour per swept value, every seed
//!   faint, the caller's summary curve bold, evaluation loss dashed, runs that stopped early
//!   marked where they stopped (`x` for a divergence);
//! - [`decision_boundary`] and [`boundary_grid`]: the predicted probability over the plane as a
//!   blue–white–red heat map with its decision contour and the train/test points, alone or as
//!   panels side by side (say one per hidden-layer width, each titled with its F1);
//! - [`metric_vs_parameter`]: a metric against a swept parameter, every seed and the caller's
//!   summary across seeds (a [`Band`]), on a linear, log or categorical axis, optionally beside
//!   reference values;
//! - [`gradient_heatmap`]: gradient norm per layer and epoch on a log colour scale, where
//!   vanishing gradients in a deep sigmoid net show as a dark band;
//! - [`epochs_to_fraction`]: epochs to reach a fraction of the first loss against the learning
//!   rate, with diverged runs marked above the chart;
//! - [`share_grid`]: a log-scaled parameter against named settings, each cell coloured by the
//!   share of its runs where something happened (say, diverged), with a predicted value
//!   marked on each row.
//!
//! The format follows the extension of the output path (`.png` or `.svg`); every file is
//! written atomically (temporary file beside it, then rename), so a failed or interrupted call
//! never leaves half a picture at the path. Inputs that cannot be drawn (empty, all NaN) do not
//! panic and are not errors: the call returns [`PlotOutcome::Skipped`] with the reason to log.
//! Single points and constant series are padded so they still get a picture; non-finite values
//! (and values ≤ 0 on a log axis) are left out and counted in [`PlotOutcome::Written`].
//!
//! **The one design decision to know:** this crate draws from *plain numbers and closures*
//! (`&[f64]`, [`Matrix`], and `Fn(&Matrix) -> probabilities` for a decision boundary) and never
//! depends on the `models` crate, so figures can be drawn for any model, and models never know
//! about pictures. Nor does it compute a statistic across seeds: a mean or a median is the
//! caller's choice (passed as a [`Band`] or a [`GroupCurve`]), so the figures and the tables
//! beside them use one implementation. Its one other choice: text is drawn with a bundled font (DejaVu Sans, under
//! the Bitstream Vera / DejaVu licence in `assets/LICENSE-DejaVu.txt`) through plotters'
//! `ab_glyph` feature, without system font libraries, so labels render the same on a fresh
//! machine, in CI and in a container.
//!
//! # Example
//! ```
//! use viz::{LossCurvesSpec, LossSeries, PlotOutcome, loss_curves};
//!
//! let folder = std::env::temp_dir();
//! let spec = LossCurvesSpec::new(
//!     "two learning rates",
//!     vec![
//!         LossSeries::new("0.01", 1, vec![0.69, 0.6, 0.52, 0.45]),
//!         LossSeries::new("0.1", 1, vec![0.69, 0.3, 0.12, 0.05]),
//!     ],
//! )
//! .with_group_name("learning rate");
//! assert_eq!(loss_curves(folder.join("viz-doc-crate.svg"), &spec)?, PlotOutcome::Written { n_dropped: 0 });
//!
//! // Nothing drawable: skipped with a reason, no file written, no panic.
//! let empty = LossCurvesSpec::new("all NaN", vec![LossSeries::new("a", 1, vec![f64::NAN; 3])]);
//! assert!(matches!(loss_curves(folder.join("viz-doc-nan.png"), &empty)?, PlotOutcome::Skipped { .. }));
//! # Ok::<(), viz::VizError>(())
//! ```

mod axis;
mod band;
mod boundary;
mod chart;
mod error;
mod font;
mod fraction;
mod gradient;
mod grid;
mod loss_curves;
mod metric;
mod output;
mod probability;
mod scale;
mod share_grid;
mod style;
mod svg;

pub use band::Band;
pub use boundary::{
    BoundaryGridSpec, BoundaryPanel, BoundarySpec, LabelledPoints, boundary_grid, decision_boundary,
};
pub use core_linalg::{Matrix, Vector};
pub use error::VizError;
pub use fraction::{EpochsToFractionSpec, FractionOutcome, FractionRun, epochs_to_fraction};
pub use gradient::{GradientHeatmapSpec, gradient_heatmap};
pub use loss_curves::{GroupCurve, LossCurvesSpec, LossSeries, loss_curves};
pub use metric::{MetricSpec, ParameterValues, metric_vs_parameter};
pub use output::PlotOutcome;
pub use probability::{BoxError, IntoProbabilities};
pub use scale::Scale;
pub use share_grid::{ShareCell, ShareGridSpec, share_grid};
