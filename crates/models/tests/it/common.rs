//! Small seeded datasets shared by the test modules.

use core_linalg::{Dataset, Matrix, Vector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `n` points with `d` standard-normal features and random labels, both classes present.
pub fn random_dataset(n: usize, d: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Matrix::from_fn(n, d, |_, _| StandardNormal.sample(&mut rng));
    let mut y = Vector::from_fn(n, |_, _| f64::from(u8::from(rng.random::<bool>())));
    y[0] = 0.0;
    y[1] = 1.0;
    Dataset::new(x, y).expect("finite features and 0/1 labels")
}

/// Two well-separated Gaussian clusters in 2-D, labels 0 then 1.
pub fn two_clusters(n_per_class: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 2 * n_per_class;
    let mut x = Matrix::zeros(n, 2);
    let mut y = Vector::zeros(n);
    for i in 0..n {
        let class = i / n_per_class;
        let centre = if class == 0 { -2.0 } else { 2.0 };
        let (u, v): (f64, f64) = (
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
        );
        x[(i, 0)] = centre + 0.5 * u;
        x[(i, 1)] = 0.5 * v;
        y[i] = class as f64;
    }
    Dataset::new(x, y).expect("valid")
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// An empty folder of this test process's own, for files a test writes.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("models-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    dir
}
