//! Integration tests of the `models` crate through its public API, one module per concern.

mod activation_checklist;
mod allocation;
mod common;
mod conformance;
mod curvature;
mod golden;
mod gradients;
mod names;
mod properties;
mod readme;
mod saved;
mod standardization;
mod targets;
mod training;
