//! Fit logistic regression on two slightly overlapping Gaussian blobs and check it gets close
//! to the best possible classifier (the blobs' Bayes error is known in closed form).
//!
//! Run: `cargo run -p models --example logistic_blobs`

use data::{Blobs, train_test_split};
use models::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let blobs = Blobs::new(4.0)?; // means 4 standard deviations apart
    let split = train_test_split(&blobs.generate(2000, &mut rng)?, 0.25, &mut rng)?;

    let (model, report) = LogisticRegressionConfig::new()
        .with_learning_rate(0.1)
        .with_epochs(2000)
        .fit(&split.train, &mut rng)?;

    let predicted = model.predict(split.test.features())?;
    let accuracy = metrics::accuracy(split.test.labels().as_slice(), predicted.as_slice())?;
    let best = 1.0 - blobs.bayes_error_rate();
    println!(
        "weights {:?}, bias {:.4}",
        model.weights().as_slice(),
        model.bias()
    );
    println!("final loss {:.4}", report.final_train_loss());
    println!("test accuracy {accuracy:.4}; the best possible is {best:.4}");

    // The answer to check: within two percentage points of the Bayes-optimal accuracy, and
    // the boundary is (nearly) the vertical line x1 = 0 between the two means.
    assert!(accuracy > best - 0.02, "accuracy {accuracy} vs best {best}");
    let w = model.weights();
    assert!(w[0] > 10.0 * w[1].abs() && model.bias().abs() < 0.2 * w[0]);
    println!("ok");
    Ok(())
}
