//! The HTML of `report.html` and `index.html`: one self-contained page, inline CSS, figures
//! inside it, no scripts, every piece of text from a study file or record escaped.

use std::fmt::Write as _;

use super::Findings;
use super::embed::EmbeddedFigure;
use super::verdict::{RULE, Verdict, verdict_class};
use crate::output::{self, PointSummary, RunRecord, TextTable};
use crate::plan::Plan;
use crate::run::RunStatus;

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

pub(super) const STYLE: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f6f4; color: #1e1e1e;
  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 24px 48px; background: #fff;
  min-height: 100vh; }
h1 { font-size: 1.8rem; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.3rem; margin: 1.8em 0 0.5em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.1rem; margin: 1.4em 0 0.4em; }
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
figure img, figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 0.92rem; margin-top: 0.4em; }
figcaption a { margin-left: 0.4em; }
footer { margin-top: 3em; font-size: 0.9rem; color: #555; }
table.index td:first-child { white-space: nowrap; font-weight: 600; }
";

pub(super) const PAGE_END: &str = "</main>\n</body>\n</html>\n";

pub(super) fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    )
}

/// A summary table as HTML, the original's columns shaded.
fn table_html(table: &TextTable) -> String {
    let class = |i: usize| {
        if table.original_columns.contains(&i) {
            " class=\"original\""
        } else {
            ""
        }
    };
    let mut html = String::from("<div class=\"table-wrap\"><table class=\"summary\">\n<thead><tr>");
    for (i, h) in table.header.iter().enumerate() {
        let _ = write!(html, "<th{}>{}</th>", class(i), escape(h));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            // A sweep point may break after each of its commas, not inside a name.
            let text = if i == 0 {
                escape(cell).replace(',', ",<wbr>")
            } else {
                escape(cell)
            };
            let _ = write!(html, "<td{}>{text}</td>", class(i));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n");
    html
}

pub(super) fn study_html(
    plan: &Plan,
    records: &[RunRecord],
    points: &[PointSummary],
    verdict: &Verdict,
    findings: &Findings,
    figures: &[EmbeddedFigure],
) -> String {
    let mut html = page_head(&format!("Study {} — report", plan.name));
    let _ = writeln!(html, "<h1>Study <code>{}</code></h1>", escape(&plan.name));
    if plan.quick {
        html.push_str(
            "<p class=\"quick\">Quick run: every epoch count was divided by 100. These numbers \
             are a smoke test, not comparable with the original.</p>\n",
        );
    }
    html.push_str("<dl class=\"lead\">\n");
    if !plan.question.trim().is_empty() {
        let _ = writeln!(
            html,
            "<dt>Question</dt><dd>{}</dd>",
            escape(plan.question.trim())
        );
    }
    if !plan.finding.trim().is_empty() {
        let _ = writeln!(
            html,
            "<dt>Original finding</dt><dd>{}</dd>",
            escape(plan.finding.trim())
        );
    }
    let count = |f: fn(&RunStatus) -> bool| records.iter().filter(|r| f(&r.status)).count();
    let _ = writeln!(
        html,
        "<dt>Runs</dt><dd>{} = {} point(s) × {} seed(s): {} ok, {} diverged, {} failed, {} pending</dd>",
        records.len(),
        plan.points.len(),
        plan.seeds.len(),
        count(|s| *s == RunStatus::Ok),
        count(|s| matches!(s, RunStatus::Diverged { .. })),
        count(|s| matches!(s, RunStatus::Failed { .. })),
        count(|s| matches!(s, RunStatus::Pending | RunStatus::Interrupted)),
    );
    html.push_str("</dl>\n");
    let line = super::headline(plan, verdict);
    let _ = writeln!(
        html,
        "<p class=\"{}\">{}</p> <a href=\"#verdict\">how this is decided</a>",
        verdict_class(&line),
        escape(&line)
    );
    if !findings.tally.is_empty() {
        let _ = writeln!(
            html,
            "<p>Pre-registered hypotheses: <a href=\"#hypotheses\">{}</a>.</p>",
            escape(&findings.tally)
        );
    }

    html.push_str("<h2 id=\"summary\">Summary</h2>\n");
    let _ = writeln!(
        html,
        "<p class=\"note\">{} The original's columns are shaded.</p>",
        escape(&output::summary_preamble(plan))
    );
    html.push_str(&table_html(&output::summary_table(plan, points)));
    html.push_str("<p>Precision, recall, accuracy and ROC AUC:</p>\n");
    html.push_str(&table_html(&output::scores_table(points)));
    let notes: Vec<String> = output::original_notes(points)
        .into_iter()
        .map(|(point, text)| format!("<li>{}: original {}</li>", escape(&point), escape(&text)))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(
            html,
            "<p>Original notes:</p>\n<ul>\n{}\n</ul>",
            notes.join("\n")
        );
    }

    html.push_str(&findings.splits);
    html.push_str(&findings.hypotheses);

    html.push_str("<h2 id=\"figures\">Figures</h2>\n");
    if figures.is_empty() {
        html.push_str(
            "<p class=\"muted\">No figure could be drawn (see the messages the run printed).</p>\n",
        );
    }
    for figure in figures {
        let name = escape(&figure.file.name);
        let _ = writeln!(
            html,
            "<figure id=\"{name}\">\n{}\n<figcaption>{} Files in this study's folder: \
             <a href=\"figures/{name}.png\">PNG</a> \
             <a href=\"figures/{name}.svg\">SVG</a></figcaption>\n</figure>",
            figure.markup,
            escape(&figure.file.caption)
        );
    }

    html.push_str("<h2 id=\"verdict\">Verdict</h2>\n");
    if plan.quick {
        let _ = writeln!(
            html,
            "<p class=\"{}\">{}</p>\n<p>A quick run (<code>--quick</code>: every epoch count \
             divided by 100) shows that the study runs end to end and draws its figures. Its \
             numbers are not comparable with the original's, so no verdict is computed; run the \
             study without <code>--quick</code> for one.</p>",
            verdict_class(&line),
            escape(&line)
        );
        html.push_str(FOOTER);
        html.push_str(PAGE_END);
        return html;
    }
    let _ = writeln!(
        html,
        "<p class=\"{}\">{}</p>",
        verdict_class(&line),
        escape(&line)
    );
    // Without original numbers there is no verdict to explain: say what is compared instead,
    // and what the rule would need.
    let rule_intro = if verdict.outcome.is_none() {
        let _ = writeln!(
            html,
            "<p>Descriptive, not computed: the study file states the original finding in \
             words only and gives no original F1, final loss or divergence at any point, so \
             there is nothing to compare ours with. What this report compares is our own runs: \
             test F1 and final training loss {}, over {} seed(s) each, in the summary table, and \
             the figures. Whether they bear out the finding is read from those, not computed.</p>",
            escape(&compared_points(plan)),
            plan.seeds.len()
        );
        "With original numbers (<code>[[original]]</code> rows in the study file) the verdict \
         would be computed by this rule:"
            .to_owned()
    } else {
        escape(RULE[0])
    };
    let _ = writeln!(
        html,
        "<p class=\"note\">{rule_intro}</p>\n<ul class=\"note\">"
    );
    for step in &RULE[1..] {
        let _ = writeln!(html, "<li>{}</li>", escape(step));
    }
    html.push_str("</ul>\n");
    if !verdict.checks.is_empty() {
        html.push_str(
            "<div class=\"table-wrap\"><table>\n<thead><tr><th>point</th><th>quantity</th>\
             <th>original</th><th>ours</th><th>original inside our min–max</th>\
             <th>inside our usual range</th></tr></thead>\n<tbody>\n",
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
                yes_no(c.in_usual_range)
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
        None if verdict.outcome.is_none() => {}
        None => html.push_str(
            "<p>Trend: not compared (fewer than two points have both an original value and ours).</p>\n",
        ),
    }

    html.push_str(FOOTER);
    html.push_str(PAGE_END);
    html
}

/// The links to the study's other files, which work within its folder.
const FOOTER: &str = "<footer>Files in this study's folder: <a href=\"results.csv\">results.csv</a> \
     (one row per run) · <a href=\"summary.md\">summary.md</a> · \
     <a href=\"summary.json\">summary.json</a> · <a href=\"study.toml\">study.toml</a> (the \
     study file as run) · <a href=\"metadata.json\">metadata.json</a>. Per-run loss curves are \
     in <code>curves/</code>, records and fitted models in <code>runs/</code>.</footer>\n";

/// Where a descriptive report compares our runs: `at each of the 6 points of the sweep over
/// hidden layers, hidden activation`, or `of the one configuration` without a sweep.
fn compared_points(plan: &Plan) -> String {
    if plan.axes.is_empty() {
        return "of the one configuration".to_owned();
    }
    let axes: Vec<&str> = plan.axes.iter().map(|a| a.words()).collect();
    format!(
        "at each of the {} points of the sweep over {}",
        plan.points.len(),
        axes.join(", ")
    )
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
}
