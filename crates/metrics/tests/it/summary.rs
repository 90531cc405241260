//! Summary across runs: pinned statistics, the n = 1 rule, rejected values, display, the
//! quartiles and the statistic chosen for a log scale.

use approx::assert_relative_eq;
use metrics::{Argument, MetricsError, Statistic, Summary};

#[test]
fn one_to_four() {
    // mean = 10/4 = 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5;
    // std = √(5/3) = 1.2909944487358056 (numpy: np.std([1, 2, 3, 4], ddof=1)).
    let s = Summary::from_values(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(s.n, 4);
    assert_relative_eq!(s.mean, 2.5, max_relative = 1e-15);
    assert_relative_eq!(s.std, 1.290_994_448_735_805_6, max_relative = 1e-15);
    assert_eq!((s.min, s.max), (1.0, 4.0));
}

#[test]
fn a_single_value_has_zero_spread() {
    let s = Summary::from_values(&[0.93]).unwrap();
    assert_eq!(
        (s.n, s.mean, s.std, s.min, s.max),
        (1, 0.93, 0.0, 0.93, 0.93)
    );
}

#[test]
fn empty_and_non_finite_values_are_errors() {
    assert_eq!(
        Summary::from_values(&[]),
        Err(MetricsError::Empty {
            argument: Argument::Values
        })
    );
    let err = Summary::from_values(&[0.9, 0.8, f64::NAN, f64::INFINITY]).unwrap_err();
    assert!(matches!(
        err,
        MetricsError::NonFinite {
            argument: Argument::Values,
            index: 2,
            ..
        }
    ));
    assert!(
        err.to_string().starts_with("values[2] = NaN is not finite"),
        "{err}"
    );
}

#[test]
fn order_of_values_does_not_change_mean_beyond_rounding() {
    let forward = [0.91, 0.934, 0.957, 0.899, 0.962, 0.948];
    let mut backward = forward;
    backward.reverse();
    let (a, b) = (
        Summary::from_values(&forward).unwrap(),
        Summary::from_values(&backward).unwrap(),
    );
    assert_relative_eq!(a.mean, b.mean, max_relative = 1e-15);
    assert_relative_eq!(a.std, b.std, max_relative = 1e-12);
}

#[test]
fn display_is_mean_plus_minus_std() {
    let s = Summary::from_values(&[0.9945, 0.9957, 0.9969]).unwrap();
    assert_eq!(s.to_string(), "0.9957 ± 0.0012");
    assert_eq!(format!("{s:.3}"), "0.996 ± 0.001");
}

#[test]
fn serialises_named_fields() {
    let s = Summary::from_values(&[2.0, 4.0]).unwrap();
    let json: serde_json::Value = serde_json::to_value(s).unwrap();
    assert_eq!(json["n"], 2);
    assert_eq!(json["mean"], 3.0);
    assert_eq!(json["min"], 2.0);
    assert_eq!(json["max"], 4.0);
    assert_eq!(json["median"], 3.0);
    assert_eq!(
        (json["q1"].as_f64(), json["q3"].as_f64()),
        (Some(2.5), Some(3.5))
    );
    assert_relative_eq!(
        json["std"].as_f64().unwrap(),
        2f64.sqrt(),
        max_relative = 1e-15
    );
}

#[test]
fn quartiles_are_type_7() {
    // Sorted: 0.1 0.2 0.3 0.5 0.7 0.9; h = 5p: Q1 at 1.25 (0.2 + 0.25 · 0.1), the median at
    // 2.5 (halfway from 0.3 to 0.5), Q3 at 3.75 (0.5 + 0.75 · 0.2), as numpy's
    // np.quantile([0.3, 0.1, 0.7, 0.2, 0.9, 0.5], [0.25, 0.5, 0.75]) = [0.225, 0.4, 0.65].
    let s = Summary::from_values(&[0.3, 0.1, 0.7, 0.2, 0.9, 0.5]).unwrap();
    assert_relative_eq!(s.q1, 0.225, max_relative = 1e-15);
    assert_relative_eq!(s.median, 0.4, max_relative = 1e-15);
    assert_relative_eq!(s.q3, 0.65, max_relative = 1e-15);
    // Odd count: the median is the middle value; a single value is every quartile.
    let s = Summary::from_values(&[3.0, 1.0, 2.0]).unwrap();
    assert_eq!((s.q1, s.median, s.q3), (1.5, 2.0, 2.5));
    let s = Summary::from_values(&[0.93]).unwrap();
    assert_eq!((s.q1, s.median, s.q3), (0.93, 0.93, 0.93));
}

/// The case that made the mean misleading: at learning rate 3, four seeds end near 1e-5 and
/// one oscillating seed at 0.41, and the mean (0.08) is a loss no seed has.
#[test]
fn one_outlying_seed_on_a_log_scale() {
    let losses = [1.2e-5, 0.8e-5, 0.41, 1.0e-5, 0.9e-5];
    let s = Summary::from_values(&losses).unwrap();
    assert_relative_eq!(s.mean, 0.082_008, max_relative = 1e-4);

    let statistic = Statistic::MedianIqr;
    let centre = s.centre(statistic);
    let (q1, q3) = s.interval(statistic);
    assert_eq!((q1, centre, q3), (0.9e-5, 1.0e-5, 1.2e-5));
    assert!(
        !(q1..=q3).contains(&s.mean),
        "the IQR must not include the mean {}",
        s.mean
    );
    // The mean ± std bar, by contrast, reaches below zero: off a log axis.
    let (low, high) = s.interval(Statistic::MeanSd);
    assert!(low < 0.0, "{low} {high}");
    assert_eq!(Statistic::MedianIqr.name(), "median [Q1, Q3]");
    assert_eq!(Statistic::MeanSd.name(), "mean ± sd");
}

#[test]
fn the_order_of_values_does_not_change_the_quartiles() {
    let forward = [0.91, 0.934, 0.957, 0.899, 0.962, 0.948, 0.5];
    let mut backward = forward;
    backward.reverse();
    let (a, b) = (
        Summary::from_values(&forward).unwrap(),
        Summary::from_values(&backward).unwrap(),
    );
    assert_eq!((a.q1, a.median, a.q3), (b.q1, b.median, b.q3));
    assert_eq!(a.median, 0.934);
}
