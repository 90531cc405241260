//! Summaries per sweep point for `summary.json`, `summary.md` and `report.html`: every
//! quantity across seeds with the statistic its scale calls for ([`Quantity::statistic`], the
//! one place that choice is made), the splits side by side, the original's numbers beside
//! ours.

use std::fmt::Write as _;

use metrics::{Statistic, Summary};
use serde::Serialize;

use super::RunRecord;
use crate::plan::{Measure, Metric, Original, Plan, Split};
use crate::run::RunStatus;

/// A per-run number that the tables summarise across the seeds of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// A measure on a split (`test_f1`, `train_loss`).
    Metric(Metric),
    /// The first epoch whose training loss is at most the loss fraction of the first.
    EpochsToFraction,
    /// The oscillation measure (share of rising epochs late in training).
    Oscillation,
    /// The largest stable learning rate predicted at initialisation, 2/λ_max.
    StableLrAtInit,
}

/// How a quantity's values are written in a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notation {
    /// Fixed point with this many decimals (scores in [0, 1]).
    Fixed(usize),
    /// Three significant digits in scientific notation (losses, learning rates).
    Scientific,
    /// Whole numbers (epochs).
    Whole,
}

impl Quantity {
    /// `measure` on `split`.
    pub const fn on(split: Split, measure: Measure) -> Quantity {
        Quantity::Metric(Metric { split, measure })
    }

    /// Every quantity, in the order `summary.json` lists them: the metrics (training part
    /// first), then the epochs to the loss fraction, the oscillation and the predicted stable
    /// learning rate.
    pub fn all() -> impl Iterator<Item = Quantity> {
        Metric::all().map(Quantity::Metric).chain([
            Quantity::EpochsToFraction,
            Quantity::Oscillation,
            Quantity::StableLrAtInit,
        ])
    }

    /// Its name in `summary.json`: `test_f1`, `train_loss`, `epochs_to_fraction`, …
    pub fn key(self) -> String {
        match self {
            Quantity::Metric(m) => m.to_string(),
            Quantity::EpochsToFraction => "epochs_to_fraction".into(),
            Quantity::Oscillation => "oscillation".into(),
            Quantity::StableLrAtInit => "stable_lr_at_init".into(),
        }
    }

    /// Its name in a table header, e.g. `test F1`.
    pub fn words(self) -> String {
        match self {
            Quantity::Metric(m) => format!("{} {}", m.split, measure_words(m.measure)),
            Quantity::EpochsToFraction => "epochs to the loss fraction".into(),
            Quantity::Oscillation => "oscillation".into(),
            Quantity::StableLrAtInit => "predicted stable lr, 2/λ_max at init".into(),
        }
    }

    /// The statistic it is summarised with across seeds, by the scale it is read on: the
    /// median and quartiles for losses, epochs and learning rates (log scale: seeds can lie
    /// decades apart), the mean ± standard deviation for scores and shares in [0, 1] (linear
    /// scale). Tables, figures, the verdict and the hypothesis rules all take it from here.
    pub fn statistic(self) -> Statistic {
        match self.notation() {
            Notation::Fixed(_) => Statistic::MeanSd,
            Notation::Scientific | Notation::Whole => Statistic::MedianIqr,
        }
    }

    fn notation(self) -> Notation {
        match self {
            Quantity::Metric(Metric {
                measure: Measure::Loss,
                ..
            })
            | Quantity::StableLrAtInit => Notation::Scientific,
            Quantity::Metric(_) => Notation::Fixed(4),
            Quantity::Oscillation => Notation::Fixed(3),
            Quantity::EpochsToFraction => Notation::Whole,
        }
    }

    /// Its value in a run's record, if the run has one (runs that diverged or failed have no
    /// metrics; a run that never reached the loss fraction has no epoch for it).
    pub fn of(self, record: &RunRecord) -> Option<f64> {
        match self {
            Quantity::Metric(m) => record.metric(m),
            Quantity::EpochsToFraction => record.epochs_to_fraction.map(|e| e as f64),
            Quantity::Oscillation => record.oscillation,
            Quantity::StableLrAtInit => record.stable_lr_at_init,
        }
    }

    /// A table header: the quantity and its statistic, e.g. `train loss, median [Q1, Q3]`.
    pub fn header(self) -> String {
        format!("{}, {}", self.words(), self.statistic().name())
    }

    /// A summary as a table cell, in the quantity's statistic: `0.9068 ± 0.0181` (mean ±
    /// sd), `2.07e-1 [1.98e-1, 2.13e-1]` or `299 [250, 410]` (median [Q1, Q3]); the value
    /// alone for one seed; `–` for none.
    pub fn cell(self, summary: Option<&Summary>) -> String {
        let Some(s) = summary else {
            return "–".into();
        };
        let number = |x: f64| match self.notation() {
            Notation::Fixed(digits) => format!("{x:.digits$}"),
            Notation::Scientific => format!("{x:.2e}"),
            Notation::Whole => format!("{x:.0}"),
        };
        let centre = number(s.centre(self.statistic()));
        if s.n == 1 {
            return centre;
        }
        match self.statistic() {
            Statistic::MeanSd => format!("{centre} ± {}", number(s.std)),
            Statistic::MedianIqr => format!("{centre} [{}, {}]", number(s.q1), number(s.q3)),
        }
    }
}

/// A measure in a table header: `F1`, `ROC AUC`, `loss`, …
pub fn measure_words(measure: Measure) -> &'static str {
    match measure {
        Measure::Precision => "precision",
        Measure::Recall => "recall",
        Measure::F1 => "F1",
        Measure::Accuracy => "accuracy",
        Measure::RocAuc => "ROC AUC",
        Measure::Loss => "loss",
    }
}

/// One quantity summarised at one point, as `summary.json` lists it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct QuantitySummary {
    /// The quantity's key ([`Quantity::key`]).
    #[serde(serialize_with = "quantity_key")]
    pub quantity: Quantity,
    /// The statistic tables and figures report it with.
    pub statistic: Statistic,
    /// Over the runs that have a value; `None` when none has.
    pub summary: Option<Summary>,
}

fn quantity_key<S: serde::Serializer>(q: &Quantity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&q.key())
}

/// Every quantity at one sweep point, and how its runs ended.
#[derive(Debug, Clone, Serialize)]
pub struct PointSummary {
    /// The point's label.
    pub point: String,
    /// Runs at this point.
    pub n_runs: usize,
    /// Runs that finished normally.
    pub n_ok: usize,
    /// Runs that diverged.
    pub n_diverged: usize,
    /// Runs that failed.
    pub n_failed: usize,
    /// Runs that were interrupted or have not run yet (an interrupted study, before
    /// `--resume`).
    pub n_unfinished: usize,
    /// The dataset's Bayes error rate at this point, when known (the same for every seed).
    pub bayes_error: Option<f64>,
    /// Each quantity over the runs that finished normally.
    pub metrics: Vec<QuantitySummary>,
    /// How many finished runs reached the loss fraction.
    pub n_reached_fraction: usize,
    /// The original project's numbers for this point.
    pub original: Option<Original>,
}

impl PointSummary {
    /// The summary of `quantity` at this point, if any run has a value.
    pub fn summary(&self, quantity: Quantity) -> Option<Summary> {
        self.metrics
            .iter()
            .find(|m| m.quantity == quantity)
            .and_then(|m| m.summary)
    }

    /// The centre of `quantity` under its statistic (mean or median), if any run has a value.
    pub fn centre(&self, quantity: Quantity) -> Option<f64> {
        self.summary(quantity)
            .map(|s| s.centre(quantity.statistic()))
    }
}

/// Summaries per sweep point, in point order.
pub fn summarise(plan: &Plan, records: &[RunRecord]) -> Vec<PointSummary> {
    plan.points
        .iter()
        .map(|point| {
            let label = &point.label;
            let here: Vec<&RunRecord> = records.iter().filter(|r| &r.point == label).collect();
            let ok: Vec<&RunRecord> = here
                .iter()
                .copied()
                .filter(|r| r.metrics.is_some())
                .collect();
            let count = |f: fn(&RunStatus) -> bool| here.iter().filter(|r| f(&r.status)).count();
            PointSummary {
                point: label.clone(),
                n_runs: here.len(),
                n_ok: ok.len(),
                n_diverged: count(|s| matches!(s, RunStatus::Diverged { .. })),
                n_failed: count(|s| matches!(s, RunStatus::Failed { .. })),
                n_unfinished: count(|s| matches!(s, RunStatus::Interrupted | RunStatus::Pending)),
                bayes_error: here.iter().find_map(|r| r.bayes_error),
                metrics: Quantity::all()
                    .map(|quantity| {
                        let values: Vec<f64> = ok.iter().filter_map(|r| quantity.of(r)).collect();
                        QuantitySummary {
                            quantity,
                            statistic: quantity.statistic(),
                            summary: Summary::from_values(&values).ok(),
                        }
                    })
                    .collect(),
                n_reached_fraction: ok.iter().filter(|r| r.epochs_to_fraction.is_some()).count(),
                original: point.original.clone(),
            }
        })
        .collect()
}

/// A table as text: shared by `summary.md` and `report.html`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// The column headings.
    pub header: Vec<String>,
    /// One row of cells per point.
    pub rows: Vec<Vec<String>>,
    /// The columns that hold the original's numbers (shaded in `report.html`).
    pub original_columns: Vec<usize>,
}

impl TextTable {
    /// The table in Markdown; a `|` inside a cell is escaped.
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let mut md = line(&self.header);
        md.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for row in &self.rows {
            md.push_str(&line(row));
        }
        md
    }
}

/// An original number as given in the study file, `–` when it gives none.
fn original_cell(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |x| format!("{x}"))
}

/// A table built column by column: each column is a header and one cell per point, and the
/// original's columns are left out when no point has an original value for them.
struct Columns<'a> {
    points: &'a [PointSummary],
    table: TextTable,
}

impl<'a> Columns<'a> {
    fn new(points: &'a [PointSummary]) -> Columns<'a> {
        let mut columns = Columns {
            points,
            table: TextTable {
                header: Vec::new(),
                rows: vec![Vec::new(); points.len()],
                original_columns: Vec::new(),
            },
        };
        columns.push("point", |p| p.point.clone());
        columns
    }

    fn push(&mut self, header: impl Into<String>, cell: impl Fn(&PointSummary) -> String) {
        self.table.header.push(header.into());
        for (row, p) in self.table.rows.iter_mut().zip(self.points) {
            row.push(cell(p));
        }
    }

    fn quantity(&mut self, quantity: Quantity) {
        self.push(quantity.header(), |p| {
            quantity.cell(p.summary(quantity).as_ref())
        });
    }

    /// `measure` on the training part, then on the test part.
    fn both_splits(&mut self, measure: Measure) {
        for split in [Split::Train, Split::Test] {
            self.quantity(Quantity::on(split, measure));
        }
    }

    fn original(&mut self, what: &str, value: fn(&Original) -> Option<f64>) {
        let given = |p: &PointSummary| p.original.as_ref().and_then(value);
        if self.points.iter().any(|p| given(p).is_some()) {
            self.table.original_columns.push(self.table.header.len());
            self.push(format!("original {what}"), |p| original_cell(given(p)));
        }
    }
}

/// The main summary table: the point, the Bayes error (when known), F1 and the loss on both
/// splits beside the original's, the epochs to the loss fraction, the oscillation, the
/// predicted stable learning rate (when curvature is recorded) and how the runs ended.
pub fn summary_table(plan: &Plan, points: &[PointSummary]) -> TextTable {
    let mut columns = Columns::new(points);
    if points.iter().any(|p| p.bayes_error.is_some()) {
        columns.push("Bayes error", |p| {
            p.bayes_error
                .map_or_else(|| "–".into(), |b| format!("{b:.4}"))
        });
    }
    columns.both_splits(Measure::F1);
    columns.original("F1", |o| o.f1);
    columns.both_splits(Measure::Loss);
    columns.original("loss", |o| o.loss);
    let fraction = plan.record.loss_fraction * 100.0;
    let epochs = Quantity::EpochsToFraction;
    columns.push(
        format!("epochs to {fraction:.0}%, {}", epochs.statistic().name()),
        |p| {
            let cell = epochs.cell(p.summary(epochs).as_ref());
            format!("{cell} ({} of {})", p.n_reached_fraction, p.n_ok)
        },
    );
    columns.quantity(Quantity::Oscillation);
    if plan.record.curvature_stride > 0 {
        columns.quantity(Quantity::StableLrAtInit);
    }
    columns.push("ok / diverged / failed", status_cell);
    columns.table
}

/// The second table: precision, recall, accuracy and ROC AUC on both splits, beside the
/// original's precision and recall.
pub fn scores_table(points: &[PointSummary]) -> TextTable {
    let mut columns = Columns::new(points);
    columns.both_splits(Measure::Precision);
    columns.original("precision", |o| o.precision);
    columns.both_splits(Measure::Recall);
    columns.original("recall", |o| o.recall);
    columns.both_splits(Measure::Accuracy);
    columns.both_splits(Measure::RocAuc);
    columns.table
}

/// `ok / diverged / failed`, with the runs not run yet of an interrupted study.
fn status_cell(p: &PointSummary) -> String {
    if p.n_unfinished == 0 {
        format!("{} / {} / {}", p.n_ok, p.n_diverged, p.n_failed)
    } else {
        // An interrupted study: its pending runs are not failures.
        format!(
            "{} / {} / {} (+{} not run yet)",
            p.n_ok, p.n_diverged, p.n_failed, p.n_unfinished
        )
    }
}

/// The sentences under the summary table's heading: what a cell summarises, and how.
pub fn summary_preamble(plan: &Plan) -> String {
    let fraction = plan.record.loss_fraction * 100.0;
    format!(
        "Summaries over {} seed(s) per row; runs that diverged or failed are counted, not \
         summarised. Every metric is given on the training part (the data the model was \
         fitted to) and on the held-out test part. Scores in [0, 1] (F1, precision, recall, \
         accuracy, ROC AUC, oscillation) are read on a linear scale and given as mean ± \
         sample standard deviation; losses, epochs and learning rates are read on a log \
         scale, where one seed can lie decades from the others, and are given as median \
         [first quartile, third quartile] (quartiles by linear interpolation, type 7). The \
         Bayes error is the error rate of the best possible classifier on the dataset's \
         distribution. Losses are binary cross-entropy; \
         \"epochs to {fraction:.0}%\" is the first epoch whose training loss is at most \
         {fraction:.0}% of the first.",
        plan.seeds.len(),
    )
}

/// The original's notes (anything it reported beyond numbers), as `(point, note)`.
pub fn original_notes(points: &[PointSummary]) -> Vec<(String, String)> {
    points
        .iter()
        .filter_map(|p| {
            let note = p.original.as_ref()?.note.as_ref()?;
            Some((p.point.clone(), note.clone()))
        })
        .collect()
}

/// `summary.md`: the original project's table form, ours beside theirs.
pub fn summary_markdown(plan: &Plan, points: &[PointSummary]) -> String {
    let mut md = format!("# Study `{}`\n\n", plan.name);
    if !plan.question.is_empty() {
        let _ = writeln!(md, "**Question.** {}\n", plan.question.trim());
    }
    if !plan.finding.is_empty() {
        let _ = writeln!(md, "**Original finding.** {}\n", plan.finding.trim());
    }
    let _ = writeln!(
        md,
        "{}{}\n",
        summary_preamble(plan),
        if plan.quick {
            " **Quick run: epochs divided by 100; not comparable with the original.**"
        } else {
            ""
        }
    );
    md.push_str(&summary_table(plan, points).markdown());
    md.push_str("\nPrecision, recall, accuracy and ROC AUC:\n\n");
    md.push_str(&scores_table(points).markdown());
    let notes: Vec<String> = original_notes(points)
        .into_iter()
        .map(|(point, text)| format!("- {point}: original {text}"))
        .collect();
    if !notes.is_empty() {
        md.push_str("\nOriginal notes:\n\n");
        md.push_str(&notes.join("\n"));
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: &[f64]) -> Summary {
        Summary::from_values(values).unwrap()
    }

    #[test]
    fn log_scale_quantities_use_the_median_and_quartiles() {
        for split in [Split::Train, Split::Test] {
            let loss = Quantity::on(split, Measure::Loss);
            assert_eq!(loss.statistic(), Statistic::MedianIqr, "{loss:?}");
            for measure in Measure::ALL.into_iter().filter(|m| *m != Measure::Loss) {
                let q = Quantity::on(split, measure);
                assert_eq!(q.statistic(), Statistic::MeanSd, "{q:?}");
            }
        }
        assert_eq!(Quantity::EpochsToFraction.statistic(), Statistic::MedianIqr);
        assert_eq!(Quantity::StableLrAtInit.statistic(), Statistic::MedianIqr);
        assert_eq!(Quantity::Oscillation.statistic(), Statistic::MeanSd);
        assert_eq!(
            Quantity::on(Split::Train, Measure::Loss).header(),
            "train loss, median [Q1, Q3]"
        );
        assert_eq!(
            Quantity::on(Split::Test, Measure::F1).header(),
            "test F1, mean ± sd"
        );
        assert_eq!(
            Quantity::on(Split::Test, Measure::RocAuc).key(),
            "test_roc_auc"
        );
        assert_eq!(Quantity::all().count(), 15);
    }

    #[test]
    fn cells_write_the_statistic_of_their_quantity() {
        // Four seeds near 1e-5 and one at 0.41: the cell shows the bulk, not the mean 0.08.
        let losses = summary(&[1.2e-5, 0.8e-5, 0.41, 1.0e-5, 0.9e-5]);
        let train_loss = Quantity::on(Split::Train, Measure::Loss);
        assert_eq!(train_loss.cell(Some(&losses)), "1.00e-5 [9.00e-6, 1.20e-5]");
        let f1 = summary(&[0.9, 1.0]);
        let test_f1 = Quantity::on(Split::Test, Measure::F1);
        assert_eq!(test_f1.cell(Some(&f1)), "0.9500 ± 0.0707");
        let epochs = summary(&[100.0, 200.0, 400.0]);
        assert_eq!(
            Quantity::EpochsToFraction.cell(Some(&epochs)),
            "200 [150, 300]"
        );
        assert_eq!(train_loss.cell(Some(&summary(&[0.5]))), "5.00e-1");
        assert_eq!(test_f1.cell(None), "–");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let table = TextTable {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x|y".into(), "1".into()]],
            original_columns: vec![],
        };
        assert_eq!(table.markdown(), "| a | b |\n|---|---|\n| x\\|y | 1 |\n");
    }
}
