//! Validation of `[[hypothesis]]` tables: each raw table checked against the study's sweep
//! (keys the rule takes, swept axes, named points, shares in range) and turned into the typed
//! [`Rule`] of its [`Hypothesis`]; every problem is reported with its key, line and column.

use super::points::{at_values, one_point, select, swept_axis};
use super::*;

/// The keys each rule takes besides [`COMMON_KEYS`]: required, then optional.
fn rule_keys(rule: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match rule {
        "trend" => (&["metric", "along", "expect"], &["at"]),
        "closer_split" => (&["metric", "expect"], &["at"]),
        "share" => (&["what"], &["at", "at_least", "at_most"]),
        "stability" => (&[], &["margin"]),
        // Their points are required, and reported missing with an example of a point.
        "negative_curvature" => (&[], &["more_at", "than_at", "tolerance"]),
        _ => return None,
    })
}

/// The optional keys of a raw hypothesis with where each stands, when given.
fn given_keys(h: &RawHypothesis) -> [(&'static str, Option<Range<usize>>); 11] {
    fn span<T>(v: &Option<Spanned<T>>) -> Option<Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    [
        ("metric", span(&h.metric)),
        ("along", span(&h.along)),
        ("at", span(&h.at)),
        ("expect", span(&h.expect)),
        ("what", span(&h.what)),
        ("at_least", span(&h.at_least)),
        ("at_most", span(&h.at_most)),
        ("margin", span(&h.margin)),
        ("more_at", span(&h.more_at)),
        ("than_at", span(&h.than_at)),
        ("tolerance", span(&h.tolerance)),
    ]
}

/// What a study offers hypotheses to name: its swept axes and values, its points and what it
/// records.
pub(in crate::plan) struct StudyShape<'a> {
    /// The swept axes, in point order.
    pub axes: &'a [Axis],
    /// Each swept axis's values, in the file's order (parallel to `axes`).
    pub values: &'a [Vec<AxisValue>],
    /// Every point, with its `[[original]]` row attached.
    pub points: &'a [Point],
    /// What the study records.
    pub record: &'a RecordPlan,
}

/// Validates every `[[hypothesis]]` table; a hypothesis with a problem is reported (every
/// problem of every table) and left out.
pub(in crate::plan) fn hypotheses(
    diag: &mut Diagnostics<'_>,
    raw: &[RawHypothesis],
    shape: &StudyShape<'_>,
) -> Vec<Hypothesis> {
    let mut names: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for h in raw {
        let before = diag.len();
        let name = h.name.get_ref();
        if !is_plain_name(name) {
            diag.problem(
                "hypothesis.name",
                Some(h.name.span()),
                format!("{name:?} is not a hypothesis name: use letters, digits, '-' and '_' only, such as \"H1\""),
            );
        } else if names.contains(&name.as_str()) {
            diag.problem(
                "hypothesis.name",
                Some(h.name.span()),
                format!("{name:?} names two hypotheses: give each its own name"),
            );
        }
        names.push(name);
        for (key, text) in [("statement", &h.statement), ("prediction", &h.prediction)] {
            if text.get_ref().trim().is_empty() {
                diag.problem(
                    &format!("hypothesis.{key}"),
                    Some(text.span()),
                    format!("is empty (hypothesis {name:?}): say it in words before any run"),
                );
            }
        }
        let rule = rule(diag, h, shape);
        if let Some(rule) = rule
            && diag.len() == before
        {
            out.push(Hypothesis {
                name: name.clone(),
                statement: h.statement.get_ref().clone(),
                prediction: h.prediction.get_ref().clone(),
                rule,
            });
        }
    }
    out
}

/// The hypothesis's rule, its keys checked against the rule's and each value resolved.
fn rule(diag: &mut Diagnostics<'_>, h: &RawHypothesis, shape: &StudyShape<'_>) -> Option<Rule> {
    let name = h.name.get_ref();
    let rule_name = h.rule.get_ref().as_str();
    let Some((required, optional)) = rule_keys(rule_name) else {
        diag.problem(
            "hypothesis.rule",
            Some(h.rule.span()),
            format!(
                "unknown rule {rule_name:?} (hypothesis {name:?}): expected one of {}",
                Rule::NAMES.join(", ")
            ),
        );
        return None;
    };
    let given = given_keys(h);
    for (key, span) in &given {
        if span.is_some() && !required.contains(key) && !optional.contains(key) {
            let takes: Vec<&str> = required.iter().chain(optional).copied().collect();
            diag.problem(
                &format!("hypothesis.{key}"),
                span.clone(),
                format!(
                    "does not apply to rule {rule_name} (hypothesis {name:?}): it takes {}",
                    if takes.is_empty() {
                        "no other key".to_owned()
                    } else {
                        takes.join(", ")
                    }
                ),
            );
        }
    }
    for key in required {
        if given.iter().any(|(k, span)| k == key && span.is_none()) {
            diag.problem(
                &format!("hypothesis.{key}"),
                Some(h.rule.span()),
                format!("is missing: rule {rule_name} (hypothesis {name:?}) needs {key}"),
            );
        }
    }
    if rule_name == "stability" || rule_name == "negative_curvature" {
        let stride = shape.record.curvature_stride;
        if stride == 0 {
            diag.problem(
                "hypothesis.rule",
                Some(h.rule.span()),
                format!("{rule_name} (hypothesis {name:?}) reads curvature records: set [record] curvature_stride to a number of epochs ≥ 1"),
            );
        }
    }
    // Each value given is checked even when a key is missing, so every problem is reported.
    match rule_name {
        "trend" => trend(diag, h, shape),
        "closer_split" => closer_split(diag, h, shape),
        "share" => share(diag, h, shape),
        "stability" => {
            let margin = match &h.margin {
                None => DEFAULT_STABILITY_MARGIN,
                Some(m) => {
                    let margin = *m.get_ref();
                    if !(margin.is_finite() && margin > 1.0) {
                        diag.problem(
                            "hypothesis.margin",
                            Some(m.span()),
                            format!("{margin} is out of range: expected a finite number > 1, such as 2.0"),
                        );
                        return None;
                    }
                    margin
                }
            };
            Some(Rule::Stability { margin })
        }
        _ => negative_curvature(diag, h, shape),
    }
}

fn trend(diag: &mut Diagnostics<'_>, h: &RawHypothesis, shape: &StudyShape<'_>) -> Option<Rule> {
    let metric = h.metric.as_ref().and_then(|m| {
        let parsed = Metric::from_key(m.get_ref());
        if parsed.is_none() {
            let names: Vec<String> = Metric::all().map(|m| m.to_string()).collect();
            diag.problem(
                "hypothesis.metric",
                Some(m.span()),
                format!(
                    "unknown metric {:?}: expected one of {}",
                    m.get_ref(),
                    names.join(", ")
                ),
            );
        }
        parsed
    });
    let along = h
        .along
        .as_ref()
        .and_then(|a| swept_axis(diag, "hypothesis.along", a, shape));
    let expect = h.expect.as_ref().and_then(|e| match e.get_ref().as_str() {
        "increasing" => Some(Direction::Increasing),
        "decreasing" => Some(Direction::Decreasing),
        other => {
            diag.problem(
                "hypothesis.expect",
                Some(e.span()),
                format!("{other:?} is not a trend's direction: expected increasing or decreasing"),
            );
            None
        }
    });
    let at = match &h.at {
        Some(t) => at_values(diag, "hypothesis.at", t, shape),
        None => Some(Vec::new()),
    };
    let (metric, along, expect, at) = (metric?, along?, expect?, at?);
    let table = h.at.as_ref().map(Spanned::span);
    if at.iter().any(|v| v.axis() == along) {
        diag.problem(
            "hypothesis.at",
            table.clone(),
            format!("holds {along}, the axis the trend runs along: remove it from at"),
        );
        return None;
    }
    let loose: Vec<&str> = shape
        .axes
        .iter()
        .filter(|&&a| a != along && !at.iter().any(|v| v.axis() == a))
        .map(|a| a.key())
        .collect();
    if !loose.is_empty() {
        diag.problem(
            "hypothesis.at",
            table.or(Some(h.rule.span())),
            format!(
                "does not hold {}: a trend along {along} needs every other swept axis held at one value",
                loose.join(", ")
            ),
        );
        return None;
    }
    let n_along = shape
        .axes
        .iter()
        .position(|&a| a == along)
        .map_or(0, |i| shape.values[i].len());
    if n_along < MIN_TREND_POINTS {
        diag.problem(
            "hypothesis.along",
            h.along.as_ref().map(Spanned::span),
            format!(
                "{along} has {n_along} swept values: a trend needs at least {MIN_TREND_POINTS}"
            ),
        );
        return None;
    }
    let selection = select(shape.points, at);
    Some(Rule::Trend {
        metric,
        along,
        selection,
        expect,
    })
}

fn closer_split(
    diag: &mut Diagnostics<'_>,
    h: &RawHypothesis,
    shape: &StudyShape<'_>,
) -> Option<Rule> {
    let measure = h.metric.as_ref().and_then(|m| {
        let parsed = Measure::ORIGINAL
            .into_iter()
            .find(|x| x.key() == m.get_ref().as_str());
        if parsed.is_none() {
            diag.problem(
                "hypothesis.metric",
                Some(m.span()),
                format!(
                    "{:?} is not a measure the original reported: expected one of precision, recall, f1, loss",
                    m.get_ref()
                ),
            );
        }
        parsed
    });
    let expect = h.expect.as_ref().and_then(|e| match e.get_ref().as_str() {
        "train" => Some(Split::Train),
        "test" => Some(Split::Test),
        other => {
            diag.problem(
                "hypothesis.expect",
                Some(e.span()),
                format!("{other:?} is not a split: expected train or test"),
            );
            None
        }
    });
    let at = match &h.at {
        Some(t) => at_values(diag, "hypothesis.at", t, shape),
        None => Some(Vec::new()),
    };
    let (measure, expect, at) = (measure?, expect?, at?);
    let mut selection = select(shape.points, at);
    selection
        .points
        .retain(|&i| original_value(&shape.points[i], measure).is_some());
    if selection.points.is_empty() {
        diag.problem(
            "hypothesis.metric",
            h.metric.as_ref().map(Spanned::span),
            format!(
                "no [[original]] row gives {measure} at the points chosen: add the original's {measure} or choose other points"
            ),
        );
        return None;
    }
    Some(Rule::CloserSplit {
        measure,
        selection,
        expect,
    })
}

fn share(diag: &mut Diagnostics<'_>, h: &RawHypothesis, shape: &StudyShape<'_>) -> Option<Rule> {
    let what = h.what.as_ref().and_then(|w| match w.get_ref().as_str() {
        "diverged" => Some(RunEvent::Diverged),
        "oscillated" => Some(RunEvent::Oscillated),
        other => {
            diag.problem(
                "hypothesis.what",
                Some(w.span()),
                format!("{other:?} is not a per-run event: expected diverged or oscillated"),
            );
            None
        }
    });
    let bound = match (&h.at_least, &h.at_most) {
        (Some(v), None) => fraction(diag, "hypothesis.at_least", v).map(ShareBound::AtLeast),
        (None, Some(v)) => fraction(diag, "hypothesis.at_most", v).map(ShareBound::AtMost),
        (Some(_), Some(v)) => {
            diag.problem(
                "hypothesis.at_most",
                Some(v.span()),
                "is given with at_least: a share rule takes one bound, at_least or at_most",
            );
            None
        }
        (None, None) => {
            diag.problem(
                "hypothesis.at_least",
                Some(h.rule.span()),
                "is missing: a share rule needs at_least or at_most, a share of seeds in [0, 1]",
            );
            None
        }
    };
    let point = one_point(diag, "hypothesis.at", h.at.as_ref(), &h.rule, shape);
    Some(Rule::Share {
        what: what?,
        point: point?,
        bound: bound?,
    })
}

fn negative_curvature(
    diag: &mut Diagnostics<'_>,
    h: &RawHypothesis,
    shape: &StudyShape<'_>,
) -> Option<Rule> {
    let more_at = one_point(
        diag,
        "hypothesis.more_at",
        h.more_at.as_ref(),
        &h.rule,
        shape,
    );
    let than_at = one_point(
        diag,
        "hypothesis.than_at",
        h.than_at.as_ref(),
        &h.rule,
        shape,
    );
    let tolerance = match &h.tolerance {
        None => Some(DEFAULT_CURVATURE_TOLERANCE),
        Some(t) => {
            let tolerance = *t.get_ref();
            if tolerance > 0.0 && tolerance < 1.0 {
                Some(tolerance)
            } else {
                diag.problem(
                    "hypothesis.tolerance",
                    Some(t.span()),
                    format!("{tolerance} is out of range: expected a number strictly between 0 and 1, such as 1e-3"),
                );
                None
            }
        }
    };
    let (more_at, than_at, tolerance) = (more_at?, than_at?, tolerance?);
    if more_at == than_at {
        diag.problem(
            "hypothesis.than_at",
            h.than_at.as_ref().map(Spanned::span),
            "names the same point as more_at: compare two different points",
        );
        return None;
    }
    Some(Rule::NegativeCurvature {
        more_at,
        than_at,
        tolerance,
    })
}

/// A share in [0, 1].
fn fraction(diag: &mut Diagnostics<'_>, field: &str, value: &Spanned<f64>) -> Option<f64> {
    let v = *value.get_ref();
    if (0.0..=1.0).contains(&v) {
        Some(v)
    } else {
        diag.problem(
            field,
            Some(value.span()),
            format!("{v} is out of range: expected a share of seeds in [0, 1]"),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::points::typed_value;
    use super::*;

    use std::path::Path;

    use crate::plan::{Plan, PlanOptions, parse_and_validate};
    use crate::study_file::StudyFileError;

    /// A depth × noise × epochs sweep with curvature readings and originals per depth.
    const STUDY: &str = r#"
[study]
name = "unit"
seeds = [1, 2]

[dataset]
generator = "moons"
samples = 40

[model]
kind = "mlp"
hidden_layers = [4]
learning_rate = 0.1
epochs = 100

[sweep]
depth = [1, 2, 3]
noise = [0.1, 0.3]
epochs = [100, 1000]

[record]
curvature_stride = 50

[[original]]
point = "depth=1"
f1 = 0.9
loss = 0.1

[[original]]
point = "depth=3"
f1 = 1.0
"#;

    fn plan(text: &str) -> Result<Plan, StudyFileError> {
        parse_and_validate(
            Path::new("unit.toml"),
            text.to_owned(),
            &PlanOptions::default(),
        )
    }

    fn with(hypotheses: &str) -> String {
        format!("{STUDY}\n{hypotheses}")
    }

    fn labels(plan: &Plan, points: &[usize]) -> Vec<String> {
        points
            .iter()
            .map(|&i| plan.points[i].label.clone())
            .collect()
    }

    const GOOD: &str = r#"
[[hypothesis]]
name = "H1"
statement = "s"
prediction = "p"
rule = "trend"
metric = "test_f1"
along = "depth"
at = { noise = 0.3, epochs = 1000 }
expect = "increasing"

[[hypothesis]]
name = "H2"
statement = "s"
prediction = "p"
rule = "closer_split"
metric = "loss"
expect = "train"
at = { epochs = 1000 }

[[hypothesis]]
name = "H3"
statement = "s"
prediction = "p"
rule = "share"
what = "diverged"
at = { depth = 2, noise = 0.1, epochs = 100 }
at_most = 0.0

[[hypothesis]]
name = "H4"
statement = "s"
prediction = "p"
rule = "stability"

[[hypothesis]]
name = "H5"
statement = "s"
prediction = "p"
rule = "negative_curvature"
more_at = { depth = 3, noise = 0.1, epochs = 1000 }
than_at = { depth = 1, noise = 0.1, epochs = 1000 }
tolerance = 1e-4
"#;

    #[test]
    fn every_rule_resolves_to_typed_metrics_axes_and_points() {
        let plan = plan(&with(GOOD)).unwrap();
        let rules: Vec<&Rule> = plan.hypotheses.iter().map(|h| &h.rule).collect();
        assert_eq!(plan.hypotheses[0].name, "H1");
        let Rule::Trend {
            metric,
            along,
            selection,
            expect,
        } = rules[0]
        else {
            panic!("{:?}", rules[0])
        };
        assert_eq!(metric.to_string(), "test_f1");
        assert_eq!((*along, *expect), (Axis::Depth, Direction::Increasing));
        assert_eq!(
            selection.at,
            [AxisValue::Noise(0.3), AxisValue::Epochs(1000)]
        );
        assert_eq!(
            labels(&plan, &selection.points),
            [
                "depth=1,noise=0.3,epochs=1000",
                "depth=2,noise=0.3,epochs=1000",
                "depth=3,noise=0.3,epochs=1000"
            ]
        );
        // closer_split keeps the chosen points whose original gives the measure: the loss
        // is given for depth 1 only.
        let Rule::CloserSplit {
            measure,
            selection,
            expect,
        } = rules[1]
        else {
            panic!("{:?}", rules[1])
        };
        assert_eq!((*measure, *expect), (Measure::Loss, Split::Train));
        assert_eq!(
            labels(&plan, &selection.points),
            [
                "depth=1,noise=0.1,epochs=1000",
                "depth=1,noise=0.3,epochs=1000"
            ]
        );
        let Rule::Share { what, point, bound } = rules[2] else {
            panic!("{:?}", rules[2])
        };
        assert_eq!(*what, RunEvent::Diverged);
        assert_eq!(plan.points[*point].label, "depth=2,noise=0.1,epochs=100");
        assert_eq!(*bound, ShareBound::AtMost(0.0));
        assert_eq!(
            *rules[3],
            Rule::Stability {
                margin: DEFAULT_STABILITY_MARGIN
            }
        );
        let Rule::NegativeCurvature {
            more_at,
            than_at,
            tolerance,
        } = rules[4]
        else {
            panic!("{:?}", rules[4])
        };
        assert_eq!(plan.points[*more_at].label, "depth=3,noise=0.1,epochs=1000");
        assert_eq!(plan.points[*than_at].label, "depth=1,noise=0.1,epochs=1000");
        assert_eq!(*tolerance, 1e-4);
        assert!(rules[4].needs_curvature() && !rules[0].needs_curvature());
    }

    #[test]
    fn a_partial_original_applies_to_every_point_with_its_values() {
        let study = plan(STUDY).unwrap();
        let with_original: Vec<&str> = study
            .points
            .iter()
            .filter(|p| p.original.is_some())
            .map(|p| p.label.as_str())
            .collect();
        assert_eq!(with_original.len(), 8, "{with_original:?}");
        assert!(with_original.iter().all(|l| !l.starts_with("depth=2")));
        assert_eq!(original_value(&study.points[0], Measure::F1), Some(0.9));
        // A full label still names one point, and two rows for one point are refused.
        let twice = STUDY.replace(
            "point = \"depth=3\"",
            "point = \"depth=1,noise=0.1,epochs=100\"",
        );
        let err = plan(&twice).unwrap_err();
        assert!(
            err.to_string().contains("has two [[original]] rows"),
            "{err}"
        );
        let nowhere = STUDY.replace("point = \"depth=3\"", "point = \"depth=4\"");
        let err = plan(&nowhere).unwrap_err();
        assert!(err.to_string().contains("matches no swept point"), "{err}");
    }

    /// Every problem of every hypothesis, with its key and line, in one error.
    #[test]
    fn bad_hypotheses_are_all_reported_with_key_and_line() {
        let bad = r#"
[[hypothesis]]
name = "H1"
statement = "s"
prediction = "p"
rule = "tendency"

[[hypothesis]]
name = "H2"
statement = "s"
prediction = "p"
rule = "trend"
metric = "f1"
along = "width"
at = { noise = 0.25, lr = 3 }
expect = "up"

[[hypothesis]]
name = "H2"
statement = ""
prediction = "p"
rule = "trend"
metric = "train_f1"
along = "depth"
expect = "decreasing"
what = "diverged"

[[hypothesis]]
name = "H4"
statement = "s"
prediction = "p"
rule = "share"
what = "exploded"
at = { depth = 2 }
at_least = 1.5

[[hypothesis]]
name = "H5"
statement = "s"
prediction = "p"
rule = "negative_curvature"
more_at = { depth = 3, noise = 0.1, epochs = 1000 }
tolerance = 0.0

[[hypothesis]]
name = "H6"
statement = "s"
prediction = "p"
rule = "closer_split"
metric = "accuracy"
expect = "validation"
"#;
        let err = plan(&with(bad)).unwrap_err();
        let text = err.to_string();
        for needle in [
            "unknown rule \"tendency\"",
            "trend, closer_split, share, stability, negative_curvature",
            "hypothesis.metric: unknown metric \"f1\"",
            "test_f1",
            "hypothesis.along: \"width\" is not swept in this study: expected one of the swept axes, depth, noise, epochs",
            "\"lr\" is not a sweep axis",
            "noise = 0.25 is not a swept value: expected one of 0.1 | 0.3",
            "\"up\" is not a trend's direction",
            "names two hypotheses",
            "hypothesis.statement: is empty",
            "hypothesis.what: does not apply to rule trend",
            "hypothesis.at: does not hold noise, epochs",
            "\"exploded\" is not a per-run event",
            "hypothesis.at_least: 1.5 is out of range",
            "hypothesis.at: does not hold noise, epochs: it must name one sweep point",
            "hypothesis.than_at: is missing",
            "hypothesis.tolerance: 0 is out of range",
            "\"accuracy\" is not a measure the original reported",
            "\"validation\" is not a split",
        ] {
            assert!(text.contains(needle), "{needle:?} not in:\n{text}");
        }
        // Each problem points at its line.
        assert!(err.problems.iter().all(|p| p.location.is_some()), "{text}");
    }

    #[test]
    fn curvature_rules_need_curvature_records_and_trends_need_three_points() {
        let text = with(GOOD).replace("curvature_stride = 50", "curvature_stride = 0");
        let err = plan(&text).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert!(
            err.problems
                .iter()
                .all(|p| p.message.contains("curvature_stride")),
            "{err}"
        );
        let two = with(GOOD).replace("depth = [1, 2, 3]", "depth = [1, 3]");
        let err = plan(&two).unwrap_err();
        assert!(
            err.to_string()
                .contains("depth has 2 swept values: a trend needs at least 3"),
            "{err}"
        );
    }

    #[test]
    fn metrics_are_named_as_results_csv_names_their_columns() {
        assert_eq!(
            Metric::from_key("test_f1"),
            Some(Metric {
                split: Split::Test,
                measure: Measure::F1
            })
        );
        assert_eq!(
            Metric::from_key("train_roc_auc").map(|m| m.to_string()),
            Some("train_roc_auc".to_owned())
        );
        assert_eq!(Metric::from_key("f1"), None);
        assert_eq!(Metric::all().count(), 12);
        assert_eq!(Split::Train.other(), Split::Test);
    }

    #[test]
    fn typed_values_take_the_axis_type() {
        use toml::Value;
        assert_eq!(
            typed_value(Axis::Scale, &Value::Integer(10)),
            Some(AxisValue::Scale(10.0))
        );
        assert_eq!(typed_value(Axis::Depth, &Value::Integer(-1)), None);
        assert_eq!(typed_value(Axis::Depth, &Value::Float(2.0)), None);
        assert_eq!(
            typed_value(Axis::Standardize, &Value::Boolean(true)),
            Some(AxisValue::Standardize(true))
        );
        assert_eq!(
            typed_value(Axis::Activation, &Value::String("tanh".into())),
            Some(AxisValue::Activation(Activation::Tanh))
        );
        assert_eq!(
            typed_value(Axis::Activation, &Value::String("relu6".into())),
            None
        );
    }
}
