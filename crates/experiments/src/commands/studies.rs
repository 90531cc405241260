//! Running study files: the default command. Every file is validated before anything runs
//! (every problem of every file is reported at once), every output folder is claimed before
//! any is cleared, then the runs go to the pool ([`crate::schedule`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::Error;
use crate::output;
use crate::plan::{self, Plan};
use crate::schedule::{self, Tally, WorkerThreads};

/// The flags of the default command, which runs study files.
#[derive(Debug, clap::Args)]
pub struct StudyArgs {
    /// Study files to run. With none, every *.toml in the experiments/ folder runs (the full
    /// study).
    files: Vec<PathBuf>,

    /// Output folder. Default: results/STUDY_NAME/ (with --quick, results/quick/STUDY_NAME/,
    /// so a smoke test never stands in a full study's way). With several files, each study
    /// gets a subfolder named after it.
    #[arg(long)]
    out: Option<PathBuf>,

    /// Replace the files' seed lists, e.g. --seeds 1,2,3.
    #[arg(long, value_delimiter = ',')]
    seeds: Option<Vec<u64>>,

    /// Worker threads (default: all cores; at most 1024, and never more than runs). Results are
    /// identical for any value.
    #[arg(long)]
    jobs: Option<usize>,

    /// A smoke test in seconds: every epoch count divided by 100 (rounding up), written to
    /// results/quick/ unless --out is given. Its numbers show that everything runs, not what
    /// the study finds, and are not comparable with the original.
    #[arg(long)]
    quick: bool,

    /// Validate the files and print the planned runs; run nothing.
    #[arg(long)]
    check: bool,

    /// Replace an earlier study's output in the output folder.
    #[arg(long)]
    force: bool,

    /// Continue an interrupted study in its output folder: keep its finished runs, run the
    /// rest. Refused if the study file or options changed.
    #[arg(long, conflicts_with = "force")]
    resume: bool,

    /// Run only every N-th run starting at K (0-based), e.g. --shard 0/4, to spread a study
    /// over machines.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, allow_hyphen_values = true)]
    shard: Option<(usize, usize)>,
}

/// Set by the first Ctrl-C or SIGTERM.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The first Ctrl-C asks every run to stop at its next check and lets the file writes in
/// flight finish; a second one exits at once (files are written atomically, so nothing
/// half-written is left at a final path either way).
fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupting: finishing file writes; press Ctrl-C again to quit at once");
    });
}

/// Parses `--shard K/N`: shard K (counted from 0) of N. Outside a Slurm array task,
/// `${SLURM_ARRAY_TASK_ID}` expands to nothing, so an empty K gets its own hint.
pub(crate) fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or_else(|| {
        format!("{s:?} is not K/N: give the shard K (from 0) and the shard count N, e.g. 0/4")
    })?;
    let number = |text: &str, what: &str| -> Result<usize, String> {
        if text.is_empty() {
            let hint = if what == "index K" {
                " (in a job script, is SLURM_ARRAY_TASK_ID set? it is only inside a job array)"
            } else {
                ""
            };
            return Err(format!(
                "{s:?} has no shard {what}{hint}: write K/N, e.g. 0/4"
            ));
        }
        text.parse().map_err(|e: std::num::ParseIntError| {
            if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                format!(
                    "the shard {what} {text} is too large: at most {}",
                    usize::MAX
                )
            } else {
                format!("the shard {what} {text:?} is not a whole number ≥ 0: write K/N, e.g. 0/4")
            }
        })
    };
    let (k, n) = (number(k, "index K")?, number(n, "count N")?);
    if n == 0 {
        return Err(format!(
            "shard {k}/0: the shard count N must be at least 1 (N = 1 runs the whole study)"
        ));
    }
    if k >= n {
        return Err(format!(
            "shard {k}/{n}: K counts from 0, so it must be below N; the shards of {n} are 0/{n} to {}/{n}",
            n - 1
        ));
    }
    Ok((k, n))
}

/// Where the shipped studies live: `experiments/` under the current folder, else the one in
/// the source tree this binary was built from.
fn default_study_dir() -> PathBuf {
    let local = PathBuf::from("experiments");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../experiments")
}

/// The folder that holds each study's folder when `--out` is not given: `results/`, and
/// `results/quick/` for a smoke test, so that it never takes a full study's place.
pub fn default_out_dir(quick: bool) -> PathBuf {
    if quick {
        Path::new("results").join("quick")
    } else {
        PathBuf::from("results")
    }
}

/// Refuses `--resume` when a folder's study file, seeds or `--quick` changed.
fn check_resumable(plans: &[Plan], out_dirs: &[PathBuf]) -> Result<(), Error> {
    for (plan, dir) in plans.iter().zip(out_dirs) {
        output::check_resumable(dir, &plan.source, &plan.seeds, plan.quick)
            .map_err(Error::Usage)?;
    }
    Ok(())
}

pub fn exit_status(tally: Tally) -> ExitCode {
    if tally.not_ok > 0 {
        eprintln!(
            "{} of {} runs did not finish normally (diverged, failed or interrupted): see the status column of results.csv",
            tally.not_ok,
            tally.ok + tally.not_ok
        );
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

/// Validates every study file, then runs them all into their output folders.
///
/// Returns 0 when every run ended normally, 3 when some diverged or failed, 130 when the
/// study was interrupted (the rest can be finished with `--resume`).
///
/// # Errors
/// [`Error::Usage`] for a bad flag, study file or output folder (nothing ran);
/// [`Error::Internal`] for an output file that could not be written.
pub fn run(cli: &StudyArgs) -> Result<ExitCode, Error> {
    let files = if cli.files.is_empty() {
        let dir = default_study_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Error::Usage(format!("cannot list {}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Usage(format!(
                "no .toml study files in {}",
                dir.display()
            )));
        }
        files
    } else {
        cli.files.clone()
    };
    let jobs = WorkerThreads::new(cli.jobs).map_err(Error::Usage)?;
    let options = plan::PlanOptions {
        seeds: cli.seeds.clone(),
        quick: cli.quick,
    };
    if let Some(seeds) = &options.seeds
        && seeds.is_empty()
    {
        return Err(Error::Usage(
            "--seeds is empty: give at least one seed".into(),
        ));
    }

    // Validate every file before anything runs, and report every problem.
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        match plan::load(file, &options) {
            Ok(plan) => plans.push(plan),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let mut names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        problems.push(format!(
            "two study files are both named {:?}: their outputs would collide; rename one [study] name",
            w[0]
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Usage(problems.join("\n")));
    }

    let out_dirs: Vec<PathBuf> = plans
        .iter()
        .map(|p| match (&cli.out, plans.len()) {
            (Some(dir), 1) => dir.clone(),
            (Some(dir), _) => dir.join(&p.name),
            (None, _) => default_out_dir(cli.quick).join(&p.name),
        })
        .collect();
    if cli.quick {
        eprintln!(
            "--quick: a smoke test, every epoch count divided by {}; it shows that everything \
             runs, not what the studies find",
            plan::QUICK_FACTOR
        );
    }
    if cli.check {
        // `--check --resume` says what the real resume would: refused if the folder's study
        // changed.
        if cli.resume {
            check_resumable(&plans, &out_dirs)?;
        }
        for plan in &plans {
            println!(
                "{} ({}): {} runs = {} point(s) × {} seed(s)",
                plan.name,
                plan.path.display(),
                plan.runs.len(),
                plan.points.len(),
                plan.seeds.len()
            );
            for (i, point) in plan.points.iter().enumerate() {
                let label = &point.label;
                if let Some(run) = plan.runs.iter().find(|r| r.point == i) {
                    let t = run.model.training();
                    println!(
                        "  {label}: layers {:?}, activation {}, lr {}, epochs {}",
                        run.model.layer_sizes(),
                        run.model.activation_name(),
                        t.learning_rate(),
                        t.epochs()
                    );
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    // Every folder is claimed and checked before any is cleared, so a problem with the second
    // study's folder does not cost the first one's earlier results.
    let mut locks = Vec::new();
    for dir in &out_dirs {
        locks.push(output::claim_output_dir(dir, cli.force, cli.resume).map_err(Error::Usage)?);
    }
    if cli.resume {
        check_resumable(&plans, &out_dirs)?;
    }
    for dir in &out_dirs {
        output::clear_output_dir(dir, cli.force, cli.resume).map_err(Error::Usage)?;
    }
    install_interrupt_handler();
    let tally = schedule::run_all(
        &plans,
        &schedule::RunOptions {
            jobs,
            out_dirs,
            shard: cli.shard,
            interrupt: &INTERRUPTED,
            resume: cli.resume,
        },
    )
    .map_err(Error::Internal)?;
    drop(locks);
    if tally.pending > 0 {
        eprintln!(
            "interrupted: {} runs pending; rerun the same command with --resume to finish them",
            tally.pending
        );
        return Ok(ExitCode::from(130));
    }
    Ok(exit_status(tally))
}
