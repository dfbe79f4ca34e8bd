//! The one normalisation step every rule format shares: technique IDs as written → techniques of
//! the knowledge base.
//!
//! IDs are trimmed and upper-cased. An active technique maps to itself; a revoked one is remapped
//! along revoked-by and reported as a stale mapping; an ID of another release (SigmaHQ tags v19's
//! T1685 and T1686.003 while a model may pin 18.1) is translated onto the pinned release's
//! techniques (see [`crate::attack::releases`]) and reported as translated; an ID a later release
//! introduced without a predecessor is reported as new there; a value meant as an ID but
//! malformed is reported — counted only when the repair is certain (`1562.001`, the `T` missing);
//! a deprecated or unknown ID is reported and not counted.

use serde::Serialize;

use super::DetectionRule;
use crate::attack::releases::Foreign;
use crate::attack::{KnowledgeBase, Status, TechniqueIdx};
use crate::inputs::{Repair, repair_technique};
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
    /// Written for another ATT&CK release; the rule counts for the pinned release's techniques
    /// it stands for.
    Translated {
        /// The ID as written.
        written: String,
        /// The release the ID belongs to (or that revoked it).
        release: String,
        /// Whether that release is newer than the pinned one.
        newer: bool,
        /// The pinned release's techniques it counts for.
        replacements: Vec<String>,
        /// The parent it was translated through (a sub-technique new in `release`).
        #[serde(skip_serializing_if = "Option::is_none")]
        via_parent: Option<String>,
    },
    /// Introduced by a later ATT&CK release with no equivalent in the pinned one; not counted.
    NewInRelease {
        /// The ID as written.
        written: String,
        /// The release that introduced it.
        release: String,
    },
    /// Not a well-formed technique ID, but unambiguous (`attack.1562.001`): counted as `id`.
    Repaired {
        /// The value as written.
        written: String,
        /// The ID it was read as.
        id: String,
    },
    /// Not a well-formed technique ID (`attack.t1059.01`, `attack.t`); not counted.
    Malformed {
        /// The value as written.
        written: String,
        /// What it most likely meant, when that is a guess worth showing.
        #[serde(skip_serializing_if = "Option::is_none")]
        likely: Option<String>,
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
            | MappingIssue::Translated { written, .. }
            | MappingIssue::NewInRelease { written, .. }
            | MappingIssue::Repaired { written, .. }
            | MappingIssue::Malformed { written, .. }
            | MappingIssue::Deprecated { written }
            | MappingIssue::Unknown { written } => written,
        }
    }

    /// Whether the rule still counts (for a replacement) despite the issue.
    pub fn counted(&self) -> bool {
        matches!(
            self,
            MappingIssue::Stale { .. } | MappingIssue::Translated { .. } | MappingIssue::Repaired { .. }
        )
    }

    /// The techniques it counts for instead, as IDs.
    pub fn replacements(&self) -> Vec<String> {
        match self {
            MappingIssue::Stale { replacement, .. } => vec![replacement.clone()],
            MappingIssue::Repaired { id, .. } => vec![id.clone()],
            MappingIssue::Translated { replacements, .. } => replacements.clone(),
            _ => Vec::new(),
        }
    }

    /// One line for people: `T1686.003 (ATT&CK 19.0) → T1562.004 via T1686`.
    pub fn explain(&self, pinned: &str) -> String {
        match self {
            MappingIssue::Stale { written, replacement } => {
                format!("{} (revoked) → {replacement}", written.to_ascii_uppercase())
            }
            MappingIssue::Translated { written, release, newer, replacements, via_parent } => {
                let side =
                    if *newer { format!("ATT&CK {release}") } else { format!("revoked in ATT&CK {release}") };
                let via = match via_parent {
                    Some(p) if replacements.len() == 1 && replacements[0] == *p => {
                        format!(" (a sub-technique new in {release})")
                    }
                    Some(p) => format!(" via {p}"),
                    None => String::new(),
                };
                let written = written.to_ascii_uppercase();
                let several = if replacements.len() > 1 {
                    format!(" (one ID for {} techniques of {pinned})", replacements.len())
                } else {
                    String::new()
                };
                format!("{written} ({side}) → {} ({pinned}){via}{several}", replacements.join(", "))
            }
            MappingIssue::NewInRelease { written, release } => {
                format!(
                    "{}: new in ATT&CK {release}, no equivalent in {pinned}",
                    written.to_ascii_uppercase()
                )
            }
            MappingIssue::Repaired { written, id } => {
                format!(
                    "`{written}` is not a well-formed technique ID; read as {id} (only the T was missing)"
                )
            }
            MappingIssue::Malformed { written, likely } => match likely {
                Some(likely) => {
                    format!("`{written}` is not a well-formed technique ID (likely {likely}); not counted")
                }
                None => format!("`{written}` is not a well-formed technique ID; not counted"),
            },
            MappingIssue::Deprecated { written } => format!("{written}: deprecated in ATT&CK"),
            MappingIssue::Unknown { written } => format!("{written}: not in ATT&CK {pinned}"),
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
            out.issues.push(match repair_technique(written) {
                Repair::Certain(id) => match kb.technique(&id).filter(|t| kb[*t].is_active()) {
                    Some(t) => {
                        out.techniques.push(t);
                        MappingIssue::Repaired { written: written.clone(), id }
                    }
                    None => MappingIssue::Malformed { written: written.clone(), likely: Some(id) },
                },
                Repair::Likely(likely) => {
                    MappingIssue::Malformed { written: written.clone(), likely: Some(likely) }
                }
                Repair::Unknown => MappingIssue::Malformed { written: written.clone(), likely: None },
            });
            continue;
        };
        match kb.technique(id.as_str()) {
            None => out.issues.push(match kb.translate(id.as_str()) {
                Some(Foreign::Translated { release, newer, techniques, via_parent }) => {
                    out.techniques.extend(&techniques);
                    MappingIssue::Translated {
                        written: written.clone(),
                        release,
                        newer,
                        replacements: techniques.iter().map(|t| kb[*t].id.clone()).collect(),
                        via_parent,
                    }
                }
                Some(Foreign::New { release }) => {
                    MappingIssue::NewInRelease { written: written.clone(), release }
                }
                None => MappingIssue::Unknown { written: written.clone() },
            }),
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
