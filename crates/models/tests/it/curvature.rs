//! The loss surface's curvature, and the parameter view training hands its observer.

use std::ops::ControlFlow;

use models::{
    Classifier, EpochProgress, LogisticRegression, LogisticRegressionConfig, MlpConfig, ModelView,
    TrainingObserver,
};

use crate::common::{random_dataset, rng};

/// Keeps a logistic-regression copy of the model at every epoch (when there is one) and the
/// layer sizes seen.
#[derive(Default)]
struct EveryEpoch {
    taken: Vec<LogisticRegression>,
    shapes: Vec<Vec<usize>>,
}

impl TrainingObserver for EveryEpoch {
    fn on_epoch(&mut self, progress: &EpochProgress) -> ControlFlow<()> {
        self.shapes.push(progress.model.layer_sizes());
        if let Some(model) = progress.model.to_logistic_regression() {
            self.taken.push(model);
        }
        ControlFlow::Continue(())
    }
}

#[test]
fn observer_view_snapshots_the_model_at_each_epoch() {
    let data = random_dataset(20, 3, 5);
    let config = LogisticRegressionConfig::new().with_epochs(4);
    let mut seen = EveryEpoch::default();
    let (model, report) = config
        .fit_with(&data, None, &mut rng(0), &mut seen)
        .expect("fits");
    assert_eq!(seen.taken.len(), 5);
    assert_eq!(
        seen.taken[4], model,
        "the last snapshot is the fitted model"
    );
    assert_eq!(seen.taken[0].weights().as_slice(), &[0.0; 3]);
    for (epoch, snapshot) in seen.taken.iter().enumerate() {
        let loss = snapshot.loss(&data).expect("same features");
        assert_eq!(
            loss.to_bits(),
            report.train_loss[epoch].to_bits(),
            "{epoch}"
        );
        assert_eq!(snapshot.trained_with(), model.trained_with());
    }

    // An MLP's view has hidden layers, so no logistic-regression copy.
    let mut seen = EveryEpoch::default();
    let (mlp, _) = MlpConfig::new(&[3, 4, 1])
        .with_epochs(2)
        .fit_with(&data, None, &mut rng(1), &mut seen)
        .expect("fits");
    assert!(seen.taken.is_empty());
    assert_eq!(seen.shapes, vec![vec![3, 4, 1]; 3]);
    let view = ModelView::from(&mlp);
    assert_eq!(view.to_mlp(), mlp);
    assert_eq!(view.n_parameters(), 4 * 4 + 5);
    assert_eq!(
        format!("{view:?}"),
        "ModelView { layer_sizes: [3, 4, 1], hidden_activation: Relu, .. }"
    );
    assert_eq!(
        ModelView::from(&model)
            .to_mlp()
            .predict_proba(data.features()),
        model.predict_proba(data.features())
    );
}
