//! `report.html`: a study's question, finding, summary table, figures and a mechanical verdict
//! in one self-contained page; and `index.html` over several studies.
//!
//! The page opens from disk with no network: inline CSS, no scripts, figures by relative path
//! (`figures/*.svg`). Every piece of text that comes from a study file or a record is escaped.
//! Like the figures, the report is built post hoc from the records and the plan, so a resumed
//! or merged study gets the same report as one that ran in one go.

mod html;
mod verdict;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::figures;
use crate::output::{self, RunRecord, write_atomic};
use crate::plan::Plan;

pub use html::escape;
use html::{PAGE_END, page_head, study_html};
use verdict::{Verdict, verdict_class};

/// What the index needs to know about a study's report.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyReport {
    /// The study name.
    pub name: String,
    /// The question it answers.
    pub question: String,
    /// The verdict line, e.g. `reproduced: partly`.
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
    let figures = figures::write_figures(plan, dir, records);
    let points = output::summarise(plan, records);
    let verdict = Verdict::new(&points);
    let html = study_html(plan, records, &points, &verdict, &figures);
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
        verdict: verdict.line(),
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
