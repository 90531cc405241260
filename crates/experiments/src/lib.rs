//! # experiments: turn TOML study files into tables and curves
//!
//! The project's glue, as a library with a thin binary (`main.rs`) over it: it parses study
//! files ([`study_file`]), validates every run of every file into a typed [`plan::Plan`]
//! before the first starts ([`plan`]), runs them in parallel ([`schedule`], one run in
//! [`run`]) and writes the artifacts ([`output`]); when a study's tables are written it draws
//! its figures ([`figures`], through `viz`) and writes `report.html` ([`report`]) from the
//! output folder's files, so a resumed or merged ([`merge`]) study gets the same pictures. The
//! everyday commands `train`, `predict` and `gradcheck` are in [`commands`]. It is the only
//! crate that reads files, spawns threads or knows about the terminal.
//!
//! **The one design decision to know:** every run derives its own random streams from its seed
//! and sweep point (ChaCha8 streams, see [`pipeline`]), so the numbers in `results.csv` are
//! bit-identical whatever `--jobs` is and in whatever order runs finish.
//!
//! # Study files
//!
//! A study file has the tables `[study]` (`name`, `question`, `finding`, `seeds`),
//! `[dataset]` (`generator` = blobs | moons | circles | xor | spirals, its parameters
//! `separation` / `noise` / `factor` / `turns`, `scale`, `samples`, `test_fraction`, optional
//! fixed `seed`, `standardize`), `[model]` (`kind` = mlp | logistic, `hidden_layers`,
//! `activation`, `learning_rate`, `epochs`, optional `l2`, `batch_size`, `tolerance` +
//! `patience` for early stopping, `threshold`, `divergence_factor`), an optional `[sweep]`
//! whose axes (`width`, `depth`, `activation`, `learning_rate`, `noise`, `scale`,
//! `standardize`, `early_stopping`, `epochs`) multiply into the runs, `[record]`
//! (`loss_curve_stride`, `gradient_norm_stride`, `loss_fraction`, `oscillation_window`,
//! `curvature_stride`), `[[original]]` rows (`point`, `precision`, `recall`, `f1`, `loss`,
//! `note`) giving the original project's numbers, and pre-registered `[[hypothesis]]` tables
//! (`name`, `statement`, `prediction`, `rule` and the rule's keys; see [`plan::Rule`]).
//! docs/studies.md shows a complete, commented example; `experiments/` holds the shipped
//! studies and `experiments/explain/` the opt-in ones that test explanations of the
//! original's findings.
//!
//! Exit status: 0 all runs succeeded; 2 bad usage, study file or data (nothing ran); 3 the
//! study ran but some runs failed or diverged (their rows say why); 1 internal error (such as
//! an output file that could not be written).

pub mod cli;
pub mod commands;
pub mod error;
pub mod figures;
pub mod merge;
pub mod output;
pub mod pipeline;
pub mod plan;
mod progress;
pub mod report;
pub mod run;
pub mod schedule;
pub mod serve;
pub mod study_file;

pub use error::{Error, error_chain};
