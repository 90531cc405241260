//! Presets: every sweep point of the shipped studies (`experiments/*.toml`, built into the
//! binary), each one click away on the page with its study's first seed.
//!
//! They are read from the study files themselves, so a preset always trains what the study
//! trains at that point.

use std::path::Path;

use serde::Serialize;
use toml::Table;

use super::config::tables_of;
use crate::plan::{self, PlanOptions};

/// The shipped studies, in the order the page lists them.
const STUDIES: [(&str, &str); 6] = [
    (
        "logistic.toml",
        include_str!("../../../../experiments/logistic.toml"),
    ),
    (
        "width.toml",
        include_str!("../../../../experiments/width.toml"),
    ),
    (
        "depth.toml",
        include_str!("../../../../experiments/depth.toml"),
    ),
    (
        "activation.toml",
        include_str!("../../../../experiments/activation.toml"),
    ),
    (
        "learning_rate.toml",
        include_str!("../../../../experiments/learning_rate.toml"),
    ),
    (
        "early_stopping.toml",
        include_str!("../../../../experiments/early_stopping.toml"),
    ),
];

/// One preset: a sweep point of a shipped study.
#[derive(Debug, Clone, Serialize)]
pub struct Preset {
    /// The study's name, e.g. `depth`.
    pub study: String,
    /// The study's question.
    pub question: String,
    /// The point's label, e.g. `depth=6` (`all` for a study without a sweep).
    pub point: String,
    /// The `[dataset]` table to send.
    pub dataset: Table,
    /// The `[model]` table to send.
    pub model: Table,
    /// The training seed: the study's first.
    pub training_seed: u64,
}

/// Every preset, study by study, points in the study's order.
///
/// # Errors
/// A shipped study that does not validate (a bug caught by the tests).
pub fn presets() -> Result<Vec<Preset>, String> {
    let mut presets = Vec::new();
    for (file, text) in STUDIES {
        let plan =
            plan::parse_and_validate(Path::new(file), text.to_owned(), &PlanOptions::default())
                .map_err(|e| e.to_string())?;
        let first_seed = plan
            .runs
            .first()
            .map(|r| r.seed)
            .ok_or_else(|| format!("{file} plans no run"))?;
        for run in plan.runs.iter().filter(|r| r.seed == first_seed) {
            let (dataset, model) = tables_of(&plan, run);
            presets.push(Preset {
                study: plan.name.clone(),
                question: plan.question.clone(),
                point: plan.point_of(run).label.clone(),
                dataset,
                model,
                training_seed: run.seed,
            });
        }
    }
    Ok(presets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::config::{DataSource, RawSettings, validate};

    #[test]
    fn every_point_of_every_study_is_a_preset_that_trains_what_the_study_trains() {
        let presets = presets().expect("the shipped studies validate");
        let labels: Vec<String> = presets
            .iter()
            .map(|p| format!("{}:{}", p.study, p.point))
            .collect();
        for wanted in [
            "logistic:all",
            "width:width=3",
            "width:width=50",
            "depth:depth=2",
            "depth:depth=10",
            "activation:depth=6,activation=sigmoid",
            "learning_rate:learning_rate=0.3",
            "early_stopping:early_stopping=true",
        ] {
            assert!(labels.iter().any(|l| l == wanted), "{wanted} in {labels:?}");
        }
        for (file, text) in STUDIES {
            let plan =
                plan::parse_and_validate(Path::new(file), text.to_owned(), &PlanOptions::default())
                    .expect("valid");
            let run = &plan.runs[0];
            let preset = presets
                .iter()
                .find(|p| p.study == plan.name && p.point == plan.point_of(run).label)
                .expect("a preset per point");
            let settings = validate(
                RawSettings {
                    dataset: preset.dataset.clone(),
                    model: preset.model.clone(),
                    training_seed: preset.training_seed,
                    data: DataSource::Generated,
                },
                None,
            )
            .expect("a preset validates");
            let ours = settings.run();
            assert_eq!(ours.generator, run.generator, "{file}");
            assert_eq!(ours.data_seed, run.data_seed, "{file}");
            assert_eq!(ours.model.layer_sizes(), run.model.layer_sizes(), "{file}");
            assert_eq!(ours.model.activation_name(), run.model.activation_name());
            let (a, b) = (ours.model.training(), run.model.training());
            assert_eq!(a.learning_rate(), b.learning_rate(), "{file}");
            assert_eq!(a.epochs(), b.epochs(), "{file}");
            assert_eq!(a.early_stopping(), b.early_stopping(), "{file}");
            assert_eq!(settings.plan.data, plan.data);
        }
    }
}
