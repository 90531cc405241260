//! The cost of one curvature reading beside the cost of training: one reading (λ_max and λ_min
//! by Lanczos with the default settings) of a `[2, 50, 50, 1]` ReLU net at initialisation on
//! 480 noisy moons, and 100 full-batch epochs of training of the same net on the same data.
//! The target is a reading in less time than the 100 epochs.
//!
//! Run with `cargo bench -p models --bench curvature`. Both timed parts go through the public
//! API and include their allocations: [`models::curvature`] (the pass at the parameters, then
//! one Hessian-vector product per Lanczos iteration) and `MlpConfig::fit` with 100 epochs. The
//! number of iterations the reading takes is printed before the timings; a reading's cost is
//! about that many times two epochs.

use std::hint::black_box;

use core_linalg::Dataset;
use criterion::{Criterion, criterion_group, criterion_main};
use data::Moons;
use models::{LanczosConfig, MlpConfig, curvature};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const N_SAMPLES: usize = 480;
const SIZES: [usize; 4] = [2, 50, 50, 1];

/// 480 moons with noise 0.1 (the depth and width studies' data), from ChaCha8 seed 1.
fn moons() -> Dataset {
    Moons::new()
        .with_noise(0.1)
        .expect("valid noise")
        .generate(N_SAMPLES, &mut ChaCha8Rng::seed_from_u64(1))
        .expect("valid size")
}

fn reading_beside_training(c: &mut Criterion) {
    let data = moons();
    let config = MlpConfig::new(&SIZES)
        .with_learning_rate(0.1)
        .with_epochs(100);
    let initial = config
        .initialise(&mut ChaCha8Rng::seed_from_u64(2))
        .expect("valid configuration");
    let lanczos = LanczosConfig::new();
    let read = || {
        curvature(
            black_box(&initial),
            black_box(&data),
            0.0,
            &lanczos,
            &mut ChaCha8Rng::seed_from_u64(3),
        )
        .expect("finite")
    };
    let reading = read();
    println!(
        "W50 at initialisation: λ_max {:.6e}, λ_min {:.6e}, {} iterations ({}), residuals \
         {:.1e} / {:.1e}",
        reading.lambda_max,
        reading.lambda_min,
        reading.iterations,
        reading.stop_reason.label(),
        reading.residual_max,
        reading.residual_min
    );

    let mut group = c.benchmark_group("curvature_W50");
    group.sample_size(20);
    group.bench_function("reading", |b| b.iter(|| black_box(read())));
    group.bench_function("fit_100_epochs", |b| {
        b.iter(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(2);
            let (mlp, report) = config.fit(black_box(&data), &mut rng).expect("fits");
            black_box((mlp, report.final_train_loss()))
        })
    });
    group.finish();
}

criterion_group!(benches, reading_beside_training);
criterion_main!(benches);
