//! Saved models: exact round trips, and a clear error for every kind of bad file.

use models::saved::{from_json, to_json};
use models::{
    Activation, Classifier, InputStandardization, LogisticRegression, LogisticRegressionConfig,
    Mlp, MlpConfig, ModelError, SavedModel,
};

use crate::common::{rng, two_clusters};

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn fitted_mlp() -> Mlp {
    let data = two_clusters(30, 1);
    MlpConfig::new(&[2, 7, 5, 1])
        .with_hidden_activation(Activation::Tanh)
        .with_epochs(50)
        .with_threshold(0.4)
        .fit(&data, &mut rng(1))
        .expect("fits")
        .0
}

fn fitted_logistic() -> LogisticRegression {
    let data = two_clusters(30, 2);
    LogisticRegressionConfig::new()
        .with_epochs(50)
        .with_l2(0.01)
        .with_eval_stride(10)
        .fit(&data, &mut rng(2))
        .expect("fits")
        .0
}

#[test]
fn round_trips_are_bit_identical() {
    let data = two_clusters(40, 9);
    let standardization = InputStandardization {
        means: vec![0.1, -0.2],
        scales: vec![1.5, 0.75],
    };
    for model in [
        SavedModel::Mlp(fitted_mlp()),
        SavedModel::Logistic(fitted_logistic()),
    ] {
        let json = to_json(&model, Some(&standardization));
        let loaded = from_json(&json).expect("reads back");
        assert_eq!(
            loaded.model, model,
            "weights, threshold and training settings"
        );
        assert_eq!(
            loaded.input_standardization.as_ref(),
            Some(&standardization)
        );
        let before = model.classifier().predict_proba(data.features()).unwrap();
        let after = loaded
            .model
            .classifier()
            .predict_proba(data.features())
            .unwrap();
        assert_eq!(bits(before.as_slice()), bits(after.as_slice()));
        // Writing the loaded model again gives the same text.
        assert_eq!(to_json(&loaded.model, Some(&standardization)), json);
    }
}

#[test]
fn the_layout_is_row_major_fan_in_by_fan_out() {
    let mlp = fitted_mlp();
    let json: serde_json::Value =
        serde_json::from_str(&to_json(&SavedModel::Mlp(mlp.clone()), None)).unwrap();
    let w0 = &json["layers"][0]["weights"];
    assert_eq!(w0.as_array().unwrap().len(), 2, "fan_in rows");
    assert_eq!(w0[0].as_array().unwrap().len(), 7, "fan_out columns");
    assert_eq!(w0[1][3].as_f64().unwrap(), mlp.layers()[0].weights[(1, 3)]);
    assert_eq!(json["layer_sizes"], serde_json::json!([2, 7, 5, 1]));
    assert_eq!(json["training"]["epochs"], 50);
    // The default evaluation stride is left out, so such files read in older versions too.
    assert!(json["training"].get("eval_stride").is_none());
    let logistic = to_json(&SavedModel::Logistic(fitted_logistic()), None);
    let json: serde_json::Value = serde_json::from_str(&logistic).unwrap();
    assert_eq!(json["training"]["eval_stride"], 10);
}

fn assert_bad(text: &str, check: impl Fn(&ModelError) -> bool, words: &[&str]) {
    let err = from_json(text).expect_err(text);
    assert!(check(&err), "{err:?}");
    let msg = err.to_string();
    for w in words {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
}

#[test]
fn bad_files_get_clear_errors() {
    let good = to_json(&SavedModel::Mlp(fitted_mlp()), None);
    let is_invalid = |e: &ModelError| matches!(e, ModelError::InvalidModelFile { .. });
    assert_bad("", is_invalid, &["invalid model file"]);
    assert_bad("not json", is_invalid, &["invalid model file"]);
    assert_bad(&good[..good.len() / 2], is_invalid, &["truncated"]);
    assert_bad(
        "{\"format\": \"something-else\"}",
        is_invalid,
        &["not a model file"],
    );
    assert_bad(
        &good.replace("\"format_version\": 1", "\"format_version\": 2"),
        |e| {
            matches!(
                e,
                ModelError::UnsupportedFormatVersion {
                    found: 2,
                    supported: 1,
                    ..
                }
            )
        },
        &["newer", "upgrade"],
    );
    assert_bad(
        &good.replace("\"format_version\": 1", "\"format_version\": 0"),
        |e| matches!(e, ModelError::UnsupportedFormatVersion { found: 0, .. }),
        &["version 0"],
    );
    assert_bad(
        &good.replace("\"kind\": \"mlp\"", "\"kind\": \"svm\""),
        is_invalid,
        &["svm"],
    );
    assert_bad(
        &good.replace(
            "\"hidden_activation\": \"tanh\"",
            "\"hidden_activation\": \"relu6\"",
        ),
        is_invalid,
        &["relu6"],
    );
    assert_bad(
        &good.replace("\"threshold\": 0.4", "\"threshold\": 0.4, \"extra\": 1"),
        is_invalid,
        &["extra"],
    );
    assert_bad(
        &good.replace(
            "\"layer_sizes\": [\n    2,\n    7,",
            "\"layer_sizes\": [\n    2,\n    8,",
        ),
        |e| {
            matches!(
                e,
                ModelError::ParameterShape {
                    layer: 0,
                    tensor: "weights",
                    ..
                }
            )
        },
        &["layer 0 weights"],
    );
    let mut value: serde_json::Value = serde_json::from_str(&good).unwrap();
    value["layers"][1]["weights"][2] = serde_json::json!([1.0]);
    assert_bad(&value.to_string(), is_invalid, &["row 2"]);
    let mut value: serde_json::Value = serde_json::from_str(&good).unwrap();
    value["layers"][2]["biases"] = serde_json::json!([1.0, 2.0]);
    assert_bad(
        &value.to_string(),
        |e| {
            matches!(
                e,
                ModelError::ParameterShape {
                    layer: 2,
                    tensor: "biases",
                    ..
                }
            )
        },
        &["biases"],
    );
    let mut value: serde_json::Value = serde_json::from_str(&good).unwrap();
    value["training"]["learning_rate"] = serde_json::json!(-1.0);
    assert_bad(
        &value.to_string(),
        |e| {
            matches!(
                e,
                ModelError::InvalidHyperparameter {
                    field: "learning_rate",
                    ..
                }
            )
        },
        &["learning_rate"],
    );
}

#[test]
fn fitted_models_are_send_sync_clone_debug_and_boxable() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    assert_traits::<Mlp>();
    assert_traits::<LogisticRegression>();
    let boxed: Vec<Box<dyn Classifier>> = vec![Box::new(fitted_mlp()), Box::new(fitted_logistic())];
    assert!(boxed.iter().all(|m| m.n_features() == 2));
}
