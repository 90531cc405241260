//! Saved models: exact round trips, and a clear error for every kind of bad file.

use models::saved::{from_json, to_json};
use models::{
    Activation, ClassLabels, Classifier, InputStandardization, LogisticRegression,
    LogisticRegressionConfig, Matrix, Mlp, MlpConfig, ModelError, SavedModel,
};

use crate::common::{rng, scratch, two_clusters};

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
        &good.replace("\"format_version\": 2", "\"format_version\": 3"),
        |e| {
            matches!(
                e,
                ModelError::UnsupportedFormatVersion {
                    found: 3,
                    supported: 2,
                    ..
                }
            )
        },
        &["newer", "upgrade", "reads versions 1 to 2"],
    );
    assert_bad(
        &good.replace("\"format_version\": 2", "\"format_version\": 0"),
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

/// A version-1 file, as this crate wrote them before feature names and class labels: logistic
/// regression `σ(2·x1' − x2' + 0.5)` on inputs standardised with means (1, −1) and scales
/// (2, 0.5).
const VERSION_1: &str = r#"{
  "format": "binclass-model",
  "format_version": 1,
  "kind": "logistic",
  "layer_sizes": [2, 1],
  "hidden_activation": "identity",
  "threshold": 0.5,
  "training": null,
  "input_standardization": { "means": [1.0, -1.0], "scales": [2.0, 0.5] },
  "layers": [ { "weights": [[2.0], [-1.0]], "biases": [0.5] } ]
}"#;

#[test]
fn version_1_files_still_load_with_default_names() {
    // The older interface: the model without its standardisation, and the standardisation.
    let loaded = from_json(VERSION_1).unwrap();
    assert_eq!(
        loaded.input_standardization,
        Some(InputStandardization {
            means: vec![1.0, -1.0],
            scales: vec![2.0, 0.5]
        })
    );
    assert_eq!(loaded.model.feature_names(), ["x1", "x2"]);
    assert_eq!(loaded.model.class_labels(), &ClassLabels::default());

    // A model loaded by its type applies it: it takes raw features.
    let model = LogisticRegression::from_json(VERSION_1).unwrap();
    assert_eq!(model.standardization().unwrap().scales(), &[2.0, 0.5]);
    let x = Matrix::from_row_slice(2, 2, &[3.0, 0.0, -1.0, 2.0]);
    let p = model.predict_proba(&x).unwrap();
    for i in 0..2 {
        let z = 2.0 * (x[(i, 0)] - 1.0) / 2.0 - (x[(i, 1)] + 1.0) / 0.5 + 0.5;
        assert!((p[i] - core_linalg::sigmoid(z)).abs() < 1e-15, "row {i}");
    }
    // Saved again, it is a version-2 file with the default names.
    let json: serde_json::Value = serde_json::from_str(&model.to_json()).unwrap();
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["feature_names"], serde_json::json!(["x1", "x2"]));
    assert_eq!(json["class_labels"], serde_json::json!(["0", "1"]));
    assert_eq!(
        LogisticRegression::from_json(&model.to_json()).unwrap(),
        model
    );
}

#[test]
fn version_2_names_and_labels_are_checked() {
    let good: serde_json::Value = serde_json::from_str(&fitted_mlp().to_json()).unwrap();
    let is_invalid = |e: &ModelError| matches!(e, ModelError::InvalidModelFile { .. });
    let edited = |key: &str, value: serde_json::Value| {
        let mut file = good.clone();
        match value {
            serde_json::Value::Null => {
                file.as_object_mut().unwrap().remove(key);
            }
            value => file[key] = value,
        }
        file.to_string()
    };
    use serde_json::{Value, json};
    for (key, value, words) in [
        (
            "feature_names",
            Value::Null,
            &["\"feature_names\" or \"class_labels\" is missing"][..],
        ),
        ("class_labels", Value::Null, &["is missing"]),
        (
            "feature_names",
            json!(["a"]),
            &["feature_names", "1 feature names for 2"],
        ),
        (
            "feature_names",
            json!(["a", "a"]),
            &["feature_names", "\"a\" is given to columns 0 and 1"],
        ),
        (
            "class_labels",
            json!(["dog", "cat"]),
            &["class_labels", "wrong order"],
        ),
        (
            "class_labels",
            json!(["1", "1.0"]),
            &["class_labels", "both class labels are \"1\""],
        ),
        ("class_labels", json!(["0"]), &["invalid model file"]),
    ] {
        assert_bad(&edited(key, value), is_invalid, words);
    }
    let mut v1 = good.clone();
    v1["format_version"] = json!(1);
    assert_bad(&v1.to_string(), is_invalid, &["came with format version 2"]);
}

#[test]
fn each_model_saves_and_loads_itself_and_refuses_the_other_kind() {
    let dir = scratch("save-load");
    let data = two_clusters(20, 4);
    let (mlp, logistic) = (fitted_mlp(), fitted_logistic());
    let (mlp_path, logistic_path) = (dir.join("mlp.json"), dir.join("logistic.json"));
    mlp.save(&mlp_path).unwrap();
    logistic.save(&logistic_path).unwrap();

    let mlp_again = Mlp::load(&mlp_path).unwrap();
    assert_eq!(mlp_again, mlp);
    assert_eq!(
        bits(mlp_again.predict_proba(data.features()).unwrap().as_slice()),
        bits(mlp.predict_proba(data.features()).unwrap().as_slice())
    );
    assert_eq!(LogisticRegression::load(&logistic_path).unwrap(), logistic);
    assert_eq!(Mlp::from_json(&mlp.to_json()).unwrap(), mlp);
    // One layout: the model's own text is what the generic writer gives.
    assert_eq!(mlp.to_json(), to_json(&SavedModel::Mlp(mlp.clone()), None));
    assert_eq!(std::fs::read_to_string(&mlp_path).unwrap(), mlp.to_json());
    // The generic loader takes either kind.
    assert_eq!(
        SavedModel::load(&logistic_path).unwrap(),
        SavedModel::Logistic(logistic)
    );

    let err = LogisticRegression::load(&mlp_path).unwrap_err();
    match &err {
        ModelError::InModelFile { path, error } => {
            assert_eq!(path, &mlp_path);
            assert_eq!(
                **error,
                ModelError::WrongModelKind {
                    expected: "logistic",
                    found: "mlp"
                }
            );
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&mlp_path.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("holds a \"mlp\" model, not \"logistic\""),
        "{message}"
    );
    assert!(matches!(
        Mlp::from_json(&std::fs::read_to_string(&logistic_path).unwrap()),
        Err(ModelError::WrongModelKind {
            expected: "mlp",
            found: "logistic"
        })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_errors_name_the_path_and_leave_the_old_file() {
    let dir = scratch("file-errors");
    let mlp = fitted_mlp();

    let missing = dir.join("missing.json");
    let err = Mlp::load(&missing).unwrap_err();
    assert!(
        matches!(&err, ModelError::ReadModelFile { kind: std::io::ErrorKind::NotFound, path, .. } if *path == missing),
        "{err:?}"
    );
    assert!(err.to_string().contains("cannot read model file"), "{err}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let nowhere = dir.join("no-such-folder").join("model.json");
    let err = mlp.save(&nowhere).unwrap_err();
    assert!(
        matches!(&err, ModelError::WriteModelFile { path, .. } if *path == nowhere),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&nowhere.display().to_string()),
        "{err}"
    );

    // A folder at the path is not replaced.
    let folder = dir.join("folder.json");
    std::fs::create_dir(&folder).unwrap();
    assert!(matches!(
        mlp.save(&folder),
        Err(ModelError::WriteModelFile { .. })
    ));
    assert!(folder.is_dir());

    // A corrupt file is an error naming it, around the parse error.
    let corrupt = dir.join("corrupt.json");
    std::fs::write(&corrupt, &mlp.to_json()[..100]).unwrap();
    let err = SavedModel::load(&corrupt).unwrap_err();
    assert!(
        matches!(&err, ModelError::InModelFile { error, .. } if matches!(**error, ModelError::InvalidModelFile { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");

    // Saving over a file replaces it whole, leaving nothing else in the folder.
    let path = dir.join("model.json");
    fitted_logistic().save(&path).unwrap();
    mlp.save(&path).unwrap();
    assert_eq!(Mlp::load(&path).unwrap(), mlp);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["corrupt.json", "folder.json", "model.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
