//! The loss curves of every run.

use viz::{LossCurvesSpec, LossSeries};

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
}
