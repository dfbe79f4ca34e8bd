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

/// Whether a tag value or column token was meant as a technique ID but is not a well-formed one:
/// empty or a lone `t` (`attack.`, `attack.t`), or a `t` or digit followed by digits and dots in
/// the wrong shape (`1562.001`, `t1059.01`, `t10590`, `t1059.0011`). Such values are reported,
/// never dropped in silence.
pub fn malformed_technique(s: &str) -> bool {
    let s = s.trim();
    if looks_like_technique(s) {
        return false;
    }
    let rest = s.strip_prefix(['t', 'T']).unwrap_or(s);
    s.is_empty()
        || rest.is_empty() && s.len() == 1
        || rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// What a malformed technique value most likely meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Unambiguous: only the `T` is missing (`1562.001` → `T1562.001`). Counted as that ID.
    Certain(String),
    /// A guess, shown to the user but not counted (`t1059.01` → `T1059.001`?).
    Likely(String),
    /// No obvious intent.
    Unknown,
}

/// The repair of a malformed technique value (see [`malformed_technique`]).
pub fn repair_technique(s: &str) -> Repair {
    let s = s.trim();
    let upper = format!("T{}", s.strip_prefix(['t', 'T']).unwrap_or(s));
    if !s.starts_with(['t', 'T']) && looks_like_technique(&upper) {
        return Repair::Certain(upper);
    }
    // A sub-technique number with too few digits: `T1059.01` → `T1059.001`.
    if let Some((parent, sub)) = upper.split_once('.')
        && (1..3).contains(&sub.len())
        && let Ok(n) = sub.parse::<u16>()
    {
        let guess = format!("{parent}.{n:03}");
        if looks_like_technique(&guess) {
            return Repair::Likely(guess);
        }
    }
    Repair::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_technique_values_are_recognised_and_repaired_only_when_certain() {
        for good in ["T1059", "t1059.001"] {
            assert!(!malformed_technique(good), "{good}");
        }
        for bad in ["", "t", "T", "1562.001", "t1059.01", "t10590", "t1059.0011"] {
            assert!(malformed_technique(bad), "{bad:?}");
        }
        for other in ["defense-evasion", "g0046", "s0002", "execution", "tactic"] {
            assert!(!malformed_technique(other), "{other}");
        }
        assert_eq!(repair_technique("1562.001"), Repair::Certain(String::from("T1562.001")));
        assert_eq!(repair_technique("t1059.01"), Repair::Likely(String::from("T1059.001")));
        assert_eq!(repair_technique("t10590"), Repair::Unknown);
        assert_eq!(repair_technique("t1059.0011"), Repair::Unknown);
        assert_eq!(repair_technique(""), Repair::Unknown);
    }
}
