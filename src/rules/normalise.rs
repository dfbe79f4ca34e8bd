//! The one normalisation step every rule format shares: technique IDs as written → techniques of
//! the knowledge base.
//!
//! IDs are trimmed and upper-cased. An active technique maps to itself; a revoked one is remapped
//! along revoked-by and reported as a stale mapping; a deprecated or unknown ID is reported and
//! not counted. An unknown ID usually means the rule was written for a newer ATT&CK release (SigmaHQ
//! already uses v19 IDs such as T1685), so the report says so instead of failing.

use serde::Serialize;

use super::DetectionRule;
use crate::attack::{KnowledgeBase, Status, TechniqueIdx};
use crate::model::TechniqueId;

/// A problem with one technique ID of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "issue", rename_all = "kebab-case")]
pub enum MappingIssue {
    /// Revoked in ATT&CK; the rule now counts for the replacement.
    Stale {
        /// The ID as written.
        written: String,
        /// The current technique it was remapped to.
        replacement: String,
    },
    /// Deprecated in ATT&CK, no replacement; not counted.
    Deprecated {
        /// The ID as written.
        written: String,
    },
    /// Not in this ATT&CK version; not counted.
    Unknown {
        /// The ID as written.
        written: String,
    },
}

impl MappingIssue {
    /// The ID as written.
    pub fn written(&self) -> &str {
        match self {
            MappingIssue::Stale { written, .. }
            | MappingIssue::Deprecated { written }
            | MappingIssue::Unknown { written } => written,
        }
    }
}

/// A rule's techniques after normalisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalisedRule {
    /// Current techniques the rule covers, sorted, unique.
    pub techniques: Vec<TechniqueIdx>,
    /// Problems met on the way.
    pub issues: Vec<MappingIssue>,
}

/// One mapping of a rule, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The rule's ID.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// Where it is.
    pub place: String,
    /// The problem.
    #[serde(flatten)]
    pub issue: MappingIssue,
}

/// Maps a rule's technique IDs onto the knowledge base.
pub fn normalise(rule: &DetectionRule, kb: &KnowledgeBase) -> NormalisedRule {
    let mut out = NormalisedRule::default();
    for written in &rule.techniques {
        let Some(id) = TechniqueId::parse(written) else {
            out.issues.push(MappingIssue::Unknown { written: written.clone() });
            continue;
        };
        match kb.technique(id.as_str()) {
            None => out.issues.push(MappingIssue::Unknown { written: written.clone() }),
            Some(t) => match kb[t].status {
                Status::Active => out.techniques.push(t),
                Status::Revoked => match kb[t].revoked_by.filter(|r| kb[*r].is_active()) {
                    Some(current) => {
                        out.techniques.push(current);
                        out.issues.push(MappingIssue::Stale {
                            written: written.clone(),
                            replacement: kb[current].id.clone(),
                        });
                    }
                    None => out.issues.push(MappingIssue::Deprecated { written: written.clone() }),
                },
                Status::Deprecated => out.issues.push(MappingIssue::Deprecated { written: written.clone() }),
            },
        }
    }
    out.techniques.sort();
    out.techniques.dedup();
    out
}
