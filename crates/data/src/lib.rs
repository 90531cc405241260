//! # data: seeded synthetic datasets, stratified splits, standardisation and CSV
//!
//! This crate makes the data the models learn from: five seeded generators of 2-D binary
//! datasets with balanced classes ([`Blobs`], [`Moons`], [`Circles`], [`Xor`], [`Spirals`], or
//! any of them through [`Generator`]), a stratified [`train_test_split`], a [`Standardizer`]
//! fitted on the training part, and CSV reading and writing ([`read_csv`], [`write_csv`]).
//! Every result is a validated [`core_linalg::Dataset`], and every failure is one
//! [`DataError`] that names the bad field or file location, the value and what is allowed.
//!
//! **The one design decision to know: the caller owns randomness.** Nothing here creates a
//! random number generator; every function that needs randomness takes `&mut impl rand::Rng`
//! and documents exactly what it draws, in what order. The workspace uses
//! `rand_chacha::ChaCha8Rng`, whose output for a given seed is the same on every platform, so a
//! seeded dataset or split is value-stable across machines (its exact values are pinned by the
//! golden tests). Derive one stream per purpose (data, split, initialisation) rather than
//! sharing one, so changing one step does not shift the numbers of another.
//!
//! # Example
//! ```
//! use data::{Moons, Standardizer, train_test_split};
//! use rand::SeedableRng;
//! use rand_chacha::ChaCha8Rng;
//!
//! let dataset = Moons::new()
//!     .with_noise(0.2)?
//!     .generate(200, &mut ChaCha8Rng::seed_from_u64(1))?;
//! let split = train_test_split(&dataset, 0.25, &mut ChaCha8Rng::seed_from_u64(2))?;
//! let standardizer = Standardizer::fit(split.train.features());
//! let train = standardizer.transform_dataset(&split.train)?;
//! let test = standardizer.transform_dataset(&split.test)?;
//! assert_eq!((train.n_samples(), test.n_samples()), (150, 50));
//! assert_eq!((train.n_positive(), test.n_positive()), (75, 25));
//! # Ok::<(), data::DataError>(())
//! ```

mod csv;
mod error;
mod generators;
mod split;
mod standardize;

pub use csv::{
    read_csv, read_csv_from, read_features_csv, read_features_csv_from, write_csv, write_csv_to,
};
pub use error::DataError;
pub use generators::{
    Blobs, Circles, Generator, GeneratorKind, MAX_SAMPLES, MIN_SAMPLES, Moons, Spirals, Xor,
};
pub use split::{Split, train_test_split};
pub use standardize::Standardizer;
