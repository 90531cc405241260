//! Integration tests of `viz` through its public API, one module per concern.

mod common;
mod degenerate;
mod errors;
mod formats;
mod svg_panels;
