//! The README's library example: a dataset from your own numbers, a fitted model, a saved and
//! loaded file, and a prediction. A test builds this file as a crate of its own that depends on
//! `models` alone (`tests/it/readme.rs`), so `use models::prelude::*` is all it needs.
//!
//! Run: `cargo run -p models --example readme`

use models::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Length (cm) and weight (kg) of six pets, and which they are: 0 = cat, 1 = dog.
    let x = [30., 4., 25., 3.5, 35., 5., 60., 25., 70., 30., 55., 20.];
    let y = Vector::from_vec(vec![0., 0., 0., 1., 1., 1.]);
    let pets = Dataset::new(Matrix::from_row_slice(6, 2, &x), y)?
        .with_class_labels(ClassLabels::new("cat", "dog")?);

    let (model, _report) = MlpConfig::new(&[2, 8, 1])
        .with_learning_rate(0.1)
        .with_standardization(Standardize::FromTrainingData)
        .fit(&pets, &mut ChaCha8Rng::seed_from_u64(7))?;

    let path = std::env::temp_dir().join("pets.json");
    model.save(&path)?;
    let loaded = Mlp::load(&path)?;
    let guess = loaded.predict(&Matrix::from_row_slice(2, 2, &[28., 4.5, 65., 27.]))?;
    let labels = loaded.class_labels();
    let names: Vec<&str> = guess.iter().map(|&g| labels.name(g)).collect();
    assert_eq!(names, ["cat", "dog"]);
    println!("{names:?}");
    Ok(())
}
