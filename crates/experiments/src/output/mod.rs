//! Writing a study's artifacts: atomically, and never over an earlier study unasked.
//!
//! Every file goes through [`write_atomic`] (the workspace's one writer,
//! [`core_linalg::file::write_atomic`], with the path named in the error). The folder itself
//! (`folder.rs`: the lock, `--force`, `--resume`), each run's files (`run_files.rs`) and
//! record (`records.rs`), and the study's tables (`tables.rs`, `summary.rs`) each have their
//! module.

mod folder;
mod records;
mod run_files;
mod summary;
mod tables;

use std::path::{Path, PathBuf};

pub use folder::{Lock, check_resumable, claim_output_dir, clear_output_dir};
pub use records::{
    MODEL_SUFFIX, Metadata, RunRecord, finished_records, git_revision, is_record_file,
    pending_record, utc_now,
};
pub use run_files::{
    CURVATURE_HEADER, curvature_csv, curve_csv, gradients_csv, model_json, parse_curvature_csv,
    write_run_files,
};
pub use summary::{
    PointSummary, Quantity, QuantitySummary, TextTable, measure_words, original_notes,
    scores_table, summarise, summary_markdown, summary_preamble, summary_table,
};
pub use tables::{results_header, results_row, write_tables};

/// An I/O failure, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

/// Writes `contents` to `path` atomically ([`core_linalg::file::write_atomic`]), naming the
/// file in the error.
///
/// # Errors
/// [`WriteError`] naming `path`; the previous file is intact and no temporary file is left.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    core_linalg::file::write_atomic(path, contents).map_err(|source| WriteError {
        path: path.to_owned(),
        source,
    })
}
