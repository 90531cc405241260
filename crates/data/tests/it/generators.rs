//! Generator behaviour: determinism, balance, shapes and the enum wrapper.

use core_linalg::Dataset;
use data::{Blobs, Circles, Generator, GeneratorKind, Moons, Spirals, Xor};
use rand::RngCore;

use crate::{feature_bits, rng};

/// One noisy configuration of every generator.
fn all_generators() -> Vec<Generator> {
    vec![
        Blobs::new(2.0).unwrap().with_std(0.7).unwrap().into(),
        Moons::new().with_noise(0.1).unwrap().into(),
        Circles::new(0.4).unwrap().with_noise(0.05).unwrap().into(),
        Xor::new().with_noise(0.1).unwrap().into(),
        Spirals::new(2.0).unwrap().with_noise(0.02).unwrap().into(),
    ]
}

fn point(dataset: &Dataset, row: usize) -> (f64, f64) {
    (dataset.features()[(row, 0)], dataset.features()[(row, 1)])
}

#[test]
fn same_seed_is_bit_identical_and_other_seed_differs() {
    for generator in all_generators() {
        let a = generator.generate(64, &mut rng(3)).unwrap();
        let b = generator.generate(64, &mut rng(3)).unwrap();
        let c = generator.generate(64, &mut rng(4)).unwrap();
        assert_eq!(feature_bits(&a), feature_bits(&b), "{generator}");
        assert_eq!(a.labels(), b.labels(), "{generator}");
        assert_ne!(feature_bits(&a), feature_bits(&c), "{generator}");
    }
}

#[test]
fn classes_are_balanced_with_class_0_first_and_getting_the_odd_sample() {
    for generator in all_generators() {
        for n_samples in [2, 3, 7, 100, 101] {
            let dataset = generator.generate(n_samples, &mut rng(1)).unwrap();
            assert_eq!(dataset.n_samples(), n_samples);
            assert_eq!(dataset.n_features(), 2);
            assert_eq!(
                dataset.n_positive(),
                n_samples / 2,
                "{generator} n={n_samples}"
            );
            let n_class0 = n_samples - n_samples / 2;
            for (row, &label) in dataset.labels().iter().enumerate() {
                assert_eq!(label, if row < n_class0 { 0.0 } else { 1.0 });
            }
        }
    }
}

#[test]
fn noise_level_does_not_change_how_much_is_drawn() {
    let pairs: [(Generator, Generator); 4] = [
        (
            Moons::new().with_noise(0.0).unwrap().into(),
            Moons::new().with_noise(0.3).unwrap().into(),
        ),
        (
            Circles::new(0.5).unwrap().with_noise(0.0).unwrap().into(),
            Circles::new(0.5).unwrap().with_noise(0.3).unwrap().into(),
        ),
        (
            Xor::new().with_noise(0.0).unwrap().into(),
            Xor::new().with_noise(0.3).unwrap().into(),
        ),
        (
            Spirals::new(1.0).unwrap().with_noise(0.0).unwrap().into(),
            Spirals::new(1.0).unwrap().with_noise(0.3).unwrap().into(),
        ),
    ];
    for (quiet, noisy) in pairs {
        let (mut a, mut b) = (rng(9), rng(9));
        quiet.generate(33, &mut a).unwrap();
        noisy.generate(33, &mut b).unwrap();
        assert_eq!(a.next_u64(), b.next_u64(), "{quiet}");
    }
}

#[test]
fn blob_means_and_spread_match_the_configuration() {
    let blobs = Blobs::new(3.0).unwrap().with_std(2.0).unwrap();
    assert_eq!(blobs.means(), [[-3.0, 0.0], [3.0, 0.0]]);
    let n = 40_000;
    let dataset = blobs.generate(n, &mut rng(5)).unwrap();
    let x = dataset.features();
    for (class, expected_x) in [(0, -3.0), (1, 3.0)] {
        let rows = class * n / 2..(class + 1) * n / 2;
        let count = rows.len() as f64;
        let mean_x = rows.clone().map(|r| x[(r, 0)]).sum::<f64>() / count;
        let mean_y = rows.clone().map(|r| x[(r, 1)]).sum::<f64>() / count;
        let var_x = rows.map(|r| (x[(r, 0)] - mean_x).powi(2)).sum::<f64>() / count;
        // Standard error of a mean of 20 000 draws with std 2 is about 0.014.
        assert!(
            (mean_x - expected_x).abs() < 0.06,
            "class {class}: {mean_x}"
        );
        assert!(mean_y.abs() < 0.06, "class {class}: {mean_y}");
        assert!((var_x.sqrt() - 2.0).abs() < 0.05, "class {class}: {var_x}");
    }
}

#[test]
fn bayes_error_rate_is_pinned_and_matches_the_best_classifier() {
    // Φ(−s/2) for s = 0, 2, 4: 1/2 exactly, then values of the standard normal CDF
    // (Φ(−1) and Φ(−2), as given by scipy.stats.norm.cdf).
    assert_eq!(Blobs::new(0.0).unwrap().bayes_error_rate(), 0.5);
    let pinned = [(2.0, 0.15865525393145707), (4.0, 0.022750131948179195)];
    for (separation, expected) in pinned {
        let rate = Blobs::new(separation).unwrap().bayes_error_rate();
        assert!((rate - expected).abs() <= 1e-16, "{separation}: {rate:?}");
    }
    // It does not depend on std, and the line x = 0 achieves it empirically.
    let blobs = Blobs::new(2.0).unwrap().with_std(5.0).unwrap();
    assert_eq!(blobs.bayes_error_rate(), 0.15865525393145707);
    let dataset = blobs.generate(40_000, &mut rng(6)).unwrap();
    let x = dataset.features();
    let wrong = (0..dataset.n_samples())
        .filter(|&row| (x[(row, 0)] > 0.0) != (dataset.labels()[row] == 1.0))
        .count();
    let empirical = wrong as f64 / dataset.n_samples() as f64;
    assert!(
        (empirical - 0.15865525393145707).abs() < 0.01,
        "{empirical}"
    );
}

#[test]
fn noise_free_moons_lie_on_their_arcs() {
    let dataset = Moons::new()
        .with_noise(0.0)
        .unwrap()
        .generate(50, &mut rng(0))
        .unwrap();
    for row in 0..50 {
        let (x, y) = point(&dataset, row);
        assert!(
            (-1.0..=2.0).contains(&x) && (-0.5..=1.0).contains(&y),
            "({x}, {y})"
        );
        let radius = if row < 25 {
            x.hypot(y)
        } else {
            (x - 1.0).hypot(y - 0.5)
        };
        assert!((radius - 1.0).abs() < 1e-12, "row {row}: {radius}");
    }
    // t runs over [0, π] with both ends included.
    assert_eq!(point(&dataset, 0), (1.0, 0.0));
    let (x, y) = point(&dataset, 24);
    assert!((x + 1.0).abs() < 1e-15 && y.abs() < 1e-15);
}

#[test]
fn noisy_moons_stay_in_a_plausible_box() {
    let dataset = Moons::new()
        .with_noise(0.1)
        .unwrap()
        .generate(2_000, &mut rng(2))
        .unwrap();
    for row in 0..2_000 {
        let (x, y) = point(&dataset, row);
        assert!(
            (-1.7..=2.7).contains(&x) && (-1.2..=1.7).contains(&y),
            "({x}, {y})"
        );
    }
}

#[test]
fn noise_free_circles_have_radius_1_and_factor() {
    let circles = Circles::new(0.3).unwrap().with_noise(0.0).unwrap();
    let dataset = circles.generate(40, &mut rng(0)).unwrap();
    for row in 0..40 {
        let (x, y) = point(&dataset, row);
        let expected = if row < 20 { 1.0 } else { 0.3 };
        assert!((x.hypot(y) - expected).abs() < 1e-15, "row {row}");
    }
    // Angles over [0, 2π) with the end excluded: the 20 outer points are 18° apart.
    let (x, y) = point(&dataset, 5);
    assert!((x - 0.0).abs() < 1e-15 && (y - 1.0).abs() < 1e-15);
}

#[test]
fn noise_free_xor_is_labelled_by_quadrant_with_balanced_quadrants() {
    let dataset = Xor::new()
        .with_noise(0.0)
        .unwrap()
        .generate(400, &mut rng(8))
        .unwrap();
    let mut quadrant_counts = [0usize; 4];
    for row in 0..400 {
        let (x, y) = point(&dataset, row);
        assert!(x.abs() <= 1.0 && y.abs() <= 1.0 && x * y != 0.0);
        assert_eq!(x * y > 0.0, dataset.labels()[row] == 1.0, "row {row}");
        let quadrant = match (x > 0.0, y > 0.0) {
            (true, true) => 0,
            (false, true) => 1,
            (false, false) => 2,
            (true, false) => 3,
        };
        quadrant_counts[quadrant] += 1;
    }
    assert_eq!(quadrant_counts, [100; 4]);
}

#[test]
fn noise_free_spirals_grow_to_radius_1_and_are_rotated_by_pi() {
    let dataset = Spirals::new(1.25)
        .unwrap()
        .with_noise(0.0)
        .unwrap()
        .generate(60, &mut rng(0))
        .unwrap();
    let mut previous = 0.0;
    for row in 0..30 {
        let (x0, y0) = point(&dataset, row);
        let (x1, y1) = point(&dataset, row + 30);
        let radius = x0.hypot(y0);
        assert!(radius > previous, "radius grows");
        previous = radius;
        assert!(
            (x0 + x1).abs() < 1e-12 && (y0 + y1).abs() < 1e-12,
            "row {row}"
        );
    }
    assert!((previous - 1.0).abs() < 1e-15);
    assert!((point(&dataset, 0).0.hypot(point(&dataset, 0).1) - 1.0 / 30.0).abs() < 1e-15);
}

#[test]
fn generator_enum_names_kinds_and_parses() {
    let names: Vec<&str> = all_generators().iter().map(Generator::name).collect();
    assert_eq!(names, ["blobs", "moons", "circles", "xor", "spirals"]);
    for (generator, kind) in all_generators().into_iter().zip(GeneratorKind::ALL) {
        assert_eq!(generator.kind(), kind);
        assert_eq!(kind.name().parse::<GeneratorKind>().unwrap(), kind);
        assert_eq!(generator.to_string(), kind.to_string());
    }
    assert_eq!(
        GeneratorKind::names(),
        "blobs, moons, circles, xor, spirals"
    );
}

#[test]
fn enum_generate_equals_direct_generate() {
    let moons = Moons::new().with_noise(0.2).unwrap();
    let direct = moons.generate(21, &mut rng(11)).unwrap();
    let wrapped = Generator::Moons(moons).generate(21, &mut rng(11)).unwrap();
    assert_eq!(feature_bits(&direct), feature_bits(&wrapped));
}

#[test]
fn getters_return_the_configuration() {
    let blobs = Blobs::new(1.5).unwrap().with_std(0.2).unwrap();
    assert_eq!((blobs.separation(), blobs.std()), (1.5, 0.2));
    let circles = Circles::new(0.25).unwrap().with_noise(0.1).unwrap();
    assert_eq!((circles.factor(), circles.noise()), (0.25, 0.1));
    let spirals = Spirals::new(3.0).unwrap().with_noise(0.5).unwrap();
    assert_eq!((spirals.turns(), spirals.noise()), (3.0, 0.5));
    assert_eq!(
        (blobs.scale(), circles.scale(), spirals.scale()),
        (1.0, 1.0, 1.0)
    );
    let scaled = Moons::new()
        .with_scale(3.0)
        .unwrap()
        .with_noise(0.1)
        .unwrap();
    assert_eq!((scaled.noise(), scaled.scale()), (0.1, 3.0));
}

#[test]
fn new_and_default_start_from_the_documented_defaults() {
    assert_eq!(Moons::default(), Moons::new());
    assert_eq!(Moons::new().noise(), Moons::DEFAULT_NOISE);
    assert_eq!(Xor::default(), Xor::new());
    assert_eq!(Xor::new().noise(), Xor::DEFAULT_NOISE);
    let blobs = Blobs::default();
    assert_eq!(
        (blobs.separation(), blobs.std(), blobs.scale()),
        (
            Blobs::DEFAULT_SEPARATION,
            Blobs::DEFAULT_STD,
            Blobs::DEFAULT_SCALE
        )
    );
    assert_eq!(Blobs::new(Blobs::DEFAULT_SEPARATION).unwrap(), blobs);
    let circles = Circles::default();
    assert_eq!(
        (circles.factor(), circles.noise(), circles.scale()),
        (
            Circles::DEFAULT_FACTOR,
            Circles::DEFAULT_NOISE,
            Circles::DEFAULT_SCALE
        )
    );
    assert_eq!(Circles::new(Circles::DEFAULT_FACTOR).unwrap(), circles);
    let spirals = Spirals::default();
    assert_eq!(
        (spirals.turns(), spirals.noise(), spirals.scale()),
        (
            Spirals::DEFAULT_TURNS,
            Spirals::DEFAULT_NOISE,
            Spirals::DEFAULT_SCALE
        )
    );
    assert_eq!(Spirals::new(Spirals::DEFAULT_TURNS).unwrap(), spirals);
    for scale in [
        Blobs::DEFAULT_SCALE,
        Moons::DEFAULT_SCALE,
        Circles::DEFAULT_SCALE,
        Xor::DEFAULT_SCALE,
        Spirals::DEFAULT_SCALE,
    ] {
        assert_eq!(scale, 1.0);
    }
}

#[test]
fn scale_multiplies_every_feature_and_scale_1_changes_no_bit() {
    for generator in all_generators() {
        let plain = generator.generate(64, &mut rng(12)).unwrap();
        let unit = generator.with_scale(1.0).unwrap();
        assert_eq!(unit, generator, "{generator}");
        let same = unit.generate(64, &mut rng(12)).unwrap();
        assert_eq!(feature_bits(&plain), feature_bits(&same), "{generator}");
        let scaled = generator
            .with_scale(10.0)
            .unwrap()
            .generate(64, &mut rng(12))
            .unwrap();
        assert_eq!(scaled.labels(), plain.labels());
        let expected: Vec<u64> = plain
            .features()
            .iter()
            .map(|v| (v * 10.0).to_bits())
            .collect();
        let found: Vec<u64> = scaled.features().iter().map(|v| v.to_bits()).collect();
        assert_eq!(found, expected, "{generator}");
        assert_eq!(generator.with_scale(10.0).unwrap().scale(), 10.0);
    }
}
