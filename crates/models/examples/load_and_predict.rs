//! Load a model from its JSON text and predict. The model here is written by hand, to show the
//! format: one layer (logistic regression) with weights [[2.0], [-1.0]] and bias 0.5, so
//! P(y = 1 | x) = σ(2·x1 − x2 + 0.5).
//!
//! Run: `cargo run -p models --example load_and_predict`

use core_linalg::{Matrix, sigmoid};
use models::saved;

const MODEL: &str = r#"{
  "format": "binclass-model",
  "format_version": 1,
  "kind": "logistic",
  "layer_sizes": [2, 1],
  "hidden_activation": "identity",
  "threshold": 0.5,
  "training": null,
  "input_standardization": null,
  "layers": [ { "weights": [[2.0], [-1.0]], "biases": [0.5] } ]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let loaded = saved::from_json(MODEL)?;
    let model = loaded.model.classifier();
    let x = Matrix::from_row_slice(3, 2, &[0.0, 0.0, 1.0, 3.0, -1.0, -2.0]);
    let p = model.predict_proba(&x)?;
    let labels = model.predict(&x)?;
    for i in 0..x.nrows() {
        println!(
            "x = {:?}: p = {:.4}, label {}",
            [x[(i, 0)], x[(i, 1)]],
            p[i],
            labels[i]
        );
    }

    // The answer to check: the probabilities are σ(2·x1 − x2 + 0.5), computed by hand.
    for i in 0..x.nrows() {
        let expected = sigmoid(2.0 * x[(i, 0)] - x[(i, 1)] + 0.5);
        assert!((p[i] - expected).abs() < 1e-15);
    }
    assert_eq!(labels.as_slice(), &[1.0, 0.0, 1.0]);
    println!("ok");
    Ok(())
}
