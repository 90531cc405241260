//! Fixed-seed examples of what the models reach, stated in the README. The seeds and data are
//! the first ones tried, not tuned; if a change breaks one of these, the change is suspect.

use data::{Blobs, Moons, train_test_split};
use models::{Classifier, LogisticRegressionConfig, MlpConfig};

use crate::common::rng;

#[test]
fn logistic_regression_on_slightly_overlapping_blobs() {
    // Means 5 standard deviations apart: Bayes error Φ(−2.5) ≈ 0.6 %.
    let blobs = Blobs::new(5.0).expect("valid");
    let data = blobs.generate(600, &mut rng(1)).expect("valid");
    let split = train_test_split(&data, 0.2, &mut rng(2)).expect("valid");
    let (model, report) = LogisticRegressionConfig::new()
        .with_learning_rate(0.1)
        .with_epochs(5000)
        .fit(&split.train, &mut rng(3))
        .expect("fits");
    let predicted = model.predict(split.test.features()).expect("valid input");
    let f1 = metrics::f1_score(split.test.labels().as_slice(), predicted.as_slice()).unwrap();
    assert!(f1 >= 0.99, "test F1 {f1}");
    assert!(
        report.final_train_loss() < 0.05,
        "{}",
        report.final_train_loss()
    );
}

#[test]
fn mlp_on_noisy_moons() {
    let data = Moons::new()
        .with_noise(0.2)
        .expect("valid")
        .generate(600, &mut rng(1))
        .expect("valid");
    let split = train_test_split(&data, 0.2, &mut rng(2)).expect("valid");
    let (model, _) = MlpConfig::new(&[2, 20, 20, 1])
        .with_learning_rate(0.1)
        .with_epochs(5000)
        .fit(&split.train, &mut rng(3))
        .expect("fits");
    let predicted = model.predict(split.test.features()).expect("valid input");
    let f1 = metrics::f1_score(split.test.labels().as_slice(), predicted.as_slice()).unwrap();
    assert!(f1 >= 0.95, "test F1 {f1}");
}
