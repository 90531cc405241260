//! Golden values: the exact output of each generator for a fixed seed and configuration.
//!
//! These pin the value-stability promise of the crate (same seed, same numbers, on every
//! machine). They were produced once by running the generators and pasting the output.
//! CHANGING THEM MUST BE DELIBERATE: a change means every seeded study in the workspace produces
//! different data, so say so in the commit message. Expected causes: a change to a generator's
//! formula or draw order, or an upgrade of rand / rand_chacha / rand_distr / libm.

use data::{Blobs, Circles, Generator, Moons, Spirals, Xor};

use crate::rng;

const SEED: u64 = 42;
const N_SAMPLES: usize = 8;

/// `(row, [x bits, y bits], label)` for rows 0 and 1 (class 0) and row 4 (the first of class 1).
type Golden = [(usize, [u64; 2], f64); 3];

fn check(generator: Generator, golden: Golden) {
    let dataset = generator.generate(N_SAMPLES, &mut rng(SEED)).unwrap();
    assert_eq!(dataset.n_samples(), N_SAMPLES);
    for (row, [x_bits, y_bits], label) in golden {
        let x = dataset.features()[(row, 0)];
        let y = dataset.features()[(row, 1)];
        assert_eq!(
            [x.to_bits(), y.to_bits()],
            [x_bits, y_bits],
            "{generator} row {row}: got [{x:?}, {y:?}]"
        );
        assert_eq!(dataset.labels()[row], label, "{generator} row {row}");
    }
}

#[test]
fn blobs_separation_2_std_1() {
    check(
        Blobs::new(2.0).unwrap().into(),
        [
            // [-0.5220187616489782, 1.3340706102318078]
            (0, [0xbfe0b460b0a5c8f4, 0x3ff5585a6c98018c], 0.0),
            // [-1.2108666832710302, 0.4763469238088213]
            (1, [0xbff35fb5be4770e8, 0x3fde7c77ced3c827], 0.0),
            // [3.1215766570790087, -0.718547372072907]
            (4, [0x4008f8fd2eb0e40b, 0xbfe6fe570ef5c192], 1.0),
        ],
    );
}

#[test]
fn moons_noise_0_1() {
    check(
        Moons::new().with_noise(0.1).unwrap().into(),
        [
            // [1.0477981238351022, 0.13340706102318078]
            (0, [0x3ff0c3c7f72ae927, 0x3fc1137b8a133470], 0.0),
            // [0.47891333167289707, 0.9136600961653207]
            (1, [0x3fdea6841a49d2d8, 0x3fed3cb4191616ac], 0.0),
            // [0.21215766570790087, 0.4281452627927093]
            (4, [0x3fcb27fb7de7d345, 0x3fdb66bb636872e3], 1.0),
        ],
    );
}

#[test]
fn circles_factor_0_5_noise_0_05() {
    check(
        Circles::new(0.5).unwrap().with_noise(0.05).unwrap().into(),
        [
            // [1.0238990619175512, 0.06670353051159039]
            (0, [0x3ff061e3fb957494, 0x3fb1137b8a133470], 0.0),
            // [-0.010543334163551453, 1.023817346190441]
            (1, [0xbf8597be5b62d279, 0x3ff0618e4c2f7280], 0.0),
            // [0.6060788328539505, -0.03592736860364535]
            (4, [0x3fe364ff6fbcfa69, 0xbfa26512725e3475], 1.0),
        ],
    );
}

#[test]
fn xor_noise_0_1() {
    check(
        Xor::new().with_noise(0.1).unwrap().into(),
        [
            // [0.3469215497201954, -0.1018073207958602]
            (0, [0x3fd633f67194db2c, 0xbfba100b694fc509], 0.0),
            // [-0.5748920534441863, 0.29237646292116226]
            (1, [0xbfe265840508bcf1, 0x3fd2b64bc4977588], 0.0),
            // [0.16296465411626193, 0.8727665181579735]
            (4, [0x3fc4dc0699eaa978, 0x3febedb40c91087d], 1.0),
        ],
    );
}

#[test]
fn spirals_turns_1_5_noise_0_05() {
    check(
        Spirals::new(1.5).unwrap().with_noise(0.05).unwrap().into(),
        [
            // [-0.15287763337908578, 0.24348022580822729]
            (0, [0xbfc3917e89d39730, 0x3fcf2a5c2b88d605], 0.0),
            // [-0.010543334163551606, -0.47618265380955893]
            (1, [0xbf8597be5b62d2d1, 0xbfde79c6cf4235fe], 0.0),
            // [0.2828555281505873, -0.21270406390028226]
            (4, [0x3fd21a4e12b992b7, 0xbfcb39e30316c8eb], 1.0),
        ],
    );
}
