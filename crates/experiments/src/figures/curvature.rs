//! The loss surface's curvature: the sharpness λ_max over training against each learning
//! rate's 2/lr (gradient descent's edge of stability), λ_min/λ_max over training (below zero:
//! negative curvature, a saddle), and the learning-rate × feature-scale grid of diverged
//! seeds with the stable learning rate predicted at initialisation.

use metrics::Summary;
use viz::{LossCurvesSpec, LossSeries, Scale, ShareCell, ShareGridSpec};

use super::curves::group_curve;
use super::{CHART_SIZE, Emitter, FigureFile, Study, point_file_part};
use crate::output::{self, RunRecord};
use crate::plan::{Axis, AxisValue, Point};
use crate::run::{CurvatureReading, RunStatus};

/// The runs of one panel's figures, how they are grouped and how the files and titles say
/// which panel it is.
struct PanelRuns<'a> {
    runs: Vec<&'a Readings<'a>>,
    /// A run's group (its colour): its learning rate, or its point.
    group: &'a dyn Fn(&Readings) -> String,
    /// The file-name suffix, e.g. `-scale10-standardize-off` (empty for one panel).
    suffix: String,
    /// The title's addition, e.g. `, scale 10, standardize off`.
    at: String,
}

/// A run's curvature readings with the run.
struct Readings<'a> {
    record: &'a RunRecord,
    readings: Vec<CurvatureReading>,
}

/// The points that share every swept value but the learning rate: one figure each.
struct Panel {
    /// The values held (every swept axis but the learning rate).
    values: Vec<AxisValue>,
    /// The points, in point order.
    points: Vec<usize>,
}

/// `values` in words: `scale 10, standardize off`.
fn spoken(values: &[AxisValue]) -> String {
    values
        .iter()
        .map(|v| format!("{} {}", v.axis().key(), v.spoken()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Study<'_> {
    /// The study's points grouped by every swept value but the learning rate; all points in
    /// one panel when the learning rate is not swept.
    fn panels(&self) -> Vec<Panel> {
        if !self.plan.axes.contains(&Axis::LearningRate) {
            return vec![Panel {
                values: Vec::new(),
                points: (0..self.plan.points.len()).collect(),
            }];
        }
        self.panels_by_other_values()
    }

    /// The study's points grouped by every swept value but the learning rate.
    fn panels_by_other_values(&self) -> Vec<Panel> {
        let mut panels: Vec<Panel> = Vec::new();
        for (index, point) in self.plan.points.iter().enumerate() {
            let values: Vec<AxisValue> = point
                .values
                .iter()
                .copied()
                .filter(|v| v.axis() != Axis::LearningRate)
                .collect();
            match panels.iter_mut().find(|p| p.values == values) {
                Some(panel) => panel.points.push(index),
                None => panels.push(Panel {
                    values,
                    points: vec![index],
                }),
            }
        }
        panels
    }

    /// The learning rate a record's run trained with.
    fn learning_rate(&self, record: &RunRecord) -> f64 {
        self.plan.runs[record.index]
            .model
            .training()
            .learning_rate()
    }

    /// Every finished run's curvature readings (runs without a file are skipped; an
    /// unreadable file is a warning).
    fn readings(&self, out: &Emitter<'_>) -> Vec<Readings<'_>> {
        let mut all = Vec::new();
        for &record in &self.finished {
            let path = self
                .dir
                .join("curvature")
                .join(format!("{}.csv", record.id));
            if !path.is_file() {
                continue;
            }
            match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| output::parse_curvature_csv(&text))
            {
                Ok(readings) => all.push(Readings { record, readings }),
                Err(e) => out.warn(format!("curvature of run {} not drawn: {e}", record.id)),
            }
        }
        all
    }

    /// Sharpness and λ_min/λ_max over training, one figure of each per panel, one colour per
    /// learning rate (per point when the learning rate is not swept).
    pub(super) fn curvature(&self, out: &mut Emitter<'_>) {
        if self.plan.record.curvature_stride == 0 {
            return;
        }
        let readings = self.readings(out);
        if readings.is_empty() {
            return;
        }
        let lr_swept = self.plan.axes.contains(&Axis::LearningRate);
        for panel in self.panels() {
            let here: Vec<&Readings> = readings
                .iter()
                .filter(|r| {
                    self.point_of(r.record)
                        .is_some_and(|p| panel.points.contains(&p))
                })
                .collect();
            if here.is_empty() {
                continue;
            }
            let group = |r: &Readings| -> String {
                match (lr_swept, self.point_of(r.record)) {
                    (true, _) => format!("lr {}", self.learning_rate(r.record)),
                    (false, Some(p)) => self.short_label(p),
                    (false, None) => r.record.point.clone(),
                }
            };
            let part = point_file_part(&Point::new(panel.values.clone()));
            let at = if panel.values.is_empty() {
                String::new()
            } else {
                format!(", {}", spoken(&panel.values))
            };
            let suffix = if part.is_empty() {
                String::new()
            } else {
                format!("-{part}")
            };
            let panel = PanelRuns {
                runs: here,
                group: &group,
                suffix,
                at,
            };
            self.sharpness(out, &panel);
            self.curvature_ratio(out, &panel);
        }
    }

    fn sharpness(&self, out: &mut Emitter<'_>, panel: &PanelRuns<'_>) {
        let PanelRuns {
            runs,
            group,
            suffix,
            at,
        } = panel;
        let mut series = Vec::new();
        let mut levels: Vec<(String, f64)> = Vec::new();
        let mut not_measured = 0;
        for r in runs {
            not_measured += r.readings.iter().filter(|c| c.lambda_max.is_none()).count();
            let (epochs, lambda_max): (Vec<f64>, Vec<f64>) = r
                .readings
                .iter()
                .map(|c| (c.epoch as f64, c.lambda_max.unwrap_or(f64::NAN)))
                .unzip();
            let name = group(r);
            if !levels.iter().any(|l| l.0 == name) {
                levels.push((name.clone(), 2.0 / self.learning_rate(r.record)));
            }
            series.push(self.curvature_series(r, name, epochs, lambda_max));
        }
        let curves = groups_of(&series)
            .iter()
            .map(|g| group_curve(g, &members(&series, g), Scale::Log))
            .collect();
        let spec = LossCurvesSpec::new(self.title(&format!("sharpness λ_max{at}")), series)
            .with_group_name("learning rate")
            .with_group_curves("median over seeds", curves)
            .with_levels("2 / learning rate", levels)
            .with_axis_labels("epoch", "λ_max, the sharpness (log scale)")
            .with_size(CHART_SIZE.0, CHART_SIZE.1);
        out.emit(
            FigureFile {
                name: format!("sharpness{suffix}"),
                title: format!("Sharpness over training{at}"),
                caption: format!(
                    "The largest eigenvalue λ_max of the training loss's Hessian (the \
                     sharpness, log scale) at each curvature reading{at}: faint lines single \
                     seeds, bold the median across seeds (a run that stopped stays in it at \
                     its last reading). The dotted line of each colour is 2 / learning rate: \
                     gradient descent on a quadratic with curvature above it diverges, so a \
                     sharpness that rises to the line and hovers there is training at the \
                     edge of stability. × marks a run that diverged."
                ),
            },
            not_measured,
            |path| viz::loss_curves(path, &spec),
        );
    }

    fn curvature_ratio(&self, out: &mut Emitter<'_>, panel: &PanelRuns<'_>) {
        let PanelRuns {
            runs,
            group,
            suffix,
            at,
        } = panel;
        let mut series = Vec::new();
        let mut not_measured = 0;
        for r in runs {
            not_measured += r
                .readings
                .iter()
                .filter(|c| c.lambda_min.is_none() || c.lambda_max.is_none_or(|m| m == 0.0))
                .count();
            let (epochs, ratio): (Vec<f64>, Vec<f64>) = r
                .readings
                .iter()
                .map(|c| {
                    let ratio = match (c.lambda_min, c.lambda_max) {
                        (Some(min), Some(max)) if max != 0.0 => min / max,
                        _ => f64::NAN,
                    };
                    (c.epoch as f64, ratio)
                })
                .unzip();
            series.push(self.curvature_series(r, group(r), epochs, ratio));
        }
        let groups = groups_of(&series);
        let curves = groups
            .iter()
            .map(|g| group_curve(g, &members(&series, g), Scale::Linear))
            .collect();
        let zero = groups
            .first()
            .map(|g| vec![(g.clone(), 0.0)])
            .unwrap_or_default();
        let spec = LossCurvesSpec::new(self.title(&format!("λ_min / λ_max{at}")), series)
            .with_group_name(if self.plan.axes.contains(&Axis::LearningRate) {
                "learning rate".to_owned()
            } else {
                self.axes_description()
            })
            .with_group_curves("median over seeds", curves)
            .with_levels("λ_min = 0", zero)
            .with_y_scale(Scale::Linear)
            .with_axis_labels("epoch", "λ_min / λ_max")
            .with_size(CHART_SIZE.0, CHART_SIZE.1);
        out.emit(
            FigureFile {
                name: format!("curvature-ratio{suffix}"),
                title: format!("Smallest over largest Hessian eigenvalue over training{at}"),
                caption: format!(
                    "λ_min / λ_max of the training loss's Hessian at each curvature reading{at} \
                     (linear scale): below zero the loss surface curves down in some direction \
                     (a saddle, or not yet a minimum); near zero from above it is flat in some \
                     direction. Faint lines single seeds, bold the median across seeds (a run \
                     that stopped stays in it at its last reading)."
                ),
            },
            not_measured,
            |path| viz::loss_curves(path, &spec),
        );
    }

    /// One run's readings as a series, marked where it diverged.
    fn curvature_series(
        &self,
        r: &Readings,
        group: String,
        epochs: Vec<f64>,
        values: Vec<f64>,
    ) -> LossSeries {
        let mut series = LossSeries::new(group, r.record.seed, values).with_epochs(epochs);
        if let RunStatus::Diverged { epoch, .. } = r.record.status {
            series = series.with_diverged_at(epoch);
        }
        series
    }

    /// The share of seeds that diverged at each learning rate (columns) and every other swept
    /// value (rows), with the median predicted stable learning rate of each row marked, when
    /// the study sweeps both the learning rate and the feature scale.
    pub(super) fn divergence_grid(&self, out: &mut Emitter<'_>) {
        if !(self.plan.axes.contains(&Axis::LearningRate) && self.plan.axes.contains(&Axis::Scale))
        {
            return;
        }
        let mut rates: Vec<f64> = self
            .plan
            .points
            .iter()
            .filter_map(|p| p.learning_rate())
            .collect();
        rates.sort_by(f64::total_cmp);
        rates.dedup();
        let panels = self.panels_by_other_values();
        let mut cells = Vec::new();
        let mut markers = Vec::new();
        for panel in &panels {
            let mut row = vec![None; rates.len()];
            let mut predicted = Vec::new();
            for &p in &panel.points {
                let runs: Vec<&RunRecord> = self
                    .finished
                    .iter()
                    .copied()
                    .filter(|r| self.point_of(r) == Some(p))
                    .collect();
                predicted.extend(runs.iter().filter_map(|r| r.stable_lr_at_init));
                let Some(lr) = self.plan.points[p].learning_rate() else {
                    continue;
                };
                let Some(column) = rates.iter().position(|r| *r == lr) else {
                    continue;
                };
                let count = runs
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Diverged { .. }))
                    .count();
                row[column] = Some(ShareCell {
                    count,
                    total: runs.len(),
                });
            }
            cells.push(row);
            markers.push(Summary::from_values(&predicted).ok().map(|s| s.median));
        }
        let rows: Vec<String> = panels.iter().map(|p| spoken(&p.values)).collect();
        let mut spec = ShareGridSpec::new(
            self.title("share of seeds that diverged"),
            rates,
            rows,
            cells,
        )
        .with_labels(
            "learning rate (log scale)",
            "",
            "share of seeds that diverged",
        )
        .with_size(CHART_SIZE.0 + 100, 120 + 70 * panels.len() as u32);
        let with_markers = markers.iter().any(Option::is_some);
        if with_markers {
            spec = spec.with_markers("predicted 2/λ_max at init", markers);
        }
        let marked = if with_markers {
            " The black bar on each row is the median over its seeds of the largest stable \
             learning rate predicted at initialisation, 2/λ_max of the epoch-0 curvature \
             reading: gradient descent is expected to diverge or oscillate to its right."
        } else {
            ""
        };
        out.emit(
            FigureFile {
                name: "divergence-grid".into(),
                title: "Share of seeds that diverged by learning rate and feature scale".into(),
                caption: format!(
                    "Each cell counts the seeds that diverged among those that finished, for \
                     one learning rate (column) and one setting of the other swept values \
                     (row); white: none, red: all.{marked}"
                ),
            },
            0,
            |path| viz::share_grid(path, &spec),
        );
    }
}

/// The group names of `series`, in order of first appearance.
fn groups_of(series: &[LossSeries]) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for s in series {
        if !groups.contains(&s.group) {
            groups.push(s.group.clone());
        }
    }
    groups
}

/// The series of group `name`.
fn members<'a>(series: &'a [LossSeries], name: &str) -> Vec<&'a LossSeries> {
    series.iter().filter(|s| s.group == name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_names_say_the_values_held() {
        let values = vec![AxisValue::Scale(10.0), AxisValue::Standardize(false)];
        assert_eq!(spoken(&values), "scale 10, standardize off");
        let part = point_file_part(&Point::new(values));
        assert_eq!(part, "scale10-standardize-off");
    }
}
