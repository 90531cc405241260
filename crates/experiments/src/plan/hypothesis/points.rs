//! Naming sweep points in a hypothesis: the `at` / `more_at` tables read into typed axis
//! values, checked against what the study sweeps, and the points they select; a wrong key or
//! value gets an example of a table that would name a point.

use super::*;

/// The one point a table names by holding every swept axis (a study without a sweep has one
/// point, which an absent table names).
pub(super) fn one_point(
    diag: &mut Diagnostics<'_>,
    field: &str,
    table: Option<&Spanned<toml::Table>>,
    rule: &Spanned<String>,
    shape: &StudyShape<'_>,
) -> Option<usize> {
    let at = match table {
        Some(t) => at_values(diag, field, t, shape)?,
        None if shape.axes.is_empty() => Vec::new(),
        None => {
            diag.problem(
                field,
                Some(rule.span()),
                format!(
                    "is missing: name one sweep point, e.g. {field_key} = {{ {} }}",
                    example(shape),
                    field_key = field.trim_start_matches("hypothesis.")
                ),
            );
            return None;
        }
    };
    let loose: Vec<&str> = shape
        .axes
        .iter()
        .filter(|&&a| !at.iter().any(|v| v.axis() == a))
        .map(|a| a.key())
        .collect();
    if !loose.is_empty() {
        diag.problem(
            field,
            table.map(Spanned::span),
            format!(
                "does not hold {}: it must name one sweep point, every swept axis at one value",
                loose.join(", ")
            ),
        );
        return None;
    }
    select(shape.points, at).points.first().copied()
}

/// `axis = value` for every swept axis's first value, as an example of a point.
fn example(shape: &StudyShape<'_>) -> String {
    shape
        .axes
        .iter()
        .zip(shape.values)
        .filter_map(|(axis, values)| values.first().map(|v| format!("{axis} = {}", toml_text(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as a TOML file writes it (strings quoted).
fn toml_text(value: &AxisValue) -> String {
    match value {
        AxisValue::Activation(a) => format!("{:?}", a.name()),
        AxisValue::Noise(x) | AxisValue::LearningRate(x) | AxisValue::Scale(x)
            if x.fract() == 0.0 && x.abs() < 1e15 =>
        {
            format!("{x:.1}")
        }
        other => other.to_string(),
    }
}

/// The points whose values include every one of `at`, in point order.
pub(super) fn select(points: &[Point], at: Vec<AxisValue>) -> Selection {
    let chosen = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.matches(&at))
        .map(|(i, _)| i)
        .collect();
    Selection { at, points: chosen }
}

/// A key that names a swept axis.
pub(super) fn swept_axis(
    diag: &mut Diagnostics<'_>,
    field: &str,
    key: &Spanned<String>,
    shape: &StudyShape<'_>,
) -> Option<Axis> {
    let name = key.get_ref();
    match Axis::from_key(name) {
        Some(axis) if shape.axes.contains(&axis) => Some(axis),
        known => {
            let what = if known.is_some() {
                "is not swept in this study"
            } else {
                "is not a sweep axis"
            };
            diag.problem(
                field,
                Some(key.span()),
                format!(
                    "{name:?} {what}: expected one of the swept axes, {}",
                    swept(shape)
                ),
            );
            None
        }
    }
}

fn swept(shape: &StudyShape<'_>) -> String {
    if shape.axes.is_empty() {
        "none (the study has no [sweep])".to_owned()
    } else {
        shape
            .axes
            .iter()
            .map(|a| a.key())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An `at`-like table read into swept values, in axis order: every key a swept axis, every
/// value one of that axis's values. Every problem is reported; `None` if there was one.
pub(super) fn at_values(
    diag: &mut Diagnostics<'_>,
    field: &str,
    table: &Spanned<toml::Table>,
    shape: &StudyShape<'_>,
) -> Option<Vec<AxisValue>> {
    let span = table.span();
    let mut values = Vec::new();
    let mut ok = true;
    for (key, value) in table.get_ref() {
        let axis = match Axis::from_key(key) {
            Some(axis) if shape.axes.contains(&axis) => axis,
            known => {
                let what = if known.is_some() {
                    "is not swept in this study"
                } else {
                    "is not a sweep axis"
                };
                diag.problem(
                    field,
                    Some(span.clone()),
                    format!(
                        "{key:?} {what}: expected one of the swept axes, {}",
                        swept(shape)
                    ),
                );
                ok = false;
                continue;
            }
        };
        let Some(read) = typed_value(axis, value) else {
            diag.problem(
                field,
                Some(span.clone()),
                format!("{key} = {value} is not {}", kind_of(axis)),
            );
            ok = false;
            continue;
        };
        let index = shape.axes.iter().position(|&a| a == axis);
        let swept_values = index.map_or(&[][..], |i| &shape.values[i][..]);
        if !swept_values.contains(&read) {
            let choices: Vec<String> = swept_values.iter().map(toml_text).collect();
            diag.problem(
                field,
                Some(span.clone()),
                format!(
                    "{key} = {value} is not a swept value: expected one of {}",
                    choices.join(" | ")
                ),
            );
            ok = false;
            continue;
        }
        values.push(read);
    }
    values.sort_by_key(|v| Axis::ALL.iter().position(|&a| a == v.axis()));
    ok.then_some(values)
}

/// What a value of `axis` must be, in words.
fn kind_of(axis: Axis) -> &'static str {
    match axis {
        Axis::Width | Axis::Depth | Axis::Epochs => "a whole number",
        Axis::LearningRate | Axis::Noise | Axis::Scale => "a number",
        Axis::Activation => "an activation name (a string)",
        Axis::EarlyStopping | Axis::Standardize => "true or false",
    }
}

/// A TOML value read as a value of `axis`, if it has the axis's type.
pub(super) fn typed_value(axis: Axis, value: &toml::Value) -> Option<AxisValue> {
    use toml::Value;
    let whole = || match value {
        Value::Integer(i) => usize::try_from(*i).ok(),
        _ => None,
    };
    let number = || match value {
        Value::Float(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    };
    let switch = || match value {
        Value::Boolean(b) => Some(*b),
        _ => None,
    };
    Some(match axis {
        Axis::Width => AxisValue::Width(whole()?),
        Axis::Depth => AxisValue::Depth(whole()?),
        Axis::Epochs => AxisValue::Epochs(whole()?),
        Axis::LearningRate => AxisValue::LearningRate(number()?),
        Axis::Noise => AxisValue::Noise(number()?),
        Axis::Scale => AxisValue::Scale(number()?),
        Axis::Activation => match value {
            Value::String(s) => AxisValue::Activation(s.parse::<Activation>().ok()?),
            _ => return None,
        },
        Axis::EarlyStopping => AxisValue::EarlyStopping(switch()?),
        Axis::Standardize => AxisValue::Standardize(switch()?),
    })
}
