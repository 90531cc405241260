//! `report.html`: a study's question, finding, summary table, figures and a mechanical verdict
//! in one self-contained page; and `index.html` over several studies.
//!
//! The page opens from disk with no network: inline CSS, no scripts, figures by relative path
//! (`figures/*.svg`). Every piece of text that comes from a study file or a record is escaped.
//! Like the figures, the report is built post hoc from the records and the plan, so a resumed
//! or merged study gets the same report as one that ran in one go.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::figures::{self, FigureFile};
use crate::output::{self, PointSummary, RunRecord, write_atomic};
use crate::run::RunStatus;
use crate::spec::Plan;

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
        question: plan.raw.study.question.clone(),
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

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How one original number compares with ours at one point.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    point: String,
    /// `F1`, `final training loss` or `divergence`.
    what: &'static str,
    original: String,
    ours: String,
    /// Within our min–max across seeds (for divergence: every seed diverged).
    in_range: bool,
    /// Within our mean ± 2·std (for divergence: some seed diverged).
    within_two_std: bool,
}

/// The direction of a sequence in point order, by the sign of Kendall's S.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Increasing,
    Decreasing,
    Flat,
}

impl Direction {
    /// The sign of Kendall's S: pairs `i < j` with `v[j] > v[i]` minus pairs with `v[j] < v[i]`.
    fn of(values: &[f64]) -> (Direction, i64) {
        let mut s = 0i64;
        for i in 0..values.len() {
            for j in i + 1..values.len() {
                s += match values[j].partial_cmp(&values[i]) {
                    Some(std::cmp::Ordering::Greater) => 1,
                    Some(std::cmp::Ordering::Less) => -1,
                    _ => 0,
                };
            }
        }
        let direction = match s.signum() {
            1 => Direction::Increasing,
            -1 => Direction::Decreasing,
            _ => Direction::Flat,
        };
        (direction, s)
    }

    fn word(self) -> &'static str {
        match self {
            Direction::Increasing => "increasing",
            Direction::Decreasing => "decreasing",
            Direction::Flat => "flat",
        }
    }
}

/// The trend comparison: which metric, at which points, and both directions.
#[derive(Debug, Clone, PartialEq)]
struct Trend {
    what: &'static str,
    points: Vec<String>,
    original: (Direction, i64),
    ours: (Direction, i64),
}

impl Trend {
    fn matches(&self) -> bool {
        self.original.0 == self.ours.0
    }
}

/// How well we reproduce the original, by the rule in [`RULE`].
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    checks: Vec<Check>,
    trend: Option<Trend>,
    outcome: Option<&'static str>,
}

/// The verdict rule, as the report states it: an opening sentence, then one item per step.
const RULE: [&str; 5] = [
    "This verdict is computed mechanically by the rule below, not judged.",
    "Values: at each point with an original value, the original F1 and final loss are \
     compared with ours across seeds: inside our min–max, and inside our mean ± 2·std. A point \
     whose original note says it diverged counts as inside our range when every one of our \
     seeds diverged there, and inside 2·std when some did.",
    "Trend: the direction of F1 in point order (of the final loss when fewer than two points \
     have an original F1), over the points with both an original value and ours, taken as the \
     sign of Kendall's S (rising pairs minus falling pairs), for the original values and for \
     our means.",
    "yes = every original value is inside our min–max and the trend matches; partly = the \
     trend matches but some original value is outside our min–max; no = the trend differs.",
    "With fewer than two points to compare there is no trend: yes = every original value is \
     inside our min–max; partly = all are inside our mean ± 2·std; no = otherwise.",
];

impl Verdict {
    fn new(points: &[PointSummary]) -> Verdict {
        let mut checks = Vec::new();
        for p in points {
            let Some(original) = &p.original else {
                continue;
            };
            for (what, key, value) in [
                ("F1", "f1", original.f1),
                ("final training loss", "train_loss", original.loss),
            ] {
                let Some(value) = value else {
                    continue;
                };
                let ours = output::point_metric(p, key);
                checks.push(Check {
                    point: p.point.clone(),
                    what,
                    original: format!("{value}"),
                    ours: ours.map_or_else(
                        || "no finished run".to_owned(),
                        |s| {
                            format!(
                                "{} ({} seeds, min {}, max {})",
                                if key == "f1" {
                                    output::cell(Some(&s), 4)
                                } else {
                                    output::loss_cell(Some(&s))
                                },
                                s.n,
                                short(s.min),
                                short(s.max)
                            )
                        },
                    ),
                    in_range: ours.is_some_and(|s| s.min <= value && value <= s.max),
                    within_two_std: ours.is_some_and(|s| (value - s.mean).abs() <= 2.0 * s.std),
                });
            }
            let says_diverged = original
                .note
                .as_deref()
                .is_some_and(|n| n.to_lowercase().contains("diverge"));
            if says_diverged {
                let n = p.n_runs - p.n_failed - p.n_unfinished;
                checks.push(Check {
                    point: p.point.clone(),
                    what: "divergence",
                    original: "diverged".into(),
                    ours: format!("{} of {n} seeds diverged", p.n_diverged),
                    in_range: n > 0 && p.n_diverged == n,
                    within_two_std: p.n_diverged > 0,
                });
            }
        }
        let trend = trend(points, "F1", "f1", |o| o.f1)
            .or_else(|| trend(points, "final training loss", "train_loss", |o| o.loss));
        let outcome = (!checks.is_empty() || trend.is_some()).then(|| {
            let all_in_range = checks.iter().all(|c| c.in_range);
            match &trend {
                Some(t) if !t.matches() => "no",
                Some(_) if all_in_range => "yes",
                Some(_) => "partly",
                None if all_in_range => "yes",
                None if checks.iter().all(|c| c.within_two_std) => "partly",
                None => "no",
            }
        });
        Verdict {
            checks,
            trend,
            outcome,
        }
    }

    fn line(&self) -> String {
        match self.outcome {
            Some(outcome) => format!("reproduced: {outcome}"),
            None => "reproduced: not assessed".to_owned(),
        }
    }
}

/// The trend of `what` over the points with both an original value and ours (at least two).
fn trend(
    points: &[PointSummary],
    what: &'static str,
    key: &str,
    original: fn(&crate::spec::RawOriginal) -> Option<f64>,
) -> Option<Trend> {
    let pairs: Vec<(String, f64, f64)> = points
        .iter()
        .filter_map(|p| {
            let theirs = p.original.as_ref().and_then(original)?;
            let ours = output::point_metric(p, key)?;
            Some((p.point.clone(), theirs, ours.mean))
        })
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let theirs: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let ours: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    Some(Trend {
        what,
        points: pairs.into_iter().map(|p| p.0).collect(),
        original: Direction::of(&theirs),
        ours: Direction::of(&ours),
    })
}

/// A number in at most four significant digits.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e4) {
        format!("{x:.3e}")
    } else {
        let text = format!("{x:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn verdict_class(line: &str) -> &'static str {
    if line.ends_with(": yes") {
        "verdict yes"
    } else if line.ends_with(": partly") {
        "verdict partly"
    } else if line.ends_with(": no") {
        "verdict no"
    } else {
        "verdict none"
    }
}

const STYLE: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f6f4; color: #1e1e1e;
  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 24px 48px; background: #fff;
  min-height: 100vh; }
h1 { font-size: 1.8rem; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.3rem; margin: 1.8em 0 0.5em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
code { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.92em; }
.muted, figcaption, .note { color: #555; }
.lead { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1em; margin: 0 0 1em; }
.lead dt { font-weight: 600; }
.lead dd { margin: 0; }
.quick { background: #fff4d6; border: 1px solid #e6c36a; padding: 0.5em 0.8em; border-radius: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.5em 0; }
th, td { border: 1px solid #d8d8d8; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #f0f0ee; font-weight: 600; }
table.summary td { white-space: nowrap; font-variant-numeric: tabular-nums; }
/* Long sweep points (`depth=6,activation=sigmoid`) wrap, so the table fits a laptop screen. */
table.summary td:first-child { white-space: normal; min-width: 7em; }
table.summary td.original, table.summary th.original { background: #f3f6fb; }
.verdict { font-weight: 700; }
p.verdict { font-size: 1.15rem; display: inline-block; padding: 0.25em 0.7em; border-radius: 4px; margin: 0.3em 0; }
.verdict.yes { color: #1b5e20; } p.verdict.yes { background: #e3f2e1; }
.verdict.partly { color: #7a4f00; } p.verdict.partly { background: #fff1d0; }
.verdict.no { color: #8e1b1b; } p.verdict.no { background: #fbe3e3; }
.verdict.none { color: #555; } p.verdict.none { background: #eee; }
td.pass { color: #1b5e20; } td.fail { color: #8e1b1b; }
figure { margin: 1.6em 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 0.92rem; margin-top: 0.4em; }
figcaption a { margin-left: 0.4em; }
footer { margin-top: 3em; font-size: 0.9rem; color: #555; }
table.index td:first-child { white-space: nowrap; font-weight: 600; }
";

const PAGE_END: &str = "</main>\n</body>\n</html>\n";

fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    )
}

fn study_html(
    plan: &Plan,
    records: &[RunRecord],
    points: &[PointSummary],
    verdict: &Verdict,
    figures: &[FigureFile],
) -> String {
    let study = &plan.raw.study;
    let mut html = page_head(&format!("Study {} — report", plan.name));
    let _ = writeln!(html, "<h1>Study <code>{}</code></h1>", escape(&plan.name));
    if plan.quick {
        html.push_str(
            "<p class=\"quick\">Quick run: every epoch count was divided by 100. These numbers \
             are a smoke test, not comparable with the original.</p>\n",
        );
    }
    html.push_str("<dl class=\"lead\">\n");
    if !study.question.trim().is_empty() {
        let _ = writeln!(
            html,
            "<dt>Question</dt><dd>{}</dd>",
            escape(study.question.trim())
        );
    }
    if !study.finding.trim().is_empty() {
        let _ = writeln!(
            html,
            "<dt>Original finding</dt><dd>{}</dd>",
            escape(study.finding.trim())
        );
    }
    let count = |f: fn(&RunStatus) -> bool| records.iter().filter(|r| f(&r.status)).count();
    let _ = writeln!(
        html,
        "<dt>Runs</dt><dd>{} = {} point(s) × {} seed(s): {} ok, {} diverged, {} failed, {} pending</dd>",
        records.len(),
        plan.points.len(),
        plan.runs.len() / plan.points.len().max(1),
        count(|s| *s == RunStatus::Ok),
        count(|s| matches!(s, RunStatus::Diverged { .. })),
        count(|s| matches!(s, RunStatus::Failed { .. })),
        count(|s| matches!(s, RunStatus::Pending | RunStatus::Interrupted)),
    );
    html.push_str("</dl>\n");
    let line = verdict.line();
    let _ = writeln!(
        html,
        "<p class=\"{}\">{}</p> <a href=\"#verdict\">how this is decided</a>",
        verdict_class(&line),
        escape(&line)
    );

    html.push_str("<h2 id=\"summary\">Summary</h2>\n");
    let _ = writeln!(
        html,
        "<p class=\"note\">{} The original's columns are shaded.</p>",
        escape(&output::summary_preamble(plan))
    );
    let (header, rows) = output::summary_table(plan, points);
    let original_columns = [2, 4];
    html.push_str("<div class=\"table-wrap\"><table class=\"summary\">\n<thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let class = if original_columns.contains(&i) {
            " class=\"original\""
        } else {
            ""
        };
        let _ = write!(html, "<th{class}>{}</th>", escape(h));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows {
        html.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if original_columns.contains(&i) {
                " class=\"original\""
            } else {
                ""
            };
            // A sweep point may break after each of its commas, not inside a name.
            let text = if i == 0 {
                escape(cell).replace(',', ",<wbr>")
            } else {
                escape(cell)
            };
            let _ = write!(html, "<td{class}>{text}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n");
    let notes: Vec<String> = output::other_original_numbers(points)
        .into_iter()
        .map(|(point, text)| format!("<li>{}: original {}</li>", escape(&point), escape(&text)))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(
            html,
            "<p>Other original numbers:</p>\n<ul>\n{}\n</ul>",
            notes.join("\n")
        );
    }

    html.push_str("<h2 id=\"figures\">Figures</h2>\n");
    if figures.is_empty() {
        html.push_str(
            "<p class=\"muted\">No figure could be drawn (see the messages the run printed).</p>\n",
        );
    }
    for figure in figures {
        let name = escape(&figure.name);
        let _ = writeln!(
            html,
            "<figure id=\"{name}\">\n<a href=\"figures/{name}.png\"><img \
             src=\"figures/{name}.svg\" alt=\"{}\"></a>\n\
             <figcaption>{} <a href=\"figures/{name}.png\">PNG</a> \
             <a href=\"figures/{name}.svg\">SVG</a></figcaption>\n</figure>",
            escape(&figure.title),
            escape(&figure.caption)
        );
    }

    html.push_str("<h2 id=\"verdict\">Verdict</h2>\n");
    let _ = writeln!(
        html,
        "<p class=\"{}\">{}</p>\n<p class=\"note\">{}</p>\n<ul class=\"note\">",
        verdict_class(&line),
        escape(&line),
        escape(RULE[0])
    );
    for step in &RULE[1..] {
        let _ = writeln!(html, "<li>{}</li>", escape(step));
    }
    html.push_str("</ul>\n");
    if verdict.outcome.is_none() {
        html.push_str(
            "<p>Not assessed: the study file gives no original F1, loss or divergence to \
             compare with; the question is answered by the table and the figures.</p>\n",
        );
    }
    if !verdict.checks.is_empty() {
        html.push_str(
            "<div class=\"table-wrap\"><table>\n<thead><tr><th>point</th><th>quantity</th>\
             <th>original</th><th>ours (mean ± std)</th><th>original inside our min–max</th>\
             <th>inside mean ± 2·std</th></tr></thead>\n<tbody>\n",
        );
        let yes_no = |b: bool| {
            if b {
                "<td class=\"pass\">yes</td>"
            } else {
                "<td class=\"fail\">no</td>"
            }
        };
        for c in &verdict.checks {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>",
                escape(&c.point),
                escape(c.what),
                escape(&c.original),
                escape(&c.ours),
                yes_no(c.in_range),
                yes_no(c.within_two_std)
            );
        }
        html.push_str("</tbody>\n</table></div>\n");
    }
    match &verdict.trend {
        Some(t) => {
            let _ = writeln!(
                html,
                "<p>Trend of {} over {}: original {} (Kendall's S = {:+}), ours {} (S = {:+}): {}.</p>",
                escape(t.what),
                escape(&t.points.join(", ")),
                t.original.0.word(),
                t.original.1,
                t.ours.0.word(),
                t.ours.1,
                if t.matches() { "matches" } else { "differs" }
            );
        }
        None => html.push_str(
            "<p>Trend: not compared (fewer than two points have both an original value and ours).</p>\n",
        ),
    }

    html.push_str(
        "<footer>Files: <a href=\"results.csv\">results.csv</a> (one row per run) · \
         <a href=\"summary.md\">summary.md</a> · <a href=\"summary.json\">summary.json</a> · \
         <a href=\"study.toml\">study.toml</a> (the study file as run) · \
         <a href=\"metadata.json\">metadata.json</a>. Per-run loss curves are in \
         <code>curves/</code>, records and fitted models in <code>runs/</code>.</footer>\n",
    );
    html.push_str(PAGE_END);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn direction_is_the_sign_of_kendalls_s() {
        assert_eq!(
            Direction::of(&[0.1, 0.2, 0.3, 0.4]),
            (Direction::Increasing, 6)
        );
        // Noise at the top still reads as increasing: 4 rising pairs, 2 falling.
        assert_eq!(
            Direction::of(&[0.998, 0.997, 1.0, 0.999]),
            (Direction::Increasing, 2)
        );
        assert_eq!(Direction::of(&[3.0, 2.0]), (Direction::Decreasing, -1));
        assert_eq!(Direction::of(&[1.0, 1.0]), (Direction::Flat, 0));
    }

    #[test]
    fn links_are_relative_to_the_index() {
        assert_eq!(
            relative_link(Path::new("results"), Path::new("results/width/report.html")),
            "width/report.html"
        );
    }
}
