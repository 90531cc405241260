//! The loss curves of every run, with the median across seeds.

use metrics::Summary;
use viz::{GroupCurve, LossCurvesSpec, LossSeries, Scale};

use super::table::read_table;
use super::{CHART_SIZE, Emitter, FigureFile, Study};
use crate::run::RunStatus;

/// The median across runs at every epoch any of them recorded, each run that has stopped
/// (early stopping, divergence) carried forward at its last value, so the curve never changes
/// which runs it summarises. Each run is `(epoch, loss)` in epoch order, holding only values a
/// log axis can show (finite, positive); at an epoch before a run's first value the run is
/// left out (runs record epoch 0, so this does not happen in a study).
pub(super) fn carried_forward_median(runs: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut epochs: Vec<f64> = runs.iter().flatten().map(|p| p.0).collect();
    epochs.sort_by(f64::total_cmp);
    epochs.dedup();
    let mut next = vec![0usize; runs.len()];
    let mut values = Vec::with_capacity(runs.len());
    let mut curve = Vec::with_capacity(epochs.len());
    for epoch in epochs {
        values.clear();
        for (run, next) in runs.iter().zip(&mut next) {
            while *next < run.len() && run[*next].0 <= epoch {
                *next += 1;
            }
            if *next > 0 {
                values.push(run[*next - 1].1);
            }
        }
        if let Ok(s) = Summary::from_values(&values) {
            curve.push((epoch, s.median));
        }
    }
    curve
}

/// The `(epoch, value)` points of a run that an axis of `scale` can show.
fn points_on(scale: Scale, epochs: &[f64], values: &[f64]) -> Vec<(f64, f64)> {
    epochs
        .iter()
        .zip(values)
        .filter(|(e, v)| e.is_finite() && v.is_finite() && (scale == Scale::Linear || **v > 0.0))
        .map(|(e, v)| (*e, *v))
        .collect()
}

/// A group's median curves (training, and evaluation when its runs have one) on an axis of
/// `scale` (values it cannot show are left out before the median).
pub(super) fn group_curve(group: &str, runs: &[&LossSeries], scale: Scale) -> GroupCurve {
    let train: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .map(|r| points_on(scale, &r.epochs, &r.train))
        .collect();
    let (epochs, median): (Vec<f64>, Vec<f64>) = carried_forward_median(&train).into_iter().unzip();
    let mut curve = GroupCurve::new(group, epochs.clone(), median);
    let evals: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .filter_map(|r| r.eval.as_ref().map(|e| points_on(scale, &r.epochs, e)))
        .collect();
    if !evals.is_empty() {
        // On the training curve's epochs (a run records both losses at the same epochs).
        let eval = carried_forward_median(&evals);
        let at = |epoch: f64| {
            eval.iter()
                .rev()
                .find(|p| p.0 <= epoch)
                .map_or(f64::NAN, |p| p.1)
        };
        curve = curve.with_eval(epochs.iter().map(|&e| at(e)).collect());
    }
    curve
}

impl Study<'_> {
    /// Loss against epoch for every finished run, one colour per sweep point, with the median
    /// across seeds (stopped runs carried forward).
    pub(super) fn loss_curves(&self, out: &mut Emitter<'_>) {
        let mut series = Vec::new();
        for record in &self.finished {
            let path = self.dir.join("curves").join(format!("{}.csv", record.id));
            let curve = match read_table(&path) {
                Ok(curve) => curve,
                Err(e) => {
                    out.warn(format!("loss curve of run {} not drawn: {e}", record.id));
                    continue;
                }
            };
            let Some(point) = self.point_of(record) else {
                continue;
            };
            let column = |k: usize| curve.rows.iter().map(|r| r[k]).collect::<Vec<f64>>();
            let mut run = LossSeries::new(self.short_label(point), record.seed, column(1))
                .with_epochs(column(0));
            if curve.columns.len() > 2 {
                let test = column(2);
                if test.iter().any(|v| v.is_finite()) {
                    run = run.with_eval(test);
                }
            }
            if let RunStatus::Diverged { epoch, .. } = record.status {
                run = run.with_diverged_at(epoch);
            }
            series.push(run);
        }
        let mut groups: Vec<&str> = Vec::new();
        for run in &series {
            if !groups.contains(&run.group.as_str()) {
                groups.push(&run.group);
            }
        }
        let curves = groups
            .iter()
            .map(|g| {
                let runs: Vec<&LossSeries> = series.iter().filter(|r| r.group == *g).collect();
                group_curve(g, &runs, Scale::Log)
            })
            .collect();
        let group_name = if self.plan.axes.is_empty() {
            String::new()
        } else {
            self.axes_description()
        };
        let spec = LossCurvesSpec::new(
            self.title("training loss (solid), test loss (dashed)"),
            series,
        )
        .with_group_name(group_name.clone())
        .with_group_curves("median over seeds", curves)
        .with_axis_labels("epoch", "loss (log scale)")
        .with_size(CHART_SIZE.0, CHART_SIZE.1);
        let colours = if group_name.is_empty() {
            String::new()
        } else {
            format!(" One colour per {group_name}:")
        };
        out.emit(
            FigureFile {
                name: "loss_curves".into(),
                title: "Loss curves of every run".into(),
                caption: format!(
                    "Training loss (solid) and test loss (dashed) against epoch, on a log \
                     scale.{colours} faint lines are single seeds, bold lines the median across \
                     seeds at each epoch. A run that stopped before the others (early \
                     stopping: dot; divergence: ×, at its last finite loss) stays in the \
                     median at its last value, so the median always summarises every seed."
                ),
            },
            0,
            |path| viz::loss_curves(path, &spec),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three runs stop at different epochs (early stopping after epoch 2, divergence after
    /// epoch 1, one to the end): each stays in the median at its last value.
    #[test]
    fn stopped_runs_are_carried_forward_in_the_median() {
        let runs = vec![
            vec![
                (0.0, 1.0),
                (1.0, 0.5),
                (2.0, 0.1),
                (3.0, 0.01),
                (4.0, 0.001),
            ],
            vec![(0.0, 1.0), (1.0, 0.6), (2.0, 0.3)],
            vec![(0.0, 1.0), (1.0, 2.0)],
        ];
        let median = carried_forward_median(&runs);
        // Epoch 3: 0.01 (running), 0.3 and 2.0 (carried): median 0.3, not the 0.01 a
        // median over the runs still training would give.
        assert_eq!(
            median,
            vec![(0.0, 1.0), (1.0, 0.6), (2.0, 0.3), (3.0, 0.3), (4.0, 0.3)]
        );
        assert!(carried_forward_median(&[]).is_empty());
    }

    #[test]
    fn runs_on_different_strides_are_read_at_their_last_value() {
        let runs = vec![vec![(0.0, 1.0), (10.0, 0.5)], vec![(0.0, 3.0), (5.0, 2.0)]];
        // Epoch 5: 1.0 (run 1's last value) and 2.0: median 1.5.
        assert_eq!(
            carried_forward_median(&runs),
            vec![(0.0, 2.0), (5.0, 1.5), (10.0, 1.25)]
        );
    }

    #[test]
    fn group_curves_carry_the_test_loss_too() {
        let a = LossSeries::new("g", 1, vec![1.0, 0.5, 0.25]).with_eval(vec![1.0, 0.6, 0.4]);
        let b = LossSeries::new("g", 2, vec![1.0, 0.7]).with_eval(vec![1.2, 0.9]);
        let curve = group_curve("g", &[&a, &b], Scale::Log);
        assert_eq!(curve.epochs, vec![0.0, 1.0, 2.0]);
        assert_eq!(curve.train, vec![1.0, 0.6, 0.475]);
        assert_eq!(curve.eval, Some(vec![1.1, 0.75, 0.65]));
    }
}
