//! Every bad parameter gets its error variant, naming the field and the value.

use data::{
    Blobs, Circles, DataError, Generator, GeneratorKind, MAX_SAMPLES, MAX_SCALE, MIN_SCALE, Moons,
    Spirals, Xor,
};
use rand::RngCore;

use crate::rng;

/// Asserts an `InvalidParameter` for `field` whose message shows the field and the value.
#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, DataError>, field: &str, value: f64) {
    let err = result.unwrap_err();
    let message = err.to_string();
    match err {
        DataError::InvalidParameter {
            field: f, value: v, ..
        } => {
            assert_eq!(f, field);
            assert!(v.to_bits() == value.to_bits(), "{v} vs {value}");
        }
        other => panic!("expected InvalidParameter for {field}, got {other:?}"),
    }
    assert!(message.contains(field), "{message}");
    assert!(message.contains(&format!("= {value}")), "{message}");
    assert!(message.contains("expected"), "{message}");
}

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

/// One valid configuration of every generator.
fn one_of_each() -> [Generator; 5] {
    [
        Blobs::new(1.0).unwrap().into(),
        Moons::new().into(),
        Circles::new(0.5).unwrap().into(),
        Xor::new().into(),
        Spirals::new(1.0).unwrap().into(),
    ]
}

#[test]
fn noise_must_be_finite_and_non_negative() {
    for value in [-0.1, -1e-300].into_iter().chain(NON_FINITE) {
        assert_invalid(Moons::new().with_noise(value), "noise", value);
        assert_invalid(Xor::new().with_noise(value), "noise", value);
        assert_invalid(Circles::new(0.5).unwrap().with_noise(value), "noise", value);
        assert_invalid(Spirals::new(1.0).unwrap().with_noise(value), "noise", value);
    }
    // Zero is allowed and means noise-free.
    assert!(Moons::new().with_noise(0.0).is_ok());
}

#[test]
fn blob_separation_and_std_are_checked() {
    for value in [-1.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Blobs::new(value), "separation", value);
    }
    for value in [0.0, -2.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Blobs::new(1.0).unwrap().with_std(value), "std", value);
    }
    // Each is finite but their product overflows.
    assert_invalid(Blobs::new(1e300).unwrap().with_std(1e10), "std", 1e10);
    assert_invalid(
        Blobs::new(1.0)
            .unwrap()
            .with_std(1e300)
            .unwrap()
            .with_separation(1e10),
        "separation",
        1e10,
    );
}

#[test]
fn scale_must_be_within_its_range_on_every_generator() {
    let generators = one_of_each();
    let bad = [0.0, -0.0, -1.0, 9.9e-7, 1.000_001e6, 1e300]
        .into_iter()
        .chain(NON_FINITE);
    for value in bad {
        for generator in generators {
            assert_invalid(generator.with_scale(value), "scale", value);
            let message = generator.with_scale(value).unwrap_err().to_string();
            assert!(message.contains("from 1e-6 to 1e6"), "{message}");
        }
        assert_invalid(Blobs::new(1.0).unwrap().with_scale(value), "scale", value);
        assert_invalid(Moons::new().with_scale(value), "scale", value);
        assert_invalid(Circles::new(0.5).unwrap().with_scale(value), "scale", value);
        assert_invalid(Xor::new().with_scale(value), "scale", value);
        assert_invalid(Spirals::new(1.0).unwrap().with_scale(value), "scale", value);
    }
    for generator in generators {
        for value in [MIN_SCALE, 1.0, MAX_SCALE] {
            assert_eq!(generator.with_scale(value).unwrap().scale(), value);
        }
        // The largest scale keeps every feature finite.
        let dataset = generator
            .with_scale(MAX_SCALE)
            .unwrap()
            .generate(1000, &mut rng(3))
            .unwrap();
        assert!(dataset.features().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn noise_free_curves_have_no_class_densities() {
    let curves: [Generator; 3] = [
        Moons::new().with_noise(0.0).unwrap().into(),
        Circles::new(0.5).unwrap().with_noise(0.0).unwrap().into(),
        Spirals::new(1.0).unwrap().with_noise(0.0).unwrap().into(),
    ];
    for generator in curves {
        assert_invalid(generator.class_densities(), "noise", 0.0);
    }
    // Spiral noise too fine for the quadrature's panel limit is refused the same way.
    assert_invalid(
        Spirals::new(1.0)
            .unwrap()
            .with_noise(1e-6)
            .unwrap()
            .class_densities(),
        "noise",
        1e-6,
    );
    // Blobs and noise-free xor have densities.
    let xor = Generator::from(Xor::new().with_noise(0.0).unwrap());
    assert!(xor.class_densities().is_ok());
    assert!(
        Generator::from(Blobs::new(1.0).unwrap())
            .class_densities()
            .is_ok()
    );
}

#[test]
fn circle_factor_must_be_strictly_between_0_and_1() {
    for value in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        assert_invalid(Circles::new(value), "factor", value);
    }
}

#[test]
fn spiral_turns_must_be_positive_and_finite() {
    for value in [0.0, -1.0].into_iter().chain(NON_FINITE) {
        assert_invalid(Spirals::new(value), "turns", value);
    }
}

#[test]
fn too_few_or_too_many_samples_are_refused_before_drawing() {
    let generators = one_of_each();
    for generator in generators {
        for n_samples in [0, 1] {
            let mut r = rng(1);
            let err = generator.generate(n_samples, &mut r).unwrap_err();
            assert!(
                matches!(err, DataError::TooFewSamples { n_samples: n, minimum: 2 } if n == n_samples),
                "{err:?}"
            );
            let message = err.to_string();
            assert!(
                message.contains(&format!("n_samples = {n_samples}")),
                "{message}"
            );
            assert_eq!(r.next_u64(), rng(1).next_u64(), "rng untouched");
        }
        let err = generator
            .generate(MAX_SAMPLES + 1, &mut rng(1))
            .unwrap_err();
        assert!(matches!(err, DataError::TooManySamples { .. }), "{err:?}");
        assert!(err.to_string().contains(&(MAX_SAMPLES + 1).to_string()));
    }
}

#[test]
fn overflowing_noise_is_an_error_not_a_panic() {
    let moons = Moons::new().with_noise(1e308).unwrap();
    let err = moons.generate(100, &mut rng(1)).unwrap_err();
    assert!(matches!(err, DataError::Dataset(_)), "{err:?}");
    assert!(err.to_string().contains("not finite"), "{err}");
}

#[test]
fn unknown_generator_lists_the_accepted_names() {
    let err = "moon".parse::<GeneratorKind>().unwrap_err();
    assert!(matches!(&err, DataError::UnknownGenerator { value, .. } if value == "moon"));
    assert_eq!(
        err.to_string(),
        "unknown generator \"moon\": expected one of blobs, moons, circles, xor, spirals"
    );
}
