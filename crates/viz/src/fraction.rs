//! Epochs needed to bring the loss down to a fraction of its first value, against the
//! learning rate, with diverged runs marked above the chart.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::axis::Axis;
use crate::chart::{self, LegendEntry, Swatch};
use crate::output::{DrawFailure, Figure, Look, Target};
use crate::scale::{Scale, to_display};
use crate::style::{self, INK, TICK_SIZE, TITLE_SIZE};
use crate::{PlotOutcome, VizError};

/// How one run did at reaching the loss fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FractionOutcome {
    /// The loss first fell to the fraction after `epochs` epochs.
    Reached {
        /// Epochs needed.
        epochs: usize,
    },
    /// Training ended without reaching the fraction.
    NotReached,
    /// The run diverged (shown as diverged even if it reached the fraction first).
    Diverged,
}

/// One training run of a learning-rate sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FractionRun {
    /// The learning rate of the run (> 0: the x axis is logarithmic).
    pub learning_rate: f64,
    /// The seed of the run.
    pub seed: u64,
    /// How it did.
    pub outcome: FractionOutcome,
}

/// What [`epochs_to_fraction`] draws.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochsToFractionSpec {
    /// Drawn above the chart (nothing when empty).
    pub title: String,
    /// The loss fraction the runs had to reach, in (0, 1), e.g. 0.3 (named in the y label).
    pub fraction: f64,
    /// The runs, in any order.
    pub runs: Vec<FractionRun>,
    /// The caller's summary of the epochs of the runs that reached the fraction, as
    /// `(learning_rate, epochs)` (e.g. the median), drawn bold and joined (none by default).
    pub centres: Vec<(f64, f64)>,
    /// The legend text of the centres, naming the statistic.
    pub centre_label: String,
    /// The y scale (default log: epochs often span orders of magnitude).
    pub y_scale: Scale,
    /// Width and height in pixels (default 820 × 540; at least 400 × 300).
    pub size: (u32, u32),
}

impl EpochsToFractionSpec {
    /// The runs of a sweep that had to reach `fraction` of their first loss.
    pub fn new(
        title: impl Into<String>,
        fraction: f64,
        runs: Vec<FractionRun>,
    ) -> EpochsToFractionSpec {
        EpochsToFractionSpec {
            title: title.into(),
            fraction,
            runs,
            centres: Vec::new(),
            centre_label: String::new(),
            y_scale: Scale::Log,
            size: (820, 540),
        }
    }

    /// Sets the summary at each learning rate, `(learning_rate, epochs)`, drawn bold and
    /// joined, and the legend text naming its statistic (e.g. `"median of the seeds that
    /// reached it"`).
    pub fn with_centres(
        mut self,
        label: impl Into<String>,
        centres: Vec<(f64, f64)>,
    ) -> EpochsToFractionSpec {
        self.centre_label = label.into();
        self.centres = centres;
        self
    }

    /// Sets the y scale.
    pub fn with_y_scale(mut self, scale: Scale) -> EpochsToFractionSpec {
        self.y_scale = scale;
        self
    }

    /// Sets the size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> EpochsToFractionSpec {
        self.size = (width, height);
        self
    }
}

/// Draws the epochs each run needed to reach `fraction` of its first loss against its learning
/// rate (log x): one faint dot per seed (spread slightly sideways so equal values stay
/// visible), the caller's summary ([`EpochsToFractionSpec::with_centres`]) as a bold dot joined
/// across learning rates, and, in bands above the chart, an `x` per diverged run and an open square per run that never
/// reached the fraction, each group labelled with its count.
///
/// Runs with a learning rate that is not finite and positive cannot be placed and are dropped,
/// as are `Reached { epochs: 0 }` on a log y axis (both counted in [`PlotOutcome::Written`]),
/// and centres that cannot be placed (not counted: they are not data).
///
/// # Errors
/// [`VizError::UnsupportedFormat`], [`VizError::InvalidSize`]; [`VizError::InvalidSetting`]
/// when `fraction` is not in (0, 1); [`VizError::Write`]. No run with a drawable learning rate
/// gives `Ok(PlotOutcome::Skipped)`.
///
/// # Example
/// ```
/// use viz::{EpochsToFractionSpec, FractionOutcome, FractionRun, epochs_to_fraction};
///
/// let run = |learning_rate, seed, outcome| FractionRun { learning_rate, seed, outcome };
/// let runs = vec![
///     run(0.01, 1, FractionOutcome::Reached { epochs: 900 }),
///     run(0.01, 2, FractionOutcome::Reached { epochs: 1100 }),
///     run(0.1, 1, FractionOutcome::Reached { epochs: 95 }),
///     run(0.1, 2, FractionOutcome::NotReached),
///     run(10.0, 1, FractionOutcome::Diverged),
/// ];
/// let spec = EpochsToFractionSpec::new("speed by learning rate", 0.3, runs)
///     .with_centres("median", vec![(0.01, 1000.0), (0.1, 95.0)]);
/// let path = std::env::temp_dir().join("viz-doc-fraction.png");
/// assert!(epochs_to_fraction(&path, &spec)?.is_written());
/// # Ok::<(), viz::VizError>(())
/// ```
pub fn epochs_to_fraction(
    path: impl AsRef<Path>,
    spec: &EpochsToFractionSpec,
) -> Result<PlotOutcome, VizError> {
    let target = Target::new(path.as_ref(), spec.size, (400, 300))?;
    if !(spec.fraction > 0.0 && spec.fraction < 1.0) {
        return Err(target.invalid("fraction", spec.fraction, "a fraction in (0, 1), e.g. 0.3"));
    }
    let Some(figure) = prepare(spec) else {
        return Ok(PlotOutcome::skipped(if spec.runs.is_empty() {
            "no runs"
        } else {
            "no run has a finite, positive learning rate"
        }));
    };
    target.write(&figure)?;
    Ok(PlotOutcome::Written {
        n_dropped: figure.n_dropped,
    })
}

/// The runs of one learning rate, in display space.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    /// log10 of the learning rate.
    x: f64,
    /// Epochs of the runs that reached the fraction (data space).
    reached: Vec<f64>,
    /// The caller's centre of `reached` (data space).
    centre: Option<f64>,
    n_diverged: usize,
    n_not_reached: usize,
}

/// Groups `runs` by learning rate (ascending; equal rates share a column) and counts the runs
/// that cannot be placed.
fn columns(runs: &[FractionRun], centres: &[(f64, f64)], y_scale: Scale) -> (Vec<Column>, usize) {
    let mut placed: Vec<(f64, FractionOutcome)> = Vec::new();
    let mut n_dropped = 0;
    for run in runs {
        match to_display(Scale::Log, run.learning_rate) {
            Some(x) => placed.push((x, run.outcome)),
            None => n_dropped += 1,
        }
    }
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut columns = Vec::new();
    for group in placed.chunk_by(|a, b| a.0 == b.0) {
        let x = group[0].0;
        let centre = centres
            .iter()
            .find(|(rate, _)| to_display(Scale::Log, *rate) == Some(x))
            .map(|c| c.1)
            .filter(|c| to_display(y_scale, *c).is_some());
        let mut column = Column {
            x,
            reached: Vec::new(),
            centre,
            n_diverged: 0,
            n_not_reached: 0,
        };
        for (_, outcome) in group {
            match outcome {
                FractionOutcome::Reached { epochs } => {
                    let epochs = *epochs as f64;
                    if to_display(y_scale, epochs).is_some() {
                        column.reached.push(epochs);
                    } else {
                        n_dropped += 1;
                    }
                }
                FractionOutcome::NotReached => column.n_not_reached += 1,
                FractionOutcome::Diverged => column.n_diverged += 1,
            }
        }
        columns.push(column);
    }
    (columns, n_dropped)
}

struct FractionFigure {
    title: String,
    y_label: String,
    x: Axis,
    y: Axis,
    columns: Vec<Column>,
    /// Display y of the "not reached" and "diverged" bands, and of the separator line.
    not_reached_row: f64,
    diverged_row: f64,
    separator: f64,
    jitter: f64,
    legend: Vec<LegendEntry>,
    n_dropped: usize,
}

fn prepare(spec: &EpochsToFractionSpec) -> Option<FractionFigure> {
    let (columns, n_dropped) = columns(&spec.runs, &spec.centres, spec.y_scale);
    if columns.is_empty() {
        return None;
    }
    let x = Axis::fit(Scale::Log, columns.iter().map(|c| 10f64.powf(c.x)))?;
    // With nothing reached, the y axis still needs a range: 1 to 10 epochs (or 0 to 1).
    let reached = columns.iter().flat_map(|c| c.reached.iter().copied());
    let mut y = Axis::fit(spec.y_scale, reached).unwrap_or_else(|| match spec.y_scale {
        Scale::Log => Axis::numeric(Scale::Log, 0.0, 1.0),
        Scale::Linear => Axis::numeric(Scale::Linear, 0.0, 1.0),
    });
    let span = y.hi - y.lo;
    let separator = y.hi;
    let any_not_reached = columns.iter().any(|c| c.n_not_reached > 0);
    let not_reached_row = separator + 0.10 * span;
    let diverged_row = if any_not_reached {
        separator + 0.26 * span
    } else {
        not_reached_row
    };
    y.hi = diverged_row + 0.12 * span;
    let mut legend = vec![LegendEntry::new(
        Swatch::Dot(style::faded(style::group_color(0), 0.4)),
        "single seeds",
    )];
    if columns.iter().any(|c| c.centre.is_some()) {
        legend.push(LegendEntry::new(
            Swatch::Dot(style::group_color(0)),
            spec.centre_label.clone(),
        ));
    }
    legend.push(LegendEntry::new(Swatch::Cross(BLACK), "diverged"));
    if any_not_reached {
        legend.push(LegendEntry::new(Swatch::Square(INK), "not reached"));
    }
    Some(FractionFigure {
        title: spec.title.clone(),
        y_label: format!(
            "epochs to reach {}% of the first loss",
            crate::axis::format_value(spec.fraction * 100.0)
        ),
        jitter: jitter_step(&columns, x.hi - x.lo),
        x,
        y,
        columns,
        not_reached_row,
        diverged_row,
        separator,
        legend,
        n_dropped,
    })
}

/// The sideways distance between markers of one learning rate (display units): 2.2 % of the
/// axis, less where the markers of neighbouring learning rates would otherwise meet.
fn jitter_step(columns: &[Column], x_span: f64) -> f64 {
    let widest = columns
        .iter()
        .map(|c| c.reached.len().max(c.n_diverged).max(c.n_not_reached))
        .max()
        .unwrap_or(1)
        .max(2) as f64;
    let closest = columns
        .windows(2)
        .map(|w| w[1].x - w[0].x)
        .fold(f64::INFINITY, f64::min);
    (0.022 * x_span).min(0.7 * closest / (widest - 1.0))
}

/// Sideways offsets for `n` markers at one x: `step` apart, centred.
fn spread(n: usize, step: f64) -> impl Iterator<Item = f64> {
    (0..n).map(move |k| (k as f64 - (n as f64 - 1.0) / 2.0) * step)
}

impl Figure for FractionFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        look: Look,
    ) -> Result<(), DrawFailure> {
        let body = chart::titled(root, &self.title, TITLE_SIZE)?;
        let width = body.dim_in_pixel().0;
        let legend_width = chart::legend_width(&body, None, &self.legend, width * 2 / 5)?;
        let (plot, legend_area) = body.split_horizontally(width - legend_width);
        let labels = ("learning rate", self.y_label.as_str());
        let mut chart = chart::chart(&plot, &self.x, &self.y, labels, true, look)?;
        let color = style::group_color(0);
        chart.draw_series(DashedLineSeries::new(
            [(self.x.lo, self.separator), (self.x.hi, self.separator)],
            6,
            4,
            INK.mix(0.5).stroke_width(1),
        ))?;
        let place = |v: f64| self.y.place(v).unwrap_or(self.y.lo);
        chart.draw_series(self.columns.iter().flat_map(|c| {
            let seed_color = style::faded(color, 0.4);
            spread(c.reached.len(), self.jitter)
                .zip(&c.reached)
                .map(move |(dx, e)| Circle::new((c.x + dx, place(*e)), 4, seed_color.filled()))
        }))?;
        let centres: Vec<(f64, f64)> = self
            .columns
            .iter()
            .filter_map(|c| Some((c.x, place(c.centre?))))
            .collect();
        chart.draw_series(LineSeries::new(centres.clone(), color.stroke_width(2)))?;
        chart.draw_series(centres.iter().map(|p| {
            EmptyElement::at(*p)
                + Circle::new((0, 0), 6, color.filled())
                + Circle::new((0, 0), 6, WHITE.stroke_width(1))
        }))?;
        let label_style = style::anchored(TICK_SIZE, HPos::Center, VPos::Bottom);
        let label = |x: f64, row: f64, text: String| {
            EmptyElement::at((x, row)) + Text::new(text, (0, -10), label_style.clone())
        };
        for c in self.columns.iter().filter(|c| c.n_diverged > 0) {
            chart
                .draw_series(spread(c.n_diverged, self.jitter).map(|dx| {
                    Cross::new((c.x + dx, self.diverged_row), 6, BLACK.stroke_width(3))
                }))?;
            let text = format!("{} diverged", c.n_diverged);
            chart.draw_series(std::iter::once(label(c.x, self.diverged_row, text)))?;
        }
        for c in self.columns.iter().filter(|c| c.n_not_reached > 0) {
            chart.draw_series(spread(c.n_not_reached, self.jitter).map(|dx| {
                EmptyElement::at((c.x + dx, self.not_reached_row))
                    + Rectangle::new([(-5, -5), (5, 5)], INK.stroke_width(2))
            }))?;
            let text = format!("{} not reached", c.n_not_reached);
            chart.draw_series(std::iter::once(label(c.x, self.not_reached_row, text)))?;
        }
        chart::draw_legend(&legend_area, None, &self.legend, 12, look)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(learning_rate: f64, outcome: FractionOutcome) -> FractionRun {
        FractionRun {
            learning_rate,
            seed: 0,
            outcome,
        }
    }

    #[test]
    fn runs_are_grouped_by_learning_rate_in_ascending_order() {
        let runs = [
            run(1.0, FractionOutcome::Diverged),
            run(0.1, FractionOutcome::Reached { epochs: 10 }),
            run(1.0, FractionOutcome::Reached { epochs: 3 }),
            run(0.1, FractionOutcome::NotReached),
            run(-1.0, FractionOutcome::Reached { epochs: 3 }),
            run(f64::NAN, FractionOutcome::Diverged),
            run(0.1, FractionOutcome::Reached { epochs: 0 }),
        ];
        let (columns, n_dropped) = columns(&runs, &[(0.1, 10.0), (1.0, 0.0)], Scale::Log);
        assert_eq!(n_dropped, 3);
        assert_eq!(columns.len(), 2);
        assert_eq!(
            (
                columns[0].x,
                columns[0].reached.clone(),
                columns[0].n_not_reached
            ),
            (-1.0, vec![10.0], 1)
        );
        assert_eq!(
            (columns[1].reached.clone(), columns[1].n_diverged),
            (vec![3.0], 1)
        );
        // The caller's centres: 10 at lr 0.1; 0 at lr 1 has no place on a log axis.
        assert_eq!((columns[0].centre, columns[1].centre), (Some(10.0), None));
    }

    #[test]
    fn jitter_keeps_neighbouring_columns_apart() {
        let column = |x: f64, n: usize| Column {
            x,
            reached: vec![1.0; n],
            centre: None,
            n_diverged: 0,
            n_not_reached: 0,
        };
        assert!((jitter_step(&[column(0.0, 5), column(1.0, 5)], 10.0) - 0.175).abs() < 1e-12);
        assert!((jitter_step(&[column(0.0, 5)], 10.0) - 0.22).abs() < 1e-12);
    }

    #[test]
    fn spread_is_centred() {
        let offsets: Vec<f64> = spread(3, 1.0).collect();
        assert_eq!(offsets, vec![-1.0, 0.0, 1.0]);
        assert_eq!(spread(1, 1.0).collect::<Vec<_>>(), vec![0.0]);
    }
}
