//! `report.html`: a study's question, finding, summary table, figures and a mechanical verdict
//! in one self-contained page; and `index.html` over several studies.
//!
//! The page needs no other file and no network: inline CSS, no scripts, and every figure
//! inside it (`embed`), so it can be copied out of its folder or mailed; its links to the
//! study's other files work within the folder. Every piece of text that comes from a study
//! file or a record is escaped. Like the figures, the report is built post hoc from the records
//! and the plan, so a resumed or merged study gets the same report as one that ran in one go.
//! A quick run's report and index line say "smoke test" instead of a verdict.

mod embed;
mod html;
pub mod hypotheses;
pub mod rules;
pub mod splits;
mod verdict;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::figures;
use crate::output::{self, RunRecord, write_atomic};
use crate::plan::Plan;

use embed::EmbeddedFigure;
pub use html::escape;
use html::{PAGE_END, page_head, study_html};
use verdict::{Verdict, verdict_class};

/// The report's sections beyond the summary table, as HTML: the split comparison and the
/// hypotheses (each empty when the study has none), and the hypotheses' tally.
pub(crate) struct Findings {
    splits: String,
    hypotheses: String,
    tally: String,
}

/// What the index needs to know about a study's report.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyReport {
    /// The study name.
    pub name: String,
    /// The question it answers.
    pub question: String,
    /// The verdict line, e.g. `reproduced: partly`, or `smoke test` for a quick run.
    pub verdict: String,
    /// The study's output folder.
    pub dir: PathBuf,
    /// Whether `report.html` was written.
    pub written: bool,
    /// Whether `--quick` shortened training.
    pub quick: bool,
}

/// Draws the study's figures and writes its `report.html`. Problems are warnings on stderr:
/// the tables, already written, are the primary result.
pub fn write_study_report(plan: &Plan, dir: &Path, records: &[RunRecord]) -> StudyReport {
    let figures: Vec<EmbeddedFigure> = figures::write_figures(plan, dir, records)
        .into_iter()
        .map(|figure| embed::embed(&plan.name, dir, figure))
        .collect();
    let points = output::summarise(plan, records);
    let verdict = Verdict::new(&points);
    let evaluations = hypotheses::evaluate(plan, dir, records, &points);
    let findings = Findings {
        splits: splits::html(&splits::compare(plan, &points)),
        hypotheses: hypotheses::html(&evaluations),
        tally: hypotheses::tally(&evaluations),
    };
    let html = study_html(plan, records, &points, &verdict, &findings, &figures);
    let path = dir.join("report.html");
    let written = match write_atomic(&path, html.as_bytes()) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("{}: warning: {e}", plan.name);
            false
        }
    };
    StudyReport {
        name: plan.name.clone(),
        question: plan.question.clone(),
        verdict: headline(plan, &verdict),
        dir: dir.to_owned(),
        written,
        quick: plan.quick,
    }
}

/// Writes `index.html` in `parent`, linking each study's report with its verdict and question.
///
/// # Errors
/// A message when the file cannot be written.
pub fn write_index(parent: &Path, reports: &[StudyReport]) -> Result<PathBuf, String> {
    let mut html = page_head("Studies");
    html.push_str(
        "<h1>Studies</h1>\n<p class=\"muted\">Each study's page has its summary table, \
        figures and the rule behind its verdict.</p>\n<table class=\"index\">\n<thead><tr>\
        <th>study</th><th>verdict</th><th>question</th></tr></thead>\n<tbody>\n",
    );
    for report in reports {
        let link = relative_link(parent, &report.dir.join("report.html"));
        let mut name = if report.written {
            format!("<a href=\"{}\">{}</a>", escape(&link), escape(&report.name))
        } else {
            format!("{} (no report)", escape(&report.name))
        };
        if report.quick {
            name.push_str(" <span class=\"muted\">(quick run)</span>");
        }
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            verdict_class(&report.verdict),
            escape(&report.verdict),
            escape(&report.question)
        );
    }
    html.push_str("</tbody>\n</table>\n");
    html.push_str(PAGE_END);
    let path = parent.join("index.html");
    write_atomic(&path, html.as_bytes()).map_err(|e| e.to_string())?;
    Ok(path)
}

/// What a quick run's report says instead of a verdict.
const SMOKE_TEST: &str = "smoke test";

/// The line a report and the index show for a study: [`SMOKE_TEST`] for a quick run, whose
/// numbers are not comparable with the original's; the verdict's line otherwise.
fn headline(plan: &Plan, verdict: &Verdict) -> String {
    if plan.quick {
        SMOKE_TEST.to_owned()
    } else {
        verdict.line()
    }
}

/// `target` relative to `from` when it lies below it (the usual `results/<study>/report.html`),
/// else `target` as given; with `/` separators either way.
fn relative_link(from: &Path, target: &Path) -> String {
    let relative = target.strip_prefix(from).unwrap_or(target);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_index() {
        assert_eq!(
            relative_link(Path::new("results"), Path::new("results/width/report.html")),
            "width/report.html"
        );
    }
}
