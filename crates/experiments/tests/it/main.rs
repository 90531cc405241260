//! End-to-end tests of the `experiments` binary, one module per concern.

mod bad_input;
mod commands;
mod common;
mod explain;
mod first_hour;
mod interruption;
mod properties;
mod protection;
mod reports;
mod running;
mod science;
mod serve_api;
mod serve_browser;
mod serve_support;
mod sharding;
mod slurm;
