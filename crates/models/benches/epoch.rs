//! Full-batch MLP training speed: one epoch, and a 1,000-epoch `fit`, for each workload of
//! issue #5 on 480 seeded samples with 2 features.
//!
//! Run with `cargo bench -p models --bench epoch`. Throughput is reported in FLOP/s, counting
//! `6 · n · Σ fan_in · fan_out` per epoch (forward product, weight gradient, input gradient,
//! two FLOPs per multiply-add), the convention NumPy comparisons use.
//!
//! Timing an epoch: `fit` with `epochs = 1` would also time allocating the buffers, drawing
//! the weights and an extra loss evaluation, which for small networks costs more than the
//! epoch itself. So the `epoch` group uses `models::bench_hook::FullBatchEpoch` (hidden from
//! the docs), which allocates once outside the timed part and then runs exactly the code of
//! one `fit` epoch: forward, loss and output gradient, backward, update. The parameters keep
//! training across iterations, as in a real fit; the learning rate is small enough that they
//! stay in a representative range. The `fit_1000` group times the public API end to end,
//! allocation and loss recording included.

use std::hint::black_box;

use core_linalg::{Dataset, Matrix, Vector};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use models::MlpConfig;
use models::bench_hook::FullBatchEpoch;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const N_SAMPLES: usize = 480;

/// The workloads of issue #5: name and layer sizes.
const WORKLOADS: [(&str, &[usize]); 9] = [
    ("LR", &[2, 1]),
    ("W3", &[2, 3, 3, 1]),
    ("W6", &[2, 6, 6, 1]),
    ("W20", &[2, 20, 20, 1]),
    ("W50", &[2, 50, 50, 1]),
    ("D2", &[2, 20, 20, 1]),
    ("D3", &[2, 20, 20, 20, 1]),
    ("D6", &[2, 20, 20, 20, 20, 20, 20, 1]),
    ("D10", &[2, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 1]),
];

/// 480 standard-normal points in 2-D from ChaCha8 seed 1, labels alternating 0 and 1.
fn dataset() -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = Matrix::from_fn(N_SAMPLES, 2, |_, _| StandardNormal.sample(&mut rng));
    let y = Vector::from_fn(N_SAMPLES, |i, _| (i % 2) as f64);
    Dataset::new(x, y).expect("finite features, both classes")
}

fn flops_per_epoch(sizes: &[usize]) -> u64 {
    let products: usize = sizes.windows(2).map(|p| p[0] * p[1]).sum();
    (6 * N_SAMPLES * products) as u64
}

fn epoch(c: &mut Criterion) {
    let data = dataset();
    let mut group = c.benchmark_group("epoch");
    for (name, sizes) in WORKLOADS {
        let config = MlpConfig::new(sizes).with_learning_rate(0.01);
        let initial = config
            .initialise(&mut ChaCha8Rng::seed_from_u64(2))
            .expect("valid configuration");
        let mut epoch = FullBatchEpoch::new(initial, &data, 0.01);
        group.throughput(Throughput::Elements(flops_per_epoch(sizes)));
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| black_box(epoch.run()))
        });
    }
    group.finish();
}

fn fit_1000(c: &mut Criterion) {
    let data = dataset();
    let mut group = c.benchmark_group("fit_1000");
    group.sample_size(10);
    for (name, sizes) in WORKLOADS {
        let config = MlpConfig::new(sizes)
            .with_learning_rate(0.01)
            .with_epochs(1000);
        group.throughput(Throughput::Elements(1000 * flops_per_epoch(sizes)));
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(2);
                let (mlp, report) = config.fit(black_box(&data), &mut rng).expect("fits");
                black_box((mlp, report.final_train_loss()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, epoch, fit_1000);
criterion_main!(benches);
