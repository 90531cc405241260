//! Log loss: pinned values, clipping at 0 and 1, and rejected probabilities.

use approx::assert_relative_eq;
use core_linalg::PROBABILITY_EPSILON;
use metrics::{MetricsError, log_loss};

#[test]
fn three_sample_example() {
    // y = [1, 0, 1], p = [0.9, 0.2, 0.6]. Per sample: −ln 0.9, −ln(1 − 0.2) = −ln 0.8, −ln 0.6.
    // Mean = (0.1053605157 + 0.2231435513 + 0.5108256238) / 3 = 0.2797765636 (40-digit decimal:
    // 0.27977656357934224673...). scikit-learn: log_loss([1, 0, 1], [0.9, 0.2, 0.6]) agrees.
    let loss = log_loss(&[1.0, 0.0, 1.0], &[0.9, 0.2, 0.6]).unwrap();
    assert_relative_eq!(loss, 0.279_776_563_579_342_2, max_relative = 1e-15);
}

#[test]
fn uninformative_probability_costs_ln_2() {
    let loss = log_loss(&[0.0, 1.0, 1.0, 0.0, 1.0], &[0.5; 5]).unwrap();
    assert_relative_eq!(loss, std::f64::consts::LN_2, max_relative = 1e-15);
}

#[test]
fn certain_and_wrong_is_clipped_and_finite() {
    // p = 0 for a positive and p = 1 for a negative: each term is capped near −ln(1e-15) ≈ 34.54.
    let loss = log_loss(&[1.0, 0.0], &[0.0, 1.0]).unwrap();
    assert!(loss.is_finite());
    assert_relative_eq!(loss, -PROBABILITY_EPSILON.ln(), max_relative = 1e-4);
}

#[test]
fn certain_and_right_is_tiny_but_positive() {
    let loss = log_loss(&[1.0, 0.0], &[1.0, 0.0]).unwrap();
    assert!(loss > 0.0 && loss < 1e-14, "{loss}");
}

#[test]
fn nan_and_out_of_range_probabilities_are_errors() {
    for (bad, index) in [(f64::NAN, 0), (f64::NEG_INFINITY, 1), (1.0 + 1e-12, 2)] {
        let mut p = [0.5, 0.5, 0.5];
        p[index] = bad;
        match log_loss(&[0.0, 1.0, 0.0], &p) {
            Err(MetricsError::InvalidProbability { index: i, value }) => {
                assert_eq!(i, index);
                assert_eq!(value.to_bits(), bad.to_bits());
            }
            other => panic!("expected InvalidProbability, got {other:?}"),
        }
    }
}

#[test]
fn logits_are_rejected_with_a_hint() {
    let err = log_loss(&[1.0], &[2.3]).unwrap_err().to_string();
    assert!(
        err.contains("probabilities[0] = 2.3") && err.contains("not logits"),
        "{err}"
    );
}
