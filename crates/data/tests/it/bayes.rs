//! Bayes errors: each generator's computed rate against the error of the Bayes classifier
//! (the argmax of the same class densities) on a large seeded sample, with negative controls.

use data::{
    BayesAccuracy, BayesError, Blobs, Circles, ClassDensities, Generator, Moons, Spirals, Xor,
};

use crate::rng;

/// Points in each measured sample.
const N_SAMPLES: usize = 200_000;

/// How many combined standard errors a computed rate may be from the measured one.
const TOLERANCE: f64 = 4.0;

/// The error rate of the classifier `posterior > ½` on `N_SAMPLES` points of `generator`.
fn measured_error(generator: &Generator, densities: &ClassDensities, seed: u64) -> f64 {
    let dataset = generator.generate(N_SAMPLES, &mut rng(seed)).unwrap();
    let x = dataset.features();
    let wrong = (0..N_SAMPLES)
        .filter(|&row| {
            let class1 = densities.posterior([x[(row, 0)], x[(row, 1)]]) > 0.5;
            class1 != (dataset.labels()[row] == 1.0)
        })
        .count();
    wrong as f64 / N_SAMPLES as f64
}

/// How far, in combined standard errors, `computed` is from the error `densities` make on
/// data from `generator`: the binomial standard error of the measured rate (an upper estimate,
/// since the generator spaces its curve parameter evenly) and the computed rate's own.
fn z_score(generator: &Generator, densities: &ClassDensities, computed: BayesError) -> f64 {
    let measured = measured_error(generator, densities, 2024);
    let p = measured.max(computed.rate).max(1.0 / N_SAMPLES as f64);
    let se_measured2 = p * (1.0 - p) / N_SAMPLES as f64;
    let se_computed = match computed.accuracy {
        BayesAccuracy::MonteCarlo { standard_error, .. } => standard_error,
        other => {
            assert!(computed.uncertainty() < 1e-9, "{other:?}");
            0.0
        }
    };
    (measured - computed.rate) / (se_measured2 + se_computed * se_computed).sqrt()
}

/// Each generator at a mild and a substantial overlap; the substantial one is scaled by 10,
/// which must change neither the Bayes error nor how well the densities classify.
fn cases() -> Vec<(Generator, Generator)> {
    let pair = |mild: Generator, strong: Generator| (mild, strong.with_scale(10.0).unwrap());
    vec![
        pair(
            Blobs::new(4.0).unwrap().into(),
            Blobs::new(1.0).unwrap().into(),
        ),
        pair(
            Moons::new().with_noise(0.1).unwrap().into(),
            Moons::new().with_noise(0.3).unwrap().into(),
        ),
        pair(
            Circles::new(0.5).unwrap().with_noise(0.1).unwrap().into(),
            Circles::new(0.5).unwrap().with_noise(0.25).unwrap().into(),
        ),
        pair(
            Xor::new().with_noise(0.05).unwrap().into(),
            Xor::new().with_noise(0.3).unwrap().into(),
        ),
        pair(
            Spirals::new(1.5).unwrap().with_noise(0.05).unwrap().into(),
            Spirals::new(1.5).unwrap().with_noise(0.15).unwrap().into(),
        ),
    ]
}

#[test]
fn bayes_error_matches_the_bayes_classifier_on_200_000_points() {
    for (mild, strong) in cases() {
        for generator in [mild, strong] {
            let bayes = generator.bayes_error();
            let densities = generator.class_densities().unwrap();
            let z = z_score(&generator, &densities, bayes);
            assert!(
                z.abs() <= TOLERANCE,
                "{generator:?}: computed {bayes:?} is {z:.2} standard errors off"
            );
        }
        // The substantial level has real overlap.
        assert!(strong.bayes_error().rate > 0.08, "{strong:?}");
    }
}

#[test]
fn a_wrong_density_fails_the_check() {
    // The same check with the densities and Bayes error of a generator whose noise (blobs:
    // separation) is off by half must fail: it is sensitive to the densities it is given.
    for (_, strong) in cases() {
        let wrong: Generator = match strong {
            Generator::Blobs(g) => g.with_separation(1.5).unwrap().into(),
            Generator::Moons(g) => g.with_noise(1.5 * g.noise()).unwrap().into(),
            Generator::Circles(g) => g.with_noise(1.5 * g.noise()).unwrap().into(),
            Generator::Xor(g) => g.with_noise(1.5 * g.noise()).unwrap().into(),
            Generator::Spirals(g) => g.with_noise(1.5 * g.noise()).unwrap().into(),
            other => panic!("a new generator needs a negative control: {other:?}"),
        };
        let z = z_score(
            &strong,
            &wrong.class_densities().unwrap(),
            wrong.bayes_error(),
        );
        assert!(
            z.abs() > 3.0 * TOLERANCE,
            "{strong:?} checked with {wrong:?} passes: {z:.2}"
        );
    }
}

#[test]
fn feature_scale_leaves_the_bayes_error_unchanged() {
    for (mild, strong) in cases() {
        for generator in [mild, strong] {
            let unscaled = generator.with_scale(1.0).unwrap().bayes_error();
            for scale in [1e-6, 0.5, 7.0, 1e6] {
                let scaled = generator.with_scale(scale).unwrap().bayes_error();
                assert_eq!(scaled, unscaled, "{generator:?} at scale {scale}");
            }
        }
    }
}

#[test]
fn scaled_densities_are_the_densities_of_the_scaled_features() {
    // p_scaled(x) = p(x / scale) / scale², so the posterior is unchanged at scaled points.
    for (mild, _) in cases() {
        let plain = mild.class_densities().unwrap();
        let scaled = mild.with_scale(4.0).unwrap().class_densities().unwrap();
        for point in [[0.1, 0.2], [-0.7, 0.4], [1.3, -0.2]] {
            let [p0, p1] = plain.densities(point);
            let [q0, q1] = scaled.densities([4.0 * point[0], 4.0 * point[1]]);
            assert!((q0 * 16.0 - p0).abs() <= 1e-12 * p0.max(1e-300), "{mild:?}");
            assert!((q1 * 16.0 - p1).abs() <= 1e-12 * p1.max(1e-300), "{mild:?}");
        }
    }
}

#[test]
fn circles_quadrature_matches_an_independent_high_precision_integral() {
    // E = ½(∫₀^ρ* f_outer + ∫_ρ*^∞ f_inner) for Rice densities, with ρ* from findroot and the
    // integrals from mpmath.quad at 30 digits (mpmath 1.3).
    let pinned = [
        (0.5, 0.1, 0.006_419_749_167_937_429),
        (0.5, 0.25, 0.166_023_734_331_955_76),
        (0.3, 0.2, 0.044_565_179_773_688_72),
        (0.8, 0.05, 0.022_834_133_321_153_543),
    ];
    for (factor, noise, expected) in pinned {
        let bayes = Circles::new(factor)
            .unwrap()
            .with_noise(noise)
            .unwrap()
            .bayes_error();
        assert!(
            (bayes.rate - expected).abs() < 1e-13,
            "{factor}, {noise}: {bayes:?}"
        );
        let BayesAccuracy::Bounded { max_error } = bayes.accuracy else {
            panic!("{bayes:?}");
        };
        assert!(max_error < 1e-12, "{bayes:?}");
    }
}

#[test]
fn noise_0_gives_0_and_huge_noise_gives_one_half() {
    let curves = |noise: f64| -> [Generator; 4] {
        [
            Moons::new().with_noise(noise).unwrap().into(),
            Circles::new(0.5).unwrap().with_noise(noise).unwrap().into(),
            Xor::new().with_noise(noise).unwrap().into(),
            Spirals::new(1.5).unwrap().with_noise(noise).unwrap().into(),
        ]
    };
    for generator in curves(0.0) {
        let bayes = generator.bayes_error();
        assert_eq!(bayes.rate, 0.0, "{generator:?}");
        assert_eq!(bayes.uncertainty(), 0.0, "{generator:?}");
    }
    // Classes that cannot meet (moons and circles are 0.5 apart): below 1e-15, stated as such.
    for generator in &curves(0.02)[..2] {
        let bayes = generator.bayes_error();
        assert_eq!(bayes.rate, 0.0, "{generator:?}");
        assert!(bayes.uncertainty() < 1e-15, "{generator:?}");
    }
    for generator in curves(1e20) {
        let bayes = generator.bayes_error();
        assert!(
            (bayes.rate - 0.5).abs() <= 1e-15,
            "{generator:?}: {bayes:?}"
        );
    }
    assert_eq!(Blobs::new(0.0).unwrap().bayes_error().rate, 0.5);
}

#[test]
fn bayes_error_grows_with_noise() {
    // More noise is the same data with independent noise added: no classifier gains from it.
    let makers: [fn(f64) -> Generator; 4] = [
        |noise| Moons::new().with_noise(noise).unwrap().into(),
        |noise| Circles::new(0.5).unwrap().with_noise(noise).unwrap().into(),
        |noise| Xor::new().with_noise(noise).unwrap().into(),
        |noise| Spirals::new(1.5).unwrap().with_noise(noise).unwrap().into(),
    ];
    for make in makers {
        let rates: Vec<BayesError> = [0.05, 0.1, 0.2, 0.4, 0.8, 4.0]
            .map(|noise| make(noise).bayes_error())
            .to_vec();
        for pair in rates.windows(2) {
            let slack = 3.0 * (pair[0].uncertainty() + pair[1].uncertainty());
            assert!(pair[1].rate + slack > pair[0].rate, "{rates:?}");
        }
        assert!(rates[5].rate > 0.4 && rates[5].rate <= 0.5, "{rates:?}");
    }
}

#[test]
fn monte_carlo_estimates_are_one_number_per_configuration() {
    let spirals = Spirals::new(2.0).unwrap().with_noise(0.08).unwrap();
    let first = spirals.bayes_error();
    assert_eq!(spirals.bayes_error(), first);
    assert!(matches!(
        first.accuracy,
        BayesAccuracy::MonteCarlo { n_samples: 16_384, standard_error } if standard_error < 1e-3
    ));
}

#[test]
fn spiral_noise_below_the_quadrature_limit_gets_a_bound() {
    // The arms meet at the centre, so even tiny noise costs about 0.4·noise; below the panel
    // limit the rate is the middle of [0, bound] with the bound from the finest noise.
    let bayes = Spirals::new(1.5)
        .unwrap()
        .with_noise(1e-6)
        .unwrap()
        .bayes_error();
    let BayesAccuracy::Bounded { max_error } = bayes.accuracy else {
        panic!("{bayes:?}");
    };
    assert_eq!(bayes.rate, max_error);
    assert!(bayes.rate > 0.0 && bayes.rate < 2e-4, "{bayes:?}");
}
