//! Sweep axes and points, typed: an [`Axis`] names what is swept, an [`AxisValue`] holds one
//! value as the number (or activation, or switch) it is, from the study file to the model.

use std::fmt;

use core_linalg::Activation;
use serde::Serialize;

/// What a sweep varies. The order of [`Axis::ALL`] is the order of a point's values and of
/// `results.csv`'s axis columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// The width of every hidden layer.
    Width,
    /// The number of hidden layers.
    Depth,
    /// The hidden activation.
    Activation,
    /// The learning rate.
    LearningRate,
    /// The dataset's noise.
    Noise,
    /// The dataset's feature scale.
    Scale,
    /// Standardising the features off or on.
    Standardize,
    /// Early stopping off or on.
    EarlyStopping,
    /// The training length in epochs.
    Epochs,
}

impl Axis {
    /// Every axis, in point order.
    pub const ALL: [Axis; 9] = [
        Axis::Width,
        Axis::Depth,
        Axis::Activation,
        Axis::LearningRate,
        Axis::Noise,
        Axis::Scale,
        Axis::Standardize,
        Axis::EarlyStopping,
        Axis::Epochs,
    ];

    /// The key under `[sweep]`, also the axis's column name and label prefix: `width`,
    /// `depth`, `activation`, `learning_rate`, `noise`, `scale`, `standardize`,
    /// `early_stopping`, `epochs`.
    pub fn key(self) -> &'static str {
        match self {
            Axis::Width => "width",
            Axis::Depth => "depth",
            Axis::Activation => "activation",
            Axis::LearningRate => "learning_rate",
            Axis::Noise => "noise",
            Axis::Scale => "scale",
            Axis::Standardize => "standardize",
            Axis::EarlyStopping => "early_stopping",
            Axis::Epochs => "epochs",
        }
    }

    /// The axis whose key is `key`, if any.
    pub fn from_key(key: &str) -> Option<Axis> {
        Axis::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The axis in words, for axis labels: `neurons per hidden layer`, `hidden layers`, …
    pub fn words(self) -> &'static str {
        match self {
            Axis::Width => "neurons per hidden layer",
            Axis::Depth => "hidden layers",
            Axis::Activation => "hidden activation",
            Axis::LearningRate => "learning rate",
            Axis::Noise => "dataset noise",
            Axis::Scale => "feature scale",
            Axis::Standardize => "standardised features",
            Axis::EarlyStopping => "early stopping",
            Axis::Epochs => "training epochs",
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One swept value, typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AxisValue {
    /// Neurons in every hidden layer.
    Width(usize),
    /// Hidden layers.
    Depth(usize),
    /// The hidden activation.
    Activation(Activation),
    /// The learning rate.
    LearningRate(f64),
    /// The dataset's noise.
    Noise(f64),
    /// The dataset's feature scale.
    Scale(f64),
    /// Standardising the features on (`true`) or off.
    Standardize(bool),
    /// Early stopping on (`true`) or off.
    EarlyStopping(bool),
    /// Training epochs (as the study file gives them, before `--quick`).
    Epochs(usize),
}

impl AxisValue {
    /// The axis this value belongs to.
    pub fn axis(&self) -> Axis {
        match self {
            AxisValue::Width(_) => Axis::Width,
            AxisValue::Depth(_) => Axis::Depth,
            AxisValue::Activation(_) => Axis::Activation,
            AxisValue::LearningRate(_) => Axis::LearningRate,
            AxisValue::Noise(_) => Axis::Noise,
            AxisValue::Scale(_) => Axis::Scale,
            AxisValue::Standardize(_) => Axis::Standardize,
            AxisValue::EarlyStopping(_) => Axis::EarlyStopping,
            AxisValue::Epochs(_) => Axis::Epochs,
        }
    }

    /// The value as a number on a chart's x axis: widths, depths, learning rates, noises,
    /// scales and epochs; `None` for activations and switches, which are categories.
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            AxisValue::Width(n) | AxisValue::Depth(n) | AxisValue::Epochs(n) => Some(n as f64),
            AxisValue::LearningRate(x) | AxisValue::Noise(x) | AxisValue::Scale(x) => Some(x),
            AxisValue::Activation(_) | AxisValue::EarlyStopping(_) | AxisValue::Standardize(_) => {
                None
            }
        }
    }

    /// The value as a reader says it: switches (early stopping, standardisation) `on`/`off`
    /// rather than `true`/`false`.
    pub fn spoken(&self) -> String {
        match self {
            AxisValue::EarlyStopping(true) | AxisValue::Standardize(true) => "on".to_owned(),
            AxisValue::EarlyStopping(false) | AxisValue::Standardize(false) => "off".to_owned(),
            other => other.to_string(),
        }
    }
}

/// The value as the study file writes it (`3`, `sigmoid`, `0.001`, `true`): the text of point
/// labels and of `results.csv`'s axis columns. Numbers use Rust's shortest round-trip form.
impl fmt::Display for AxisValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxisValue::Width(n) | AxisValue::Depth(n) | AxisValue::Epochs(n) => write!(f, "{n}"),
            AxisValue::Activation(a) => f.write_str(a.name()),
            AxisValue::LearningRate(x) | AxisValue::Noise(x) | AxisValue::Scale(x) => {
                write!(f, "{x}")
            }
            AxisValue::EarlyStopping(on) | AxisValue::Standardize(on) => write!(f, "{on}"),
        }
    }
}

/// One point of the sweep: a value for each swept axis, in axis order (none without a sweep).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The point's label, e.g. `depth=6,activation=sigmoid` (`all` without a sweep): its name in
    /// tables and in `[[original]]` rows.
    pub label: String,
    /// The swept values, in axis order.
    pub values: Vec<AxisValue>,
    /// The original project's numbers for this point, when the study file gives them.
    pub original: Option<Original>,
}

impl Point {
    /// A point with these values, labelled from them.
    pub fn new(values: Vec<AxisValue>) -> Self {
        let label = if values.is_empty() {
            "all".to_owned()
        } else {
            values
                .iter()
                .map(|v| format!("{}={v}", v.axis()))
                .collect::<Vec<_>>()
                .join(",")
        };
        Point {
            label,
            values,
            original: None,
        }
    }

    /// The value of `axis` at this point, when it is swept.
    pub fn value(&self, axis: Axis) -> Option<AxisValue> {
        self.values.iter().copied().find(|v| v.axis() == axis)
    }

    /// The swept learning rate.
    pub fn learning_rate(&self) -> Option<f64> {
        match self.value(Axis::LearningRate)? {
            AxisValue::LearningRate(x) => Some(x),
            _ => None,
        }
    }

    /// The swept noise.
    pub fn noise(&self) -> Option<f64> {
        match self.value(Axis::Noise)? {
            AxisValue::Noise(x) => Some(x),
            _ => None,
        }
    }

    /// The swept width.
    pub fn width(&self) -> Option<usize> {
        match self.value(Axis::Width)? {
            AxisValue::Width(w) => Some(w),
            _ => None,
        }
    }

    /// The swept depth.
    pub fn depth(&self) -> Option<usize> {
        match self.value(Axis::Depth)? {
            AxisValue::Depth(d) => Some(d),
            _ => None,
        }
    }

    /// The swept activation.
    pub fn activation(&self) -> Option<Activation> {
        match self.value(Axis::Activation)? {
            AxisValue::Activation(a) => Some(a),
            _ => None,
        }
    }

    /// The swept early-stopping switch.
    pub fn early_stopping(&self) -> Option<bool> {
        match self.value(Axis::EarlyStopping)? {
            AxisValue::EarlyStopping(on) => Some(on),
            _ => None,
        }
    }

    /// The swept feature scale.
    pub fn scale(&self) -> Option<f64> {
        match self.value(Axis::Scale)? {
            AxisValue::Scale(x) => Some(x),
            _ => None,
        }
    }

    /// The swept standardisation switch.
    pub fn standardize(&self) -> Option<bool> {
        match self.value(Axis::Standardize)? {
            AxisValue::Standardize(on) => Some(on),
            _ => None,
        }
    }

    /// The swept training length, as the study file gives it (before `--quick`).
    pub fn epochs(&self) -> Option<usize> {
        match self.value(Axis::Epochs)? {
            AxisValue::Epochs(n) => Some(n),
            _ => None,
        }
    }

    /// Whether this point has every value of `values` (a partial point, such as an
    /// `[[original]]` row's or a hypothesis's `at`).
    pub fn matches(&self, values: &[AxisValue]) -> bool {
        values.iter().all(|v| self.value(v.axis()) == Some(*v))
    }
}

/// The original project's numbers for one point, checked: scores in `[0, 1]`, the loss finite
/// and `≥ 0`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Original {
    /// The point's label.
    pub point: String,
    /// Original precision.
    pub precision: Option<f64>,
    /// Original recall.
    pub recall: Option<f64>,
    /// Original F1.
    pub f1: Option<f64>,
    /// Original final training loss.
    pub loss: Option<f64>,
    /// Anything else the original reported for this point.
    pub note: Option<String>,
}

/// Every combination of the axes' values, the last axis varying fastest (one point, with no
/// values, for no axis).
pub fn points(axes: &[Vec<AxisValue>]) -> Vec<Point> {
    let mut combinations: Vec<Vec<AxisValue>> = vec![Vec::new()];
    for values in axes {
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |&v| {
                    let mut point = prefix.clone();
                    point.push(v);
                    point
                })
            })
            .collect();
    }
    combinations.into_iter().map(Point::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_the_study_file_writes_the_values() {
        let point = Point::new(vec![
            AxisValue::Depth(6),
            AxisValue::Activation(Activation::Sigmoid),
        ]);
        assert_eq!(point.label, "depth=6,activation=sigmoid");
        assert_eq!(
            Point::new(vec![AxisValue::LearningRate(1.0)]).label,
            "learning_rate=1"
        );
        assert_eq!(
            Point::new(vec![AxisValue::LearningRate(0.001)]).label,
            "learning_rate=0.001"
        );
        assert_eq!(Point::new(vec![]).label, "all");
        assert_eq!(AxisValue::EarlyStopping(true).spoken(), "on");
        assert_eq!(point.depth(), Some(6));
        assert_eq!(point.width(), None);
    }

    #[test]
    fn points_are_the_product_with_the_last_axis_fastest() {
        let labels: Vec<String> = points(&[
            vec![AxisValue::Width(3), AxisValue::Width(5)],
            vec![
                AxisValue::EarlyStopping(false),
                AxisValue::EarlyStopping(true),
            ],
        ])
        .into_iter()
        .map(|p| p.label)
        .collect();
        assert_eq!(
            labels,
            [
                "width=3,early_stopping=false",
                "width=3,early_stopping=true",
                "width=5,early_stopping=false",
                "width=5,early_stopping=true"
            ]
        );
        assert_eq!(points(&[]).len(), 1);
    }
}
