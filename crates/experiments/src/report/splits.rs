//! "Which split do the original's numbers match?": for each measure the original reported
//! (precision, recall, F1, loss), the distance between its values and our per-point centres
//! on the training part and on the test part, and the closer split, by a stated rule.

use std::fmt::Write as _;

use super::html::escape;
use super::rules;
use super::verdict::short;
use crate::output::{PointSummary, Quantity, measure_words};
use crate::plan::{Measure, Plan, Split, original_value};

/// The rule, as the report states it.
pub const RULE: &str = "For each measure the original reported, over the points with an \
     original value: the root-mean-square difference between the original's values and our \
     per-point means (precision, recall, F1), or the root-mean-square of log10(ours / \
     original) for the loss, against our per-point medians: one distance on the training part \
     (the data the model was fitted to), one on the test part. The closer split is the one \
     with the smaller distance; equal distances name neither.";

/// The distances between the original's values of one measure and ours on each split, at
/// some points: what `closer_split` and the split comparison read.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitDistances {
    /// The measure compared.
    pub measure: Measure,
    /// `(point, original, ours on train, ours on test)` at each point with an original value.
    pub rows: Vec<(String, f64, Option<f64>, Option<f64>)>,
}

impl SplitDistances {
    /// At the points `indices` that have an original value of `measure`.
    pub fn new(
        plan: &Plan,
        points: &[PointSummary],
        measure: Measure,
        indices: &[usize],
    ) -> SplitDistances {
        let rows = indices
            .iter()
            .filter_map(|&i| {
                let original = original_value(&plan.points[i], measure)?;
                let ours = |split| points[i].centre(Quantity::on(split, measure));
                Some((
                    plan.points[i].label.clone(),
                    original,
                    ours(Split::Train),
                    ours(Split::Test),
                ))
            })
            .collect();
        SplitDistances { measure, rows }
    }

    /// The distance on `split` over the points where it has a value: the root-mean-square
    /// difference, or for the loss the root-mean-square of log10(ours / original).
    pub fn distance(&self, split: Split) -> Option<f64> {
        let pairs: Vec<(f64, f64)> = self
            .rows
            .iter()
            .filter_map(|(_, original, train, test)| {
                let ours = match split {
                    Split::Train => *train,
                    Split::Test => *test,
                }?;
                Some((*original, ours))
            })
            .collect();
        rules::distance(&pairs, self.measure == Measure::Loss)
    }

    /// The closer split, `None` when the distances are equal or one is missing.
    pub fn closer(&self) -> Option<Split> {
        let (train, test) = (self.distance(Split::Train)?, self.distance(Split::Test)?);
        match train.total_cmp(&test) {
            std::cmp::Ordering::Less => Some(Split::Train),
            std::cmp::Ordering::Greater => Some(Split::Test),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// One line per point (the original's value and ours on each split), then the distances.
    pub fn lines(&self) -> Vec<String> {
        let value = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), short);
        let mut lines: Vec<String> = self
            .rows
            .iter()
            .map(|(point, original, train, test)| {
                format!(
                    "{point}: original {}, ours train {}, test {}",
                    short(*original),
                    value(*train),
                    value(*test)
                )
            })
            .collect();
        lines.push(format!(
            "distance to train {}, to test {}",
            value(self.distance(Split::Train)),
            value(self.distance(Split::Test))
        ));
        lines
    }
}

/// The split comparison of a study: one row per measure the original reported.
pub fn compare(plan: &Plan, points: &[PointSummary]) -> Vec<SplitDistances> {
    let all: Vec<usize> = (0..plan.points.len()).collect();
    Measure::ORIGINAL
        .into_iter()
        .map(|measure| SplitDistances::new(plan, points, measure, &all))
        .filter(|d| !d.rows.is_empty())
        .collect()
}

/// The comparison for `summary.json`: per measure, the points compared, both distances and
/// the closer split (`null`: neither).
pub fn json(comparison: &[SplitDistances]) -> serde_json::Value {
    comparison
        .iter()
        .map(|d| {
            serde_json::json!({
                "measure": d.measure.key(),
                "points": d.rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
                "distance_train": d.distance(Split::Train),
                "distance_test": d.distance(Split::Test),
                "closer": d.closer().map(Split::key),
            })
        })
        .collect()
}

/// One measure's comparison as a table row: the measure, the points compared, both
/// distances and the closer split.
fn row(d: &SplitDistances) -> [String; 5] {
    let value = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), short);
    [
        measure_words(d.measure).to_owned(),
        d.rows.len().to_string(),
        value(d.distance(Split::Train)),
        value(d.distance(Split::Test)),
        d.closer()
            .map_or_else(|| "neither".to_owned(), |s| s.to_string()),
    ]
}

const HEADER: [&str; 5] = [
    "measure",
    "points",
    "distance to train",
    "distance to test",
    "closer split",
];

/// The comparison as a `summary.md` section (empty when the study has no original values).
pub fn markdown(comparison: &[SplitDistances]) -> String {
    if comparison.is_empty() {
        return String::new();
    }
    let mut md = format!(
        "\n## Which split do the original's numbers match?\n\n{RULE}\n\n| {} |\n|{}\n",
        HEADER.join(" | "),
        "---|".repeat(HEADER.len())
    );
    for d in comparison {
        let _ = writeln!(md, "| {} |", row(d).join(" | "));
    }
    md
}

/// The comparison as a `report.html` section (empty when the study has no original values).
pub fn html(comparison: &[SplitDistances]) -> String {
    if comparison.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<h2 id=\"splits\">Which split do the original's numbers match?</h2>\n\
         <p class=\"note\">{}</p>\n<div class=\"table-wrap\"><table>\n<thead><tr>",
        escape(RULE)
    );
    for h in HEADER {
        let _ = write!(html, "<th>{}</th>", escape(h));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for d in comparison {
        html.push_str("<tr>");
        for cell in row(d) {
            let _ = write!(html, "<td>{}</td>", escape(&cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distances(measure: Measure, rows: &[(f64, f64, f64)]) -> SplitDistances {
        SplitDistances {
            measure,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, &(original, train, test))| {
                    (format!("p{i}"), original, Some(train), Some(test))
                })
                .collect(),
        }
    }

    /// The original's depth F1 (0.955 → 1.0) against F1 on the training part (close) and on
    /// overlapping test data (falling): train is closer.
    #[test]
    fn train_is_closer_when_the_original_matches_the_training_part() {
        let d = distances(
            Measure::F1,
            &[
                (0.9552, 0.96, 0.91),
                (0.9848, 0.99, 0.894),
                (0.9925, 1.0, 0.877),
                (1.0, 1.0, 0.87),
            ],
        );
        assert!(d.distance(Split::Train).unwrap() < 0.01);
        assert!(d.distance(Split::Test).unwrap() > 0.09);
        assert_eq!(d.closer(), Some(Split::Train));
        assert_eq!(row(&d)[4], "train");
    }

    /// The original's width losses (0.58–0.75) against training losses that fall to 0.02 and
    /// test losses near 0.6: on a log scale, test is closer.
    #[test]
    fn test_is_closer_when_the_original_losses_match_the_test_part() {
        let d = distances(
            Measure::Loss,
            &[
                (0.6342, 0.60, 0.61),
                (0.7484, 0.29, 0.44),
                (0.5845, 0.034, 0.28),
                (0.6618, 0.023, 0.35),
            ],
        );
        let (train, test) = (
            d.distance(Split::Train).unwrap(),
            d.distance(Split::Test).unwrap(),
        );
        assert!(test < train, "{test} {train}");
        // The loss distance is in decades: 0.6618 against 0.023 is 1.46 decades.
        assert!(train > 0.9 && train < 1.1, "{train}");
        assert_eq!(d.closer(), Some(Split::Test));
        let md = markdown(&[d]);
        assert!(
            md.contains("| loss | 4 |") && md.contains("| test |"),
            "{md}"
        );
    }

    #[test]
    fn equal_or_missing_distances_name_neither() {
        let d = distances(Measure::F1, &[(0.5, 0.75, 0.25)]);
        assert_eq!(d.closer(), None);
        let missing = SplitDistances {
            measure: Measure::F1,
            rows: vec![("p".into(), 0.9, None, Some(0.8))],
        };
        assert_eq!(missing.distance(Split::Train), None);
        assert_eq!(missing.closer(), None);
        assert!(markdown(&[]).is_empty() && html(&[]).is_empty());
    }
}
