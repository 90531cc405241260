//! Loss against epoch on a log axis: one colour per swept value, faint seeds, bold means.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::Axis;
use crate::chart::{self, LegendEntry, Swatch};
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::scale::{Scale, to_display};
use crate::style::{self, TITLE_SIZE};
use crate::{PlotOutcome, VizError};

/// The losses of one training run (one seed of one swept value).
#[derive(Debug, Clone, PartialEq)]
pub struct LossSeries {
    /// The swept value this run belongs to, e.g. `"0.1"`; runs with the same group share a
    /// colour and a mean curve. Groups appear in the legend in order of first appearance.
    pub group: String,
    /// The seed of the run (runs of a group are told apart by it).
    pub seed: u64,
    /// The epoch of each loss (`0, 1, 2, …` by [`LossSeries::new`]).
    pub epochs: Vec<f64>,
    /// Training loss at each epoch.
    pub train: Vec<f64>,
    /// Evaluation loss at each epoch, when there is one.
    pub eval: Option<Vec<f64>>,
    /// The epoch in which the run was stopped as diverged, if it was.
    pub diverged_at: Option<usize>,
}

impl LossSeries {
    /// A run with training losses at epochs `0, 1, …, train.len() - 1` (as in a fit report,
    /// where entry `i` is the loss after `i` updates), no evaluation loss, not diverged.
    pub fn new(group: impl Into<String>, seed: u64, train: Vec<f64>) -> LossSeries {
        LossSeries {
            group: group.into(),
            seed,
            epochs: (0..train.len()).map(|e| e as f64).collect(),
            train,
            eval: None,
            diverged_at: None,
        }
    }

    /// Sets the epoch of each loss (same length as `train`).
    pub fn with_epochs(mut self, epochs: Vec<f64>) -> LossSeries {
        self.epochs = epochs;
        self
    }

    /// Sets the evaluation loss at each epoch (same length as `train`).
    pub fn with_eval(mut self, eval: Vec<f64>) -> LossSeries {
        self.eval = Some(eval);
        self
    }

    /// Marks the run as stopped for divergence in `epoch`.
    pub fn with_diverged_at(mut self, epoch: usize) -> LossSeries {
        self.diverged_at = Some(epoch);
        self
    }
}

/// What [`loss_curves`] draws.
#[derive(Debug, Clone, PartialEq)]
pub struct LossCurvesSpec {
    /// Drawn above the chart (nothing when empty).
    pub title: String,
    /// What the groups are, e.g. `"learning rate"`: the heading of the legend.
    pub group_name: String,
    /// The x-axis description (default `"epoch"`).
    pub x_label: String,
    /// The y-axis description (default `"training loss (log scale)"`).
    pub y_label: String,
    /// The runs.
    pub series: Vec<LossSeries>,
    /// Width and height in pixels (default 900 × 560; at least 320 × 240).
    pub size: (u32, u32),
}

impl LossCurvesSpec {
    /// Loss curves of `series` under `title`, with default labels and size.
    pub fn new(title: impl Into<String>, series: Vec<LossSeries>) -> LossCurvesSpec {
        LossCurvesSpec {
            title: title.into(),
            group_name: String::new(),
            x_label: "epoch".into(),
            y_label: "training loss (log scale)".into(),
            series,
            size: (900, 560),
        }
    }

    /// Sets what the groups are (the legend heading), e.g. `"learning rate"`.
    pub fn with_group_name(mut self, group_name: impl Into<String>) -> LossCurvesSpec {
        self.group_name = group_name.into();
        self
    }

    /// Sets the axis descriptions.
    pub fn with_axis_labels(
        mut self,
        x: impl Into<String>,
        y: impl Into<String>,
    ) -> LossCurvesSpec {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> LossCurvesSpec {
        self.size = (width, height);
        self
    }
}

/// Draws loss against epoch on a log y axis.
///
/// Each group (swept value) gets one colour: its runs are drawn faint, their mean bold, the
/// mean evaluation loss dashed, and each diverged run gets an `x` at the last loss it drew
/// before its divergence epoch (at the top of the chart when it drew none). The mean at an
/// epoch is the arithmetic mean over the runs that have a drawable loss there, so it jumps
/// when a run stops early. Losses that are ≤ 0 or not finite cannot be placed on a log axis
/// and are dropped (counted in [`PlotOutcome::Written`]). The format follows the extension of
/// `path` (`.png` or `.svg`); the file is written atomically.
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`], [`VizError::LengthMismatch`]
/// when a run's `train` or `eval` is not one value per epoch, [`VizError::Write`].
/// No drawable loss at all gives `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{LossCurvesSpec, LossSeries, loss_curves};
///
/// let series = vec![
///     LossSeries::new("0.1", 1, vec![0.69, 0.4, 0.2, 0.1]),
///     LossSeries::new("0.1", 2, vec![0.70, 0.45, 0.25, 0.12]).with_eval(vec![0.7, 0.5, 0.3, 0.2]),
///     LossSeries::new("10", 1, vec![0.69, 5.0, 80.0]).with_diverged_at(2),
/// ];
/// let spec = LossCurvesSpec::new("loss by learning rate", series).with_group_name("learning rate");
/// let path = std::env::temp_dir().join("viz-doc-loss-curves.png");
/// let outcome = loss_curves(&path, &spec)?;
/// assert!(outcome.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn loss_curves(path: impl AsRef<Path>, spec: &LossCurvesSpec) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (320, 240))?;
    check_lengths(&target, &spec.series)?;
    let Some(figure) = prepare(spec) else {
        return Ok(PlotOutcome::skipped(if spec.series.is_empty() {
            "no loss series"
        } else {
            "no finite, positive training loss"
        }));
    };
    target.write(&figure)?;
    Ok(PlotOutcome::Written {
        n_dropped: figure.n_dropped,
    })
}

fn check_lengths(target: &Target, series: &[LossSeries]) -> Result<(), VizError> {
    for (index, run) in series.iter().enumerate() {
        let losses = std::iter::once(("train", Some(&run.train)))
            .chain(std::iter::once(("eval", run.eval.as_ref())));
        for (name, values) in losses {
            if let Some(values) = values
                && values.len() != run.epochs.len()
            {
                return Err(VizError::LengthMismatch {
                    path: target.path.clone(),
                    field: format!(
                        "series[{index}].{name} (group {:?}, seed {})",
                        run.group, run.seed
                    ),
                    expected: run.epochs.len(),
                    found: values.len(),
                    per: "epoch",
                });
            }
        }
    }
    Ok(())
}

/// The drawable `(epoch, loss)` points: finite epoch, finite and positive loss.
fn drawable(epochs: &[f64], losses: &[f64]) -> Vec<(f64, f64)> {
    epochs
        .iter()
        .zip(losses)
        .filter(|(e, l)| e.is_finite() && l.is_finite() && **l > 0.0)
        .map(|(e, l)| (*e, *l))
        .collect()
}

/// The mean curve of several runs: at each epoch present in any run, the arithmetic mean of
/// the losses of the runs that have that epoch. Sorted by epoch.
pub(crate) fn mean_curve(runs: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = runs.iter().flatten().copied().collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut mean: Vec<(f64, f64)> = Vec::new();
    for chunk in points.chunk_by(|a, b| a.0 == b.0) {
        let n = chunk.len() as f64;
        mean.push((chunk[0].0, chunk.iter().map(|p| p.1 / n).sum()));
    }
    mean
}

struct Group {
    label: String,
    color: RGBColor,
    runs: Vec<Vec<(f64, f64)>>,
    mean: Vec<(f64, f64)>,
    eval_mean: Vec<(f64, f64)>,
    /// `(epoch, loss)` of each diverged run's marker; loss `None` puts it at the top.
    diverged: Vec<(f64, Option<f64>)>,
}

struct LossFigure {
    title: String,
    group_name: String,
    x_label: String,
    y_label: String,
    groups: Vec<Group>,
    x: Axis,
    y: Axis,
    legend: Vec<LegendEntry>,
    n_dropped: usize,
}

fn prepare(spec: &LossCurvesSpec) -> Option<LossFigure> {
    let mut labels: Vec<&str> = Vec::new();
    for run in &spec.series {
        if !labels.contains(&run.group.as_str()) {
            labels.push(&run.group);
        }
    }
    let mut n_dropped = 0;
    let mut groups = Vec::new();
    for (index, label) in labels.iter().enumerate() {
        let members = spec.series.iter().filter(|s| s.group == *label);
        let (mut runs, mut evals, mut diverged) = (Vec::new(), Vec::new(), Vec::new());
        for run in members {
            let train = drawable(&run.epochs, &run.train);
            n_dropped += run.train.len() - train.len();
            if let Some(eval) = &run.eval {
                let eval = drawable(&run.epochs, eval);
                n_dropped += run.epochs.len() - eval.len();
                evals.push(eval);
            }
            if let Some(epoch) = run.diverged_at {
                let epoch = epoch as f64;
                let last = train.iter().rev().find(|p| p.0 <= epoch).map(|p| p.1);
                diverged.push((epoch, last));
            }
            runs.push(train);
        }
        groups.push(Group {
            label: label.to_string(),
            color: style::group_color(index),
            mean: mean_curve(&runs),
            eval_mean: mean_curve(&evals),
            runs,
            diverged,
        });
    }
    let points = || {
        groups
            .iter()
            .flat_map(|g| g.runs.iter().flatten().chain(&g.eval_mean))
    };
    let y = Axis::fit(Scale::Log, points().map(|p| p.1))?;
    let diverged_epochs = groups.iter().flat_map(|g| g.diverged.iter().map(|d| d.0));
    let mut x = Axis::fit(Scale::Linear, points().map(|p| p.0).chain(diverged_epochs))?;
    if points().all(|p| p.0.fract() == 0.0) {
        x = x.whole_numbers();
    }
    let legend = legend(&groups);
    Some(LossFigure {
        title: spec.title.clone(),
        group_name: spec.group_name.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        groups,
        x,
        y,
        legend,
        n_dropped,
    })
}

fn legend(groups: &[Group]) -> Vec<LegendEntry> {
    let mut legend: Vec<LegendEntry> = groups
        .iter()
        .map(|g| LegendEntry::new(Swatch::Line(g.color, 3), g.label.clone()))
        .collect();
    let grey = RGBColor(90, 90, 90);
    if groups.iter().any(|g| g.runs.len() > 1) {
        legend.push(LegendEntry::new(
            Swatch::Line(style::faded(grey, 0.3), 1),
            "single seeds",
        ));
        legend.push(LegendEntry::new(Swatch::Line(grey, 3), "mean over seeds"));
    }
    if groups.iter().any(|g| !g.eval_mean.is_empty()) {
        legend.push(LegendEntry::new(Swatch::Dashed(grey), "evaluation (mean)"));
    }
    if groups.iter().any(|g| !g.diverged.is_empty()) {
        legend.push(LegendEntry::new(Swatch::Cross(BLACK), "diverged"));
    }
    legend
}

impl Figure for LossFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let body = chart::titled(root, &self.title, TITLE_SIZE)?;
        let heading = (!self.group_name.is_empty()).then_some(self.group_name.as_str());
        let width = body.dim_in_pixel().0;
        let legend_width = chart::legend_width(&body, heading, &self.legend, width * 2 / 5)?;
        let (plot, legend_area) = body.split_horizontally(width - legend_width);
        let mut chart = chart::chart(
            &plot,
            &self.x,
            &self.y,
            (&self.x_label, &self.y_label),
            true,
            look,
        )?;
        let log = |points: &[(f64, f64)]| -> Vec<(f64, f64)> {
            points
                .iter()
                .filter_map(|&(e, l)| to_display(Scale::Log, l).map(|l| (e, l)))
                .collect()
        };
        for group in &self.groups {
            if group.runs.len() > 1 {
                for run in &group.runs {
                    chart.draw_series(LineSeries::new(
                        log(run),
                        group.color.mix(0.3).stroke_width(1),
                    ))?;
                }
            }
        }
        for group in &self.groups {
            let eval = log(&group.eval_mean);
            if eval.len() > 1 {
                chart.draw_series(DashedLineSeries::new(
                    eval,
                    7,
                    5,
                    group.color.stroke_width(2),
                ))?;
            }
            let mean = log(&group.mean);
            if mean.len() == 1 {
                chart.draw_series(
                    mean.iter()
                        .map(|p| Circle::new(*p, 4, group.color.filled())),
                )?;
            }
            chart.draw_series(LineSeries::new(mean, group.color.stroke_width(3)))?;
        }
        let top = self.y.hi - (self.y.hi - self.y.lo) * 0.03;
        for group in &self.groups {
            chart.draw_series(group.diverged.iter().map(|(epoch, loss)| {
                let y = loss.and_then(|l| to_display(Scale::Log, l)).unwrap_or(top);
                Cross::new((*epoch, y), 7, BLACK.stroke_width(3))
            }))?;
        }
        chart::draw_legend(&legend_area, heading, &self.legend, 12, look)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_curve_averages_the_runs_present_at_each_epoch() {
        let runs = vec![
            vec![(0.0, 1.0), (1.0, 0.5), (2.0, 0.25)],
            vec![(0.0, 3.0), (1.0, 1.5)],
        ];
        assert_eq!(mean_curve(&runs), vec![(0.0, 2.0), (1.0, 1.0), (2.0, 0.25)]);
        assert!(mean_curve(&[]).is_empty());
    }

    #[test]
    fn drawable_points_drop_non_positive_and_non_finite_losses() {
        let points = drawable(
            &[0.0, 1.0, 2.0, f64::NAN, 4.0],
            &[1.0, 0.0, f64::INFINITY, 1.0, 0.5],
        );
        assert_eq!(points, vec![(0.0, 1.0), (4.0, 0.5)]);
    }

    #[test]
    fn diverged_marker_sits_on_the_last_drawable_loss() {
        let spec = LossCurvesSpec::new(
            "t",
            vec![LossSeries::new("a", 1, vec![1.0, 2.0, f64::INFINITY]).with_diverged_at(2)],
        );
        let figure = prepare(&spec).unwrap();
        assert_eq!(figure.groups[0].diverged, vec![(2.0, Some(2.0))]);
        assert_eq!(figure.n_dropped, 1);
    }
}
