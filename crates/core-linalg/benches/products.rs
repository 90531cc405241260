//! Each kernel of an epoch timed alone, on the shapes the issue-#5 workloads use (480 samples):
//! the three products of backpropagation with their fused finishes, and the loss.
//!
//! Run with `cargo bench -p core-linalg --bench products`. Throughput is in FLOP/s, counting
//! `2 · n · k · m` per product (one multiply and one add per term) and nothing for the
//! finish, so a fused kernel's figure shows what its finish costs.

use std::hint::black_box;

use core_linalg::kernels::{
    matmul_add_bias_activate_into, matmul_transpose_a_into,
    matmul_transpose_b_times_derivative_into, mean_bce_with_logits_and_gradient_into,
};
use core_linalg::{Activation, Matrix, Vector};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const N: usize = 480;

/// `(fan_in, fan_out)` of the layers in the workloads: the hidden layers of W50 and of the
/// 20-wide nets, a first layer, an output layer and logistic regression's only layer.
const SHAPES: [(usize, usize); 5] = [(50, 50), (20, 20), (2, 50), (50, 1), (2, 1)];

/// A deterministic fill in [-0.5, 0.5), different per `salt`.
fn filled(rows: usize, cols: usize, salt: usize) -> Matrix {
    Matrix::from_fn(rows, cols, |i, j| {
        ((i * 7 + j * 13 + salt * 5) % 17) as f64 / 17.0 - 0.5
    })
}

fn products(c: &mut Criterion) {
    let mut group = c.benchmark_group("products");
    for (k, m) in SHAPES {
        let a = filled(N, k, 1);
        let w = filled(k, m, 2);
        let bias = Vector::from_fn(m, |j, _| j as f64 * 0.01);
        let delta = filled(N, m, 3);
        let (mut z, mut grad_w, mut below) = (
            Matrix::zeros(N, m),
            Matrix::zeros(k, m),
            Matrix::zeros(N, k),
        );
        group.throughput(Throughput::Elements((2 * N * k * m) as u64));
        let shape = format!("{N}x{k}x{m}");
        group.bench_function(BenchmarkId::new("forward_relu", &shape), |b| {
            b.iter(|| {
                matmul_add_bias_activate_into(&mut z, black_box(&a), &w, &bias, Activation::Relu)
            })
        });
        group.bench_function(BenchmarkId::new("weight_gradient", &shape), |b| {
            b.iter(|| matmul_transpose_a_into(&mut grad_w, black_box(&a), &delta))
        });
        group.bench_function(BenchmarkId::new("input_gradient_relu", &shape), |b| {
            b.iter(|| {
                matmul_transpose_b_times_derivative_into(
                    &mut below,
                    black_box(&delta),
                    &w,
                    &a,
                    Activation::Relu,
                )
            })
        });
    }
    group.finish();
}

fn loss(c: &mut Criterion) {
    let logits: Vec<f64> = (0..N)
        .map(|i| ((i * 37 % 101) as f64 - 50.0) * 0.12)
        .collect();
    let labels: Vec<f64> = (0..N).map(|i| (i % 2) as f64).collect();
    let mut gradient = vec![0.0; N];
    let mut group = c.benchmark_group("loss");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("bce_and_gradient_480", |b| {
        b.iter(|| {
            mean_bce_with_logits_and_gradient_into(&mut gradient, black_box(&logits), &labels)
        })
    });
    group.finish();
}

criterion_group!(benches, products, loss);
criterion_main!(benches);
