//! `experiments merge`: combine the folders of a sharded study into the tables one machine
//! would have written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::output::{self, RunRecord, write_atomic};
use crate::plan::{self, PlanOptions};
use crate::report;
use crate::schedule::Tally;

/// The part of `metadata.json` a merge needs.
#[derive(Debug, Deserialize)]
struct ShardMetadata {
    seeds: Vec<u64>,
    quick: bool,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {}: {e}; is this a study output folder?",
            path.display()
        )
    })
}

/// Why a merge failed.
#[derive(Debug)]
pub enum MergeError {
    /// The shard folders or the output folder cannot be used (exit 2: nothing was merged).
    Input(String),
    /// An output file could not be written (exit 1, as for a study); the message names it.
    Write(String),
}

impl From<String> for MergeError {
    fn from(message: String) -> Self {
        MergeError::Input(message)
    }
}

impl From<&str> for MergeError {
    fn from(message: &str) -> Self {
        MergeError::Input(message.to_owned())
    }
}

/// Merges shard folders into `out`.
///
/// # Errors
/// [`MergeError::Input`] when the folders are not shards of one study (different study files,
/// seeds or `--quick`), when a run appears twice with different results, when runs are
/// missing, or when the output folder cannot be used; [`MergeError::Write`] when an output
/// file cannot be written.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Tally, MergeError> {
    let write_failed = |e: output::WriteError| MergeError::Write(e.to_string());
    let first = dirs
        .first()
        .ok_or("merge needs at least one shard folder")?;
    // Compared as the folders they are, whatever the spelling of the paths: replacing a shard
    // that is still to be read would lose its runs' curves and models.
    let real_out = out.canonicalize().ok();
    let mut seen = Vec::new();
    for dir in dirs {
        let real = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if real_out.as_ref() == Some(&real) {
            return Err(MergeError::Input(format!(
                "--out {} is one of the folders being merged: merge into a new folder",
                out.display()
            )));
        }
        if seen.contains(&real) {
            return Err(MergeError::Input(format!(
                "{} is given twice: name each shard's folder once",
                dir.display()
            )));
        }
        seen.push(real);
    }
    let source = read(&first.join("study.toml"))?;
    let metadata_text = read(&first.join("metadata.json"))?;
    let metadata: ShardMetadata = serde_json::from_str(&metadata_text)
        .map_err(|e| format!("{}: {e}", first.join("metadata.json").display()))?;
    for dir in &dirs[1..] {
        if read(&dir.join("study.toml"))? != source {
            return Err(MergeError::Input(format!(
                "{} ran a different study file than {}: only shards of one study can be merged",
                dir.display(),
                first.display()
            )));
        }
        let other: ShardMetadata = serde_json::from_str(&read(&dir.join("metadata.json"))?)
            .map_err(|e| format!("{}: {e}", dir.join("metadata.json").display()))?;
        if other.seeds != metadata.seeds || other.quick != metadata.quick {
            return Err(MergeError::Input(format!(
                "{} used other seeds or --quick than {}: only shards of one study can be merged",
                dir.display(),
                first.display()
            )));
        }
    }
    let options = PlanOptions {
        seeds: Some(metadata.seeds.clone()),
        quick: metadata.quick,
    };
    let plan = plan::parse_and_validate(&first.join("study.toml"), source.clone(), &options)
        .map_err(|e| e.to_string())?;

    let mut records: BTreeMap<usize, (RunRecord, PathBuf)> = BTreeMap::new();
    for dir in dirs {
        let runs = dir.join("runs");
        let entries =
            std::fs::read_dir(&runs).map_err(|e| format!("cannot list {}: {e}", runs.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| output::is_record_file(p))
            .collect();
        paths.sort();
        for path in paths {
            let record: RunRecord = serde_json::from_str(&read(&path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some((existing, from)) = records.get(&record.index) {
                let same = RunRecord {
                    wall_seconds: existing.wall_seconds,
                    ..record.clone()
                };
                if &same != existing {
                    return Err(MergeError::Input(format!(
                        "run {} differs between {} and {}: the shards disagree",
                        record.id,
                        from.display(),
                        path.display()
                    )));
                }
                continue;
            }
            records.insert(record.index, (record, path));
        }
    }
    let missing: Vec<String> = plan
        .runs
        .iter()
        .filter(|r| !records.contains_key(&r.index))
        .map(|r| r.id())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Input(format!(
            "{} of {} runs are missing (first: {}): merge every shard's folder",
            missing.len(),
            plan.runs.len(),
            missing[..missing.len().min(5)].join(", ")
        )));
    }

    let _lock = output::claim_output_dir(out, force, false)?;
    output::clear_output_dir(out, force, false)?;
    write_atomic(&out.join("study.toml"), source.as_bytes()).map_err(write_failed)?;
    let merged_metadata = serde_json::json!({
        "program": "experiments",
        "version": env!("CARGO_PKG_VERSION"),
        "merged_from": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "shard_metadata": serde_json::from_str::<serde_json::Value>(&metadata_text)
            .map_err(|e| e.to_string())?,
        "seeds": metadata.seeds,
        "quick": metadata.quick,
        "merged_at": output::utc_now(),
    });
    let json = serde_json::to_string_pretty(&merged_metadata).map_err(|e| e.to_string())?;
    write_atomic(&out.join("metadata.json"), json.as_bytes()).map_err(write_failed)?;
    for (record, from) in records.values() {
        let shard_dir = from
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        for (sub, suffix) in [
            ("runs", output::MODEL_SUFFIX),
            ("runs", ".json"),
            ("curves", ".csv"),
            ("gradients", ".csv"),
        ] {
            let src = shard_dir.join(sub).join(format!("{}{suffix}", record.id));
            if src.is_file() {
                std::fs::create_dir_all(out.join(sub)).map_err(|e| {
                    MergeError::Write(format!("cannot create {}: {e}", out.join(sub).display()))
                })?;
                let bytes = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
                write_atomic(
                    &out.join(sub).join(format!("{}{suffix}", record.id)),
                    &bytes,
                )
                .map_err(write_failed)?;
            }
        }
    }
    let records: Vec<RunRecord> = records.into_values().map(|(r, _)| r).collect();
    output::write_tables(&plan, out, &records).map_err(MergeError::Write)?;
    report::write_study_report(&plan, out, &records);
    let ok = records
        .iter()
        .filter(|r| r.status == crate::run::RunStatus::Ok)
        .count();
    Ok(Tally {
        ok,
        not_ok: records.len() - ok,
        pending: 0,
    })
}
