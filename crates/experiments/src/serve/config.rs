//! What a session trains: the page's settings, validated by the study-file rules into a
//! one-run [`Plan`], and written back out as a study file.
//!
//! The page sends the `[dataset]` and `[model]` tables of a study file as JSON. They are put
//! into a study document (seeds = the training seed, every epoch's loss recorded, as
//! `experiments train` does) and validated by [`plan::parse_and_validate`], so a bad value gets
//! the same message it would get in a study file. The playground's own resource limits are
//! checked first, with messages in the same form.

use std::path::Path;

use core_linalg::Dataset;
use data::Generator;
use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::plan::{self, ModelPlan, Plan, PlanOptions, RunPlan};

/// The most samples a session trains on (generated or uploaded): the views redraw every point
/// many times a second.
pub const MAX_SAMPLES: usize = 10_000;
/// The most hidden layers of a session's net.
pub const MAX_HIDDEN_LAYERS: usize = 16;
/// The widest hidden layer of a session's net.
pub const MAX_WIDTH: usize = 128;
/// The longest epoch budget, and the length of a run without one. Training keeps every epoch's
/// loss (8 bytes each), so this bounds a session's memory.
pub const MAX_EPOCHS: usize = 2_000_000;

/// One problem with a request: the field it is in and what is wrong, with the allowed values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldProblem {
    /// The dotted field, e.g. `model.learning_rate`, as in a study file.
    pub field: String,
    /// The value, what is allowed and how to fix it.
    pub message: String,
}

impl FieldProblem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Where a session's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// A generator of the `data` crate, as in a study file.
    #[default]
    Generated,
    /// The CSV file uploaded to the session.
    Uploaded,
}

/// The page's settings as sent, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// The `[dataset]` table of a study file (for uploaded data: `test_fraction` and `seed`).
    pub dataset: Table,
    /// The `[model]` table of a study file; without `epochs`, training runs up to
    /// [`MAX_EPOCHS`].
    pub model: Table,
    /// The seed of the initial weights (and of mini-batch shuffling).
    pub training_seed: u64,
    /// Generated (the default) or uploaded data.
    #[serde(default)]
    pub data: DataSource,
}

/// Validated settings: one run, ready to train.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The one-run plan (its dataset fields describe the uploaded data's split when
    /// [`Settings::source`] is [`DataSource::Uploaded`]).
    pub plan: Plan,
    /// Generated or uploaded data.
    pub source: DataSource,
    /// The epoch budget; `None` trains until paused, stopped early or [`MAX_EPOCHS`].
    pub budget: Option<usize>,
}

impl Settings {
    /// The plan's one run.
    pub fn run(&self) -> &RunPlan {
        &self.plan.runs[0]
    }
}

/// Generator parameters a study file may give; none applies to uploaded data.
const GENERATOR_KEYS: [&str; 7] = [
    "generator",
    "samples",
    "noise",
    "separation",
    "factor",
    "turns",
    "scale",
];

/// Validates the page's settings. `uploaded` is the session's uploaded data, if any.
///
/// # Errors
/// Every problem found, each naming its field, the value and what is allowed.
pub fn validate(
    raw: RawSettings,
    uploaded: Option<&Dataset>,
) -> Result<Settings, Vec<FieldProblem>> {
    let RawSettings {
        mut dataset,
        mut model,
        training_seed,
        data: source,
    } = raw;
    let mut problems = limit_problems(&dataset, &model);
    let budget = match model.get("epochs") {
        Some(Value::Integer(n)) => usize::try_from(*n).ok(),
        Some(_) => None,
        None => {
            model.insert("epochs".into(), Value::Integer(MAX_EPOCHS as i64));
            None
        }
    };
    if source == DataSource::Uploaded {
        let Some(uploaded) = uploaded else {
            return Err(vec![FieldProblem::new(
                "data",
                "\"uploaded\" but no CSV file was uploaded to this session: upload one first",
            )]);
        };
        for key in GENERATOR_KEYS {
            if dataset.contains_key(key) {
                problems.push(FieldProblem::new(
                    format!("dataset.{key}"),
                    "describes generated data and does not apply to an uploaded file: leave it out",
                ));
            }
        }
        // A stand-in generator, so the split is checked against the file's row count by the
        // study rules; it draws nothing.
        dataset.insert("generator".into(), Value::String("moons".into()));
        dataset.insert(
            "samples".into(),
            Value::Integer(uploaded.n_samples() as i64),
        );
    }
    let Ok(seed) = i64::try_from(training_seed) else {
        problems.push(FieldProblem::new(
            "training_seed",
            format!(
                "{training_seed} is out of range: expected 0 to {} (a TOML integer)",
                i64::MAX
            ),
        ));
        return Err(problems);
    };
    let document = study_document(dataset, model, seed, 1);
    let text = toml::to_string(&document).map_err(|e| {
        let mut problems = problems.clone();
        problems.push(FieldProblem::new(
            "settings",
            format!("cannot be written as TOML: {e}"),
        ));
        problems
    })?;
    match plan::parse_and_validate(Path::new("settings"), text.clone(), &PlanOptions::default()) {
        Ok(plan) if problems.is_empty() => Ok(Settings {
            plan,
            source,
            budget,
        }),
        Ok(_) => Err(problems),
        Err(e) => {
            for p in e.problems {
                let field = match (p.field.as_str(), p.location) {
                    ("syntax", Some((line, _))) => key_at_line(&text, line).unwrap_or(p.field),
                    _ => p.field,
                };
                // A playground limit already said what is allowed for this field.
                if !problems.iter().any(|q| q.field == field) {
                    problems.push(FieldProblem::new(field, p.message));
                }
            }
            Err(problems)
        }
    }
}

/// The playground's size limits, checked on the tables as sent.
fn limit_problems(dataset: &Table, model: &Table) -> Vec<FieldProblem> {
    let above = |value: Option<&Value>, limit: usize| match value {
        Some(Value::Integer(n)) if *n > limit as i64 => Some(*n),
        _ => None,
    };
    let mut problems = Vec::new();
    if let Some(n) = above(dataset.get("samples"), MAX_SAMPLES) {
        problems.push(FieldProblem::new(
            "dataset.samples",
            format!(
                "{n} is out of range: the playground takes 4 to {MAX_SAMPLES} samples \
                 (train on more with `experiments train`)"
            ),
        ));
    }
    if let Some(Value::Array(layers)) = model.get("hidden_layers") {
        let message = if layers.len() > MAX_HIDDEN_LAYERS {
            Some(format!(
                "{} hidden layers is out of range: the playground takes 1 to {MAX_HIDDEN_LAYERS}",
                layers.len()
            ))
        } else {
            layers
                .iter()
                .find_map(|w| above(Some(w), MAX_WIDTH))
                .map(|w| {
                    format!(
                        "a layer of {w} neurons is out of range: the playground takes 1 to \
                     {MAX_WIDTH} per layer"
                    )
                })
        };
        if let Some(message) = message {
            problems.push(FieldProblem::new("model.hidden_layers", message));
        }
    }
    if let Some(n) = above(model.get("epochs"), MAX_EPOCHS) {
        problems.push(FieldProblem::new(
            "model.epochs",
            format!(
                "{n} is out of range: the playground trains 1 to {MAX_EPOCHS} epochs \
                 (run longer with `experiments`)"
            ),
        ));
    }
    problems
}

/// A study document of one seed: `[study]`, the given `[dataset]` and `[model]`, and a
/// `[record]` table keeping every `loss_curve_stride`-th epoch's loss.
fn study_document(dataset: Table, model: Table, seed: i64, loss_curve_stride: i64) -> Table {
    let mut study = Table::new();
    study.insert("name".into(), Value::String("playground".into()));
    study.insert(
        "question".into(),
        Value::String("A run set up in the playground (experiments serve).".into()),
    );
    study.insert("seeds".into(), Value::Array(vec![Value::Integer(seed)]));
    let mut record = Table::new();
    record.insert(
        "loss_curve_stride".into(),
        Value::Integer(loss_curve_stride),
    );
    let mut document = Table::new();
    document.insert("study".into(), Value::Table(study));
    document.insert("dataset".into(), Value::Table(dataset));
    document.insert("model".into(), Value::Table(model));
    document.insert("record".into(), Value::Table(record));
    document
}

/// The dotted key written on 1-based `line` of a TOML text written by `toml::to_string`
/// (`[table]` headers, then `key = value` lines), such as `model.lerning_rate`.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let key = lines.get(line.checked_sub(1)?)?.split('=').next()?.trim();
    let table = lines[..line - 1]
        .iter()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))?;
    (!key.is_empty() && !key.starts_with('[')).then(|| format!("{table}.{key}"))
}

/// The `[dataset]` and `[model]` tables that describe `run` of `plan`: what the page sends
/// to train it (the shipped studies' points become presets this way), and what "export as
/// study" writes.
pub fn tables_of(plan: &Plan, run: &RunPlan) -> (Table, Table) {
    let mut dataset = Table::new();
    let put = |table: &mut Table, key: &str, value: Value| {
        table.insert(key.to_owned(), value);
    };
    put(
        &mut dataset,
        "generator",
        Value::String(run.generator.name().into()),
    );
    match run.generator {
        Generator::Blobs(g) => put(&mut dataset, "separation", Value::Float(g.separation())),
        Generator::Moons(g) => put(&mut dataset, "noise", Value::Float(g.noise())),
        Generator::Xor(g) => put(&mut dataset, "noise", Value::Float(g.noise())),
        Generator::Circles(g) => {
            put(&mut dataset, "noise", Value::Float(g.noise()));
            put(&mut dataset, "factor", Value::Float(g.factor()));
        }
        Generator::Spirals(g) => {
            put(&mut dataset, "noise", Value::Float(g.noise()));
            put(&mut dataset, "turns", Value::Float(g.turns()));
        }
        _ => {}
    }
    put(
        &mut dataset,
        "samples",
        Value::Integer(plan.data.n_samples as i64),
    );
    put(
        &mut dataset,
        "test_fraction",
        Value::Float(plan.data.test_fraction),
    );
    put(&mut dataset, "seed", Value::Integer(run.data_seed as i64));
    if run.generator.scale() != 1.0 {
        put(&mut dataset, "scale", Value::Float(run.generator.scale()));
    }
    if run.standardize {
        put(&mut dataset, "standardize", Value::Boolean(true));
    }

    let mut model = Table::new();
    match &run.model {
        ModelPlan::Logistic(_) => put(&mut model, "kind", Value::String("logistic".into())),
        ModelPlan::Mlp(c) => {
            put(&mut model, "kind", Value::String("mlp".into()));
            let sizes = c.layer_sizes();
            let hidden = sizes[1..sizes.len() - 1]
                .iter()
                .map(|&w| Value::Integer(w as i64))
                .collect();
            put(&mut model, "hidden_layers", Value::Array(hidden));
            put(
                &mut model,
                "activation",
                Value::String(c.hidden_activation().name().into()),
            );
        }
    }
    let t = run.model.training();
    put(&mut model, "learning_rate", Value::Float(t.learning_rate()));
    put(&mut model, "epochs", Value::Integer(t.epochs() as i64));
    if t.l2() != 0.0 {
        put(&mut model, "l2", Value::Float(t.l2()));
    }
    if let models::BatchMode::MiniBatch { batch_size } = t.batch() {
        put(&mut model, "batch_size", Value::Integer(batch_size as i64));
    }
    if let Some(stop) = t.early_stopping() {
        put(&mut model, "tolerance", Value::Float(stop.tolerance));
        put(&mut model, "patience", Value::Integer(stop.patience as i64));
    }
    if t.threshold() != 0.5 {
        put(&mut model, "threshold", Value::Float(t.threshold()));
    }
    if t.divergence_factor() != models::DEFAULT_DIVERGENCE_FACTOR {
        put(
            &mut model,
            "divergence_factor",
            Value::Float(t.divergence_factor()),
        );
    }
    (dataset, model)
}

/// The study file of a session's settings, which `experiments` runs as it is: its one seed is
/// the training seed, its dataset seed the data seed. The loss curve keeps about 1,000 points
/// and gradient norms are sampled about 100 times, so the study's figures show both.
///
/// # Errors
/// Uploaded data: a study file describes generated data only.
pub fn study_file(settings: &Settings) -> Result<String, FieldProblem> {
    if settings.source == DataSource::Uploaded {
        return Err(FieldProblem::new(
            "data",
            "uploaded data cannot be exported as a study: study files describe generated \
             datasets (train on a CSV file with `experiments train --data FILE`)",
        ));
    }
    let run = settings.run();
    let (dataset, model) = tables_of(&settings.plan, run);
    let epochs = run.model.training().epochs();
    let mut document = study_document(
        dataset,
        model,
        run.seed as i64,
        epochs.div_ceil(1000).max(1) as i64,
    );
    if let Some(Value::Table(record)) = document.get_mut("record") {
        record.insert(
            "gradient_norm_stride".into(),
            Value::Integer(epochs.div_ceil(100).max(1) as i64),
        );
    }
    let body = ordered_toml(&document);
    Ok(format!(
        "# Exported from the binclass playground (experiments serve).\n\
         # Run it with: cargo run --release -p experiments -- playground.toml\n\n{body}"
    ))
}

/// Keys in the order the README's "Study files" section lists them (tables too).
const KEY_ORDER: [&str; 23] = [
    "study",
    "name",
    "question",
    "seeds",
    "dataset",
    "generator",
    "noise",
    "separation",
    "factor",
    "turns",
    "scale",
    "samples",
    "test_fraction",
    "seed",
    "standardize",
    "model",
    "kind",
    "hidden_layers",
    "activation",
    "learning_rate",
    "epochs",
    "record",
    "loss_curve_stride",
];

/// A document of flat tables as TOML, tables and keys in [`KEY_ORDER`] (others after, in
/// name order), as a person would write the study file.
fn ordered_toml(document: &Table) -> String {
    let rank = |key: &str| {
        KEY_ORDER
            .iter()
            .position(|k| *k == key)
            .unwrap_or(KEY_ORDER.len())
    };
    let sorted = |table: &Table| {
        let mut keys: Vec<String> = table.keys().cloned().collect();
        keys.sort_by_key(|k| (rank(k), k.clone()));
        keys
    };
    let mut out = String::new();
    for name in sorted(document) {
        let Value::Table(table) = &document[&name] else {
            continue;
        };
        out.push_str(&format!("[{name}]\n"));
        for key in sorted(table) {
            out.push_str(&format!("{key} = {}\n", table[&key]));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: &str) -> Result<Settings, Vec<FieldProblem>> {
        validate(serde_json::from_str(json).expect("request JSON"), None)
    }

    const MOONS: &str = r#"{"dataset": {"generator": "moons", "noise": 0.1, "samples": 200,
        "test_fraction": 0.2, "seed": 4}, "model": {"kind": "mlp", "hidden_layers": [8, 8],
        "activation": "tanh", "learning_rate": 0.05, "epochs": 300}, "training_seed": 9}"#;

    #[test]
    fn settings_become_a_one_run_plan() {
        let s = settings(MOONS).expect("valid");
        assert_eq!(s.plan.runs.len(), 1);
        assert_eq!((s.run().seed, s.run().data_seed), (9, 4));
        assert_eq!(s.run().model.layer_sizes(), vec![2, 8, 8, 1]);
        assert_eq!(s.budget, Some(300));
        // Every epoch's loss is kept, as `experiments train` keeps it.
        assert_eq!(s.run().model.training().eval_stride(), 1);
    }

    #[test]
    fn without_epochs_training_runs_up_to_the_limit() {
        let s = settings(&MOONS.replace(r#", "epochs": 300"#, "")).expect("valid");
        assert_eq!(s.budget, None);
        assert_eq!(s.run().model.training().epochs(), MAX_EPOCHS);
    }

    #[test]
    fn bad_values_get_the_study_file_messages_with_their_fields() {
        let problems = settings(
            &MOONS
                .replace("0.05", "-1.0")
                .replace(r#""tanh""#, r#""relu6""#)
                .replace(r#""epochs""#, r#""epoch""#),
        )
        .expect_err("invalid");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"model.epoch"), "{problems:?}");
        let unknown = problems.iter().find(|p| p.field == "model.epoch").unwrap();
        assert!(unknown.message.contains("learning_rate"), "{unknown:?}");
    }

    #[test]
    fn out_of_range_values_name_field_value_and_range() {
        let problems = settings(&MOONS.replace("0.05", "-1.0")).expect_err("invalid");
        let p = &problems[0];
        assert_eq!(p.field, "model.learning_rate");
        assert!(
            p.message.contains("-1") && p.message.contains("> 0"),
            "{p:?}"
        );
        let problems = settings(&MOONS.replace("200", "20000")).expect_err("invalid");
        assert_eq!(problems[0].field, "dataset.samples");
        assert!(problems[0].message.contains("20000"), "{problems:?}");
        assert!(problems[0].message.contains(&MAX_SAMPLES.to_string()));
        let problems = settings(&MOONS.replace("[8, 8]", "[8, 500]")).expect_err("invalid");
        assert_eq!(problems[0].field, "model.hidden_layers");
        assert!(problems[0].message.contains("500"), "{problems:?}");
    }

    #[test]
    fn key_at_line_names_the_table_and_key() {
        let text = "[study]\nname = \"x\"\n\n[model]\nkind = \"mlp\"\nlerning_rate = 1\n";
        assert_eq!(key_at_line(text, 6).as_deref(), Some("model.lerning_rate"));
        assert_eq!(key_at_line(text, 2).as_deref(), Some("study.name"));
        assert_eq!(key_at_line(text, 1), None);
        assert_eq!(key_at_line(text, 99), None);
    }

    #[test]
    fn tables_of_a_plan_validate_back_into_the_same_run() {
        let s = settings(MOONS).expect("valid");
        let (dataset, model) = tables_of(&s.plan, s.run());
        let again = validate(
            RawSettings {
                dataset,
                model,
                training_seed: s.run().seed,
                data: DataSource::Generated,
            },
            None,
        )
        .expect("valid");
        assert_eq!(again.run().model, s.run().model);
        assert_eq!(again.run().generator, s.run().generator);
        assert_eq!(again.run().data_seed, s.run().data_seed);
    }

    #[test]
    fn the_feature_scale_and_standardisation_go_through_and_back_out() {
        let scaled = MOONS.replace(
            r#""seed": 4"#,
            r#""seed": 4, "scale": 100.0, "standardize": true"#,
        );
        let s = settings(&scaled).expect("valid");
        assert_eq!(s.run().generator.scale(), 100.0);
        assert!(s.run().standardize);
        let (dataset, _) = tables_of(&s.plan, s.run());
        assert_eq!(dataset.get("scale"), Some(&Value::Float(100.0)));
        assert_eq!(dataset.get("standardize"), Some(&Value::Boolean(true)));
        let plan = plan::parse_and_validate(
            Path::new("x.toml"),
            study_file(&s).expect("generated data"),
            &PlanOptions::default(),
        )
        .expect("the runner accepts it");
        assert_eq!(plan.runs[0].generator, s.run().generator);
        assert!(plan.runs[0].standardize);
        // Scale 1 is the default and is left out.
        let (dataset, _) = tables_of(
            &settings(MOONS).unwrap().plan,
            settings(MOONS).unwrap().run(),
        );
        assert_eq!(dataset.get("scale"), None);
        let problems = settings(&scaled.replace("100.0", "0.0")).expect_err("invalid");
        assert_eq!(problems[0].field, "dataset.scale", "{problems:?}");
    }

    #[test]
    fn the_study_file_is_accepted_by_the_runner() {
        let s = settings(MOONS).expect("valid");
        let text = study_file(&s).expect("generated data");
        let at = |table: &str| text.find(table).expect("every table");
        assert!(
            at("[study]") < at("[dataset]") && at("[dataset]") < at("[model]"),
            "{text}"
        );
        let plan = plan::parse_and_validate(Path::new("x.toml"), text, &PlanOptions::default())
            .expect("the runner accepts it");
        assert_eq!(plan.runs.len(), 1);
        assert_eq!(plan.runs[0].generator, s.run().generator);
        assert_eq!(plan.runs[0].model.layer_sizes(), vec![2, 8, 8, 1]);
    }
}
