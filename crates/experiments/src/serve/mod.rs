//! `experiments serve`: the playground, a page in the browser where a net trains live.
//!
//! Each browser tab's settings are the `[dataset]` and `[model]` tables of a study file,
//! validated by the study rules ([`config`]); [`presets`] turns the shipped studies' points
//! into one-click settings.

pub mod config;
pub mod presets;
