//! The output folder of a study: claiming it (the `.lock`), readying it (with `--force`) and
//! checking that `--resume` continues the same study.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{WriteError, finished_records, write_atomic};

/// What a study writes at the top of its folder, and the sub-folders it fills.
const STUDY_FILES: [&str; 6] = [
    "results.csv",
    "summary.md",
    "summary.json",
    "metadata.json",
    "study.toml",
    "report.html",
];
const STUDY_FOLDERS: [&str; 4] = ["curves", "gradients", "runs", "figures"];

/// Claims `dir` for a study: creates it if missing, takes its [`Lock`], then checks that it
/// can take a new study (with `resume`, that it holds one to continue). Nothing in the folder
/// is removed here: call [`clear_output_dir`] once every folder of the invocation is claimed.
///
/// The lock comes first so that a second process, even with `--force`, is refused before it
/// has looked at, let alone removed, anything a running study is writing.
///
/// # Errors
/// A message saying what is there and how to proceed.
pub fn claim_output_dir(dir: &Path, force: bool, resume: bool) -> Result<Lock, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "output path {} is a file, not a folder: pass --out with a folder",
            dir.display()
        ));
    }
    fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output folder {}: {e}", dir.display()))?;
    let lock = Lock::acquire(dir)?;
    let marker = dir.join("metadata.json");
    if resume {
        if !marker.exists() {
            return Err(format!(
                "--resume: {} holds no study to resume (no metadata.json); run without --resume",
                dir.display()
            ));
        }
    } else if !force {
        if marker.exists() {
            if let Some((done, planned)) = unfinished(dir) {
                // `--force` would throw the finished runs away: the way on is `--resume`.
                return Err(format!(
                    "{} holds an unfinished study ({done} of its {planned} runs done): pass \
                     --resume to run the rest, --force to discard it and start over, or --out \
                     to write elsewhere",
                    dir.display()
                ));
            }
            return Err(format!(
                "{} already holds a study: pass --force to replace it, or --out to write elsewhere",
                dir.display()
            ));
        }
        // Files of a study's names that no study of ours left (no metadata.json): the user's
        // own, or a copy; never replaced unasked. (Inside the sub-folders a study writes only
        // names of its own, such as `curves/p00-s1.csv`.)
        let present: Vec<&str> = STUDY_FILES
            .iter()
            .copied()
            .filter(|name| dir.join(name).exists())
            .collect();
        if !present.is_empty() {
            return Err(format!(
                "{} already has {}, which a study writes: pass --force to replace them, or --out to write elsewhere",
                dir.display(),
                present.join(", ")
            ));
        }
    }
    Ok(lock)
}

/// For a folder holding a study that has not finished every run (it was interrupted, or a run
/// failed to write its files): how many of its planned runs are done (ended normally or
/// diverged, the runs `--resume` keeps) and how many it planned. `None` for a finished study,
/// or when its `metadata.json` cannot be read.
fn unfinished(dir: &Path) -> Option<(usize, usize)> {
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("metadata.json")).ok()?).ok()?;
    let planned = usize::try_from(meta["n_runs"].as_u64()?).ok()?;
    let done = finished_records(dir).len();
    (done < planned).then_some((done, planned))
}

/// Readies a folder claimed by [`claim_output_dir`]: with `force` (and not `resume`) removes
/// what an earlier study wrote, and only that; creates the sub-folders; proves the folder is
/// writable before any training starts.
///
/// # Errors
/// A message naming the folder.
pub fn clear_output_dir(dir: &Path, force: bool, resume: bool) -> Result<(), String> {
    if resume {
        remove_stale_temporary_files(dir);
    } else if force {
        // Remove only what a study writes, never other files the user put there.
        for name in STUDY_FILES {
            let _ = fs::remove_file(dir.join(name));
        }
        for sub in STUDY_FOLDERS {
            let _ = fs::remove_dir_all(dir.join(sub));
        }
    }
    fs::create_dir_all(dir.join("curves"))
        .and_then(|()| fs::create_dir_all(dir.join("runs")))
        .map_err(|e| format!("cannot create output folder {}: {e}", dir.display()))?;
    write_atomic(&dir.join(".write-test"), b"ok")
        .and_then(|()| {
            fs::remove_file(dir.join(".write-test")).map_err(|source| WriteError {
                path: dir.join(".write-test"),
                source,
            })
        })
        .map_err(|e| format!("output folder is not writable: {e}"))
}

/// Removes the hidden `.name.pid.tmp` files a killed process may have left (they never sit
/// at a final path, but they are litter).
fn remove_stale_temporary_files(dir: &Path) {
    for sub in ["", "runs", "curves", "gradients", "figures"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// An exclusive claim on an output folder: `.lock` holding this process's id, removed on drop.
/// A lock left by a process that no longer exists (killed) is taken over.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Claims `dir`.
    ///
    /// # Errors
    /// A message naming the other process when a live one holds the folder.
    pub fn acquire(dir: &Path) -> Result<Lock, String> {
        let path = dir.join(".lock");
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let alive = holder
                        .trim()
                        .parse::<u32>()
                        .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                    if alive {
                        return Err(format!(
                            "{} is in use by another experiments process (pid {}): wait for it, or use another --out",
                            dir.display(),
                            holder.trim()
                        ));
                    }
                    // Stale: its process is gone (killed). Take it over.
                    let _ = fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(format!(
                        "cannot create output folder {}: {e} (creating {})",
                        dir.display(),
                        path.display()
                    ));
                }
            }
        }
        Err(format!(
            "cannot claim {}: another process keeps creating it",
            path.display()
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Checks that `dir` was started by the same study file and options, for `--resume`.
///
/// # Errors
/// A message saying what changed.
pub fn check_resumable(dir: &Path, source: &str, seeds: &[u64], quick: bool) -> Result<(), String> {
    let old = fs::read_to_string(dir.join("study.toml")).map_err(|e| {
        format!(
            "--resume: cannot read {}: {e}",
            dir.join("study.toml").display()
        )
    })?;
    if old != source {
        let (line, was, now) = old
            .lines()
            .chain(std::iter::repeat(""))
            .zip(source.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map_or((0, "", ""), |(i, (a, b))| (i + 1, a, b));
        return Err(format!(
            "--resume refused: the study file changed since {} was started (line {line}: was {was:?}, now {now:?}); \
             restore it, or start over with --force",
            dir.display()
        ));
    }
    let meta: serde_json::Value = fs::read_to_string(dir.join("metadata.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| format!("--resume: {} has no readable metadata.json", dir.display()))?;
    let old_seeds: Vec<u64> = meta["seeds"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
        .unwrap_or_default();
    if old_seeds != seeds || meta["quick"].as_bool() != Some(quick) {
        return Err(format!(
            "--resume refused: {} was started with seeds {old_seeds:?} and quick = {}, now seeds {seeds:?} and quick = {quick}; use the same options",
            dir.display(),
            meta["quick"]
        ));
    }
    Ok(())
}
