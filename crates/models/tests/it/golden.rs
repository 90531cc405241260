//! Golden values: the exact bits of the training loss over the first epochs, for logistic
//! regression and for MLPs with each kind of hidden activation, on a seeded `data` dataset, and
//! a fingerprint of their parameters after 300 epochs.
//!
//! They pin the whole numeric path: the dataset, the initialisation, the forward and backward
//! passes (kernels included), the loss and the update. The product kernels promise the same
//! bits whatever their blocking or instruction set, so a kernel change that keeps that promise
//! keeps these numbers; one that breaks it fails here.
//!
//! CHANGING THEM MUST BE DELIBERATE: it means every seeded study gives different numbers, so
//! say why in the commit message. Expected causes: a change to the initialisation, the order
//! of a sum, the loss or update formula, or an upgrade of rand / rand_chacha / rand_distr /
//! libm. Training calls no platform maths library (sigmoid, tanh and the loss use
//! `core-linalg`'s own functions); only the rare slow path of `rand_distr`'s Gaussian sampler,
//! which draws the initial weights, does, so another OS or libc could still change these bits
//! there. To update: run
//! `cargo test -p models --test it golden`; each failure prints the new values as Rust source
//! to paste over the old ones, after checking the change is the one intended.

use core_linalg::Dataset;
use data::Moons;
use models::saved::SavedModel;
use models::{Activation, BatchMode, FitReport, LogisticRegressionConfig, MlpConfig};

use crate::common::rng;

/// Epochs trained; the curve holds the loss before the first update and after each one.
const EPOCHS: usize = 5;

/// 64 noisy moons (noise 0.2), drawn with seed 7.
fn moons() -> Dataset {
    Moons::new()
        .with_noise(0.2)
        .expect("valid noise")
        .generate(64, &mut rng(7))
        .expect("valid size")
}

/// Asserts `report.train_loss` has exactly the bits of `golden`; on failure, prints the
/// values found as Rust source.
#[track_caller]
fn check(what: &str, report: &FitReport, golden: [u64; EPOCHS + 1]) {
    let found: Vec<u64> = report.train_loss.iter().map(|l| l.to_bits()).collect();
    if found != golden {
        let lines: String = report
            .train_loss
            .iter()
            .map(|l| format!("            {:#018x}, // {l:?}\n", l.to_bits()))
            .collect();
        panic!("{what}: the loss curve changed; the new values are\n{lines}");
    }
}

#[test]
fn logistic_regression() {
    let (_, report) = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .with_epochs(EPOCHS)
        .fit(&moons(), &mut rng(1))
        .expect("fits");
    check(
        "logistic regression",
        &report,
        [
            0x3fe62e42fefa39ef, // 0.6931471805599453 = ln 2: the weights start at zero
            0x3fe472f61fbe4417, // 0.6390333766922848
            0x3fe3177f6db74929, // 0.5966183798684926
            0x3fe201cff6bd91ec, // 0.5627212351942581
            0x3fe11f9f796db161, // 0.5351102229738381
            0x3fe06432321a65a5, // 0.5122309664322314
        ],
    );
}

#[test]
fn relu_mlp() {
    let (_, report) = MlpConfig::new(&[2, 13, 7, 1])
        .with_learning_rate(0.1)
        .with_epochs(EPOCHS)
        .fit(&moons(), &mut rng(2))
        .expect("fits");
    check(
        "relu [2, 13, 7, 1]",
        &report,
        [
            0x3fe7ecec2ca6e938, // 0.7476712104901599
            0x3fe76d9129a19131, // 0.7321248829944463
            0x3fe6fc078bec8964, // 0.718265317238814
            0x3fe695d2aaddb603, // 0.7057889306285577
            0x3fe6382f42d741f4, // 0.6943584733472208
            0x3fe5e1688ba274d5, // 0.6837656714666546
        ],
    );
}

#[test]
fn tanh_mlp() {
    let (_, report) = MlpConfig::new(&[2, 8, 1])
        .with_hidden_activation(Activation::Tanh)
        .with_learning_rate(0.1)
        .with_epochs(EPOCHS)
        .fit(&moons(), &mut rng(3))
        .expect("fits");
    check(
        "tanh [2, 8, 1]",
        &report,
        [
            0x3febc13507ae8a12, // 0.8673348569903416
            0x3feb02ca76d9aa77, // 0.8440906831068123
            0x3fea5331a9ac0e96, // 0.8226555169971614
            0x3fe9b0978f7dc771, // 0.8028066446843082
            0x3fe91963329a65ca, // 0.7843490589468101
            0x3fe88c3018efc36a, // 0.7671127783815852
        ],
    );
}

/// Mini-batches (the shuffle draws from the rng) and an L2 term in the objective.
#[test]
fn sigmoid_mlp_mini_batches_with_l2() {
    let (_, report) = MlpConfig::new(&[2, 6, 6, 1])
        .with_hidden_activation(Activation::Sigmoid)
        .with_learning_rate(0.5)
        .with_l2(1e-3)
        .with_batch(BatchMode::MiniBatch { batch_size: 16 })
        .with_epochs(EPOCHS)
        .fit(&moons(), &mut rng(4))
        .expect("fits");
    check(
        "sigmoid [2, 6, 6, 1], batches of 16, l2",
        &report,
        [
            0x3fedde76adff8130, // 0.9334062002563197
            0x3fe75891f8823f32, // 0.7295617917716071
            0x3fe6fa5e5e223e16, // 0.7180625761556623
            0x3fe6db592c01b6e1, // 0.7142759189134403
            0x3fe6cee7a23a85cc, // 0.7127569359328674
            0x3fe6af1680c72bee, // 0.7088730349727237
        ],
    );
}

/// FNV-1a over the bits of every parameter: layer by layer, the weights in column-major order
/// and then the biases. (Not over the model file, so a change to the file format leaves them.)
fn fingerprint(model: &SavedModel) -> u64 {
    let parameters: Vec<f64> = match model {
        SavedModel::Mlp(m) => m
            .layers()
            .iter()
            .flat_map(|layer| layer.weights.iter().chain(layer.biases.iter()).copied())
            .collect(),
        SavedModel::Logistic(m) => m.weights().iter().copied().chain([m.bias()]).collect(),
    };
    parameters
        .iter()
        .flat_map(|p| p.to_bits().to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// The parameters after many epochs, for the same four fits, as a fingerprint of their bits.
/// The loss curves above can keep their bits through a last-bit change in the products (the
/// mean over 64 samples rounds it away), and even the loss after 300 epochs can: switching
/// the product sums to fused multiply-adds left the ReLU and sigmoid losses unchanged at 300
/// epochs. The parameters themselves cannot hide such a change.
#[test]
fn parameters_after_300_epochs() {
    const LONG: usize = 300;
    let logistic = |lr, seed| {
        let (model, _) = LogisticRegressionConfig::new()
            .with_learning_rate(lr)
            .with_epochs(LONG)
            .fit(&moons(), &mut rng(seed))
            .expect("fits");
        SavedModel::Logistic(model)
    };
    let mlp = |config: MlpConfig, seed| {
        let (model, _) = config
            .with_epochs(LONG)
            .fit(&moons(), &mut rng(seed))
            .expect("fits");
        SavedModel::Mlp(model)
    };
    let fits: [(&str, SavedModel, u64); 4] = [
        ("logistic regression", logistic(0.5, 1), 0xa66ed3f2b70b4f19),
        (
            "relu [2, 13, 7, 1]",
            mlp(MlpConfig::new(&[2, 13, 7, 1]).with_learning_rate(0.1), 2),
            0x30d8b5ee49f37d18,
        ),
        (
            "tanh [2, 8, 1]",
            mlp(
                MlpConfig::new(&[2, 8, 1])
                    .with_hidden_activation(Activation::Tanh)
                    .with_learning_rate(0.1),
                3,
            ),
            0xa101c25953994a18,
        ),
        (
            "sigmoid [2, 6, 6, 1], batches of 16, l2",
            mlp(
                MlpConfig::new(&[2, 6, 6, 1])
                    .with_hidden_activation(Activation::Sigmoid)
                    .with_learning_rate(0.5)
                    .with_l2(1e-3)
                    .with_batch(BatchMode::MiniBatch { batch_size: 16 }),
                4,
            ),
            0xfc7ae06717fd675d,
        ),
    ];
    let changed: Vec<String> = fits
        .iter()
        .filter(|(_, model, golden)| fingerprint(model) != *golden)
        .map(|(what, model, _)| format!("{what}: {:#018x}", fingerprint(model)))
        .collect();
    assert!(
        changed.is_empty(),
        "the parameters after {LONG} epochs changed; the new fingerprints are\n{}",
        changed.join("\n")
    );
}
