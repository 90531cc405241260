//! The loss curves of every run, and the gradient-norm heat maps.

use viz::{GradientHeatmapSpec, LossCurvesSpec, LossSeries};

use super::table::read_table;
use super::{CHART_SIZE, Emitter, FigureFile, Study};
use crate::run::RunStatus;

impl Study<'_> {
    /// Loss against epoch for every finished run, one colour per sweep point.
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
        .with_axis_labels("epoch", "loss (log scale)")
        .with_size(CHART_SIZE.0, CHART_SIZE.1);
        let colours = if group_name.is_empty() {
            String::new()
        } else {
            format!(" One colour per {group_name};")
        };
        out.emit(
            FigureFile {
                name: "loss_curves".into(),
                title: "Loss curves of every run".into(),
                caption: format!(
                    "Training loss (solid) and test loss (dashed, mean over seeds) against epoch, \
                     on a log scale.{colours} faint lines are single seeds, bold lines their \
                     mean; × marks a run stopped because its loss diverged."
                ),
            },
            0,
            |path| viz::loss_curves(path, &spec),
        );
    }

    /// A gradient-norm heat map per point, from its first seed that recorded them.
    pub(super) fn gradients(&self, out: &mut Emitter<'_>) {
        let stride = self.plan.record.gradient_norm_stride;
        if stride == 0 {
            return;
        }
        for point in 0..self.plan.points.len() {
            let found = self.runs_at(point).find_map(|run| {
                self.record(run)?;
                let path = self.dir.join("gradients").join(format!("{}.csv", run.id()));
                path.is_file().then_some((run, path))
            });
            let Some((run, path)) = found else {
                continue;
            };
            let table = match read_table(&path) {
                Ok(table) => table,
                Err(e) => {
                    out.warn(format!("gradient norms of run {} not drawn: {e}", run.id()));
                    continue;
                }
            };
            let epochs: Vec<f64> = table.rows.iter().map(|r| r[0]).collect();
            let samples: Vec<Vec<f64>> = table.rows.iter().map(|r| r[1..].to_vec()).collect();
            let label = &self.plan.points[point].label;
            let spec = GradientHeatmapSpec::from_samples(
                self.title(&format!(
                    "gradient norms, {}, seed {}",
                    label.replace(',', ", "),
                    run.seed
                )),
                epochs,
                &samples,
            )
            .with_size(CHART_SIZE.0, 480);
            out.emit(
                FigureFile {
                    name: format!("gradients_p{point:02}"),
                    title: format!("Gradient norms at {label}, seed {}", run.seed),
                    caption: format!(
                        "{label}, seed {}: the norm of each weight layer's gradient (layer 1 is \
                         next to the input) every {stride} epochs, on a log colour scale \
                         (dark: small). Each heat map has its own colour scale: compare the \
                         numbers on the colour bars between figures.",
                        run.seed
                    ),
                },
                0,
                |path| viz::gradient_heatmap(path, &spec),
            );
        }
    }
}
