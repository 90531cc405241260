//! Study files as text: reading one, and parsing it into the raw schema ([`RawStudy`]) with
//! every syntax error, unknown key and wrong type reported with its line and column.
//!
//! This is the first of the two steps from a file to a plan (as ripgrep parses raw flags
//! before it validates them): nothing here checks a value's range; [`crate::plan`] does.

mod diagnostics;
mod schema;

use std::path::Path;

pub use diagnostics::{Diagnostics, Problem, StudyFileError, line_col, source_line};
pub use schema::{
    RawDataset, RawHeader, RawHypothesis, RawModel, RawOriginal, RawRecord, RawStudy, RawSweep,
};

/// Study files larger than this are refused before parsing (a study is a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads a study file's text.
///
/// # Errors
/// [`StudyFileError`] with the field `file`: the file is missing or unreadable, a directory,
/// larger than [`MAX_FILE_BYTES`], or not UTF-8.
pub fn read(path: &Path) -> Result<String, StudyFileError> {
    let fail = |message: String| StudyFileError::single(path, "file", message);
    let meta = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read the study file: {e}; check the path")))?;
    if meta.is_dir() {
        return Err(fail(
            "is a directory; pass a .toml study file (or no file to run every study in experiments/)"
                .into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "is {} bytes; study files are limited to {MAX_FILE_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| fail(format!("cannot read the study file: {e}")))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        fail(format!(
            "is not valid UTF-8 (first bad byte at offset {offset}); save it as UTF-8"
        ))
    })?;
    Ok(source)
}

/// What parsing a study's text found.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The raw study, when the text (with any unreadable key set aside) could be read, so its
    /// values can be checked too.
    pub raw: Option<RawStudy>,
    /// Every problem that stopped a key from being read, in the order of the file: an empty
    /// file, a syntax error (one, with the source line), and every unknown key, wrong type and
    /// out-of-range integer, each with its line and column.
    pub problems: Vec<Problem>,
}

/// Parses study text into the raw schema, reporting every key that cannot be read.
pub fn parse(source: &str) -> Parsed {
    if source.trim().is_empty() {
        return Parsed {
            raw: None,
            problems: vec![Problem {
                field: "file".into(),
                location: None,
                message: "is empty; a study needs [study], [dataset] and [model] tables (see README, \"Study files\")".into(),
            }],
        };
    }
    let syntax_problem = |e: &toml::de::Error| Problem {
        field: "syntax".into(),
        location: e.span().map(|s| line_col(source, s.start)),
        message: e.message().trim().to_owned()
            + &e.span()
                .map(|s| format!("\n{}", source_line(source, s)))
                .unwrap_or_default(),
    };
    let (raw, mut problems) = deserialize_reporting_every_key(source, syntax_problem);
    problems.sort_by_key(|p| p.location);
    Parsed { raw, problems }
}

/// Deserialises a study file, reporting every key that cannot be read rather than the first.
///
/// A file that is not valid TOML gets its one syntax error. Otherwise each failure that points
/// at a line (an unknown key, a wrong type, an integer out of range) is recorded, that line is
/// blanked in a copy of the source (same length, so every position stays right) and the copy
/// is read again, up to 50 times. Returns the study when the copy finally reads, so its values
/// can be checked too; `None` when it does not (typically: a blanked key was required, which
/// is not reported again as missing).
fn deserialize_reporting_every_key(
    source: &str,
    to_problem: impl Fn(&toml::de::Error) -> Problem,
) -> (Option<RawStudy>, Vec<Problem>) {
    // A file that reads (the usual case) is parsed once.
    let first = match toml::from_str::<RawStudy>(source) {
        Ok(raw) => return (Some(raw), Vec::new()),
        Err(e) => e,
    };
    if toml::from_str::<toml::Table>(source).is_err() {
        // Not valid TOML: one syntax error, worded as the study's own reading words it (an
        // integer too large for a generic TOML value is "expected usize" there).
        return (None, vec![to_problem(&first)]);
    }
    let mut copy = source.to_owned();
    let mut problems = Vec::new();
    let mut e = first;
    for _ in 0..50 {
        // The line the failure points at, unless there is none to set aside: no position, a
        // line already blanked, or a missing key (one blanked before, not reported again).
        let line = e
            .span()
            .filter(|_| !e.message().starts_with("missing field"))
            .map(|span| {
                let start = copy[..span.start.min(copy.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = copy[start..].find('\n').map_or(copy.len(), |i| start + i);
                start..end
            })
            .filter(|line| !line.is_empty() && !copy[line.clone()].trim_start().starts_with('#'));
        let Some(line) = line else {
            if problems.is_empty() {
                problems.push(to_problem(&e));
            }
            return (None, problems);
        };
        problems.push(to_problem(&e));
        let blank: String = std::iter::once('#')
            .chain(std::iter::repeat_n(' ', line.len() - 1))
            .collect();
        copy.replace_range(line, &blank);
        if toml::from_str::<toml::Table>(&copy).is_err() {
            // The key's value went on past its line (a multi-line array): stop here.
            return (None, problems);
        }
        e = match toml::from_str::<RawStudy>(&copy) {
            Ok(raw) => return (Some(raw), problems),
            Err(e) => e,
        };
    }
    (None, problems)
}
