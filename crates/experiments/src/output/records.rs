//! Run records (`runs/<id>.json`): what the tables need about each run, saved as it finishes,
//! so tables are always rebuilt from the folder and `--resume` and `merge` give the same ones;
//! and `metadata.json`, written before the first run.

use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::plan::{Measure, Metric, Plan, Point, RunPlan, Split};
use crate::run::{RunOutcome, RunStatus, TestMetrics, TrainMetrics};

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
pub fn pending_record(plan: &Plan, run: &RunPlan) -> RunRecord {
    RunRecord::new(plan, run, &RunOutcome::not_run(RunStatus::Pending))
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
    /// Test metrics (and the final training loss), when it ended normally.
    pub metrics: Option<TestMetrics>,
    /// Training-set metrics, when it ended normally (absent from records written before they
    /// were measured).
    #[serde(default)]
    pub train_metrics: Option<TrainMetrics>,
    /// Epochs run.
    pub epochs_run: Option<usize>,
    /// The model's stop reason (`completed`, `early_stopped`, …).
    pub stop_reason: Option<String>,
    /// First epoch at the loss fraction.
    pub epochs_to_fraction: Option<usize>,
    /// The oscillation measure.
    pub oscillation: Option<f64>,
    /// The dataset's Bayes error rate.
    pub bayes_error: Option<f64>,
    /// The predicted largest stable learning rate at initialisation, 2/λ_max of the epoch-0
    /// curvature reading, when curvature is recorded and λ_max > 0.
    #[serde(default)]
    pub stable_lr_at_init: Option<f64>,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

impl RunRecord {
    /// The record of a finished run.
    pub fn new(plan: &Plan, run: &RunPlan, outcome: &RunOutcome) -> Self {
        let report = outcome.report.as_ref();
        RunRecord {
            id: run.id(),
            index: run.index,
            point: plan.point_of(run).label.clone(),
            swept: swept(plan.point_of(run)),
            seed: run.seed,
            status: outcome.status.clone(),
            metrics: outcome.metrics,
            train_metrics: outcome.train_metrics,
            epochs_run: report.map(|r| r.epochs_run),
            stop_reason: report.map(|r| r.stop_reason.label().to_owned()),
            epochs_to_fraction: report.and_then(|r| r.epochs_to_fraction),
            oscillation: outcome.oscillation,
            bayes_error: outcome.bayes_error,
            stable_lr_at_init: outcome
                .curvature
                .first()
                .filter(|r| r.epoch == 0)
                .and_then(|r| r.stable_lr),
            wall_seconds: outcome.wall_seconds,
        }
    }

    /// The value of `metric` in this run, when it ended normally.
    pub fn metric(&self, metric: Metric) -> Option<f64> {
        let test = self.metrics.as_ref()?;
        let train = self.train_metrics.as_ref();
        Some(match (metric.split, metric.measure) {
            (Split::Train, Measure::Loss) => test.train_loss,
            (Split::Test, Measure::Loss) => test.test_loss,
            (Split::Test, Measure::Precision) => test.precision,
            (Split::Test, Measure::Recall) => test.recall,
            (Split::Test, Measure::F1) => test.f1,
            (Split::Test, Measure::Accuracy) => test.accuracy,
            (Split::Test, Measure::RocAuc) => test.roc_auc,
            (Split::Train, Measure::Precision) => train?.precision,
            (Split::Train, Measure::Recall) => train?.recall,
            (Split::Train, Measure::F1) => train?.f1,
            (Split::Train, Measure::Accuracy) => train?.accuracy,
            (Split::Train, Measure::RocAuc) => train?.roc_auc,
        })
    }
}

/// A point's swept values as a record keeps them: axis key and value as the study file writes
/// it (the record is a table row, read back only to rebuild tables).
fn swept(point: &Point) -> Vec<(String, String)> {
    point
        .values
        .iter()
        .map(|v| (v.axis().key().to_owned(), v.to_string()))
        .collect()
}
