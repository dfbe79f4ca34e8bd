//! Reading inputs from disk, for every kind of file a model names besides ATT&CK itself: walking
//! a file or folder with every file put in exactly one bucket ([`walk`]), reading text within the
//! size limit ([`text`]), lenient YAML scalars ([`scalar`]), and the readers of the emulation
//! inputs — the Atomic Red Team library ([`atomics`]) and emulation results ([`results`]).
//!
//! The rule adapters ([`crate::rules`]) are built on these; so are the atomics and results
//! readers. Nothing here knows a threat model or a knowledge base: a file is read, or skipped
//! with a [`Skip`] saying why.

pub mod atomics;
pub mod caldera_id;
pub mod results;
pub mod scalar;
pub mod text;
pub mod walk;

use serde::{Deserialize, Serialize};

pub use atomics::{AtomicTechnique, AtomicTest, AtomicsReport, atomic_platforms, load_atomics};
pub use results::{Detected, EmulationResult, ResultsError, ResultsFile, load_results};
pub use walk::{SkippedFile, SourceError, Walked, walk, walk_with};

/// Why a file yielded nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Readable and well-formed, but not a rule of this format (a README, a config file, ...).
    NotARule,
    /// The file could not be read.
    Unreadable,
    /// Not UTF-8 text.
    InvalidUtf8,
    /// Not valid YAML, TOML, JSON, CSV or conf syntax.
    InvalidSyntax,
    /// Over a resource limit: too large, or nested too deep (see [`crate::limits`]).
    OverLimit,
}

impl SkipReason {
    /// The bucket name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotARule => "not a rule",
            SkipReason::Unreadable => "unreadable",
            SkipReason::InvalidUtf8 => "invalid UTF-8",
            SkipReason::InvalidSyntax => "invalid syntax",
            SkipReason::OverLimit => "over a limit",
        }
    }
}

/// A file skipped, with the reason and the detail (the parser's message with line:col).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// The bucket.
    pub reason: SkipReason,
    /// What exactly, e.g. `line 3 column 7: mapping values are not allowed here`.
    pub detail: String,
}

impl Skip {
    /// A skip.
    pub fn new(reason: SkipReason, detail: impl Into<String>) -> Skip {
        Skip { reason, detail: detail.into() }
    }

    /// Not a rule of this format.
    pub fn not_a_rule(detail: impl Into<String>) -> Skip {
        Skip::new(SkipReason::NotARule, detail)
    }

    /// A syntax error.
    pub fn syntax(detail: impl Into<String>) -> Skip {
        Skip::new(SkipReason::InvalidSyntax, detail)
    }

    /// Over a resource limit.
    pub fn over_limit(detail: impl Into<String>) -> Skip {
        Skip::new(SkipReason::OverLimit, detail)
    }
}

/// Whether a string has the shape of a technique ID (`T1059`, `t1059.001`).
pub fn looks_like_technique(s: &str) -> bool {
    crate::attack::is_technique_id(s)
}
