//! Fit an MLP on noisy moons, save it as JSON, and check the saved file predicts the same.
//!
//! Run: `cargo run -p models --example mlp_moons_save`

use data::{Moons, train_test_split};
use models::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let moons = Moons::new().with_noise(0.15)?.generate(600, &mut rng)?;
    let split = train_test_split(&moons, 0.2, &mut rng)?;

    let (mlp, report) = MlpConfig::new(&[2, 16, 16, 1])
        .with_learning_rate(0.1)
        .with_epochs(3000)
        .fit(&split.train, &mut rng)?;
    let predicted = mlp.predict(split.test.features())?;
    let f1 = metrics::f1_score(split.test.labels().as_slice(), predicted.as_slice())?;
    println!(
        "final training loss {:.4}, test F1 {f1:.4}",
        report.final_train_loss()
    );

    let path = std::env::temp_dir().join("binclass-example-moons.json");
    mlp.save(&path)?;
    println!("saved {}", path.display());

    // The answer to check: a good fit, and a reloaded model with bit-identical predictions.
    let loaded = Mlp::load(&path)?;
    let again = loaded.predict_proba(split.test.features())?;
    assert_eq!(again, mlp.predict_proba(split.test.features())?);
    assert!(f1 > 0.95, "F1 {f1}");
    println!("ok");
    Ok(())
}
