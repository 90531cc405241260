//! A fitted model records the feature names and the two class labels of its training data,
//! and keeps them through saving and loading.

use models::{
    ClassLabels, Classifier, Dataset, LogisticRegression, LogisticRegressionConfig, Matrix, Mlp,
    MlpConfig, SavedModel, Standardize, Vector,
};

use crate::common::{rng, scratch};

const PETS: &str = "length,weight,pet\n\
    30,4,cat\n25,3.5,cat\n35,5,cat\n28,4.2,cat\n\
    60,25,dog\n70,30,dog\n55,20,dog\n65,28,dog\n";

fn pets() -> Dataset {
    data::read_csv_from(PETS.as_bytes(), "pets.csv").unwrap()
}

#[test]
fn a_model_records_the_names_and_labels_of_its_training_data() {
    let data = pets();
    let (logistic, _) = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .with_epochs(200)
        .with_standardization(Standardize::FromTrainingData)
        .fit(&data, &mut rng(1))
        .unwrap();
    let (mlp, _) = MlpConfig::new(&[2, 4, 1])
        .with_learning_rate(0.5)
        .with_epochs(200)
        .with_standardization(Standardize::FromTrainingData)
        .fit(&data, &mut rng(2))
        .unwrap();
    let dir = scratch("names");
    for model in [SavedModel::Logistic(logistic), SavedModel::Mlp(mlp)] {
        let kind = model.kind();
        assert_eq!(model.feature_names(), ["length", "weight"], "{kind}");
        assert_eq!(
            model.class_labels(),
            &ClassLabels::new("cat", "dog").unwrap(),
            "{kind}"
        );
        let predicted = model.classifier().predict(data.features()).unwrap();
        let names: Vec<&str> = predicted
            .iter()
            .map(|&p| model.class_labels().name(p))
            .collect();
        assert_eq!(
            names,
            ["cat", "cat", "cat", "cat", "dog", "dog", "dog", "dog"],
            "{kind}"
        );

        let path = dir.join(format!("{kind}.json"));
        model.save(&path).unwrap();
        let loaded = SavedModel::load(&path).unwrap();
        assert_eq!(loaded.feature_names(), model.feature_names(), "{kind}");
        assert_eq!(loaded.class_labels(), model.class_labels(), "{kind}");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            json["feature_names"],
            serde_json::json!(["length", "weight"])
        );
        assert_eq!(json["class_labels"], serde_json::json!(["cat", "dog"]));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn numeric_labels_other_than_0_and_1_are_kept() {
    let data = data::read_csv_from("a,b,y\n0,0,1\n0,1,1\n3,0,2\n3,1,2\n".as_bytes(), "t").unwrap();
    let (model, _) = LogisticRegressionConfig::new()
        .with_learning_rate(0.5)
        .with_epochs(200)
        .fit(&data, &mut rng(1))
        .unwrap();
    let labels = model.class_labels();
    assert_eq!((labels.negative(), labels.positive()), ("1", "2"));
    assert_eq!(model.predict(data.features()).unwrap(), *data.labels());
    assert_eq!(labels.label_of("2.0"), Some(1.0));
}

#[test]
fn models_not_fitted_on_data_have_the_default_names() {
    let mlp: Mlp = MlpConfig::new(&[3, 2, 1]).initialise(&mut rng(1)).unwrap();
    assert_eq!(mlp.feature_names(), ["x1", "x2", "x3"]);
    assert_eq!(mlp.class_labels(), &ClassLabels::default());
    let built = LogisticRegression::from_parameters(Vector::from_vec(vec![1.0]), 0.0, 0.5).unwrap();
    assert_eq!(built.feature_names(), ["x1"]);
    // A dataset built from numbers has them too, and so does what is fitted on it.
    let data = Dataset::new(
        Matrix::from_row_slice(2, 1, &[0.0, 1.0]),
        Vector::from_vec(vec![0.0, 1.0]),
    )
    .unwrap();
    let (fitted, _) = LogisticRegressionConfig::new()
        .fit(&data, &mut rng(1))
        .unwrap();
    assert_eq!(fitted.feature_names(), ["x1"]);
    assert_eq!(fitted.class_labels().name(1.0), "1");
}
