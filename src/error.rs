//! The library's top-level error and the exit codes it maps to.
//!
//! Exit codes are part of ttpc's interface: 0 all targets hold; 1 a target or the baseline check
//! failed; 2 invalid input (model, ATT&CK data, rule sources the model requires); 3 internal error.

use miette::Diagnostic;
use thiserror::Error;

use crate::attack::AttackError;
use crate::diagnostics::Problems;
use crate::model::ModelError;

/// ttpc's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything holds.
    Ok = 0,
    /// A target or the baseline check failed.
    TargetFailed = 1,
    /// The input is invalid.
    InvalidInput = 2,
    /// ttpc itself failed (or could not write its outputs).
    Internal = 3,
}

/// Any error a ttpc command can end with.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// The model file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] ModelError),
    /// The ATT&CK data.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Attack(Box<AttackError>),
    /// Problems found while binding the model to ATT&CK (unknown actors, platforms, ...).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<Problems>),
    /// A lookup the user asked for found nothing (`ttpc technique T9999`).
    #[error("{message}")]
    #[diagnostic(code(ttpc::not_found))]
    NotFound {
        /// What was not found.
        message: String,
        /// Suggestions.
        #[help]
        help: Option<String>,
    },
    /// The ATT&CK cache.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(Box<crate::attack::store::StoreError>),
    /// The lock file refused the data.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(Box<crate::attack::lock::LockError>),
    /// A baseline assessment cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(Box<crate::check::baseline::BaselineError>),
    /// A git revision (`--baseline-ref`) cannot be checked out.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(Box<crate::git::GitError>),
    /// A report template failed to load or render.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Template(Box<crate::emit::report::TemplateError>),
    /// The emulation plan names atomic tests without a GUID: no script is written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Emulation(Box<crate::emit::emulation::TestsWithoutGuid>),
    /// A file could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] crate::io::WriteError),
    /// The output set could not be written (nothing of the previous one changed).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] crate::io::OutputError),
    /// A model cannot be moved to another ATT&CK release as asked.
    #[error("{message}")]
    #[diagnostic(code(ttpc::migrate))]
    Migrate {
        /// What is wrong.
        message: String,
        /// What to do.
        #[help]
        help: Option<String>,
    },
    /// Writing to stdout or an output file failed.
    #[error("cannot write {what}")]
    #[diagnostic(code(ttpc::io))]
    Io {
        /// What was being written.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Model(_)
            | Error::Attack(_)
            | Error::Invalid(_)
            | Error::NotFound { .. }
            | Error::Migrate { .. }
            | Error::Template(_)
            | Error::Emulation(_)
            | Error::Store(_)
            | Error::Lock(_)
            | Error::Baseline(_)
            | Error::Git(_) => Exit::InvalidInput,
            Error::Output(e) if e.is_input_error() => Exit::InvalidInput,
            Error::Io { .. } | Error::Write(_) | Error::Output(_) => Exit::Internal,
        }
    }
}

impl From<Box<Problems>> for Error {
    fn from(problems: Box<Problems>) -> Error {
        Error::Invalid(problems)
    }
}

impl From<crate::git::GitError> for Error {
    fn from(error: crate::git::GitError) -> Error {
        Error::Git(Box::new(error))
    }
}

impl From<AttackError> for Error {
    fn from(error: AttackError) -> Error {
        Error::Attack(Box::new(error))
    }
}

impl From<Box<crate::emit::report::TemplateError>> for Error {
    fn from(error: Box<crate::emit::report::TemplateError>) -> Error {
        Error::Template(error)
    }
}

impl From<crate::attack::store::StoreError> for Error {
    fn from(error: crate::attack::store::StoreError) -> Error {
        Error::Store(Box::new(error))
    }
}

impl From<crate::attack::lock::LockError> for Error {
    fn from(error: crate::attack::lock::LockError) -> Error {
        Error::Lock(Box::new(error))
    }
}

impl From<Box<crate::emit::emulation::TestsWithoutGuid>> for Error {
    fn from(error: Box<crate::emit::emulation::TestsWithoutGuid>) -> Error {
        Error::Emulation(error)
    }
}
