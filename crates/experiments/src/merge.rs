//! `experiments merge`: combine the folders of a sharded study into the tables one machine
//! would have written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::output::{self, RunRecord, write_atomic};
use crate::plan::{self, Plan, PlanOptions, RunPlan};
use crate::report;
use crate::schedule::Tally;

/// The part of a shard's `metadata.json` a merge checks.
#[derive(Debug, Deserialize)]
struct ShardMetadata {
    /// The program version that computed the runs.
    version: String,
    /// The git revision it ran from (`unknown` outside a checkout).
    git_revision: String,
    seeds: Vec<u64>,
    quick: bool,
    /// `K/N` when the folder holds one shard, `None` for a whole study.
    shard: Option<String>,
}

impl ShardMetadata {
    /// The shard's `(K, N)`, or `None` when the folder holds the whole study (or its `shard`
    /// is not a shard, which [`read_shard`] refuses).
    fn split(&self) -> Option<(usize, usize)> {
        let (k, n) = self.shard.as_deref()?.split_once('/')?;
        let (k, n): (usize, usize) = (k.parse().ok()?, n.parse().ok()?);
        (k < n).then_some((k, n))
    }

    /// Whether this folder was meant to run the run at `index`.
    fn covers(&self, index: usize) -> bool {
        self.split().is_none_or(|(k, n)| index % n == k)
    }
}

/// One folder given to the merge, with what it says about itself.
struct Shard<'a> {
    dir: &'a Path,
    source: String,
    metadata: ShardMetadata,
    metadata_text: String,
}

impl Shard<'_> {
    /// `results/x (shard 1/4)`, or the folder alone for a whole study.
    fn describe(&self) -> String {
        match &self.metadata.shard {
            Some(shard) => format!("{} (shard {shard})", self.dir.display()),
            None => self.dir.display().to_string(),
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {}: {e}; is this a study output folder?",
            path.display()
        )
    })
}

/// The process id in `dir/.lock`, which a study holds while it writes the folder (a task
/// that was killed outright leaves it behind).
fn lock_holder(dir: &Path) -> Option<u32> {
    std::fs::read_to_string(dir.join(".lock"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The name of process `pid` when it runs on this machine.
fn running_process(pid: u32) -> Option<String> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    proc.exists().then(|| {
        std::fs::read_to_string(proc.join("comm"))
            .map_or_else(|_| "?".to_owned(), |name| name.trim().to_owned())
    })
}

/// Refuses a folder that a study on this machine is still writing: its runs are not all
/// there yet, and the merge would miss the ones still to come.
fn check_not_in_use(dir: &Path) -> Result<(), MergeError> {
    if let Some(pid) = lock_holder(dir)
        && let Some(name) = running_process(pid)
    {
        return Err(MergeError::Input(format!(
            "{} is still being written: its .lock names process {pid} ({name}), which is running; \
             wait for that task to finish (squeue lists it), then merge again",
            dir.display()
        )));
    }
    Ok(())
}

/// Reads a folder's study file and metadata.
fn read_shard(dir: &Path) -> Result<Shard<'_>, MergeError> {
    let source = read(&dir.join("study.toml"))?;
    let metadata_path = dir.join("metadata.json");
    let metadata_text = read(&metadata_path)?;
    let metadata: ShardMetadata = serde_json::from_str(&metadata_text).map_err(|e| {
        format!(
            "{}: {e}: not the metadata of a study run by this version of experiments; rerun that shard with this build",
            metadata_path.display()
        )
    })?;
    if let Some(shard) = &metadata.shard
        && metadata.split().is_none()
    {
        return Err(MergeError::Input(format!(
            "{}: shard {shard:?} is not K/N with K < N; was the file edited? rerun that shard",
            metadata_path.display()
        )));
    }
    Ok(Shard {
        dir,
        source,
        metadata,
        metadata_text,
    })
}

/// Refuses a folder that is not a shard of the same study, run by the same program, as the
/// first one. Wall-time aside, a merged table is what one machine would have written only
/// when every run was computed from the same study file, seeds and `--quick` by the same
/// code: so the version and the git revision must match too (the version alone rarely
/// changes between commits that change numbers). The instruction set may differ: it changes
/// speed, never a result.
fn check_same_study(first: &Shard, other: &Shard) -> Result<(), MergeError> {
    let (a, b) = (&first.metadata, &other.metadata);
    let fix = "leave that folder out, or rerun its shard with the same build and options, then merge again";
    let difference = if other.source != first.source {
        let (line, was, now) = first_difference(&first.source, &other.source);
        format!("ran a different study file (line {line}: {now:?} instead of {was:?})")
    } else if b.seeds != a.seeds {
        format!("ran seeds {:?} instead of {:?}", b.seeds, a.seeds)
    } else if b.quick != a.quick {
        let quick = |q: bool| if q { "with --quick" } else { "without --quick" };
        format!("ran {} instead of {}", quick(b.quick), quick(a.quick))
    } else if b.version != a.version {
        format!(
            "was computed by experiments {} instead of {} (another version may compute other numbers)",
            b.version, a.version
        )
    } else if b.git_revision != a.git_revision {
        format!(
            "was computed at git revision {} instead of {} (other code may compute other numbers)",
            b.git_revision, a.git_revision
        )
    } else {
        return Ok(());
    };
    Err(MergeError::Input(format!(
        "{} {difference} than {}: only shards of one study can be merged; {fix}",
        other.describe(),
        first.describe()
    )))
}

/// The first line (1-based) where two texts differ, with both versions of it.
fn first_difference<'t>(a: &'t str, b: &'t str) -> (usize, &'t str, &'t str) {
    a.lines()
        .chain(std::iter::repeat(""))
        .zip(b.lines().chain(std::iter::repeat("")))
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or((0, "", ""), |(i, (x, y))| (i + 1, x, y))
}

/// Where the runs nobody finished should have come from.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum MissingFrom {
    /// A folder given to the merge that was meant to run them (its task stopped early).
    Folder(usize),
    /// Shard `K/N`, for which no folder was given.
    Shard(usize, usize),
    /// No folder covers them and the shards disagree on N.
    Nowhere,
}

/// Says which runs are missing, grouped by the shard that should have run them, and how to
/// get each group.
fn missing_runs_message(shards: &[Shard], plan: &Plan, missing: &[&RunPlan]) -> String {
    let counts: Vec<usize> = shards
        .iter()
        .filter_map(|s| s.metadata.split().map(|(_, n)| n))
        .collect();
    let one_count = counts
        .first()
        .filter(|n| counts.iter().all(|m| m == *n))
        .copied();
    let mut groups: BTreeMap<MissingFrom, Vec<String>> = BTreeMap::new();
    for run in missing {
        let from = match shards.iter().position(|s| s.metadata.covers(run.index)) {
            Some(i) => MissingFrom::Folder(i),
            None => match one_count {
                Some(n) => MissingFrom::Shard(run.index % n, n),
                None => MissingFrom::Nowhere,
            },
        };
        groups.entry(from).or_default().push(run.id());
    }
    let list = |ids: &[String]| {
        let shown = ids[..ids.len().min(5)].join(", ");
        if ids.len() > 5 {
            format!("{shown}, …")
        } else {
            shown
        }
    };
    let mut message = format!(
        "{} of {} runs are missing, so nothing was merged:",
        missing.len(),
        plan.runs.len()
    );
    for (from, ids) in &groups {
        message.push_str("\n  ");
        message.push_str(&match from {
            MissingFrom::Folder(i) => {
                let shard = &shards[*i];
                let planned = plan
                    .runs
                    .iter()
                    .filter(|r| shard.metadata.covers(r.index))
                    .count();
                let lock = lock_holder(shard.dir).map_or(String::new(), |pid| {
                    format!(
                        " (its .lock names process {pid}, not running on this machine: killed, \
                         or still running on another node)"
                    )
                });
                let slurm = shard.metadata.split().map_or(String::new(), |(k, _)| {
                    format!(" (a Slurm array task: sbatch --array={k} JOB_SCRIPT --resume)")
                });
                format!(
                    "{} lacks {} of its {planned} runs ({}): its task stopped before they finished{lock}; \
                     run its command again with --resume{slurm}, then merge again",
                    shard.describe(),
                    ids.len(),
                    list(ids)
                )
            }
            MissingFrom::Shard(k, n) => format!(
                "shard {k}/{n} ({}): no folder given holds it; add its folder, or run it \
                 (--shard {k}/{n}; a Slurm array task: sbatch --array={k} JOB_SCRIPT), then merge again",
                list(ids)
            ),
            MissingFrom::Nowhere => format!(
                "{} ({}): no folder given was meant to run them; add the folders of every shard, then merge again",
                if ids.len() == 1 { "1 run" } else { "runs" },
                list(ids)
            ),
        });
    }
    message
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
/// Every check comes before anything is written: the folders must be shards of one study
/// (same study file, seeds and `--quick`, computed by the same version and git revision of
/// the program), none may still be written by a running study, and together they must hold
/// every run.
///
/// # Errors
/// [`MergeError::Input`] when the folders are not shards of one study, when one is still
/// being written, when a run appears twice with different results, when runs are missing
/// (naming the shard that should have run them and how to finish it), or when the output
/// folder cannot be used; [`MergeError::Write`] when an output file cannot be written.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Tally, MergeError> {
    let write_failed = |e: output::WriteError| MergeError::Write(e.to_string());
    if dirs.is_empty() {
        return Err("merge needs at least one shard folder".into());
    }
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
    for dir in dirs {
        check_not_in_use(dir)?;
    }
    let shards = dirs
        .iter()
        .map(|dir| read_shard(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &shards[0];
    for other in &shards[1..] {
        check_same_study(first, other)?;
    }
    let source = first.source.clone();
    let metadata = &first.metadata;
    let metadata_text = &first.metadata_text;
    let options = PlanOptions {
        seeds: Some(metadata.seeds.clone()),
        quick: metadata.quick,
    };
    let plan = plan::parse_and_validate(&first.dir.join("study.toml"), source.clone(), &options)
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
    let missing: Vec<&RunPlan> = plan
        .runs
        .iter()
        .filter(|r| !records.contains_key(&r.index))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Input(missing_runs_message(
            &shards, &plan, &missing,
        )));
    }

    let _lock = output::claim_output_dir(out, force, false)?;
    output::clear_output_dir(out, force, false)?;
    write_atomic(&out.join("study.toml"), source.as_bytes()).map_err(write_failed)?;
    let merged_metadata = serde_json::json!({
        "program": "experiments",
        // The program that computed the runs (every shard's: they were checked to agree).
        "version": metadata.version,
        "git_revision": metadata.git_revision,
        "merged_from": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "shard_metadata": serde_json::from_str::<serde_json::Value>(metadata_text)
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
