//! A study's figures, drawn post hoc from its output folder: the run records, `curves/*.csv`,
//! `gradients/*.csv` and `runs/*.model.json`, plus the plan.
//!
//! Nothing here looks at a run's in-memory outcome, so a study that ran in one go, one that was
//! resumed and one merged from shards get the same pictures. Every figure is written as SVG
//! (for `report.html`) and PNG (for a README) into `<out>/figures/`. A figure `viz` cannot draw
//! is skipped with its reason on stderr, and a figure that cannot be written is a warning:
//! the tables are the primary result, and a missing picture never changes the exit status.

use std::path::{Path, PathBuf};

use core_linalg::Matrix;
use models::saved::{self, SavedModel};
use viz::{
    BoundaryGridSpec, BoundaryPanel, BoundarySpec, EpochsToFractionSpec, FractionOutcome,
    FractionRun, GradientHeatmapSpec, LossCurvesSpec, LossSeries, MetricSpec, ParameterValues,
    PlotOutcome, Scale, VizError,
};

use crate::output::{MODEL_SUFFIX, RunRecord};
use crate::run::{PreparedData, RunStatus, prepare_data};
use crate::spec::{Plan, RunPlan};

/// Size of the line and metric charts, in pixels.
const CHART_SIZE: (u32, u32) = (900, 600);
/// A boundary-grid panel's share of the picture, and the legend column beside the panels.
const PANEL_WIDTH: u32 = 297;
const PANEL_HEIGHT: u32 = 360;
const GRID_SIDE: u32 = 210;
const GRID_TITLE: u32 = 40;
/// Grid points per side of a boundary-grid panel: about 2.5 pixels per cell at the panel
/// size, fine enough to look smooth, coarse enough to keep an 8-panel SVG near 4 MB (every
/// cell is an SVG rectangle).
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

    /// The swept values of point `index`, in axis order, as a reader says them.
    fn point_values(&self, index: usize) -> Vec<String> {
        self.plan
            .runs
            .iter()
            .find(|r| r.point == index)
            .map(|r| {
                r.swept
                    .iter()
                    .map(|(axis, value)| display_value(axis, value))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A point's short name: its value for a one-axis sweep (`3`, `on`), its values joined
    /// for several (`6, sigmoid`), `all` without a sweep.
    fn short_label(&self, index: usize) -> String {
        let values = self.point_values(index);
        if values.is_empty() {
            self.plan.points[index].clone()
        } else {
            values.join(", ")
        }
    }

    /// What the sweep axes are, in words, e.g. `neurons per hidden layer` or
    /// `hidden layers, activation`.
    fn axes_description(&self) -> String {
        match self.plan.axes.as_slice() {
            [axis] => axis_words(axis).to_owned(),
            axes => axes.join(", "),
        }
    }

    fn point_of(&self, record: &RunRecord) -> Option<usize> {
        self.plan.points.iter().position(|p| *p == record.point)
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

    /// Loss against epoch for every finished run, one colour per sweep point.
    fn loss_curves(&self, out: &mut Emitter<'_>) {
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

    /// How the points are placed on an x axis: numbers for a one-axis numeric sweep (log for
    /// learning rates), names otherwise. Returns the values, the x scale, the x label and the
    /// file-name suffix.
    fn parameter_axis(&self) -> Option<(ParameterValues, Scale, String, String)> {
        let n = self.plan.points.len();
        match self.plan.axes.as_slice() {
            [] => None,
            [axis] => {
                let values: Vec<String> = (0..n).map(|i| self.short_label(i)).collect();
                let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse().ok()).collect();
                let numeric =
                    matches!(axis.as_str(), "width" | "depth" | "learning_rate" | "noise");
                match numbers {
                    Some(numbers) if numeric => {
                        let log = axis == "learning_rate";
                        let label = if log {
                            format!("{} (log scale)", axis_words(axis))
                        } else {
                            axis_words(axis).to_owned()
                        };
                        let scale = if log { Scale::Log } else { Scale::Linear };
                        Some((
                            ParameterValues::Numeric(numbers),
                            scale,
                            label,
                            axis.clone(),
                        ))
                    }
                    _ => Some((
                        ParameterValues::Categorical(values),
                        Scale::Linear,
                        axis_words(axis).to_owned(),
                        axis.clone(),
                    )),
                }
            }
            axes => Some((
                ParameterValues::Categorical((0..n).map(|i| self.short_label(i)).collect()),
                Scale::Linear,
                axes.join(", "),
                axes.join("_"),
            )),
        }
    }

    /// Test F1 and final training loss against the swept parameter, with the original's.
    fn metric_figures(&self, out: &mut Emitter<'_>) {
        let Some((parameter, x_scale, x_label, suffix)) = self.parameter_axis() else {
            return;
        };
        let n = self.plan.points.len();
        let originals: Vec<Option<&crate::spec::RawOriginal>> = self
            .plan
            .points
            .iter()
            .map(|p| self.plan.raw.original.iter().find(|o| o.point == *p))
            .collect();
        type Pick = fn(&RunRecord) -> Option<f64>;
        type Reference = fn(&crate::spec::RawOriginal) -> Option<f64>;
        let figures: [(&str, &str, &str, Scale, Pick, Reference, &str); 2] = [
            (
                "f1",
                "test F1",
                "test F1",
                Scale::Linear,
                |r| r.metrics.map(|m| m.f1),
                |o| o.f1,
                "Test F1 of every seed (faint dots), their mean with ± one standard deviation \
                 (bold), and the original project's F1 (open squares) where the study file \
                 gives it. Runs that diverged have no F1 and are left out.",
            ),
            (
                "loss",
                "final training loss",
                "final training loss (log scale)",
                Scale::Log,
                |r| r.metrics.map(|m| m.train_loss),
                |o| o.loss,
                "Final training loss (binary cross-entropy, log scale) of every seed (faint \
                 dots), their mean ± one standard deviation (bold), and the original \
                 project's final loss (open squares) where the study file gives it. Runs that \
                 diverged are left out.",
            ),
        ];
        for (key, what, y_label, y_scale, pick, reference, caption) in figures {
            let measured: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    self.finished
                        .iter()
                        .filter(|r| self.point_of(r) == Some(i))
                        .filter_map(|r| pick(r))
                        .collect()
                })
                .collect();
            let mut spec = MetricSpec::new(
                self.title(&format!("{what} by {x_label}")),
                parameter.clone(),
                measured,
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
    fn epochs_to_fraction(&self, out: &mut Emitter<'_>) {
        if !self.plan.axes.iter().any(|a| a == "learning_rate") {
            return;
        }
        let runs: Vec<FractionRun> = self
            .finished
            .iter()
            .filter_map(|r| {
                let learning_rate = r
                    .swept
                    .iter()
                    .find(|(axis, _)| axis == "learning_rate")?
                    .1
                    .parse()
                    .ok()?;
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
        let fraction = *self.plan.raw.record.loss_fraction.get_ref();
        let percent = fraction * 100.0;
        // Each learning rate's "n not reached" label is about 110 pixels wide: give every
        // column room for it, so neighbouring labels do not run into each other.
        let mut rates: Vec<f64> = runs.iter().map(|r| r.learning_rate).collect();
        rates.sort_by(f64::total_cmp);
        rates.dedup();
        let width = (300 + 120 * rates.len() as u32).clamp(CHART_SIZE.0, 1400);
        let spec = EpochsToFractionSpec::new(
            self.title(&format!("epochs to {percent:.0}% of the first loss")),
            fraction,
            runs,
        )
        .with_size(width, CHART_SIZE.1);
        out.emit(
            FigureFile {
                name: "epochs_to_fraction".into(),
                title: format!("Epochs to reach {percent:.0}% of the first loss"),
                caption: format!(
                    "Epochs each run needed for its training loss to fall to {percent:.0}% of \
                     the first (one faint dot per seed, bold: their mean), against the learning \
                     rate on a log scale. Above the dashed line: runs that diverged (×) and runs \
                     that never reached it (□), with their counts."
                ),
            },
            0,
            |path| viz::epochs_to_fraction(path, &spec),
        );
    }

    /// A gradient-norm heat map per point, from its first seed that recorded them.
    fn gradients(&self, out: &mut Emitter<'_>) {
        let stride = *self.plan.raw.record.gradient_norm_stride.get_ref();
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
            let label = &self.plan.points[point];
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
    fn boundaries(&self, out: &mut Emitter<'_>) {
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
        let standardised = if self.plan.standardize {
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
                let values = self.plan.runs.iter().filter_map(|r| {
                    r.swept
                        .iter()
                        .find(|(a, _)| a == last)
                        .map(|(_, v)| v.as_str())
                });
                let mut distinct: Vec<&str> = Vec::new();
                for v in values {
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
                        compact(&self.plan.points[*point])
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
    BoundarySpec::new(title)
        .with_train(data.train.features(), data.train.labels().as_slice())
        .with_test(data.test.features(), data.test.labels().as_slice())
        .with_axis_labels(x.clone(), y.clone())
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

/// A point label short enough for a panel title: `learning_rate=0.001` becomes `lr=0.001`.
fn compact(label: &str) -> String {
    label
        .replace("learning_rate=", "lr=")
        .replace("early_stopping=false", "early stopping off")
        .replace("early_stopping=true", "early stopping on")
}

/// A swept value as a reader says it: early stopping `on`/`off` rather than `true`/`false`.
fn display_value(axis: &str, value: &str) -> String {
    match (axis, value) {
        ("early_stopping", "true") => "on".to_owned(),
        ("early_stopping", "false") => "off".to_owned(),
        _ => value.to_owned(),
    }
}

/// A sweep axis in words, for axis labels.
fn axis_words(axis: &str) -> &str {
    match axis {
        "width" => "neurons per hidden layer",
        "depth" => "hidden layers",
        "activation" => "hidden activation",
        "learning_rate" => "learning rate",
        "noise" => "dataset noise",
        "early_stopping" => "early stopping",
        other => other,
    }
}

/// A numeric CSV file with a header: `curves/*.csv` or `gradients/*.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// The header's column names.
    pub columns: Vec<String>,
    /// One row per line; an empty cell is NaN.
    pub rows: Vec<Vec<f64>>,
}

/// Reads a [`Table`]; cells such as `inf` and `NaN` (a diverged loss) parse as floats.
///
/// # Errors
/// A message naming the file and line of an unreadable file, a ragged row or a cell that is
/// not a number.
pub(crate) fn read_table(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let columns: Vec<String> = lines
        .next()
        .ok_or_else(|| format!("{} is empty", path.display()))?
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        let row: Vec<f64> = line
            .split(',')
            .map(|cell| {
                if cell.is_empty() {
                    Ok(f64::NAN)
                } else {
                    cell.parse::<f64>()
                }
            })
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 2))?;
        if row.len() != columns.len() {
            return Err(format!(
                "{}:{}: {} cells under a header of {}",
                path.display(),
                i + 2,
                row.len(),
                columns.len()
            ));
        }
        rows.push(row);
    }
    Ok(Table { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_read_empty_cells_and_infinities() {
        let dir = std::env::temp_dir().join(format!("figures-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("curve.csv");
        std::fs::write(&path, "epoch,train_loss,test_loss\n0,0.7,0.69\n1,inf,\n").unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.columns.len(), 3);
        assert_eq!(table.rows[0], vec![0.0, 0.7, 0.69]);
        assert!(table.rows[1][1].is_infinite() && table.rows[1][2].is_nan());
        std::fs::write(&path, "epoch,train_loss\n0,0.7,1\n").unwrap();
        assert!(read_table(&path).unwrap_err().contains(":2:"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
