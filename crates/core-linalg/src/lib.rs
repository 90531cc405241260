//! # core-linalg: the numerics that must be right once
//!
//! Everything the rest of the workspace computes with lives here: the f64 matrix and vector
//! types (nalgebra's `DMatrix`/`DVector`), a validated [`Dataset`], the matrix-product kernels
//! the models need written into caller-owned buffers, the element-wise activation maps with their
//! derivatives, the numerically stable forms of sigmoid, log-sigmoid, softplus and binary
//! cross-entropy, and per-column [`Standardization`]. No other crate re-derives these formulas.
//!
//! **The one design decision to know:** matrices are column-major (nalgebra's layout) and a data
//! matrix holds one *sample per row*, so each feature, and each neuron's activations over the
//! whole batch, is a contiguous column. Every kernel here is written for that layout: the inner
//! loops run down contiguous columns, in a fixed order, so results are bit-identical from run to
//! run and never depend on thread count. Kernels never allocate; the caller owns every buffer.
//!
//! This crate has no randomness. Its one piece of I/O is [`file::write_atomic`], the atomic
//! file writer every crate that writes files shares (it is here because those crates may not
//! depend on each other).
//!
//! # Example
//! ```
//! use core_linalg::{sigmoid, bce_with_logits, Matrix, kernels};
//!
//! assert_eq!(sigmoid(0.0), 0.5);
//! // The loss of a confident, correct prediction is tiny but never NaN, even at z = 1e308.
//! assert_eq!(bce_with_logits(1e308, 1.0), 0.0);
//!
//! let a = Matrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
//! let b = Matrix::identity(2, 2);
//! let mut c = Matrix::zeros(2, 2);
//! kernels::matmul_into(&mut c, &a, &b);
//! assert_eq!(c, a);
//! ```

mod activation;
mod dataset;
pub mod file;
pub mod kernels;
mod stable;
mod standardize;

pub use activation::{Activation, ParseActivationError};
pub use dataset::{ClassLabels, Dataset, DatasetError, check_feature_names, default_feature_names};
pub use nalgebra;
pub use stable::{
    PROBABILITY_EPSILON, bce_from_probability, bce_with_logits, bce_with_logits_gradient,
    log_sigmoid, sigmoid, softplus,
};
pub use standardize::{Standardization, StandardizationError};

/// A dense, heap-allocated, column-major f64 matrix (nalgebra's `DMatrix<f64>`).
///
/// Data matrices hold one sample per row and one feature per column.
pub type Matrix = nalgebra::DMatrix<f64>;

/// A dense, heap-allocated f64 column vector (nalgebra's `DVector<f64>`).
pub type Vector = nalgebra::DVector<f64>;
