//! The command line: the flags and subcommands (clap), and the dispatch to the command that
//! runs them.

use std::path::PathBuf;

use clap::Parser;
use std::process::ExitCode;

use crate::commands::{self, curvature, gradcheck, predict, studies, train};
use crate::error::Error;
use crate::{merge, serve};

/// Runs TOML-described studies of logistic regression and MLPs: sweeps over width, depth,
/// activation, learning rate and noise, repeated over seeds, with tables and loss curves.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    studies: studies::StudyArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Train one model on a CSV file or a generated dataset; print test metrics; optionally
    /// save it.
    Train(Box<train::TrainArgs>),
    /// Predict with a saved model: each row of a CSV file (columns matched to the model's
    /// features by name) with its probability and predicted class; metrics when it has labels.
    Predict(predict::PredictArgs),
    /// Check a random net's hand-written gradients against central finite differences.
    Gradcheck(gradcheck::GradcheckArgs),
    /// Print the loss surface's curvature at a saved model on labelled data: the largest and
    /// smallest Hessian eigenvalues and the predicted largest stable learning rate 2/λ_max.
    Curvature(curvature::CurvatureArgs),
    /// Start the playground: a page in the browser that trains a net live.
    Serve(serve::ServeArgs),
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

/// Runs what the command line asks for.
///
/// Returns the exit status of a command that ran: 0 when everything succeeded, 3 when a study
/// ran but some runs diverged or failed (or a gradient check failed), 130 when a study was
/// interrupted.
///
/// # Errors
/// [`Error::Usage`] for bad usage or input (nothing ran), [`Error::Internal`] for an output
/// file that could not be written.
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    check_instruction_set_variable()?;
    match &cli.command {
        Some(Command::Merge { dirs, out, force }) => {
            let tally = merge::merge(dirs, out, *force).map_err(|e| match e {
                merge::MergeError::Input(message) => Error::Usage(message),
                merge::MergeError::Write(message) => Error::Internal(message),
            })?;
            eprintln!(
                "merged {} runs into {}",
                tally.ok + tally.not_ok,
                out.display()
            );
            Ok(commands::studies::exit_status(tally))
        }
        Some(Command::Train(args)) => train::train(args),
        Some(Command::Predict(args)) => predict::predict(args),
        Some(Command::Gradcheck(args)) => gradcheck::gradcheck(args),
        Some(Command::Curvature(args)) => curvature::curvature(args),
        Some(Command::Serve(args)) => serve::serve(args),
        None => studies::run(&cli.studies),
    }
}

/// Refuses a value of `BINCLASS_ISA` that names no instruction set: the kernels would ignore
/// it and run the widest one, so a typo would time the wrong path without a word.
fn check_instruction_set_variable() -> Result<(), Error> {
    use core_linalg::kernels::{INSTRUCTION_SET_NAMES, INSTRUCTION_SET_VARIABLE};
    match std::env::var(INSTRUCTION_SET_VARIABLE) {
        Ok(value) if !value.is_empty() && !INSTRUCTION_SET_NAMES.contains(&value.as_str()) => {
            Err(Error::Usage(format!(
                "{INSTRUCTION_SET_VARIABLE}={value:?} is not an instruction set: use one of {}, or unset it to use the widest this CPU has",
                INSTRUCTION_SET_NAMES.join(", ")
            )))
        }
        Err(std::env::VarError::NotUnicode(value)) => Err(Error::Usage(format!(
            "{INSTRUCTION_SET_VARIABLE}={value:?} is not valid UTF-8: use one of {}, or unset it",
            INSTRUCTION_SET_NAMES.join(", ")
        ))),
        _ => Ok(()),
    }
}
