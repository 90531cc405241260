//! Decision boundaries: one panel per sweep point (or one picture without a sweep), drawn from
//! each point's first saved model on the very data that run was trained and tested on.

use std::path::Path;

use core_linalg::Matrix;
use models::saved::{self, SavedModel};
use viz::{BoundaryGridSpec, BoundaryPanel, BoundarySpec};

use super::{
    Emitter, FigureFile, GRID_RESOLUTION, GRID_SIDE, GRID_TITLE, MAX_COLUMNS, PANEL_HEIGHT,
    PANEL_WIDTH, Study, compact,
};
use crate::output::{MODEL_SUFFIX, RunRecord};
use crate::pipeline::{PreparedData, prepare_data};
use crate::plan::RunPlan;
use crate::run::RunStatus;

impl<'a> Study<'a> {
    /// The first usable run of a point for a boundary panel: the first seed whose model loads,
    /// else the first seed (drawn without a model).
    fn boundary_run(&self, point: usize, out: &Emitter<'_>) -> Option<BoundaryRun<'a>> {
        let mut first = None;
        for run in self.runs_at(point) {
            let Some(record) = self.record(run) else {
                continue; // Not finished here (another shard's, or pending).
            };
            first.get_or_insert((run, record));
            if record.status != RunStatus::Ok {
                continue;
            }
            let path = self
                .dir
                .join("runs")
                .join(format!("{}{MODEL_SUFFIX}", run.id()));
            if !path.is_file() {
                continue;
            }
            let loaded = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| saved::from_json(&text).map_err(|e| e.to_string()));
            match loaded {
                Ok(loaded) => {
                    return Some(BoundaryRun {
                        run,
                        record,
                        model: Some(loaded.model),
                    });
                }
                Err(e) => out.warn(format!("cannot load {}: {e}", path.display())),
            }
        }
        // No model: the first finished run's data alone; no finished run: no panel.
        let (run, record) = first?;
        Some(BoundaryRun {
            run,
            record,
            model: None,
        })
    }

    /// Decision boundaries: one panel per sweep point, or one picture without a sweep.
    pub(super) fn boundaries(&self, out: &mut Emitter<'_>) {
        let n = self.plan.points.len();
        let mut chosen = Vec::new();
        for point in 0..n {
            let Some(choice) = self.boundary_run(point, out) else {
                continue;
            };
            let data = match prepare_data(self.plan, choice.run) {
                Ok(data) => data,
                Err(e) => {
                    out.warn(format!(
                        "boundary of run {} not drawn: {e}",
                        choice.run.id()
                    ));
                    continue;
                }
            };
            chosen.push((point, choice, data));
        }
        if chosen.is_empty() {
            eprintln!(
                "{}: figure boundaries skipped: no run to draw",
                self.plan.name
            );
            return;
        }
        let first_seed = self.plan.runs.first().map_or(0, |r| r.seed);
        let standardised = if chosen.iter().all(|(_, choice, _)| choice.run.standardize) {
            " (standardised)"
        } else {
            ""
        };
        let axis_labels = (format!("x₁{standardised}"), format!("x₂{standardised}"));
        let describe = |choice: &BoundaryRun<'_>, label: String| {
            let seed = if choice.run.seed == first_seed {
                String::new()
            } else {
                format!(" (seed {})", choice.run.seed)
            };
            match (&choice.model, choice.record.metrics) {
                (Some(_), Some(metrics)) => format!("{label} — F1 {:.3}{seed}", metrics.f1),
                _ => format!("{label} — {}{seed}", choice.record.status.label()),
            }
        };
        let caption = format!(
            "The predicted probability of class 1 (blue 0, white 0.5, red 1) of the first \
             seed's model (seed {first_seed}; another seed is named where the first has no \
             model), with its decision line, on the data that run was trained and tested on: \
             training points as circles, test points as triangles, coloured by true class, \
             ringed when misclassified. Titles give the run's test F1; a grey panel has no \
             model (every seed diverged or failed there)."
        );
        if self.plan.axes.is_empty() {
            let (_, choice, data) = &chosen[0];
            let title = describe(
                choice,
                self.title(&format!("decision boundary, seed {}", choice.run.seed)),
            );
            let mut spec = panel_spec(title, data, &axis_labels).with_size(800, 600);
            if let Some(model) = &choice.model {
                spec = spec.with_threshold(model.classifier().threshold());
            }
            out.emit(
                FigureFile {
                    name: "boundary".into(),
                    title: "Decision boundary".into(),
                    caption,
                },
                0,
                |path| match &choice.model {
                    Some(model) => viz::decision_boundary(path, &spec, probability(model)),
                    None => viz::decision_boundary(path, &spec, no_model),
                },
            );
            return;
        }
        let columns = match self.plan.axes.as_slice() {
            [_] => n.min(MAX_COLUMNS),
            [.., last] => {
                // Distinct as labelled (0 and -0 are two points).
                let mut distinct: Vec<String> = Vec::new();
                for v in self.plan.points.iter().filter_map(|p| p.value(*last)) {
                    let v = v.to_string();
                    if !distinct.contains(&v) {
                        distinct.push(v);
                    }
                }
                distinct.len().clamp(1, MAX_COLUMNS)
            }
            [] => 1,
        };
        let draw = |path: &Path| {
            let panels: Vec<BoundaryPanel<'_>> = chosen
                .iter()
                .map(|(point, choice, data)| {
                    let label = if self.plan.axes.len() == 1 {
                        compact(&self.plan.points[*point].label)
                    } else {
                        self.short_label(*point)
                    };
                    let mut spec = panel_spec(describe(choice, label), data, &axis_labels)
                        .with_resolution(GRID_RESOLUTION);
                    match &choice.model {
                        Some(model) => {
                            spec = spec.with_threshold(model.classifier().threshold());
                            BoundaryPanel::new(spec, probability(model))
                        }
                        None => BoundaryPanel::new(spec, no_model),
                    }
                })
                .collect();
            let rows = panels.len().div_ceil(columns) as u32;
            let width = GRID_SIDE + PANEL_WIDTH * columns as u32;
            let height = GRID_TITLE + PANEL_HEIGHT * rows;
            let title = match self.plan.axes.as_slice() {
                [_] => self.title(&format!("decision boundaries, seed {first_seed}")),
                _ => self.title(&format!(
                    "boundaries by {}; seed {first_seed}",
                    self.axes_description()
                )),
            };
            let spec = BoundaryGridSpec::new(title, panels, columns).with_size(width, height);
            viz::boundary_grid(path, &spec)
        };
        out.emit(
            FigureFile {
                name: "boundaries".into(),
                title: "Decision boundaries".into(),
                caption,
            },
            0,
            draw,
        );
    }
}

/// The run a boundary panel shows.
struct BoundaryRun<'a> {
    run: &'a RunPlan,
    record: &'a RunRecord,
    /// `None` when no finished run of the point has a model (every seed diverged).
    model: Option<SavedModel>,
}

/// A boundary panel of `data`'s training and test points.
fn panel_spec<'d>(
    title: String,
    data: &'d PreparedData,
    (x, y): &(String, String),
) -> BoundarySpec<'d> {
    let spec = BoundarySpec::new(title)
        .with_train(data.train.features(), data.train.labels().as_slice())
        .with_axis_labels(x.clone(), y.clone());
    match &data.test {
        Some(test) => spec.with_test(test.features(), test.labels().as_slice()),
        None => spec,
    }
}

/// The class-1 probabilities of a saved model, for a decision boundary.
fn probability(
    model: &SavedModel,
) -> impl Fn(&Matrix) -> Result<core_linalg::Vector, models::ModelError> + '_ {
    move |x: &Matrix| model.classifier().predict_proba(x)
}

/// No model: every probability is unknown (drawn grey), so the panel shows only the data.
fn no_model(x: &Matrix) -> Vec<f64> {
    vec![f64::NAN; x.nrows()]
}
