//! Test F1 and final training loss against the swept parameter, and the epochs to the loss
//! fraction against the learning rate.

use metrics::Summary;
use viz::{
    Band, EpochsToFractionSpec, FractionOutcome, FractionRun, MetricSpec, ParameterValues, Scale,
};

use super::{CHART_SIZE, Emitter, FigureFile, Study, axis_keys};
use crate::output::Quantity;
use crate::plan::{Axis, AxisValue, Measure, Original, Split};
use crate::run::RunStatus;

/// The band a figure draws for `values` across seeds: the quantity's centre and interval
/// (mean ± sd, or median with Q1 and Q3), as the tables give them; `None` without a value.
pub(super) fn band(quantity: Quantity, values: &[f64]) -> Option<Band> {
    let summary = Summary::from_values(values).ok()?;
    let statistic = quantity.statistic();
    let (low, high) = summary.interval(statistic);
    Some(Band::new(summary.centre(statistic), low, high))
}

impl Study<'_> {
    /// How the points are placed on an x axis: numbers for a one-axis numeric sweep (log for
    /// learning rates), names otherwise. Returns the values, the x scale, the x label and the
    /// file-name suffix.
    fn parameter_axis(&self) -> Option<(ParameterValues, Scale, String, String)> {
        let n = self.plan.points.len();
        match self.plan.axes.as_slice() {
            [] => None,
            [axis] => {
                let numbers: Option<Vec<f64>> = self
                    .plan
                    .points
                    .iter()
                    .map(|p| p.values.first().and_then(AxisValue::as_number))
                    .collect();
                match numbers {
                    Some(numbers) => {
                        let log = *axis == Axis::LearningRate;
                        let label = if log {
                            format!("{} (log scale)", axis.words())
                        } else {
                            axis.words().to_owned()
                        };
                        let scale = if log { Scale::Log } else { Scale::Linear };
                        Some((
                            ParameterValues::Numeric(numbers),
                            scale,
                            label,
                            axis.key().to_owned(),
                        ))
                    }
                    None => Some((
                        ParameterValues::Categorical((0..n).map(|i| self.short_label(i)).collect()),
                        Scale::Linear,
                        axis.words().to_owned(),
                        axis.key().to_owned(),
                    )),
                }
            }
            axes => Some((
                ParameterValues::Categorical((0..n).map(|i| self.short_label(i)).collect()),
                Scale::Linear,
                axis_keys(axes, ", "),
                axis_keys(axes, "_"),
            )),
        }
    }

    /// Test F1 and final training loss against the swept parameter, with the original's.
    pub(super) fn metric_figures(&self, out: &mut Emitter<'_>) {
        let Some((parameter, x_scale, x_label, suffix)) = self.parameter_axis() else {
            return;
        };
        let n = self.plan.points.len();
        let originals: Vec<Option<&Original>> = self
            .plan
            .points
            .iter()
            .map(|p| p.original.as_ref())
            .collect();
        type Reference = fn(&Original) -> Option<f64>;
        let figures: [(&str, &str, &str, Scale, Quantity, Reference, &str); 2] = [
            (
                "f1",
                "test F1",
                "test F1",
                Scale::Linear,
                Quantity::on(Split::Test, Measure::F1),
                |o| o.f1,
                "Test F1 of every seed (faint dots), their mean with ± one sample standard \
                 deviation (bold), and the original project's F1 (open squares) where the \
                 study file gives it. Runs that diverged have no F1 and are left out.",
            ),
            (
                "loss",
                "final training loss",
                "final training loss (log scale)",
                Scale::Log,
                Quantity::on(Split::Train, Measure::Loss),
                |o| o.loss,
                "Final training loss (binary cross-entropy, log scale) of every seed (faint \
                 dots), their median with a bar from the first to the third quartile (bold: \
                 on a log scale one seed decades away would drag a mean to a loss no seed \
                 has), and the original project's final loss (open squares) where the study \
                 file gives it. Runs that diverged are left out.",
            ),
        ];
        for (key, what, y_label, y_scale, quantity, reference, caption) in figures {
            let measured: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    self.finished
                        .iter()
                        .filter(|r| self.point_of(r) == Some(i))
                        .filter_map(|r| quantity.of(r))
                        .collect()
                })
                .collect();
            let bands = measured.iter().map(|v| band(quantity, v)).collect();
            let mut spec = MetricSpec::new(
                self.title(&format!("{what} by {x_label}")),
                parameter.clone(),
                measured,
            )
            .with_bands(
                format!("this study, {}", quantity.statistic().name()),
                bands,
            )
            .with_axis_labels(x_label.clone(), y_label)
            .with_x_scale(x_scale)
            .with_y_scale(y_scale)
            .with_size(CHART_SIZE.0, CHART_SIZE.1);
            let references: Vec<f64> = originals
                .iter()
                .map(|o| o.and_then(reference).unwrap_or(f64::NAN))
                .collect();
            let n_placeholders = references.iter().filter(|v| v.is_nan()).count();
            let with_reference = n_placeholders < references.len();
            if with_reference {
                spec = spec.with_reference("original project", references);
            }
            out.emit(
                FigureFile {
                    name: format!("{key}_vs_{suffix}"),
                    title: format!("{what} by {x_label}"),
                    caption: caption.to_owned(),
                },
                if with_reference { n_placeholders } else { 0 },
                |path| viz::metric_vs_parameter(path, &spec),
            );
        }
    }

    /// Epochs to the loss fraction against the learning rate, when the sweep has that axis.
    pub(super) fn epochs_to_fraction(&self, out: &mut Emitter<'_>) {
        if !self.plan.axes.contains(&Axis::LearningRate) {
            return;
        }
        let runs: Vec<FractionRun> = self
            .finished
            .iter()
            .filter_map(|r| {
                let learning_rate = self.plan.points[self.point_of(r)?].learning_rate()?;
                let outcome = match (&r.status, r.epochs_to_fraction) {
                    (RunStatus::Diverged { .. }, _) => FractionOutcome::Diverged,
                    (_, Some(epochs)) => FractionOutcome::Reached { epochs },
                    (_, None) => FractionOutcome::NotReached,
                };
                Some(FractionRun {
                    learning_rate,
                    seed: r.seed,
                    outcome,
                })
            })
            .collect();
        let fraction = self.plan.record.loss_fraction;
        let percent = fraction * 100.0;
        // Each learning rate's "n not reached" label is about 110 pixels wide: give every
        // column room for it, so neighbouring labels do not run into each other.
        let mut rates: Vec<f64> = runs.iter().map(|r| r.learning_rate).collect();
        rates.sort_by(f64::total_cmp);
        rates.dedup();
        let width = (300 + 120 * rates.len() as u32).clamp(CHART_SIZE.0, 1400);
        let centres = rates
            .iter()
            .filter_map(|&rate| {
                let reached: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.learning_rate == rate)
                    .filter_map(|r| match r.outcome {
                        FractionOutcome::Reached { epochs } => Some(epochs as f64),
                        _ => None,
                    })
                    .collect();
                Some((rate, band(Quantity::EpochsToFraction, &reached)?.centre))
            })
            .collect();
        let spec = EpochsToFractionSpec::new(
            self.title(&format!("epochs to {percent:.0}% of the first loss")),
            fraction,
            runs,
        )
        .with_centres("median of the seeds that reached it", centres)
        .with_size(width, CHART_SIZE.1);
        out.emit(
            FigureFile {
                name: "epochs_to_fraction".into(),
                title: format!("Epochs to reach {percent:.0}% of the first loss"),
                caption: format!(
                    "Epochs each run needed for its training loss to fall to {percent:.0}% of \
                     the first (one faint dot per seed, bold: the median of the seeds that \
                     reached it), against the learning rate on a log scale. Above the dashed line: runs that diverged (×) and runs \
                     that never reached it (□), with their counts."
                ),
            },
            0,
            |path| viz::epochs_to_fraction(path, &spec),
        );
    }
}
