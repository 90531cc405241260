//! Load a model from its JSON text and predict. The model here is written by hand, to show the
//! format: one layer (logistic regression) with weights [[2.0], [-1.0]] and bias 0.5 on the
//! features `height` and `weight`, classes `no` and `yes`, so P(yes | x) = σ(2·height − weight
//! + 0.5).
//!
//! Run: `cargo run -p models --example load_and_predict`

use models::prelude::*;

const MODEL: &str = r#"{
  "format": "binclass-model",
  "format_version": 2,
  "kind": "logistic",
  "layer_sizes": [2, 1],
  "feature_names": ["height", "weight"],
  "class_labels": ["no", "yes"],
  "hidden_activation": "identity",
  "threshold": 0.5,
  "training": null,
  "input_standardization": null,
  "layers": [ { "weights": [[2.0], [-1.0]], "biases": [0.5] } ]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = LogisticRegression::from_json(MODEL)?;
    let x = Matrix::from_row_slice(3, 2, &[0.0, 0.0, 1.0, 3.0, -1.0, -2.0]);
    let p = model.predict_proba(&x)?;
    let labels = model.predict(&x)?;
    let names = model.feature_names();
    for i in 0..x.nrows() {
        println!(
            "{} = {}, {} = {}: p = {:.4}, {}",
            names[0],
            x[(i, 0)],
            names[1],
            x[(i, 1)],
            p[i],
            model.class_labels().name(labels[i])
        );
    }

    // The answer to check: the probabilities are σ(2·height − weight + 0.5), computed by hand.
    for i in 0..x.nrows() {
        let expected = core_linalg::sigmoid(2.0 * x[(i, 0)] - x[(i, 1)] + 0.5);
        assert!((p[i] - expected).abs() < 1e-15);
    }
    assert_eq!(labels.as_slice(), &[1.0, 0.0, 1.0]);
    assert_eq!(model.class_labels().name(labels[1]), "no");
    println!("ok");
    Ok(())
}
