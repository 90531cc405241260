//! The error every command returns, and the exit status it maps to.

/// Why a command stopped before it finished, which also decides the binary's exit status.
///
/// A study whose runs diverged or failed is not an error: the command returns the exit status
/// 3 as its result, with the runs' rows saying why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad usage, a bad study file or bad input: nothing ran (exit status 2). The message
    /// names the flag, file or field, the value and what is allowed.
    #[error("{0}")]
    Usage(String),
    /// Something that should have worked did not, such as an output file that could not be
    /// written (exit status 1). The message names the file.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The binary's exit status for this error: 2 for [`Error::Usage`], 1 for
    /// [`Error::Internal`].
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Internal(_) => 1,
        }
    }
}

/// An error and its sources, joined by `": "` (an I/O error is often the source of the error
/// that names its file, so both are needed to say what happened).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
