//! Loss (or any quantity recorded over training) against epoch, on a log axis by default:
//! one colour per swept value, faint seeds, the caller's summary curve bold, a marker where a
//! run stopped before the others, and optional reference levels per group.

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
    /// colour (and a [`GroupCurve`], when the caller gives one). Groups appear in the legend in
    /// order of first appearance.
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

/// The caller's summary of one group's runs at each epoch, drawn bold over its runs: say the
/// median across seeds, with a run that stopped early carried forward at its last value.
///
/// This crate computes no statistic across runs: the caller chooses one (and says which in
/// [`LossCurvesSpec::with_group_curves`]'s label and its caption).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCurve {
    /// The group (swept value) it summarises, as in [`LossSeries::group`]. A group curve whose
    /// group has no run is drawn as a group of its own.
    pub group: String,
    /// The epoch of each value.
    pub epochs: Vec<f64>,
    /// The summary of the training losses at each epoch.
    pub train: Vec<f64>,
    /// The summary of the evaluation losses at each epoch, when there are any.
    pub eval: Option<Vec<f64>>,
}

impl GroupCurve {
    /// The summary `train[i]` at `epochs[i]` of `group`'s runs, without an evaluation curve.
    pub fn new(group: impl Into<String>, epochs: Vec<f64>, train: Vec<f64>) -> GroupCurve {
        GroupCurve {
            group: group.into(),
            epochs,
            train,
            eval: None,
        }
    }

    /// Sets the summary of the evaluation losses (same length as `epochs`).
    pub fn with_eval(mut self, eval: Vec<f64>) -> GroupCurve {
        self.eval = Some(eval);
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
    /// The summary curve of each group, drawn bold (none by default).
    pub group_curves: Vec<GroupCurve>,
    /// The legend text of the group curves, naming the statistic, e.g. `"median over
    /// seeds"`.
    pub group_curve_label: String,
    /// A horizontal reference line per group, `(group, value)`, dotted in the group's colour
    /// (say 2 / learning rate beside the sharpness of each learning rate's runs).
    pub levels: Vec<(String, f64)>,
    /// The legend text of the levels.
    pub level_label: String,
    /// The y scale (default log: losses span decades).
    pub y_scale: Scale,
    /// Width and height in pixels (default 900 × 560; at least 320 × 240).
    pub size: (u32, u32),
}

impl LossCurvesSpec {
    /// Loss curves of `series` under `title`, with default labels and size, and no group
    /// curves.
    pub fn new(title: impl Into<String>, series: Vec<LossSeries>) -> LossCurvesSpec {
        LossCurvesSpec {
            title: title.into(),
            group_name: String::new(),
            x_label: "epoch".into(),
            y_label: "training loss (log scale)".into(),
            series,
            group_curves: Vec::new(),
            group_curve_label: String::new(),
            levels: Vec::new(),
            level_label: String::new(),
            y_scale: Scale::Log,
            size: (900, 560),
        }
    }

    /// Sets what the groups are (the legend heading), e.g. `"learning rate"`.
    pub fn with_group_name(mut self, group_name: impl Into<String>) -> LossCurvesSpec {
        self.group_name = group_name.into();
        self
    }

    /// Sets the summary curve of each group, drawn bold, and the legend text naming its
    /// statistic (e.g. `"median over seeds"`).
    pub fn with_group_curves(
        mut self,
        label: impl Into<String>,
        curves: Vec<GroupCurve>,
    ) -> LossCurvesSpec {
        self.group_curve_label = label.into();
        self.group_curves = curves;
        self
    }

    /// Sets a horizontal reference line per group, `(group, value)`, and their legend text
    /// (e.g. `"2 / learning rate"`). A level whose group has no run or curve is drawn in a
    /// colour of its own.
    pub fn with_levels(
        mut self,
        label: impl Into<String>,
        levels: Vec<(String, f64)>,
    ) -> LossCurvesSpec {
        self.level_label = label.into();
        self.levels = levels;
        self
    }

    /// Sets the y scale (linear for a quantity that changes sign, such as λ_min / λ_max).
    pub fn with_y_scale(mut self, scale: Scale) -> LossCurvesSpec {
        self.y_scale = scale;
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

/// Draws loss (or another quantity) against epoch, on a log y axis unless
/// [`LossCurvesSpec::with_y_scale`] says otherwise.
///
/// Each group (swept value) gets one colour. A group with a [`GroupCurve`] has its runs drawn
/// faint and the group curve bold (its evaluation curve dashed); a group without one that has
/// a single run draws that run bold (its evaluation loss dashed), and one with several runs
/// draws them faint only. A run whose last drawable loss comes before its group's last epoch
/// gets a dot there, "ended early"; a diverged run gets an `x` instead, at the last loss it
/// drew before its divergence epoch (at the top of the chart when it drew none). Each level
/// is a dotted horizontal line in its group's colour. Values that cannot be placed (not
/// finite, or ≤ 0 on a log axis) are dropped (counted in [`PlotOutcome::Written`]). The format follows the extension of `path` (`.png` or `.svg`);
/// the file is written atomically.
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`], [`VizError::LengthMismatch`]
/// when a run's or a group curve's `train` or `eval` is not one value per epoch,
/// [`VizError::Write`]. No drawable loss at all gives `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{GroupCurve, LossCurvesSpec, LossSeries, loss_curves};
///
/// let series = vec![
///     LossSeries::new("0.1", 1, vec![0.69, 0.4, 0.2, 0.1]),
///     LossSeries::new("0.1", 2, vec![0.70, 0.45, 0.25]).with_eval(vec![0.7, 0.5, 0.3]),
///     LossSeries::new("10", 1, vec![0.69, 5.0, 80.0]).with_diverged_at(2),
/// ];
/// // The median of two runs is their mean; seed 2 stopped after epoch 2 and is carried on.
/// let median = GroupCurve::new("0.1", vec![0.0, 1.0, 2.0, 3.0], vec![0.695, 0.425, 0.225, 0.175]);
/// let spec = LossCurvesSpec::new("loss by learning rate", series)
///     .with_group_name("learning rate")
///     .with_group_curves("median over seeds", vec![median]);
/// let path = std::env::temp_dir().join("viz-doc-loss-curves.png");
/// let outcome = loss_curves(&path, &spec)?;
/// assert!(outcome.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn loss_curves(path: impl AsRef<Path>, spec: &LossCurvesSpec) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (320, 240))?;
    check_lengths(&target, spec)?;
    let Some(figure) = prepare(spec) else {
        return Ok(PlotOutcome::skipped(
            if spec.series.is_empty() && spec.group_curves.is_empty() {
                "no loss series"
            } else {
                "no finite, positive training loss"
            },
        ));
    };
    target.write(&figure)?;
    Ok(PlotOutcome::Written {
        n_dropped: figure.n_dropped,
    })
}

fn check_lengths(target: &Target, spec: &LossCurvesSpec) -> Result<(), VizError> {
    let runs = spec.series.iter().enumerate().map(|(index, run)| {
        let name = format!("series[{index}]");
        let what = format!("(group {:?}, seed {})", run.group, run.seed);
        (name, what, &run.epochs, &run.train, run.eval.as_ref())
    });
    let curves = spec.group_curves.iter().enumerate().map(|(index, curve)| {
        let name = format!("group_curves[{index}]");
        let what = format!("(group {:?})", curve.group);
        (name, what, &curve.epochs, &curve.train, curve.eval.as_ref())
    });
    for (name, what, epochs, train, eval) in runs.chain(curves) {
        let losses = std::iter::once(("train", Some(train))).chain(std::iter::once(("eval", eval)));
        for (part, values) in losses {
            if let Some(values) = values
                && values.len() != epochs.len()
            {
                return Err(VizError::LengthMismatch {
                    path: target.path.clone(),
                    field: format!("{name}.{part} {what}"),
                    expected: epochs.len(),
                    found: values.len(),
                    per: "epoch",
                });
            }
        }
    }
    Ok(())
}

/// The `(epoch, value)` points an axis of `scale` can show: finite epoch, and a value it can
/// place.
fn drawable_on(scale: Scale, epochs: &[f64], values: &[f64]) -> Vec<(f64, f64)> {
    epochs
        .iter()
        .zip(values)
        .filter(|(e, v)| e.is_finite() && to_display(scale, **v).is_some())
        .map(|(e, v)| (*e, *v))
        .collect()
}

/// Where a run ended before the rest of its group: the run's last drawable point.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    /// Stopped for divergence in this epoch; the marker sits on the last loss drawn before it
    /// (`None`: at the top of the chart).
    Diverged(f64, Option<f64>),
    /// Ended (early stopping, say) at this point, before the group's last epoch.
    Early(f64, f64),
}

struct Group {
    label: String,
    color: RGBColor,
    runs: Vec<Vec<(f64, f64)>>,
    /// The bold curve: the caller's group curve, or a group's only run.
    bold: Vec<(f64, f64)>,
    /// The dashed curve beside it.
    bold_eval: Vec<(f64, f64)>,
    /// The group's reference levels.
    levels: Vec<f64>,
    endings: Vec<Ending>,
}

struct LossFigure {
    title: String,
    group_name: String,
    x_label: String,
    y_label: String,
    groups: Vec<Group>,
    x: Axis,
    y: Axis,
    y_scale: Scale,
    legend: Vec<LegendEntry>,
    n_dropped: usize,
}

fn prepare(spec: &LossCurvesSpec) -> Option<LossFigure> {
    let mut labels: Vec<&str> = Vec::new();
    let named = spec
        .series
        .iter()
        .map(|s| s.group.as_str())
        .chain(spec.group_curves.iter().map(|c| c.group.as_str()))
        .chain(spec.levels.iter().map(|l| l.0.as_str()));
    for label in named {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    let scale = spec.y_scale;
    let mut n_dropped = 0;
    let mut groups = Vec::new();
    for (index, label) in labels.iter().enumerate() {
        let members: Vec<&LossSeries> = spec.series.iter().filter(|s| s.group == *label).collect();
        let mut runs = Vec::new();
        let mut evals = Vec::new();
        for run in &members {
            let train = drawable_on(scale, &run.epochs, &run.train);
            n_dropped += run.train.len() - train.len();
            let eval = run
                .eval
                .as_ref()
                .map(|e| drawable_on(scale, &run.epochs, e));
            n_dropped += eval.as_ref().map_or(0, |e| run.epochs.len() - e.len());
            runs.push(train);
            evals.push(eval.unwrap_or_default());
        }
        let last_epoch = runs
            .iter()
            .filter_map(|r| r.last().map(|p| p.0))
            .fold(f64::NEG_INFINITY, f64::max);
        let endings = members
            .iter()
            .zip(&runs)
            .filter_map(|(run, train)| match run.diverged_at {
                Some(epoch) => {
                    let epoch = epoch as f64;
                    let last = train.iter().rev().find(|p| p.0 <= epoch).map(|p| p.1);
                    Some(Ending::Diverged(epoch, last))
                }
                None => train
                    .last()
                    .filter(|p| p.0 < last_epoch)
                    .map(|p| Ending::Early(p.0, p.1)),
            })
            .collect();
        let curve = spec.group_curves.iter().find(|c| c.group == *label);
        let (bold, bold_eval) = match curve {
            Some(curve) => {
                let train = drawable_on(scale, &curve.epochs, &curve.train);
                n_dropped += curve.train.len() - train.len();
                let eval = curve
                    .eval
                    .as_ref()
                    .map(|e| drawable_on(scale, &curve.epochs, e));
                n_dropped += eval.as_ref().map_or(0, |e| curve.epochs.len() - e.len());
                (train, eval.unwrap_or_default())
            }
            None if runs.len() == 1 => (runs.pop().unwrap_or_default(), evals.remove(0)),
            None => (Vec::new(), Vec::new()),
        };
        let mut levels = Vec::new();
        for (_, value) in spec.levels.iter().filter(|l| l.0 == *label) {
            match to_display(scale, *value) {
                Some(_) => levels.push(*value),
                None => n_dropped += 1,
            }
        }
        groups.push(Group {
            label: label.to_string(),
            color: style::group_color(index),
            runs,
            bold,
            bold_eval,
            levels,
            endings,
        });
    }
    let points = || {
        groups
            .iter()
            .flat_map(|g| g.runs.iter().flatten().chain(&g.bold).chain(&g.bold_eval))
    };
    let levels = groups.iter().flat_map(|g| g.levels.iter().copied());
    let y = Axis::fit(scale, points().map(|p| p.1).chain(levels))?;
    let diverged_epochs = groups.iter().flat_map(|g| {
        g.endings.iter().filter_map(|e| match e {
            Ending::Diverged(epoch, _) => Some(*epoch),
            Ending::Early(..) => None,
        })
    });
    let mut x = Axis::fit(Scale::Linear, points().map(|p| p.0).chain(diverged_epochs))?;
    if points().all(|p| p.0.fract() == 0.0) {
        x = x.whole_numbers();
    }
    let legend = legend(spec, &groups);
    Some(LossFigure {
        title: spec.title.clone(),
        group_name: spec.group_name.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        groups,
        x,
        y,
        y_scale: scale,
        legend,
        n_dropped,
    })
}

fn legend(spec: &LossCurvesSpec, groups: &[Group]) -> Vec<LegendEntry> {
    let mut legend: Vec<LegendEntry> = groups
        .iter()
        .map(|g| LegendEntry::new(Swatch::Line(g.color, 3), g.label.clone()))
        .collect();
    let grey = RGBColor(90, 90, 90);
    if groups.iter().any(|g| !g.runs.is_empty()) {
        legend.push(LegendEntry::new(
            Swatch::Line(style::faded(grey, 0.3), 1),
            "single seeds",
        ));
    }
    if !spec.group_curves.is_empty() {
        legend.push(LegendEntry::new(
            Swatch::Line(grey, 3),
            spec.group_curve_label.clone(),
        ));
    }
    if groups.iter().any(|g| !g.bold_eval.is_empty()) {
        legend.push(LegendEntry::new(Swatch::Dashed(grey), "evaluation"));
    }
    if groups.iter().any(|g| !g.levels.is_empty()) {
        legend.push(LegendEntry::new(
            Swatch::Dashed(grey),
            spec.level_label.clone(),
        ));
    }
    let any = |f: fn(&Ending) -> bool| groups.iter().any(|g| g.endings.iter().any(f));
    if any(|e| matches!(e, Ending::Early(..))) {
        legend.push(LegendEntry::new(Swatch::Dot(grey), "ended early"));
    }
    if any(|e| matches!(e, Ending::Diverged(..))) {
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
        let scale = self.y_scale;
        let log = |points: &[(f64, f64)]| -> Vec<(f64, f64)> {
            points
                .iter()
                .filter_map(|&(e, l)| to_display(scale, l).map(|l| (e, l)))
                .collect()
        };
        for group in &self.groups {
            for level in group.levels.iter().filter_map(|v| to_display(scale, *v)) {
                chart.draw_series(DashedLineSeries::new(
                    [(self.x.lo, level), (self.x.hi, level)],
                    2,
                    4,
                    group.color.stroke_width(2),
                ))?;
            }
        }
        for group in &self.groups {
            for run in &group.runs {
                chart.draw_series(LineSeries::new(
                    log(run),
                    group.color.mix(0.3).stroke_width(1),
                ))?;
            }
        }
        for group in &self.groups {
            let eval = log(&group.bold_eval);
            if eval.len() > 1 {
                chart.draw_series(DashedLineSeries::new(
                    eval,
                    7,
                    5,
                    group.color.stroke_width(2),
                ))?;
            }
            let bold = log(&group.bold);
            if bold.len() == 1 {
                chart.draw_series(
                    bold.iter()
                        .map(|p| Circle::new(*p, 4, group.color.filled())),
                )?;
            }
            chart.draw_series(LineSeries::new(bold, group.color.stroke_width(3)))?;
        }
        let top = self.y.hi - (self.y.hi - self.y.lo) * 0.03;
        for group in &self.groups {
            for ending in &group.endings {
                match *ending {
                    Ending::Diverged(epoch, loss) => {
                        let y = loss.and_then(|l| to_display(scale, l)).unwrap_or(top);
                        chart.draw_series(std::iter::once(Cross::new(
                            (epoch, y),
                            7,
                            BLACK.stroke_width(3),
                        )))?;
                    }
                    Ending::Early(epoch, loss) => {
                        let Some(y) = to_display(scale, loss) else {
                            continue;
                        };
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((epoch, y))
                                + Circle::new((0, 0), 4, group.color.filled())
                                + Circle::new((0, 0), 4, BLACK.stroke_width(1)),
                        ))?;
                    }
                }
            }
        }
        chart::draw_legend(&legend_area, heading, &self.legend, 12, look)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawable_points_drop_non_positive_and_non_finite_losses() {
        let points = drawable_on(
            Scale::Log,
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
        assert_eq!(
            figure.groups[0].endings,
            vec![Ending::Diverged(2.0, Some(2.0))]
        );
        assert_eq!(figure.n_dropped, 1);
    }

    #[test]
    fn a_run_that_ends_before_its_group_gets_a_marker() {
        let spec = LossCurvesSpec::new(
            "t",
            vec![
                LossSeries::new("a", 1, vec![1.0, 0.5, 0.25, 0.125]),
                LossSeries::new("a", 2, vec![1.0, 0.6]),
                LossSeries::new("b", 1, vec![1.0, 0.9]),
            ],
        )
        .with_group_curves(
            "median over seeds",
            vec![GroupCurve::new(
                "a",
                vec![0.0, 1.0, 2.0, 3.0],
                vec![1.0, 0.55, 0.425, 0.3625],
            )],
        );
        let figure = prepare(&spec).unwrap();
        // Seed 2 stopped at epoch 1 while seed 1 went on to 3; group b's one run is complete.
        assert_eq!(figure.groups[0].endings, vec![Ending::Early(1.0, 0.6)]);
        assert!(figure.groups[1].endings.is_empty());
        // Group a draws the caller's curve bold and both runs faint; b draws its run bold.
        assert_eq!(figure.groups[0].runs.len(), 2);
        assert_eq!(figure.groups[0].bold.len(), 4);
        assert!(figure.groups[1].runs.is_empty());
        assert_eq!(figure.groups[1].bold, vec![(0.0, 1.0), (1.0, 0.9)]);
        let texts: Vec<&str> = figure.legend.iter().map(|e| e.text.as_str()).collect();
        assert!(texts.contains(&"median over seeds") && texts.contains(&"ended early"));
    }

    #[test]
    fn a_linear_scale_keeps_negative_values_and_levels_stretch_the_axis() {
        let spec = LossCurvesSpec::new(
            "t",
            vec![LossSeries::new("w=3", 1, vec![0.1, -0.2, f64::NAN])],
        )
        .with_y_scale(Scale::Linear)
        .with_levels("zero", vec![("w=3".into(), -1.0), ("w=50".into(), 2.0)]);
        let figure = prepare(&spec).unwrap();
        assert_eq!(figure.groups[0].bold, vec![(0.0, 0.1), (1.0, -0.2)]);
        assert_eq!(figure.groups[0].levels, vec![-1.0]);
        // A level of a group without runs is a group of its own.
        assert_eq!(figure.groups[1].levels, vec![2.0]);
        assert!(figure.y.lo < -1.0 && figure.y.hi > 2.0);
        assert_eq!(figure.n_dropped, 1);
        // On a log axis the negative value and the negative level cannot be placed.
        let log = prepare(&spec.clone().with_y_scale(Scale::Log)).unwrap();
        assert_eq!(log.groups[0].bold, vec![(0.0, 0.1)]);
        assert_eq!(log.n_dropped, 3);
    }
}
