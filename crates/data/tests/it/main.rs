//! Integration tests of the `data` crate through its public API, one module per concern.

mod bayes;
mod csv;
mod errors;
mod generators;
mod golden;
mod split;
mod standardize;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The workspace's value-stable generator, seeded.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A fresh path under the system temp folder, unique per process and call.
pub fn temp_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("data-it-{}-{n}-{name}", std::process::id()))
}

/// Every feature value of a dataset as bits, row-major, for bit-identity checks.
pub fn feature_bits(dataset: &core_linalg::Dataset) -> Vec<u64> {
    let x = dataset.features();
    (0..x.nrows())
        .flat_map(|row| (0..x.ncols()).map(move |column| x[(row, column)].to_bits()))
        .collect()
}
