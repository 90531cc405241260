//! Which columns of a CSV file given to `predict` hold which of a model's features: by the
//! header's names when the file has one (in any order), by position when it has none; a
//! label column may follow, last.

/// Where a model's features and the labels stand in a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    /// For each of the model's features, in the model's order, the file column holding it.
    pub(crate) features: Vec<usize>,
    /// The labels' column (always the last), when the file has one.
    pub(crate) label: Option<usize>,
    /// The name of every file column: the header's, or without one the model's feature names
    /// (and `label` for a label column).
    pub(crate) names: Vec<String>,
}

/// Matches a file's columns to a model's features `model` (by name, in the model's order).
///
/// With a `header`, every feature must be named in it once, in any order; one more column may
/// follow, last, holding the labels. Without one, the file has the model's features in the
/// model's order and, optionally, the labels last.
///
/// # Errors
/// A message naming `file`, the missing, repeated or extra column, the model's features and
/// the fix.
pub(crate) fn match_columns(
    model: &[String],
    header: Option<&[String]>,
    n_columns: usize,
    file: &str,
) -> Result<Columns, String> {
    let takes = model.join(", ");
    let Some(header) = header else {
        let names = |label: bool| {
            let mut names = model.to_vec();
            if label {
                names.push("label".to_owned());
            }
            names
        };
        return match n_columns.checked_sub(model.len()) {
            Some(0) => Ok(Columns {
                features: (0..model.len()).collect(),
                label: None,
                names: names(false),
            }),
            Some(1) => Ok(Columns {
                features: (0..model.len()).collect(),
                label: Some(model.len()),
                names: names(true),
            }),
            _ => Err(format!(
                "{file} has {n_columns} columns and no header, but the model takes {} features \
                 ({takes}) and an optional label column after them: give {} or {} columns, or \
                 a header line naming them",
                model.len(),
                model.len(),
                model.len() + 1
            )),
        };
    };
    if let Some((second, name)) = header
        .iter()
        .enumerate()
        .find(|(i, name)| header[..*i].contains(name))
    {
        let first = header.iter().position(|n| n == name).unwrap_or(0);
        return Err(format!(
            "{file} names column {name:?} twice (columns {} and {}): give each column its own \
             name",
            first + 1,
            second + 1
        ));
    }
    let missing: Vec<&str> = model
        .iter()
        .filter(|name| !header.contains(name))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{file} has no column {}, which the model takes (its features are {takes}; the \
             file's columns are {}): name the columns as the model's features, in any order",
            quoted(&missing),
            header.join(", ")
        ));
    }
    let extra: Vec<usize> = (0..header.len())
        .filter(|&c| !model.contains(&header[c]))
        .collect();
    let label = match extra.as_slice() {
        [] => None,
        [last] if *last + 1 == header.len() => Some(*last),
        _ => {
            let not_label: Vec<usize> = extra
                .iter()
                .copied()
                .filter(|&c| c + 1 != header.len())
                .collect();
            let named: Vec<&str> = not_label.iter().map(|&c| header[c].as_str()).collect();
            return Err(format!(
                "{file} has column {}, which is not a feature of the model (its features are \
                 {takes}): remove it; only a label column may follow the features, as the last",
                quoted(&named)
            ));
        }
    };
    Ok(Columns {
        features: model
            .iter()
            .map(|name| header.iter().position(|h| h == name).unwrap_or(0))
            .collect(),
        label,
        names: header.to_vec(),
    })
}

/// `"a"`, or `"a", "b"` for several names.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn columns(model: &[&str], header: Option<&[&str]>, n: usize) -> Result<Columns, String> {
        let header = header.map(strings);
        match_columns(&strings(model), header.as_deref(), n, "data.csv")
    }

    #[test]
    fn a_header_in_another_order_is_matched_by_name() {
        let found = columns(&["x1", "x2"], Some(&["x2", "x1", "label"]), 3).unwrap();
        assert_eq!(found.features, [1, 0]);
        assert_eq!(found.label, Some(2));
        assert_eq!(found.names, ["x2", "x1", "label"]);
        let found = columns(&["a", "b"], Some(&["b", "a"]), 2).unwrap();
        assert_eq!((found.features, found.label), (vec![1, 0], None));
    }

    #[test]
    fn without_a_header_columns_are_taken_in_the_models_order() {
        let found = columns(&["w", "h"], None, 3).unwrap();
        assert_eq!(found.features, [0, 1]);
        assert_eq!(found.label, Some(2));
        assert_eq!(found.names, ["w", "h", "label"]);
        assert_eq!(columns(&["w", "h"], None, 2).unwrap().label, None);
        let err = columns(&["w", "h", "d"], None, 2).unwrap_err();
        assert!(
            err.contains("2 columns and no header") && err.contains("(w, h, d)"),
            "{err}"
        );
        assert!(columns(&["w"], None, 3).is_err());
    }

    #[test]
    fn a_missing_feature_is_named() {
        let err = columns(&["x1", "x2", "x3"], Some(&["x1", "x2", "label"]), 3).unwrap_err();
        assert!(
            err.contains("no column \"x3\", which the model takes"),
            "{err}"
        );
        assert!(err.contains("x1, x2, x3"), "{err}");
    }

    #[test]
    fn an_extra_feature_is_named_and_only_the_last_column_may_be_labels() {
        let err = columns(&["x1", "x2"], Some(&["x1", "extra", "x2", "label"]), 4).unwrap_err();
        assert!(
            err.contains("column \"extra\", which is not a feature"),
            "{err}"
        );
        assert!(!err.contains("\"label\""), "{err}");
        let err = columns(&["x1", "x2"], Some(&["label", "x1", "x2"]), 3).unwrap_err();
        assert!(
            err.contains("column \"label\", which is not a feature"),
            "{err}"
        );
    }

    #[test]
    fn a_name_given_twice_is_refused() {
        let err = columns(&["x1", "x2"], Some(&["x1", "x2", "x1"]), 3).unwrap_err();
        assert!(err.contains("\"x1\" twice (columns 1 and 3)"), "{err}");
    }
}
