//! Property tests: the metrics stay in range and never return NaN for any valid input, and the
//! identities that define them hold.

use approx::assert_relative_eq;
use metrics::{
    ClassificationReport, ConfusionMatrix, Summary, accuracy, f1_score, log_loss, precision,
    recall, roc_auc,
};
use proptest::prelude::*;

use crate::auc_by_pairs;

fn label() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0)]
}

/// Probabilities with the edges 0 and 1 drawn often.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), Just(0.5), 0.0..=1.0]
}

/// Scores drawn from a few integers (many ties) or from a wide continuous range.
fn score() -> impl Strategy<Value = f64> {
    prop_oneof![(-3i32..=3).prop_map(f64::from), -1e6..1e6]
}

/// Labels and scores of equal length, with both classes guaranteed present.
fn both_classes_with_scores() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec((label(), score()), 0..60).prop_flat_map(|rest| {
        (score(), score()).prop_map(move |(s0, s1)| {
            let mut y = vec![0.0, 1.0];
            let mut s = vec![s0, s1];
            for &(label, score) in &rest {
                y.push(label);
                s.push(score);
            }
            (y, s)
        })
    })
}

fn in_unit_interval(value: f64) -> bool {
    (0.0..=1.0).contains(&value)
}

proptest! {
    #[test]
    fn threshold_metrics_stay_in_unit_interval(
        pairs in prop::collection::vec((label(), label()), 1..80)
    ) {
        let (y_true, y_pred): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let cm = ConfusionMatrix::from_labels(&y_true, &y_pred).unwrap();
        prop_assert_eq!(cm.n_samples(), y_true.len());
        let (p, r, f1, acc) = (cm.precision(), cm.recall(), cm.f1(), cm.accuracy());
        for value in [p, r, f1, acc] {
            prop_assert!(in_unit_interval(value), "{} out of [0, 1] for {:?}", value, cm);
        }
        prop_assert_eq!(precision(&y_true, &y_pred).unwrap(), p);
        prop_assert_eq!(recall(&y_true, &y_pred).unwrap(), r);
        prop_assert_eq!(f1_score(&y_true, &y_pred).unwrap(), f1);
        prop_assert_eq!(accuracy(&y_true, &y_pred).unwrap(), acc);
        // F1 is the harmonic mean of P and R, so it lies between them.
        if p + r > 0.0 {
            assert_relative_eq!(f1, 2.0 * p * r / (p + r), max_relative = 1e-12);
        } else {
            prop_assert_eq!(f1, 0.0);
        }
        prop_assert!(p.min(r) - 1e-15 <= f1 && f1 <= p.max(r) + 1e-15);
    }

    #[test]
    fn log_loss_is_finite_and_bounded(
        pairs in prop::collection::vec((label(), probability()), 1..80)
    ) {
        let (y_true, p): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let loss = log_loss(&y_true, &p).unwrap();
        // The clipped cost of a single term is at most −ln(1 − (1 − 1e-15)) ≈ 34.5397.
        prop_assert!(loss.is_finite() && loss > 0.0 && loss < 34.55, "{}", loss);
    }

    #[test]
    fn auc_matches_pair_count_and_is_antisymmetric((y, s) in both_classes_with_scores()) {
        let auc = roc_auc(&y, &s).unwrap();
        prop_assert!(in_unit_interval(auc), "{}", auc);
        assert_relative_eq!(auc, auc_by_pairs(&y, &s), max_relative = 1e-12);
        // With ties counted as 1/2, reversing the order gives the complement.
        let negated: Vec<f64> = s.iter().map(|v| -v).collect();
        assert_relative_eq!(auc + roc_auc(&y, &negated).unwrap(), 1.0, max_relative = 1e-12);
        // So does swapping the classes.
        let flipped: Vec<f64> = y.iter().map(|v| 1.0 - v).collect();
        assert_relative_eq!(auc + roc_auc(&flipped, &s).unwrap(), 1.0, max_relative = 1e-12);
    }

    #[test]
    fn auc_depends_only_on_order(
        pairs in prop::collection::vec((label(), -50i32..50), 0..60)
    ) {
        let mut y = vec![0.0, 1.0];
        let mut s = vec![0.0, 0.0];
        for (label, score) in pairs {
            y.push(label);
            s.push(f64::from(score));
        }
        // An exact, strictly increasing map keeps every order and every tie.
        let mapped: Vec<f64> = s.iter().map(|v| 3.0 * v + 7.0).collect();
        prop_assert_eq!(roc_auc(&y, &s).unwrap(), roc_auc(&y, &mapped).unwrap());
    }

    #[test]
    fn report_is_consistent_with_thresholded_labels(
        pairs in prop::collection::vec((label(), probability()), 1..80),
        threshold in probability(),
    ) {
        let (y_true, p): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let report = ClassificationReport::new(&y_true, &p, threshold).unwrap();
        let y_pred: Vec<f64> = p.iter().map(|&v| if v >= threshold { 1.0 } else { 0.0 }).collect();
        prop_assert_eq!(report.confusion, ConfusionMatrix::from_labels(&y_true, &y_pred).unwrap());
        for value in [report.precision, report.recall, report.f1, report.accuracy] {
            prop_assert!(in_unit_interval(value), "{}", value);
        }
        prop_assert!(report.log_loss.is_finite());
    }

    #[test]
    fn summary_is_ordered_and_finite(values in prop::collection::vec(-1e6f64..1e6, 1..50)) {
        let s = Summary::from_values(&values).unwrap();
        prop_assert_eq!(s.n, values.len());
        prop_assert!(s.min <= s.mean && s.mean <= s.max, "{:?}", s);
        prop_assert!(s.std >= 0.0 && s.std.is_finite(), "{:?}", s);
        // Against the textbook two-pass formulas.
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        assert_relative_eq!(s.mean, mean, epsilon = 1e-9);
        if values.len() > 1 {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            assert_relative_eq!(s.std, var.sqrt(), epsilon = 1e-6, max_relative = 1e-9);
        } else {
            prop_assert_eq!(s.std, 0.0);
        }
    }

    #[test]
    fn summary_of_any_finite_values_is_never_nan(
        values in prop::collection::vec(prop::num::f64::NORMAL | prop::num::f64::ZERO | prop::num::f64::SUBNORMAL, 1..20)
    ) {
        let s = Summary::from_values(&values).unwrap();
        prop_assert!(s.mean.is_finite(), "{:?}", s);
        prop_assert!(s.min <= s.mean && s.mean <= s.max, "{:?}", s);
        prop_assert!(!s.std.is_nan() && s.std >= 0.0, "{:?}", s);
        prop_assert!(s.min <= s.q1 && s.q1 <= s.median, "{:?}", s);
        prop_assert!(s.median <= s.q3 && s.q3 <= s.max, "{:?}", s);
    }

    #[test]
    fn quartiles_match_the_type_7_formula(values in prop::collection::vec(-1e6f64..1e6, 1..50)) {
        let s = Summary::from_values(&values).unwrap();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        // The textbook form: 1-based position 1 + (n − 1)·p, interpolated.
        let quantile = |p: f64| {
            let position = 1.0 + (n - 1) as f64 * p;
            let k = position.floor() as usize;
            let fraction = position - k as f64;
            if k >= n { sorted[n - 1] } else { sorted[k - 1] + fraction * (sorted[k] - sorted[k - 1]) }
        };
        assert_relative_eq!(s.q1, quantile(0.25), epsilon = 1e-9);
        assert_relative_eq!(s.median, quantile(0.5), epsilon = 1e-9);
        assert_relative_eq!(s.q3, quantile(0.75), epsilon = 1e-9);
        // Half the values (rounded) lie on each side of the median.
        let below = sorted.iter().filter(|v| **v < s.median).count();
        let above = sorted.iter().filter(|v| **v > s.median).count();
        prop_assert!(below <= n / 2 && above <= n / 2, "{} {} {:?}", below, above, s);
    }
}
