//! The study-wide checks (name, seeds, dataset size, sweep axes, originals, record settings)
//! and the sweep's points, each turned into runs.

use std::ops::Range;
use std::path::Path;

use super::{MAX_RUNS, Plan, PlanOptions, RunPlan, dataset, model};
use crate::study_file::{Diagnostics, RawStudy};

pub(super) fn plan(
    diag: &mut Diagnostics<'_>,
    path: &Path,
    raw: &RawStudy,
    options: &PlanOptions,
) -> Option<Plan> {
    let name = raw.study.name.get_ref().clone();
    // It names the output folder and appears in file and link names: letters (any script),
    // digits, '-' and '_' only, so no space, separator, dot or invisible control character.
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        diag.problem(
            "study.name",
            Some(raw.study.name.span()),
            format!("{name:?} cannot be a folder name: use letters, digits, '-' and '_' only"),
        );
    }
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

    // Dataset.
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
    let generator_name = d.generator.get_ref().as_str();
    let known = ["blobs", "moons", "circles", "xor", "spirals"];
    if !known.contains(&generator_name) {
        diag.problem(
            "dataset.generator",
            Some(d.generator.span()),
            format!(
                "unknown generator {generator_name:?}: expected one of {}",
                known.join(", ")
            ),
        );
    }
    let allowed: &[&str] = match generator_name {
        "blobs" => &["separation"],
        "moons" | "xor" => &["noise"],
        "circles" => &["noise", "factor"],
        "spirals" => &["noise", "turns"],
        _ => &["noise", "separation", "factor", "turns"],
    };
    for (key, value) in [
        ("noise", &d.noise),
        ("separation", &d.separation),
        ("factor", &d.factor),
        ("turns", &d.turns),
    ] {
        if let Some(v) = value
            && !allowed.contains(&key)
        {
            diag.problem(
                &format!("dataset.{key}"),
                Some(v.span()),
                format!(
                    "{generator_name} has no parameter {key}; it takes {}",
                    allowed.join(", ")
                ),
            );
        }
    }

    // Sweep.
    let s = &raw.sweep;
    let mut axes: Vec<(String, Vec<String>, Range<usize>)> = Vec::new();
    macro_rules! axis {
        ($name:literal, $field:expr) => {
            if let Some(values) = &$field {
                if values.get_ref().is_empty() {
                    diag.problem(
                        concat!("sweep.", $name),
                        Some(values.span()),
                        "is empty: give at least one value or remove the axis",
                    );
                }
                axes.push((
                    $name.to_owned(),
                    values.get_ref().iter().map(|v| format!("{v}")).collect(),
                    values.span(),
                ));
            }
        };
    }
    axis!("width", s.width);
    axis!("depth", s.depth);
    axis!("activation", s.activation);
    axis!("learning_rate", s.learning_rate);
    axis!("noise", s.noise);
    axis!("early_stopping", s.early_stopping);
    for (name, values, span) in &axes {
        let mut seen = values.clone();
        seen.sort();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            diag.problem(
                &format!("sweep.{name}"),
                Some(span.clone()),
                format!(
                    "value {} appears twice: every swept value must be distinct",
                    w[0]
                ),
            );
        }
    }
    let n_points = axes
        .iter()
        .try_fold(1usize, |acc, (_, v, _)| acc.checked_mul(v.len().max(1)));
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
    if !diag.is_empty() && axes.iter().any(|(_, v, _)| v.is_empty()) {
        return None;
    }

    // Every point, in axis order (the last axis varies fastest).
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (name, values, _) in &axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((name.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }

    let mut runs = Vec::new();
    let mut labels = Vec::new();
    for (point_index, point) in points.iter().enumerate() {
        let label = if point.is_empty() {
            "all".to_owned()
        } else {
            point
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let before = diag.len();
        let generator = dataset::generator(diag, raw, point);
        let model = model::model(diag, raw, point, options.quick);
        if diag.len() > before {
            // Report each distinct problem once, not once per point.
            diag.dedup();
        }
        labels.push(label.clone());
        let (Some(generator), Some(model)) = (generator, model) else {
            continue;
        };
        for &seed in &seeds {
            runs.push(RunPlan {
                index: runs.len(),
                point: point_index,
                point_label: label.clone(),
                swept: point.clone(),
                seed,
                data_seed: d.seed.unwrap_or(seed),
                generator,
                model: model.clone(),
            });
        }
    }
    let mut original_points: Vec<&str> = Vec::new();
    for original in &raw.original {
        if original_points.contains(&original.point.as_str()) {
            diag.problem(
                "original.point",
                None,
                format!(
                    "{:?} has two [[original]] rows: give each point one row",
                    original.point
                ),
            );
        }
        original_points.push(&original.point);
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
        if !labels.contains(&original.point) {
            diag.problem(
                "original.point",
                None,
                format!(
                    "{:?} matches no swept point; expected one of {}",
                    original.point,
                    labels.join(" | ")
                ),
            );
        }
    }
    let r = &raw.record;
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
    Some(Plan {
        path: path.to_owned(),
        source: String::new(),
        raw: raw.clone(),
        name,
        n_samples,
        test_fraction,
        standardize: d.standardize,
        loss_curve_stride: *r.loss_curve_stride.get_ref(),
        oscillation_window: window,
        axes: axes.into_iter().map(|(n, _, _)| n).collect(),
        points: labels,
        runs,
        quick: options.quick,
    })
}
