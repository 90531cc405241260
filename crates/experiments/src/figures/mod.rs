//! A study's figures, drawn post hoc from its output folder: the run records, `curves/*.csv`,
//! `gradients/*.csv` and `runs/*.model.json`, plus the plan.
//!
//! Nothing here looks at a run's in-memory outcome, so a study that ran in one go, one that was
//! resumed and one merged from shards get the same pictures. Every figure is written as SVG
//! (for `report.html`) and PNG (for a README) into `<out>/figures/`. A figure `viz` cannot draw
//! is skipped with its reason on stderr, and a figure that cannot be written is a warning:
//! the tables are the primary result, and a missing picture never changes the exit status.

mod boundaries;
mod curvature;
mod curves;
mod gradients;
mod metrics;
mod table;

use std::path::{Path, PathBuf};

use viz::{PlotOutcome, VizError};

use crate::output::RunRecord;
use crate::plan::{Axis, AxisValue, Plan, Point, RunPlan};
use crate::run::RunStatus;

pub use table::{Table, read_table};

/// Size of the line and metric charts, in pixels.
const CHART_SIZE: (u32, u32) = (900, 600);
/// A boundary-grid panel's share of the picture, and the legend column beside the panels.
const PANEL_WIDTH: u32 = 297;
const PANEL_HEIGHT: u32 = 360;
const GRID_SIDE: u32 = 210;
const GRID_TITLE: u32 = 40;
/// Grid points per side of a boundary-grid panel: about 2.5 pixels per cell at the panel
/// size, fine enough to look smooth in the PNG (in the SVG the heat map is an embedded image
/// of one pixel per cell, which the viewer smooths).
const GRID_RESOLUTION: usize = 100;
/// Panels per row of a single-axis boundary grid.
const MAX_COLUMNS: usize = 4;

/// One figure that was written as `figures/<name>.svg` and `figures/<name>.png`.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureFile {
    /// The file stem, e.g. `loss_curves`.
    pub name: String,
    /// A short description (the image's alternative text).
    pub title: String,
    /// What the figure shows and how to read it.
    pub caption: String,
}

/// Draws every figure of one study into `dir/figures/`, in the order a report shows them.
///
/// `records` are the study's run records (as saved in `runs/*.json`; pending placeholders are
/// ignored). Skipped figures and write failures are reported on stderr, prefixed with the study
/// name; the figures that were written are returned.
pub fn write_figures(plan: &Plan, dir: &Path, records: &[RunRecord]) -> Vec<FigureFile> {
    let folder = dir.join("figures");
    let mut out = Emitter {
        study: &plan.name,
        folder,
        written: Vec::new(),
    };
    if let Err(e) = std::fs::create_dir_all(&out.folder) {
        eprintln!(
            "{}: warning: no figures: cannot create {}: {e}",
            plan.name,
            out.folder.display()
        );
        return Vec::new();
    }
    let study = Study::new(plan, dir, records);
    study.boundaries(&mut out);
    study.metric_figures(&mut out);
    study.epochs_to_fraction(&mut out);
    study.loss_curves(&mut out);
    study.gradients(&mut out);
    study.curvature(&mut out);
    study.divergence_grid(&mut out);
    out.written
}

/// Writes each figure in both formats and keeps the list of those written.
struct Emitter<'a> {
    study: &'a str,
    folder: PathBuf,
    written: Vec<FigureFile>,
}

impl Emitter<'_> {
    /// Draws `name` as SVG and PNG with `draw`. `expected_dropped` values are known to be
    /// undrawable placeholders (NaN for "no original value") and are not worth a log line.
    fn emit(
        &mut self,
        figure: FigureFile,
        expected_dropped: usize,
        draw: impl Fn(&Path) -> Result<PlotOutcome, VizError>,
    ) {
        let name = &figure.name;
        let mut complete = true;
        for extension in ["svg", "png"] {
            let path = self.folder.join(format!("{name}.{extension}"));
            match draw(&path) {
                Ok(PlotOutcome::Written { n_dropped }) => {
                    if extension == "svg" && n_dropped > expected_dropped {
                        eprintln!(
                            "{}: figure {name}: {} value(s) left out (not finite, or ≤ 0 on a log axis)",
                            self.study,
                            n_dropped - expected_dropped
                        );
                    }
                }
                Ok(PlotOutcome::Skipped { reason }) => {
                    eprintln!("{}: figure {name} skipped: {reason}", self.study);
                    return;
                }
                Err(e) => {
                    eprintln!("{}: warning: figure {name} not written: {e}", self.study);
                    complete = false;
                }
            }
        }
        if complete {
            self.written.push(figure);
        }
    }

    fn warn(&self, message: impl std::fmt::Display) {
        eprintln!("{}: warning: {message}", self.study);
    }
}

/// What the figures need to know about a study, gathered once.
struct Study<'a> {
    plan: &'a Plan,
    dir: &'a Path,
    /// Records of runs that finished (ok or diverged), in run order.
    finished: Vec<&'a RunRecord>,
}

impl<'a> Study<'a> {
    fn new(plan: &'a Plan, dir: &'a Path, records: &'a [RunRecord]) -> Study<'a> {
        let mut finished: Vec<&RunRecord> = records
            .iter()
            .filter(|r| matches!(r.status, RunStatus::Ok | RunStatus::Diverged { .. }))
            .collect();
        finished.sort_by_key(|r| r.index);
        Study {
            plan,
            dir,
            finished,
        }
    }

    /// A point's short name: its value for a one-axis sweep (`3`, `on`), its values joined
    /// for several (`6, sigmoid`), `all` without a sweep.
    fn short_label(&self, index: usize) -> String {
        let point = &self.plan.points[index];
        if point.values.is_empty() {
            point.label.clone()
        } else {
            let values: Vec<String> = point.values.iter().map(AxisValue::spoken).collect();
            values.join(", ")
        }
    }

    /// What the sweep axes are, in words, e.g. `neurons per hidden layer` or
    /// `depth, activation`.
    fn axes_description(&self) -> String {
        match self.plan.axes.as_slice() {
            [axis] => axis.words().to_owned(),
            axes => axis_keys(axes, ", "),
        }
    }

    /// The index of the point a record belongs to.
    fn point_of(&self, record: &RunRecord) -> Option<usize> {
        self.plan
            .points
            .iter()
            .position(|p| p.label == record.point)
    }

    fn record(&self, run: &RunPlan) -> Option<&'a RunRecord> {
        self.finished.iter().copied().find(|r| r.index == run.index)
    }

    fn runs_at(&self, point: usize) -> impl Iterator<Item = &'a RunPlan> + 'a {
        self.plan.runs.iter().filter(move |r| r.point == point)
    }

    fn title(&self, what: &str) -> String {
        let quick = if self.plan.quick { " (quick)" } else { "" };
        format!("{}{quick}: {what}", self.plan.name)
    }
}

/// A point as part of a file name, so a per-point figure is named by its sweep point:
/// `depth6-sigmoid` for `depth=6,activation=sigmoid`. Numbers keep their axis's name (`width3`,
/// `lr0.001`, `noise0.2`, `scale100`, `epochs500`), activations are their name, switches are
/// `early-stopping-on`/`-off` and `standardize-on`/`-off`; empty without a sweep. Distinct points give distinct parts, as their labels are.
pub(crate) fn point_file_part(point: &Point) -> String {
    let parts: Vec<String> = point
        .values
        .iter()
        .map(|value| match value {
            AxisValue::Width(_)
            | AxisValue::Depth(_)
            | AxisValue::Noise(_)
            | AxisValue::Scale(_)
            | AxisValue::Epochs(_) => format!("{}{value}", value.axis().key()),
            AxisValue::LearningRate(_) => format!("lr{value}"),
            AxisValue::Activation(_) => value.to_string(),
            AxisValue::EarlyStopping(_) => format!("early-stopping-{}", value.spoken()),
            AxisValue::Standardize(_) => format!("standardize-{}", value.spoken()),
        })
        .collect();
    parts.join("-")
}

/// A point label short enough for a panel title: `learning_rate=0.001` becomes `lr=0.001`.
fn compact(label: &str) -> String {
    label
        .replace("learning_rate=", "lr=")
        .replace("early_stopping=false", "early stopping off")
        .replace("early_stopping=true", "early stopping on")
}

/// The axes' keys joined by `separator`, e.g. `depth, activation`.
fn axis_keys(axes: &[Axis], separator: &str) -> String {
    axes.iter()
        .map(|a| a.key())
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use core_linalg::Activation;

    use super::*;

    #[test]
    fn file_names_say_the_sweep_point() {
        let part = |values: Vec<AxisValue>| point_file_part(&Point::new(values));
        assert_eq!(
            part(vec![
                AxisValue::Depth(6),
                AxisValue::Activation(Activation::Sigmoid)
            ]),
            "depth6-sigmoid"
        );
        assert_eq!(
            part(vec![AxisValue::Width(3), AxisValue::LearningRate(0.001)]),
            "width3-lr0.001"
        );
        assert_eq!(part(vec![AxisValue::Noise(0.2)]), "noise0.2");
        assert_eq!(
            part(vec![AxisValue::EarlyStopping(true)]),
            "early-stopping-on"
        );
        assert_eq!(part(vec![]), "");
        // 0 and -0 are two points, and two files.
        assert_ne!(
            part(vec![AxisValue::Noise(0.0)]),
            part(vec![AxisValue::Noise(-0.0)])
        );
    }
}
