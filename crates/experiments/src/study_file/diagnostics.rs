//! Problems in a study file, with where they are: locating them (line and column from a byte
//! offset), collecting them ([`Diagnostics`]) and rendering them as
//! `path:line:col: field: message`.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a study file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The dotted key, e.g. `model.learning_rate`.
    pub field: String,
    /// 1-based line and column of the value, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Everything wrong with one study file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render_problems(path, problems))]
pub struct StudyFileError {
    /// The file.
    pub path: PathBuf,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = match p.location {
            Some((line, col)) => write!(
                out,
                "{}:{line}:{col}: {}: {}",
                path.display(),
                p.field,
                p.message
            ),
            None => write!(out, "{}: {}: {}", path.display(), p.field, p.message),
        };
    }
    out
}

impl StudyFileError {
    /// One problem without a position, such as a file that cannot be read.
    pub fn single(path: &Path, field: &str, message: impl Into<String>) -> Self {
        StudyFileError {
            path: path.to_owned(),
            problems: vec![Problem {
                field: field.to_owned(),
                location: None,
                message: message.into(),
            }],
        }
    }
}

/// Collects the problems of one study file, locating each by the span of its value.
#[derive(Debug)]
pub struct Diagnostics<'s> {
    source: &'s str,
    problems: Vec<Problem>,
}

impl<'s> Diagnostics<'s> {
    /// An empty collection for the file whose text is `source`.
    pub fn new(source: &'s str) -> Self {
        Diagnostics {
            source,
            problems: Vec::new(),
        }
    }

    /// Records a problem with `field`; `span` locates its value (a default value has the
    /// empty span `0..0`, which has no location).
    pub fn problem(&mut self, field: &str, span: Option<Range<usize>>, message: impl Into<String>) {
        let location = span
            .filter(|s| s.end > 0)
            .map(|s| line_col(self.source, s.start));
        self.problems.push(Problem {
            field: field.to_owned(),
            location,
            message: message.into(),
        });
    }

    /// How many problems so far.
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Keeps the first of problems with the same field and message (a problem of every sweep
    /// point is reported once, not once per point).
    pub fn dedup(&mut self) {
        let mut seen = Vec::new();
        self.problems.retain(|p| {
            let key = (p.field.clone(), p.message.clone());
            let fresh = !seen.contains(&key);
            seen.push(key);
            fresh
        });
    }

    /// The problems, in the order they were found.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The source line containing a span, with a caret under its start.
pub fn source_line(source: &str, span: Range<usize>) -> String {
    let (line, col) = line_col(source, span.start);
    let text = source.lines().nth(line - 1).unwrap_or("");
    format!("  | {text}\n  | {}^", " ".repeat(col - 1))
}
