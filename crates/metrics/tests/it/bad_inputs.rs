//! Every function rejects bad slices with a typed error whose message names the argument, the
//! index, the value and what is allowed (BAD_INPUTS.md, "Metrics and numerics").

use metrics::{
    Argument, ClassificationReport, ConfusionMatrix, MetricsError, accuracy, f1_score, log_loss,
    precision, recall, roc_auc,
};

type Metric = fn(&[f64], &[f64]) -> Result<f64, MetricsError>;

/// Every function of `(y_true, other)`, with the argument name of `other`.
fn all_metrics() -> [(&'static str, Argument, Metric); 7] {
    [
        ("precision", Argument::YPred, precision),
        ("recall", Argument::YPred, recall),
        ("f1_score", Argument::YPred, f1_score),
        ("accuracy", Argument::YPred, accuracy),
        ("log_loss", Argument::Probabilities, log_loss),
        ("roc_auc", Argument::Scores, roc_auc),
        ("report", Argument::Probabilities, |y, p| {
            ClassificationReport::new(y, p, 0.5).map(|r| r.f1)
        }),
    ]
}

#[test]
fn empty_inputs() {
    for (name, _, metric) in all_metrics() {
        let err = metric(&[], &[]).unwrap_err();
        assert_eq!(
            err,
            MetricsError::Empty {
                argument: Argument::YTrue
            },
            "{name}"
        );
        assert_eq!(
            err.to_string(),
            "y_true is empty: at least one sample is needed"
        );
    }
}

#[test]
fn mismatched_lengths() {
    for (name, argument, metric) in all_metrics() {
        let err = metric(&[0.0, 1.0, 1.0], &[1.0, 0.0]).unwrap_err();
        assert_eq!(
            err,
            MetricsError::LengthMismatch {
                argument,
                expected: 3,
                found: 2
            },
            "{name}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("y_true has 3 values but {argument} has 2")),
            "{message}"
        );
    }
}

#[test]
fn true_labels_other_than_zero_or_one() {
    for bad in [f64::NAN, 0.5, 2.0, -1.0, f64::INFINITY] {
        for (name, _, metric) in all_metrics() {
            let err = metric(&[0.0, 1.0, bad], &[0.0, 1.0, 1.0]).unwrap_err();
            assert!(
                matches!(err, MetricsError::InvalidLabel { argument: Argument::YTrue, index: 2, value } if value.to_bits() == bad.to_bits()),
                "{name}: {err}"
            );
        }
    }
}

#[test]
fn predicted_labels_other_than_zero_or_one() {
    let err = ConfusionMatrix::from_labels(&[0.0, 1.0], &[0.0, 0.7]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "y_pred[1] = 0.7 is not a binary label: labels and predictions must be exactly 0 or 1"
    );
    let err = accuracy(&[0.0, 1.0], &[f64::NAN, 1.0]).unwrap_err();
    assert!(err.to_string().starts_with("y_pred[0] = NaN"), "{err}");
}

#[test]
fn nan_probabilities_in_the_report() {
    let err = ClassificationReport::new(&[0.0, 1.0], &[0.5, f64::NAN], 0.5).unwrap_err();
    assert!(matches!(
        err,
        MetricsError::InvalidProbability { index: 1, value } if value.is_nan()
    ));
}

#[test]
fn messages_are_lowercase_and_say_what_is_allowed() {
    let errors = [
        precision(&[], &[]).unwrap_err(),
        recall(&[1.0], &[]).unwrap_err(),
        f1_score(&[3.0], &[1.0]).unwrap_err(),
        log_loss(&[1.0], &[-0.5]).unwrap_err(),
        roc_auc(&[0.0, 1.0], &[0.0, f64::NAN]).unwrap_err(),
        roc_auc(&[0.0, 0.0], &[0.0, 1.0]).unwrap_err(),
        ClassificationReport::new(&[1.0], &[1.0], f64::NAN).unwrap_err(),
        metrics::Summary::from_values(&[f64::NEG_INFINITY]).unwrap_err(),
    ];
    for err in errors {
        let message = err.to_string();
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{message}");
        assert!(message.contains(": "), "no fix given: {message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}
