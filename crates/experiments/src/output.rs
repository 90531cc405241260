//! Writing a study's artifacts: atomically, and never over an earlier study unasked.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use metrics::Summary;
use serde::Serialize;

use crate::run::{RunOutcome, RunStatus};
use crate::spec::{Plan, RunPlan};

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

/// Whether `path` names a run record, `runs/<id>.json` (not a saved model,
/// `runs/<id>.model.json`, nor a temporary file).
pub fn is_record_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.ends_with(".json") && !n.ends_with(MODEL_SUFFIX) && !n.starts_with('.'))
}

/// The suffix of a finished run's saved model beside its record: `runs/<id>.model.json`.
pub const MODEL_SUFFIX: &str = ".model.json";

/// The finished runs (ok or diverged) recorded in `dir/runs`, by run index.
pub fn finished_records(dir: &Path) -> std::collections::BTreeMap<usize, RunRecord> {
    let mut records = std::collections::BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir.join("runs")) else {
        return records;
    };
    for entry in entries
        .filter_map(Result::ok)
        .filter(|e| is_record_file(&e.path()))
    {
        let record: Option<RunRecord> = fs::read_to_string(entry.path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(r) = record
            && matches!(r.status, RunStatus::Ok | RunStatus::Diverged { .. })
        {
            records.insert(r.index, r);
        }
    }
    records
}

/// A placeholder row for a run that has not run yet.
pub fn pending_record(run: &RunPlan) -> RunRecord {
    RunRecord {
        id: run.id(),
        index: run.index,
        point: run.point_label.clone(),
        swept: run.swept.clone(),
        seed: run.seed,
        status: RunStatus::Pending,
        metrics: None,
        epochs_run: None,
        stop_reason: None,
        epochs_to_fraction: None,
        oscillation: None,
        bayes_error: None,
        wall_seconds: 0.0,
    }
}

/// Metadata written before the first run starts.
#[derive(Debug, Serialize)]
pub struct Metadata<'a> {
    /// `experiments`.
    pub program: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// `git rev-parse HEAD` of the working directory, or `unknown`.
    pub git_revision: String,
    /// The study name.
    pub study: &'a str,
    /// The study file.
    pub file: String,
    /// The seeds.
    pub seeds: Vec<u64>,
    /// UTC start time.
    pub started_at: String,
    /// Whether `--quick` shortened training.
    pub quick: bool,
    /// `K/N` when sharded.
    pub shard: Option<String>,
    /// Runs planned (in this shard).
    pub n_runs: usize,
    /// The instruction set the numeric kernels ran with (`avx512`, `avx2` or `baseline`; see
    /// `BINCLASS_ISA`): it changes the wall times, never a result.
    pub kernels: &'static str,
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The git revision of the current directory, or `unknown`.
pub fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned())
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// Everything the tables need about one run, saved as `runs/<id>.json` when the run finishes,
/// so that shards can be merged (and a study's tables rebuilt) without rerunning anything.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RunRecord {
    /// The run's file-name id, `p<point>-s<seed>`.
    pub id: String,
    /// Position in the study's run list.
    pub index: usize,
    /// The sweep point's label.
    pub point: String,
    /// Swept axis names and values.
    pub swept: Vec<(String, String)>,
    /// The run seed.
    pub seed: u64,
    /// How it ended.
    pub status: RunStatus,
    /// Test metrics, when it ended normally.
    pub metrics: Option<crate::run::TestMetrics>,
    /// Epochs run.
    pub epochs_run: Option<usize>,
    /// The model's stop reason (`completed`, `early_stopped`, …).
    pub stop_reason: Option<String>,
    /// First epoch at the loss fraction.
    pub epochs_to_fraction: Option<usize>,
    /// The oscillation measure.
    pub oscillation: Option<f64>,
    /// The dataset's Bayes error rate, when known.
    pub bayes_error: Option<f64>,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

impl RunRecord {
    /// The record of a finished run.
    pub fn new(run: &RunPlan, outcome: &RunOutcome) -> Self {
        let report = outcome.report.as_ref();
        RunRecord {
            id: run.id(),
            index: run.index,
            point: run.point_label.clone(),
            swept: run.swept.clone(),
            seed: run.seed,
            status: outcome.status.clone(),
            metrics: outcome.metrics,
            epochs_run: report.map(|r| r.epochs_run),
            stop_reason: report.map(|r| r.stop_reason.label().to_owned()),
            epochs_to_fraction: report.and_then(|r| r.epochs_to_fraction),
            oscillation: outcome.oscillation,
            bayes_error: outcome.bayes_error,
            wall_seconds: outcome.wall_seconds,
        }
    }
}

/// The header of `results.csv` for a plan.
pub fn results_header(plan: &Plan) -> String {
    let mut h = String::from("run,point");
    for axis in &plan.axes {
        let _ = write!(h, ",{axis}");
    }
    h.push_str(
        ",seed,status,precision,recall,f1,accuracy,roc_auc,train_loss,test_loss,epochs_run,\
         stop_reason,diverged_epoch,epochs_to_fraction,oscillation,bayes_error,wall_seconds,reason\n",
    );
    h
}

/// One `results.csv` row. Floats use Rust's shortest round-trip form, so equal numbers give
/// equal text.
pub fn results_row(record: &RunRecord) -> String {
    let mut row = format!("{},{}", record.id, quote(&record.point));
    for (_, value) in &record.swept {
        let _ = write!(row, ",{value}");
    }
    let m = record.metrics;
    let (diverged_epoch, reason) = match &record.status {
        RunStatus::Diverged { epoch, loss } => (epoch.to_string(), format!("loss {loss}")),
        RunStatus::Failed { reason } => (String::new(), reason.clone()),
        _ => (String::new(), String::new()),
    };
    let _ = writeln!(
        row,
        ",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.3},{}",
        record.seed,
        record.status.label(),
        opt(m.map(|m| m.precision)),
        opt(m.map(|m| m.recall)),
        opt(m.map(|m| m.f1)),
        opt(m.map(|m| m.accuracy)),
        opt(m.map(|m| m.roc_auc)),
        opt(m.map(|m| m.train_loss)),
        opt(m.map(|m| m.test_loss)),
        record
            .epochs_run
            .map_or_else(String::new, |e| e.to_string()),
        record.stop_reason.as_deref().unwrap_or(""),
        diverged_epoch,
        record
            .epochs_to_fraction
            .map_or_else(String::new, |e| e.to_string()),
        opt(record.oscillation),
        opt(record.bayes_error),
        record.wall_seconds,
        quote(&reason),
    );
    row
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A run's loss curve: every `stride`-th epoch and the last, with the test loss beside it.
pub fn curve_csv(outcome: &RunOutcome, stride: usize) -> Option<String> {
    let report = outcome.report.as_ref()?;
    let mut out = String::from("epoch,train_loss,test_loss\n");
    let n = report.train_loss.len();
    // The test loss is measured at the same epochs (see `spec::training_config`), so each is
    // found by walking both lists together.
    let mut tests = report.eval_epochs.iter().zip(&report.eval_loss).peekable();
    for (i, loss) in report.train_loss.iter().enumerate() {
        if i % stride == 0 || i + 1 == n {
            while tests.next_if(|&(&epoch, _)| epoch < i).is_some() {}
            let test = tests
                .next_if(|&(&epoch, _)| epoch == i)
                .map_or_else(String::new, |(_, test)| test.to_string());
            let _ = writeln!(out, "{i},{loss},{test}");
        }
    }
    Some(out)
}

/// A finished run's fitted model as `models::saved` JSON, for `runs/<id>.model.json`; `None`
/// for runs that did not end normally (they have no model).
pub fn model_json(outcome: &RunOutcome) -> Option<String> {
    if outcome.status != RunStatus::Ok {
        return None;
    }
    let model = outcome.model.as_ref()?;
    Some(models::saved::to_json(
        model,
        outcome.standardization.as_ref(),
    ))
}

/// A run's sampled gradient norms, one column per layer.
pub fn gradients_csv(outcome: &RunOutcome) -> Option<String> {
    let norms = &outcome.report.as_ref()?.gradient_norms;
    if norms.n_samples() == 0 {
        return None;
    }
    let mut out = String::from("epoch");
    for l in 0..norms.n_layers() {
        let _ = write!(out, ",layer{l}");
    }
    out.push('\n');
    for (i, epoch) in norms.epochs().iter().enumerate() {
        let _ = write!(out, "{epoch}");
        for g in norms.sample(i) {
            let _ = write!(out, ",{g}");
        }
        out.push('\n');
    }
    Some(out)
}

/// Mean and spread of one metric at one sweep point.
#[derive(Debug, Clone, Serialize)]
pub struct PointSummary {
    /// The point's label.
    pub point: String,
    /// Runs at this point.
    pub n_runs: usize,
    /// Runs that finished normally.
    pub n_ok: usize,
    /// Runs that diverged.
    pub n_diverged: usize,
    /// Runs that failed.
    pub n_failed: usize,
    /// Runs that were interrupted or have not run yet (an interrupted study, before
    /// `--resume`).
    pub n_unfinished: usize,
    /// Each metric over the runs that finished normally.
    pub metrics: Vec<(String, Option<Summary>)>,
    /// How many finished runs reached the loss fraction.
    pub n_reached_fraction: usize,
    /// The original project's numbers for this point.
    pub original: Option<crate::spec::RawOriginal>,
}

/// Summaries per sweep point, in point order.
pub fn summarise(plan: &Plan, records: &[RunRecord]) -> Vec<PointSummary> {
    plan.points
        .iter()
        .map(|label| {
            let here: Vec<&RunRecord> = records.iter().filter(|r| &r.point == label).collect();
            let ok: Vec<&RunRecord> = here
                .iter()
                .copied()
                .filter(|r| r.metrics.is_some())
                .collect();
            let summary = |f: &dyn Fn(&RunRecord) -> Option<f64>| {
                let values: Vec<f64> = ok.iter().filter_map(|r| f(r)).collect();
                Summary::from_values(&values).ok()
            };
            let metric = |f: fn(&crate::run::TestMetrics) -> f64| {
                move |r: &RunRecord| r.metrics.as_ref().map(f)
            };
            let epochs_to = |r: &RunRecord| r.epochs_to_fraction.map(|e| e as f64);
            PointSummary {
                point: label.clone(),
                n_runs: here.len(),
                n_ok: ok.len(),
                n_diverged: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Diverged { .. }))
                    .count(),
                n_failed: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Failed { .. }))
                    .count(),
                n_unfinished: here
                    .iter()
                    .filter(|r| matches!(r.status, RunStatus::Interrupted | RunStatus::Pending))
                    .count(),
                metrics: vec![
                    ("f1".into(), summary(&metric(|m| m.f1))),
                    ("precision".into(), summary(&metric(|m| m.precision))),
                    ("recall".into(), summary(&metric(|m| m.recall))),
                    ("accuracy".into(), summary(&metric(|m| m.accuracy))),
                    ("roc_auc".into(), summary(&metric(|m| m.roc_auc))),
                    ("train_loss".into(), summary(&metric(|m| m.train_loss))),
                    ("test_loss".into(), summary(&metric(|m| m.test_loss))),
                    ("epochs_to_fraction".into(), summary(&epochs_to)),
                    ("oscillation".into(), summary(&|r| r.oscillation)),
                ],
                n_reached_fraction: ok.iter().filter(|r| epochs_to(r).is_some()).count(),
                original: plan
                    .raw
                    .original
                    .iter()
                    .find(|o| &o.point == label)
                    .cloned(),
            }
        })
        .collect()
}

/// A summary as `mean ± std` with `digits` decimals (the mean alone for one value, `–` for none).
pub(crate) fn cell(s: Option<&Summary>, digits: usize) -> String {
    match s {
        Some(s) if s.n > 1 => format!("{:.*} ± {:.*}", digits, s.mean, digits, s.std),
        Some(s) => format!("{:.*}", digits, s.mean),
        None => "–".into(),
    }
}

/// A loss summary in scientific notation, as [`cell`].
pub(crate) fn loss_cell(s: Option<&Summary>) -> String {
    match s {
        Some(s) if s.n > 1 => format!("{:.3e} ± {:.1e}", s.mean, s.std),
        Some(s) => format!("{:.3e}", s.mean),
        None => "–".into(),
    }
}

/// The named metric's summary at a point, if any run finished.
pub(crate) fn point_metric(p: &PointSummary, name: &str) -> Option<Summary> {
    p.metrics
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, s)| s.as_ref())
        .copied()
}

/// The summary table shared by `summary.md` and `report.html`: the column headings, then one
/// row of cells per point (ours beside the original's).
pub(crate) fn summary_table(
    plan: &Plan,
    points: &[PointSummary],
) -> (Vec<String>, Vec<Vec<String>>) {
    let original = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |x| format!("{x}"));
    let fraction = plan.raw.record.loss_fraction.get_ref() * 100.0;
    let header = [
        "point",
        "F1",
        "original F1",
        "train loss",
        "original loss",
        "test loss",
        "precision",
        "recall",
        &format!("epochs to {fraction:.0}%"),
        "oscillation",
        "ok / diverged / failed",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows = points
        .iter()
        .map(|p| {
            let o = p.original.as_ref();
            vec![
                p.point.clone(),
                cell(point_metric(p, "f1").as_ref(), 4),
                original(o.and_then(|o| o.f1)),
                loss_cell(point_metric(p, "train_loss").as_ref()),
                original(o.and_then(|o| o.loss)),
                loss_cell(point_metric(p, "test_loss").as_ref()),
                cell(point_metric(p, "precision").as_ref(), 4),
                cell(point_metric(p, "recall").as_ref(), 4),
                format!(
                    "{} ({} of {})",
                    cell(point_metric(p, "epochs_to_fraction").as_ref(), 0),
                    p.n_reached_fraction,
                    p.n_ok
                ),
                cell(point_metric(p, "oscillation").as_ref(), 3),
                if p.n_unfinished == 0 {
                    format!("{} / {} / {}", p.n_ok, p.n_diverged, p.n_failed)
                } else {
                    // An interrupted study: its pending runs are not failures.
                    format!(
                        "{} / {} / {} (+{} not run yet)",
                        p.n_ok, p.n_diverged, p.n_failed, p.n_unfinished
                    )
                },
            ]
        })
        .collect();
    (header, rows)
}

/// The sentence under the summary table's heading: what a row averages.
pub(crate) fn summary_preamble(plan: &Plan) -> String {
    let fraction = plan.raw.record.loss_fraction.get_ref() * 100.0;
    format!(
        "Mean ± standard deviation over {} seed(s) per row; runs that diverged or failed are \
         counted, not averaged. Losses are binary cross-entropy; \"epochs to {fraction:.0}%\" \
         is the first epoch whose training loss is at most {fraction:.0}% of the first.",
        plan.raw.study.seeds.get_ref().len(),
    )
}

/// The original's numbers that have no column of their own (precision, recall, notes), as
/// `(point, "precision 0.99, recall 1")` for each point that has any.
pub fn other_original_numbers(points: &[PointSummary]) -> Vec<(String, String)> {
    points
        .iter()
        .filter_map(|p| {
            let o = p.original.as_ref()?;
            let mut parts = Vec::new();
            if let Some(v) = o.precision {
                parts.push(format!("precision {v}"));
            }
            if let Some(v) = o.recall {
                parts.push(format!("recall {v}"));
            }
            if let Some(n) = &o.note {
                parts.push(n.clone());
            }
            (!parts.is_empty()).then(|| (p.point.clone(), parts.join(", ")))
        })
        .collect()
}

/// `summary.md`: the original project's table form, ours beside theirs.
pub fn summary_markdown(plan: &Plan, points: &[PointSummary]) -> String {
    let mut md = format!("# Study `{}`\n\n", plan.name);
    if !plan.raw.study.question.is_empty() {
        let _ = writeln!(md, "**Question.** {}\n", plan.raw.study.question.trim());
    }
    if !plan.raw.study.finding.is_empty() {
        let _ = writeln!(
            md,
            "**Original finding.** {}\n",
            plan.raw.study.finding.trim()
        );
    }
    let _ = writeln!(
        md,
        "{}{}\n",
        summary_preamble(plan),
        if plan.quick {
            " **Quick run: epochs divided by 100; not comparable with the original.**"
        } else {
            ""
        }
    );
    let (header, rows) = summary_table(plan, points);
    let _ = writeln!(md, "| {} |", header.join(" | "));
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    let notes: Vec<String> = other_original_numbers(points)
        .into_iter()
        .map(|(point, text)| format!("- {point}: original {text}"))
        .collect();
    if !notes.is_empty() {
        md.push_str("\nOther original numbers:\n\n");
        md.push_str(&notes.join("\n"));
        md.push('\n');
    }
    md
}
