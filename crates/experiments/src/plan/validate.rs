//! The study-wide checks (name, seeds, dataset size, sweep axes, originals, record settings)
//! and the sweep's points, each turned into runs.

use std::path::Path;

use core_linalg::Activation;
use toml::Spanned;

use super::hypothesis::{self, StudyShape};
use super::{
    Axis, AxisValue, BayesErrors, DataPlan, MAX_RUNS, Original, Plan, PlanOptions, Point,
    RecordPlan, RunPlan, dataset, model, points,
};
use crate::study_file::{Diagnostics, RawOriginal, RawRecord, RawStudy, RawSweep};

/// Validates a whole study; `None` when it cannot be planned (its problems are in `diag`; a
/// plan that comes back is used only if `diag` stays empty).
pub(super) fn plan(
    diag: &mut Diagnostics<'_>,
    path: &Path,
    raw: &RawStudy,
    options: &PlanOptions,
) -> Option<Plan> {
    let name = raw.study.name.get_ref().clone();
    // It names the output folder and appears in file and link names.
    if !is_plain_name(&name) {
        diag.problem(
            "study.name",
            Some(raw.study.name.span()),
            format!("{name:?} cannot be a folder name: use letters, digits, '-' and '_' only"),
        );
    }
    let seeds = seeds(diag, raw, options);
    let data = data_plan(diag, raw);
    let description = dataset::describe(diag, &raw.dataset);
    let sweep = Sweep::check(diag, &raw.sweep);
    let n_points = sweep
        .lengths
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n.max(1)));
    let n_runs = n_points.and_then(|p| p.checked_mul(seeds.len().max(1)));
    match n_runs {
        Some(n) if n <= MAX_RUNS => {}
        _ => {
            let shown = n_runs.map_or("more than 2^64".to_owned(), |n| n.to_string());
            diag.problem(
                "sweep",
                None,
                format!("plans {shown} runs (sweep product × seeds); at most {MAX_RUNS} are allowed: shrink an axis or the seed list"),
            );
            return None;
        }
    }
    if !diag.is_empty() && sweep.values.iter().any(Vec::is_empty) {
        return None;
    }

    let mut points = points(&sweep.values);
    let mut runs = Vec::new();
    for (point_index, point) in points.iter().enumerate() {
        let before = diag.len();
        let generator = description
            .as_ref()
            .and_then(|d| dataset::generator(diag, d, &raw.sweep, point));
        let model = model::model(diag, raw, point, options.quick);
        if diag.len() > before {
            // Report each distinct problem once, not once per point.
            diag.dedup();
        }
        let (Some(generator), Some(model)) = (generator, model) else {
            continue;
        };
        let standardize = point.standardize().unwrap_or(raw.dataset.standardize);
        for &seed in &seeds {
            runs.push(RunPlan {
                index: runs.len(),
                point: point_index,
                seed,
                data_seed: raw.dataset.seed.unwrap_or(seed),
                generator,
                standardize,
                model: model.clone(),
            });
        }
    }
    attach_originals(diag, &raw.original, &mut points, sweep.complete);
    let record = record_plan(diag, raw, &points);
    let hypotheses = if sweep.complete {
        let shape = StudyShape {
            axes: &sweep.axes,
            values: &sweep.values,
            points: &points,
            record: &record,
        };
        hypothesis::hypotheses(diag, &raw.hypothesis, &shape)
    } else {
        // A sweep value could not be read: a hypothesis naming it would be blamed for it.
        Vec::new()
    };
    let bayes = BayesErrors::new(runs.iter().map(|r| r.generator));
    Some(Plan {
        path: path.to_owned(),
        source: String::new(),
        name,
        question: raw.study.question.clone(),
        finding: raw.study.finding.clone(),
        seeds,
        data,
        record,
        axes: sweep.axes,
        points,
        runs,
        hypotheses,
        bayes,
        quick: options.quick,
    })
}

/// Whether `name` is letters (any script), digits, '-' and '_' only, and not empty: no
/// space, separator, dot or invisible control character, so it is safe as a file name, a
/// link and an HTML id.
pub(super) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// The seeds in effect (`--seeds` replaces the file's list), each distinct.
fn seeds(diag: &mut Diagnostics<'_>, raw: &RawStudy, options: &PlanOptions) -> Vec<u64> {
    let seeds = options
        .seeds
        .clone()
        .unwrap_or_else(|| raw.study.seeds.get_ref().clone());
    if seeds.is_empty() {
        diag.problem(
            "study.seeds",
            Some(raw.study.seeds.span()),
            "is empty: give at least one seed, e.g. [1, 2, 3, 4, 5]",
        );
    }
    let mut sorted = seeds.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        // Blame what the seeds came from: the command line replaces the file's list.
        let (field, span) = if options.seeds.is_some() {
            ("--seeds", None)
        } else {
            ("study.seeds", Some(raw.study.seeds.span()))
        };
        diag.problem(
            field,
            span,
            format!("seed {} appears twice: each seed must be distinct", w[0]),
        );
    }
    seeds
}

/// The sample count and the split: enough samples, and a test fraction that leaves both
/// classes on both sides.
fn data_plan(diag: &mut Diagnostics<'_>, raw: &RawStudy) -> DataPlan {
    let d = &raw.dataset;
    let n_samples = *d.samples.get_ref();
    if !(4..=1_000_000).contains(&n_samples) {
        diag.problem(
            "dataset.samples",
            Some(d.samples.span()),
            format!("{n_samples} is out of range: expected 4 to 1000000"),
        );
    }
    let test_fraction = *d.test_fraction.get_ref();
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        diag.problem(
            "dataset.test_fraction",
            Some(d.test_fraction.span()),
            format!("{test_fraction} is out of range: expected a number strictly between 0 and 1, such as 0.2"),
        );
    } else {
        let n_test = (n_samples as f64 * test_fraction / 2.0).round() as usize;
        let n_per_class = n_samples / 2;
        if n_test == 0 || n_test >= n_per_class {
            diag.problem(
                "dataset.test_fraction",
                Some(d.test_fraction.span()),
                format!("{test_fraction} of {n_samples} samples leaves a split without one of the classes: use more samples or a fraction nearer 0.2"),
            );
        }
    }
    DataPlan {
        n_samples,
        test_fraction,
    }
}

/// The sweep's axes with their values, typed, in point order.
struct Sweep {
    /// The swept axes.
    axes: Vec<Axis>,
    /// Each axis's values that could be read.
    values: Vec<Vec<AxisValue>>,
    /// Each axis's number of values as written (for the run count).
    lengths: Vec<usize>,
    /// Whether every value as written is among `values` (else the point labels are not all
    /// there, and an `[[original]]` row naming a missing one is not blamed for it).
    complete: bool,
}

impl Sweep {
    /// Reads every axis: none empty, no value twice, every activation known.
    fn check(diag: &mut Diagnostics<'_>, s: &RawSweep) -> Sweep {
        let mut sweep = Sweep {
            axes: Vec::new(),
            values: Vec::new(),
            lengths: Vec::new(),
            complete: true,
        };
        // Each value as written (for labels and duplicates) and as read.
        type Values = Vec<(String, Result<AxisValue, String>)>;
        fn typed<T: ToString + Copy>(
            values: &Option<Spanned<Vec<T>>>,
            make: fn(T) -> AxisValue,
        ) -> Option<(std::ops::Range<usize>, Values)> {
            values.as_ref().map(|v| {
                let read = v.get_ref().iter().map(|&x| (x.to_string(), Ok(make(x))));
                (v.span(), read.collect())
            })
        }
        let activations = s.activation.as_ref().map(|v| {
            let read = v.get_ref().iter().map(|name| {
                let parsed = name.parse::<Activation>().map_err(|e| e.to_string());
                (name.clone(), parsed.map(AxisValue::Activation))
            });
            (v.span(), read.collect::<Values>())
        });
        let given = [
            (Axis::Width, typed(&s.width, AxisValue::Width)),
            (Axis::Depth, typed(&s.depth, AxisValue::Depth)),
            (Axis::Activation, activations),
            (
                Axis::LearningRate,
                typed(&s.learning_rate, AxisValue::LearningRate),
            ),
            (Axis::Noise, typed(&s.noise, AxisValue::Noise)),
            (Axis::Scale, typed(&s.scale, AxisValue::Scale)),
            (
                Axis::Standardize,
                typed(&s.standardize, AxisValue::Standardize),
            ),
            (
                Axis::EarlyStopping,
                typed(&s.early_stopping, AxisValue::EarlyStopping),
            ),
            (Axis::Epochs, typed(&s.epochs, AxisValue::Epochs)),
        ];
        for (axis, values) in given {
            let Some((span, values)) = values else {
                continue;
            };
            let field = format!("sweep.{axis}");
            if values.is_empty() {
                diag.problem(
                    &field,
                    Some(span.clone()),
                    "is empty: give at least one value or remove the axis",
                );
            }
            // Two values with one label would give two points one name.
            let mut labels: Vec<&String> = values.iter().map(|(text, _)| text).collect();
            labels.sort();
            if let Some(w) = labels.windows(2).find(|w| w[0] == w[1]) {
                diag.problem(
                    &field,
                    Some(span.clone()),
                    format!(
                        "value {} appears twice: every swept value must be distinct",
                        w[0]
                    ),
                );
            }
            sweep.lengths.push(values.len());
            let mut read = Vec::new();
            for (_, value) in values {
                match value {
                    Ok(value) => read.push(value),
                    Err(message) => {
                        diag.problem(&field, Some(span.clone()), message);
                        sweep.complete = false;
                    }
                }
            }
            sweep.axes.push(axis);
            sweep.values.push(read);
        }
        diag.dedup();
        sweep
    }
}

/// Checks the `[[original]]` rows (numbers in range, each naming a point or some axes'
/// values, no point named by two rows) and gives each to every point it names.
///
/// A row's `point` is a list of `axis=value` pairs, as in point labels: the full label names
/// one point, fewer pairs (`"depth=2"` in a depth × noise sweep) every point with those values.
fn attach_originals(
    diag: &mut Diagnostics<'_>,
    originals: &[RawOriginal],
    points: &mut [Point],
    all_points_known: bool,
) {
    let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    for original in originals {
        // The original's numbers go into the tables beside ours: scores are fractions,
        // the loss a cross-entropy (never negative).
        const FRACTION: (f64, &str) = (1.0, "a fraction in [0, 1]");
        const LOSS: (f64, &str) = (f64::INFINITY, "a finite number ≥ 0");
        for (field, value, (upper, allowed)) in [
            ("original.precision", original.precision, FRACTION),
            ("original.recall", original.recall, FRACTION),
            ("original.f1", original.f1, FRACTION),
            ("original.loss", original.loss, LOSS),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && (0.0..=upper).contains(&v))
            {
                diag.problem(
                    field,
                    None,
                    format!(
                        "{v} (point {:?}) is out of range: expected {allowed}",
                        original.point
                    ),
                );
            }
        }
        let matched: Vec<usize> = points
            .iter()
            .enumerate()
            .filter(|(_, p)| names_point(&original.point, p))
            .map(|(i, _)| i)
            .collect();
        if matched.is_empty() && all_points_known {
            diag.problem(
                "original.point",
                None,
                format!(
                    "{:?} matches no swept point; expected one of {} (or some of a label's axis=value pairs)",
                    original.point,
                    labels.join(" | ")
                ),
            );
        }
        for i in matched {
            let point = &mut points[i];
            match &point.original {
                Some(earlier) => diag.problem(
                    "original.point",
                    None,
                    format!(
                        "{:?} has two [[original]] rows ({:?} and {:?}): give each point one row",
                        point.label, earlier.point, original.point
                    ),
                ),
                None => {
                    point.original = Some(Original {
                        point: original.point.clone(),
                        precision: original.precision,
                        recall: original.recall,
                        f1: original.f1,
                        loss: original.loss,
                        note: original.note.clone(),
                    });
                }
            }
        }
    }
}

/// Whether an `[[original]]` row's `point` names `point`: its label, or `axis=value` pairs
/// each found in the label (`all` names only the point of a study without a sweep).
fn names_point(row: &str, point: &Point) -> bool {
    if row == point.label {
        return true;
    }
    let pairs: Vec<&str> = point.label.split(',').collect();
    !row.is_empty() && row != "all" && row.split(',').all(|pair| pairs.contains(&pair.trim()))
}

/// The `[record]` table's settings (the loss fraction is checked with the training settings,
/// which use it). A curvature stride is at most every point's epochs as written (a stride
/// longer than training would read only epoch 0 and the last, which a smaller stride says
/// plainly).
fn record_plan(diag: &mut Diagnostics<'_>, raw: &RawStudy, points: &[Point]) -> RecordPlan {
    let r: &RawRecord = &raw.record;
    if *r.loss_curve_stride.get_ref() == 0 {
        diag.problem(
            "record.loss_curve_stride",
            Some(r.loss_curve_stride.span()),
            "0 is out of range: expected an integer ≥ 1 (1 writes every epoch)",
        );
    }
    let window = *r.oscillation_window.get_ref();
    if !(window > 0.0 && window <= 1.0) {
        diag.problem(
            "record.oscillation_window",
            Some(r.oscillation_window.span()),
            format!("{window} is out of range: expected a fraction in (0, 1]"),
        );
    }
    let curvature_stride = *r.curvature_stride.get_ref();
    let shortest = points
        .iter()
        .map(|p| p.epochs().unwrap_or(*raw.model.epochs.get_ref()))
        .min();
    if let Some(epochs) = shortest.filter(|&e| e >= 1 && curvature_stride > e) {
        let from = if raw.sweep.epochs.is_some() {
            "the shortest swept epochs"
        } else {
            "model.epochs"
        };
        diag.problem(
            "record.curvature_stride",
            Some(r.curvature_stride.span()),
            format!("{curvature_stride} is larger than {from} ({epochs}): expected 0 (off) to {epochs}; epoch 0 and the last are always read"),
        );
    }
    RecordPlan {
        loss_curve_stride: *r.loss_curve_stride.get_ref(),
        gradient_norm_stride: *r.gradient_norm_stride.get_ref(),
        loss_fraction: *r.loss_fraction.get_ref(),
        oscillation_window: window,
        curvature_stride,
    }
}
