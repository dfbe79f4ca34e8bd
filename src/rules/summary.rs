//! The accounting of one source as people and programs read it: file buckets, rule counts,
//! mapping problems and rules per technique. `ttpc rules` prints it; `ttpc check` prints the
//! headline numbers; its JSON keys are documented in the README.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::normalise::{Mapping, MappingIssue, NormalisedRule, normalise};
use super::source::{RuleWarning, SkippedFile, SourceReport};
use crate::attack::KnowledgeBase;
use crate::inputs::SkipReason;
use crate::model::RuleKind;

/// Rules per technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TechniqueCount {
    /// The technique ID (upper-cased; current ID after normalisation).
    pub id: String,
    /// Its name, when ATT&CK data was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many rules map to it (Navigator layer entries count their score).
    pub rules: u32,
    /// Of those, how many count under the default coverage policy (enabled; status not
    /// `deprecated` or `unsupported`).
    pub counted: u32,
}

/// One rule as the accounting lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLine {
    /// The rule's ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it is.
    pub place: String,
    /// Its status, when the format has one.
    pub status: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Whether it counts under the default coverage policy.
    pub counted: bool,
}

/// The accounting of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// The source path as given.
    pub source: PathBuf,
    /// The format.
    pub kind: RuleKind,
    /// Regular files met.
    pub files: usize,
    /// Files that yielded rules.
    pub parsed_files: usize,
    /// Files that yielded none.
    pub skipped_files: usize,
    /// Skipped files per reason (`not a rule`, `unreadable`, `invalid UTF-8`, `invalid syntax`).
    pub skipped_by_reason: BTreeMap<SkipReason, usize>,
    /// Rules found.
    pub rules: usize,
    /// Rules naming at least one technique (as written).
    pub rules_with_techniques: usize,
    /// Whether technique IDs were checked against ATT&CK data.
    pub normalised: bool,
    /// Revoked IDs remapped to their replacement.
    pub stale_mappings: Vec<Mapping>,
    /// IDs of another ATT&CK release, translated onto this one and counted.
    pub translated_mappings: Vec<Mapping>,
    /// Deprecated, new-in-a-later-release or unknown IDs, not counted.
    pub unmapped: Vec<Mapping>,
    /// Rules per technique, by ID.
    pub techniques: Vec<TechniqueCount>,
    /// Rules that do not count under the default coverage policy, by why (`disabled`, or the
    /// status).
    pub not_counted: BTreeMap<String, usize>,
    /// Every rule with its status and whether it is enabled and counted.
    pub rule_list: Vec<RuleLine>,
    /// The skipped files.
    pub skipped: Vec<SkippedFile>,
    /// Problems with single rules inside good files.
    pub warnings: Vec<RuleWarning>,
}

impl SourceSummary {
    /// Summarises a source, checking technique IDs against `kb` when given.
    pub fn new(report: &SourceReport, kb: Option<&KnowledgeBase>) -> SourceSummary {
        let normalised: Option<Vec<NormalisedRule>> =
            kb.map(|kb| report.rules.iter().map(|r| normalise(r, kb)).collect());
        SourceSummary::with(report, kb.zip(normalised.as_deref()))
    }

    /// [`SourceSummary::new`] for rules already normalised (one entry per rule of the report).
    pub fn with(
        report: &SourceReport,
        normalised: Option<(&KnowledgeBase, &[NormalisedRule])>,
    ) -> SourceSummary {
        let mut stale_mappings = Vec::new();
        let mut translated_mappings = Vec::new();
        let mut unmapped = Vec::new();
        let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        let policy = crate::model::CoveragePolicy::default();
        let mut not_counted: BTreeMap<String, usize> = BTreeMap::new();
        let mut rule_list = Vec::with_capacity(report.rules.len());
        for rule in &report.rules {
            let counted = super::counts(rule, &policy);
            if !counted {
                let why = if let Some(control) = &rule.control {
                    // A mapping row that is evidence, not detection.
                    match control.score {
                        Some(score) => format!("{} {}", control.category.as_str(), score.as_str()),
                        None => control.category.as_str().to_owned(),
                    }
                } else if rule.enabled {
                    rule.status.clone().unwrap_or_default()
                } else {
                    String::from("disabled")
                };
                *not_counted.entry(why).or_insert(0) += 1;
            }
            rule_list.push(RuleLine {
                id: rule.id.clone(),
                title: rule.title.clone(),
                place: rule.place(),
                status: rule.status.clone(),
                enabled: rule.enabled,
                counted,
            });
        }
        let kb = normalised.map(|(kb, _)| kb);
        for (i, rule) in report.rules.iter().enumerate() {
            match normalised {
                Some((kb, list)) => {
                    let Some(n) = list.get(i) else { continue };
                    let counted = u32::from(super::counts(rule, &policy));
                    for t in &n.techniques {
                        let entry = counts.entry(kb[*t].id.clone()).or_insert((0, 0));
                        entry.0 += rule.weight;
                        entry.1 += rule.weight * counted;
                    }
                    for issue in &n.issues {
                        let mapping = Mapping {
                            rule: rule.id.clone(),
                            title: rule.title.clone(),
                            place: rule.place(),
                            issue: issue.clone(),
                        };
                        match mapping.issue {
                            MappingIssue::Stale { .. } | MappingIssue::Repaired { .. } => {
                                stale_mappings.push(mapping)
                            }
                            MappingIssue::Translated { .. } => translated_mappings.push(mapping),
                            _ => unmapped.push(mapping),
                        }
                    }
                }
                None => {
                    let mut ids: Vec<String> =
                        rule.techniques.iter().map(|t| t.trim().to_ascii_uppercase()).collect();
                    ids.sort();
                    ids.dedup();
                    let counted = u32::from(super::counts(rule, &policy));
                    for id in ids {
                        let entry = counts.entry(id).or_insert((0, 0));
                        entry.0 += rule.weight;
                        entry.1 += rule.weight * counted;
                    }
                }
            }
        }
        let techniques = counts
            .into_iter()
            .map(|(id, (rules, counted))| TechniqueCount {
                name: kb.and_then(|kb| kb.technique(&id).map(|t| kb.full_name(t))),
                id,
                rules,
                counted,
            })
            .collect();
        SourceSummary {
            source: report.path.clone(),
            kind: report.kind,
            files: report.files,
            parsed_files: report.parsed_files,
            skipped_files: report.skipped.len(),
            skipped_by_reason: report.skipped_by_reason(),
            rules: report.rules.len(),
            rules_with_techniques: report.rules_with_techniques(),
            normalised: kb.is_some(),
            stale_mappings,
            translated_mappings,
            unmapped,
            techniques,
            not_counted,
            rule_list,
            skipped: report.skipped.clone(),
            warnings: report.warnings.clone(),
        }
    }
}
