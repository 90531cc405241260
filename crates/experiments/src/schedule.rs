//! Running planned studies: every selected run on a pool of worker threads, longest first,
//! each run's files written as it finishes and each study's tables, figures and report when
//! all its runs are done.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use core_linalg::Activation;

use crate::output::{self, Metadata, write_atomic};
use crate::plan::{ModelPlan, Plan, RunPlan};
use crate::progress::{self, Progress};
use crate::report;
use crate::run::{self, RunSignals, RunStatus};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads (the pool never has more threads than runs).
    pub jobs: WorkerThreads,
    /// Output folder per plan (same order as the plans).
    pub out_dirs: Vec<PathBuf>,
    /// Run only runs whose index ≡ k (mod n).
    pub shard: Option<(usize, usize)>,
    /// Set by Ctrl-C or SIGTERM: no new run starts, running ones stop at their next check.
    pub interrupt: &'static AtomicBool,
    /// Keep the finished runs already in the output folders and run only the rest.
    pub resume: bool,
}

/// What happened, for the exit status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Runs that finished normally.
    pub ok: usize,
    /// Runs that diverged or failed.
    pub not_ok: usize,
    /// Runs not finished because the study was interrupted.
    pub pending: usize,
}

struct Job<'a> {
    plan: usize,
    run: &'a RunPlan,
    cost: f64,
}

/// The most worker threads `--jobs` may ask for. Each thread has its own stack and training
/// buffers, and a thread per run of a 10,000-run sweep would only contend for the cores.
pub const MAX_JOBS: usize = 1024;

/// A number of worker threads, checked once: 1 to [`MAX_JOBS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerThreads(usize);

impl WorkerThreads {
    /// `--jobs`: the number asked for, or one per core (at most [`MAX_JOBS`]).
    ///
    /// # Errors
    /// A message naming `--jobs`, the value and what is allowed.
    pub fn new(requested: Option<usize>) -> Result<WorkerThreads, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        match requested {
            None => Ok(WorkerThreads(cores.min(MAX_JOBS))),
            Some(0) => Err("--jobs 0: need at least 1 worker thread".into()),
            Some(jobs) if jobs > MAX_JOBS => Err(format!(
                "--jobs {jobs}: at most {MAX_JOBS} worker threads; more than the machine's \
                 cores ({cores}) only adds waiting"
            )),
            Some(jobs) => Ok(WorkerThreads(jobs)),
        }
    }

    /// The number of threads.
    pub fn get(self) -> usize {
        self.0
    }
}

/// A run's estimated cost: its epochs times the estimated cost of one epoch, which is its
/// training samples times the cost of one sample's forward and backward pass. That is a
/// weighted sum of the multiply-adds of the layer products, the hidden units (a sigmoid or
/// tanh unit costs several times a ReLU one: an exponential each way) and a fixed part per
/// sample; the weights are relative, fitted to the full study's wall times
/// (`bench/results/run-cost.md`). It orders the runs (longest first) and measures progress;
/// results never depend on it.
pub fn run_cost(model: &ModelPlan, n_train: usize) -> f64 {
    const PER_MULTIPLY_ADD: f64 = 0.025;
    const PER_HIDDEN_UNIT: f64 = 1.2;
    const PER_SMOOTH_UNIT: f64 = 3.7;
    const PER_SAMPLE: f64 = 3.4;
    let sizes = model.layer_sizes();
    let multiply_adds: usize = sizes.windows(2).map(|p| p[0] * p[1]).sum();
    let hidden_units: usize = sizes[1..sizes.len() - 1].iter().sum();
    let smooth = match model {
        ModelPlan::Mlp(c) => matches!(
            c.hidden_activation(),
            Activation::Sigmoid | Activation::Tanh
        ),
        ModelPlan::Logistic(_) => false,
    };
    let per_sample = PER_MULTIPLY_ADD * multiply_adds as f64
        + PER_HIDDEN_UNIT * hidden_units as f64
        + if smooth {
            PER_SMOOTH_UNIT * hidden_units as f64
        } else {
            0.0
        }
        + PER_SAMPLE;
    model.training().epochs() as f64 * per_sample * n_train as f64
}

/// The training part's size: the samples left after the test fraction (as the split rounds
/// it, to within one sample, which is all an estimate needs).
fn n_train(plan: &Plan) -> usize {
    let n = plan.data.n_samples as f64;
    (n - (n * plan.data.test_fraction).round()).max(1.0) as usize
}

/// Runs every plan's runs on a pool of `jobs` threads, longest first, writing each run's curve
/// as it finishes and each study's tables when all its runs are done.
///
/// # Errors
/// A message naming every output file that could not be written (the runs themselves never
/// error: their failures are recorded in their rows). A run whose own files could not all be
/// written is recorded as failed, with the first such error as its reason, so `--resume`
/// reruns it.
pub fn run_all(plans: &[Plan], options: &RunOptions) -> Result<Tally, String> {
    let started_at = output::utc_now();
    let revision = output::git_revision();
    let selected = |r: &RunPlan| options.shard.is_none_or(|(k, n)| r.index % n == k);
    if !options.resume {
        // A resumed folder keeps the metadata of the study being resumed.
        for (plan, dir) in plans.iter().zip(&options.out_dirs) {
            let n_runs = plan.runs.iter().filter(|r| selected(r)).count();
            write_study_start(plan, dir, options.shard, n_runs, &started_at, &revision)?;
        }
    }

    // With --resume, the runs already finished (ok or diverged) are kept, not rerun.
    let finished: Vec<std::collections::BTreeMap<usize, output::RunRecord>> = options
        .out_dirs
        .iter()
        .map(|dir| {
            if options.resume {
                output::finished_records(dir)
            } else {
                Default::default()
            }
        })
        .collect();
    let finished_ref = &finished;
    let mut jobs: Vec<Job> = plans
        .iter()
        .enumerate()
        .flat_map(|(p, plan)| {
            plan.runs
                .iter()
                .filter(|r| selected(r))
                .filter(move |r| !finished_ref[p].contains_key(&r.index))
                .map(move |run| Job {
                    plan: p,
                    run,
                    cost: run_cost(&run.model, n_train(plan)),
                })
        })
        .collect();
    // Longest first keeps both cores busy to the end; ties keep plan order.
    jobs.sort_by(|a, b| b.cost.total_cmp(&a.cost));

    let total = jobs.len();
    if options.resume {
        let kept: usize = finished.iter().map(std::collections::BTreeMap::len).sum();
        eprintln!("resuming: {kept} runs already done are kept, {total} to run");
    }
    let progress = Progress::new(jobs.iter().map(|job| job.cost).collect());
    // Only each run's small record is kept, not its loss curve: the curve is on disk already,
    // and holding every curve of a 250,000-epoch sweep would cost hundreds of megabytes.
    let results: Mutex<Vec<Option<output::RunRecord>>> = Mutex::new(vec![None; total]);
    let write_errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    // No more threads than runs: a thread with no run to take would only wait.
    let threads = options.jobs.get().min(total.max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
    let signals: Vec<RunSignals> = (0..total)
        .map(|_| RunSignals {
            interrupt: Some(options.interrupt),
            ..RunSignals::default()
        })
        .collect();
    // The display refreshes on its own thread, so every pool thread trains.
    std::thread::scope(|display| {
        display.spawn(|| progress.watch(&signals));
        pool.scope_fifo(|scope| {
            for (slot, job) in jobs.iter().enumerate() {
                let (results, write_errors, progress, signals) =
                    (&results, &write_errors, &progress, &signals);
                scope.spawn_fifo(move |_| {
                    if options.interrupt.load(Ordering::Relaxed) {
                        progress.skip(slot);
                        return; // Not started: stays pending.
                    }
                    let plan = &plans[job.plan];
                    let label = &plan.point_of(job.run).label;
                    let name = format!("{} {label} s{}", plan.name, job.run.seed);
                    progress.start(slot, name, job.run.model.training().epochs());
                    let outcome = run::execute(plan, job.run, &signals[slot]);
                    if outcome.status == RunStatus::Interrupted {
                        // Nothing of an unfinished run reaches a final path; --resume reruns it.
                        progress.finish(slot, &outcome.status);
                        return;
                    }
                    let (record, failures) = output::write_run_files(
                        &options.out_dirs[job.plan],
                        plan,
                        job.run,
                        &outcome,
                    );
                    write_errors.lock().expect("not poisoned").extend(failures);
                    progress.finish(slot, &record.status);
                    results.lock().expect("not poisoned")[slot] = Some(record);
                });
            }
        });
    });
    progress.done();

    let results = results.into_inner().expect("not poisoned");
    let mut tally = Tally::default();
    let mut reports = Vec::new();
    let mut tables = Vec::new();
    for (p, (plan, dir)) in plans.iter().zip(&options.out_dirs).enumerate() {
        let mut records: Vec<output::RunRecord> = finished[p].values().cloned().collect();
        records.extend(
            jobs.iter()
                .zip(&results)
                .filter(|(job, _)| job.plan == p)
                .filter_map(|(_, record)| record.clone()),
        );
        let done: Vec<usize> = records.iter().map(|r| r.index).collect();
        records.extend(
            plan.runs
                .iter()
                .filter(|r| selected(r) && !done.contains(&r.index))
                .map(|run| output::pending_record(plan, run)),
        );
        records.sort_by_key(|r| r.index);
        for r in &records {
            match r.status {
                RunStatus::Ok => tally.ok += 1,
                RunStatus::Pending => tally.pending += 1,
                _ => tally.not_ok += 1,
            }
        }
        output::write_tables(plan, dir, &records)?;
        let table = output::summary_table(plan, &output::summarise(plan, &records));
        tables.push(format!(
            "{}{} ({}):\n{}",
            plan.name,
            if plan.quick { ", smoke test" } else { "" },
            dir.join("summary.md").display(),
            progress::terminal_table(&table.header, &table.rows)
        ));
        if options.interrupt.load(Ordering::Relaxed) {
            eprintln!(
                "{}: wrote {} (figures and report skipped: interrupted; --resume writes them)",
                plan.name,
                dir.display()
            );
            continue;
        }
        reports.push(report::write_study_report(plan, dir, &records));
        eprintln!(
            "{}: wrote {}{}",
            plan.name,
            dir.display(),
            if plan.quick {
                " (a smoke test: epochs divided by 100; its numbers are not the study's findings)"
            } else {
                ""
            }
        );
    }
    // The results themselves go to standard output, after everything is written.
    println!("{}", tables.join("\n"));
    if reports.len() > 1
        && let Some(parent) = common_parent(&options.out_dirs)
    {
        match report::write_index(&parent, &reports) {
            Ok(path) => eprintln!("index of {} studies: {}", reports.len(), path.display()),
            Err(e) => eprintln!("warning: {e}"),
        }
    }
    let errors = write_errors.into_inner().expect("not poisoned");
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    Ok(tally)
}

/// The folder the study folders share, where `index.html` goes (`results/` by default, the
/// `--out` folder with several study files); `None` when they have no common parent.
fn common_parent(dirs: &[PathBuf]) -> Option<PathBuf> {
    let parent = dirs.first()?.parent()?;
    dirs.iter()
        .all(|d| d.parent() == Some(parent))
        .then(|| parent.to_owned())
}

/// Writes what a study's folder holds before its first run: `study.toml` (the file as run)
/// and `metadata.json`.
fn write_study_start(
    plan: &Plan,
    dir: &Path,
    shard: Option<(usize, usize)>,
    n_runs: usize,
    started_at: &str,
    revision: &str,
) -> Result<(), String> {
    let metadata = Metadata {
        program: "experiments",
        version: env!("CARGO_PKG_VERSION"),
        git_revision: revision.to_owned(),
        study: &plan.name,
        file: plan.path.display().to_string(),
        seeds: plan.seeds.clone(),
        started_at: started_at.to_owned(),
        quick: plan.quick,
        shard: shard.map(|(k, n)| format!("{k}/{n}")),
        n_runs,
        kernels: core_linalg::kernels::instruction_set(),
    };
    write_atomic(&dir.join("study.toml"), plan.source.as_bytes()).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&metadata).map_err(|e| e.to_string())?;
    write_atomic(&dir.join("metadata.json"), json.as_bytes()).map_err(|e| e.to_string())
}
