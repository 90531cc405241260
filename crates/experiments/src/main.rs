//! # experiments: turn TOML study files into tables and curves
//!
//! The binary that runs the project's studies. It is glue: it parses study files
//! ([`spec`]), validates every run of every file before the first starts, runs them in
//! parallel ([`study`]) and writes the artifacts ([`output`]); when a study's tables are
//! written it draws its figures ([`figures`], through `viz`) and writes `report.html`
//! ([`report`]) from the output folder's files, so a resumed or merged study gets the same
//! pictures. It is the only crate that reads files, spawns threads or knows about the terminal.
//!
//! **The one design decision to know:** every run derives its own random streams from its seed
//! and sweep point (ChaCha8 streams, see `run.rs`), so the numbers in `results.csv` are
//! bit-identical whatever `--jobs` is and in whatever order runs finish.
//!
//! # Study files
//!
//! A study file has the tables `[study]` (`name`, `question`, `finding`, `seeds`),
//! `[dataset]` (`generator` = blobs | moons | circles | xor | spirals, its parameters
//! `separation` / `noise` / `factor` / `turns`, `samples`, `test_fraction`, optional fixed
//! `seed`, `standardize`), `[model]` (`kind` = mlp | logistic, `hidden_layers`, `activation`,
//! `learning_rate`, `epochs`, optional `l2`, `batch_size`, `tolerance` + `patience` for early
//! stopping, `threshold`, `divergence_factor`), an optional `[sweep]` whose axes (`width`,
//! `depth`, `activation`, `learning_rate`, `noise`, `early_stopping`) multiply into the runs,
//! `[record]` (`loss_curve_stride`, `gradient_norm_stride`, `loss_fraction`,
//! `oscillation_window`) and `[[original]]` rows (`point`, `precision`, `recall`, `f1`,
//! `loss`, `note`) giving the original project's numbers. The README's "Study files" section
//! shows a complete, commented example; `experiments/` holds the shipped studies.
//!
//! Exit status: 0 all runs succeeded; 2 bad usage, study file or data (nothing ran); 3 the
//! study ran but some runs failed or diverged (their rows say why); 1 internal error (such as
//! an output file that could not be written).

mod commands;
mod figures;
mod merge;
mod output;
mod report;
mod run;
mod spec;
mod study;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Runs TOML-described studies of logistic regression and MLPs: sweeps over width, depth,
/// activation, learning rate and noise, repeated over seeds, with tables and loss curves.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Study files to run. With none, every *.toml in the experiments/ folder runs (the full
    /// study).
    files: Vec<PathBuf>,

    /// Output folder. Default: results/STUDY_NAME/. With several files, each study gets a
    /// subfolder named after it.
    #[arg(long)]
    out: Option<PathBuf>,

    /// Replace the files' seed lists, e.g. --seeds 1,2,3.
    #[arg(long, value_delimiter = ',')]
    seeds: Option<Vec<u64>>,

    /// Worker threads (default: all cores; at most 1024, and never more than runs). Results are
    /// identical for any value.
    #[arg(long)]
    jobs: Option<usize>,

    /// Divide every epoch count by 100 (rounding up) for a smoke run in seconds. Quick results
    /// are marked as such and are not comparable with the original.
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
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Train one model on a CSV file or a generated dataset; print test metrics; optionally
    /// save it.
    Train(commands::TrainArgs),
    /// Predict with a saved model: write each row's probability and label; print metrics when
    /// the input has labels.
    Predict(commands::PredictArgs),
    /// Check a random net's hand-written gradients against central finite differences.
    Gradcheck(commands::GradcheckArgs),
    /// Combine the output folders of a sharded study (--shard K/N on several machines) into the
    /// tables a single machine would have written (identical apart from wall times).
    Merge {
        /// The shard folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged study.
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier study in the output folder.
        #[arg(long)]
        force: bool,
    },
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

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not K/N, e.g. 0/4"))?;
    let k: usize = k
        .parse()
        .map_err(|_| format!("shard index {k:?} is not a whole number"))?;
    let n: usize = n
        .parse()
        .map_err(|_| format!("shard count {n:?} is not a whole number"))?;
    if n == 0 || k >= n {
        return Err(format!("shard {k}/{n}: need 0 ≤ K < N"));
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

enum Failure {
    Usage(String),
    Internal(String),
}

/// Refuses `--resume` when a folder's study file, seeds or `--quick` changed.
fn check_resumable(plans: &[spec::Plan], out_dirs: &[PathBuf]) -> Result<(), Failure> {
    for (plan, dir) in plans.iter().zip(out_dirs) {
        output::check_resumable(dir, &plan.source, &plan.seeds(), plan.quick)
            .map_err(Failure::Usage)?;
    }
    Ok(())
}

fn exit_status(tally: study::Tally) -> ExitCode {
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

/// Refuses a value of `BINCLASS_ISA` that names no instruction set: the kernels would ignore
/// it and run the widest one, so a typo would time the wrong path without a word.
fn check_instruction_set_variable() -> Result<(), Failure> {
    use core_linalg::kernels::{INSTRUCTION_SET_NAMES, INSTRUCTION_SET_VARIABLE};
    match std::env::var(INSTRUCTION_SET_VARIABLE) {
        Ok(value) if !value.is_empty() && !INSTRUCTION_SET_NAMES.contains(&value.as_str()) => {
            Err(Failure::Usage(format!(
                "{INSTRUCTION_SET_VARIABLE}={value:?} is not an instruction set: use one of {}, or unset it to use the widest this CPU has",
                INSTRUCTION_SET_NAMES.join(", ")
            )))
        }
        Err(std::env::VarError::NotUnicode(value)) => Err(Failure::Usage(format!(
            "{INSTRUCTION_SET_VARIABLE}={value:?} is not valid UTF-8: use one of {}, or unset it",
            INSTRUCTION_SET_NAMES.join(", ")
        ))),
        _ => Ok(()),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    check_instruction_set_variable()?;
    match &cli.command {
        Some(Command::Merge { dirs, out, force }) => {
            let tally = merge::merge(dirs, out, *force).map_err(|e| match e {
                merge::MergeError::Input(message) => Failure::Usage(message),
                merge::MergeError::Write(message) => Failure::Internal(message),
            })?;
            eprintln!(
                "merged {} runs into {}",
                tally.ok + tally.not_ok,
                out.display()
            );
            return Ok(exit_status(tally));
        }
        Some(Command::Train(args)) => return commands::train(args),
        Some(Command::Predict(args)) => return commands::predict(args),
        Some(Command::Gradcheck(args)) => return commands::gradcheck(args),
        None => {}
    }
    let files = if cli.files.is_empty() {
        let dir = default_study_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Failure::Usage(format!("cannot list {}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Failure::Usage(format!(
                "no .toml study files in {}",
                dir.display()
            )));
        }
        files
    } else {
        cli.files.clone()
    };
    match cli.jobs {
        Some(0) => {
            return Err(Failure::Usage(
                "--jobs 0: need at least 1 worker thread".into(),
            ));
        }
        Some(jobs) if jobs > study::MAX_JOBS => {
            return Err(Failure::Usage(format!(
                "--jobs {jobs}: at most {} worker threads; more than the machine's cores \
                 ({}) only adds waiting",
                study::MAX_JOBS,
                std::thread::available_parallelism().map_or(1, |n| n.get())
            )));
        }
        _ => {}
    }
    let options = spec::PlanOptions {
        seeds: cli.seeds.clone(),
        quick: cli.quick,
    };
    if let Some(seeds) = &options.seeds
        && seeds.is_empty()
    {
        return Err(Failure::Usage(
            "--seeds is empty: give at least one seed".into(),
        ));
    }

    // Validate every file before anything runs, and report every problem.
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        match spec::load(file, &options) {
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
        return Err(Failure::Usage(problems.join("\n")));
    }

    let out_dirs: Vec<PathBuf> = plans
        .iter()
        .map(|p| match (&cli.out, plans.len()) {
            (Some(dir), 1) => dir.clone(),
            (Some(dir), _) => dir.join(&p.name),
            (None, _) => Path::new("results").join(&p.name),
        })
        .collect();
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
                plan.runs.len() / plan.points.len().max(1)
            );
            for (i, label) in plan.points.iter().enumerate() {
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
        locks.push(output::claim_output_dir(dir, cli.force, cli.resume).map_err(Failure::Usage)?);
    }
    if cli.resume {
        check_resumable(&plans, &out_dirs)?;
    }
    for dir in &out_dirs {
        output::clear_output_dir(dir, cli.force, cli.resume).map_err(Failure::Usage)?;
    }
    install_interrupt_handler();
    let jobs = cli
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let tally = study::run_all(
        &plans,
        &study::RunOptions {
            jobs,
            out_dirs,
            shard: cli.shard,
            interrupt: &INTERRUPTED,
            resume: cli.resume,
        },
    )
    .map_err(Failure::Internal)?;
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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
