//! End-to-end tests of the `experiments` binary, one module per concern.

mod bad_input;
mod commands;
mod common;
mod interruption;
mod properties;
mod reports;
mod running;
