//! What an ATT&CK upgrade means for one model: the techniques each actor gains or loses, and the
//! rules whose technique IDs the new release revokes or deprecates (with the replacement to use).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::attack::diff::TechniqueRef;
use crate::resolve::Resolved;
use crate::rules::MappingIssue;

/// The model's side of an ATT&CK diff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModelImpact {
    /// Per actor, model order.
    pub actors: Vec<ActorChange>,
    /// Rules to update.
    pub rules: Vec<RuleChange>,
}

/// One actor's profile across the two releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorChange {
    /// The `ref` as written.
    pub reference: String,
    /// ATT&CK ID (in the new release).
    pub id: String,
    /// ATT&CK name (in the new release).
    pub name: String,
    /// Techniques in the new profile only.
    pub gained: Vec<TechniqueRef>,
    /// Techniques in the old profile only.
    pub lost: Vec<TechniqueRef>,
}

/// A rule whose technique ID needs updating for the new release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// Source name.
    pub source: String,
    /// Rule ID.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// Where it is.
    pub place: String,
    /// The ID as written.
    pub written: String,
    /// `revoked` or `deprecated`.
    pub issue: String,
    /// The technique to map it to instead.
    pub use_instead: Option<String>,
}

/// Compares the model resolved against the old and the new release.
pub fn model_impact(old: &Resolved, new: &Resolved) -> ModelImpact {
    let (okb, nkb) = (&old.attack.kb, &new.attack.kb);
    let actors = old
        .actors
        .iter()
        .zip(&new.actors)
        .map(|(o, n)| {
            let before: BTreeSet<&str> = o.techniques.keys().map(|t| okb[*t].id.as_str()).collect();
            let after: BTreeSet<&str> = n.techniques.keys().map(|t| nkb[*t].id.as_str()).collect();
            let named = |kb: &crate::attack::KnowledgeBase, id: &str| TechniqueRef {
                id: id.to_owned(),
                name: kb.technique(id).map(|t| kb.full_name(t)).unwrap_or_default(),
            };
            ActorChange {
                reference: n.reference.clone(),
                id: n.id.clone(),
                name: n.name.clone(),
                gained: after.difference(&before).map(|id| named(nkb, id)).collect(),
                lost: before.difference(&after).map(|id| named(okb, id)).collect(),
            }
        })
        .collect();
    let mut rules = Vec::new();
    for source in &new.sources {
        for (rule, normalised) in source.report.rules.iter().zip(source.normalised.iter()) {
            for issue in &normalised.issues {
                let (kind, use_instead) = match issue {
                    MappingIssue::Stale { replacement, .. } => ("revoked", Some(replacement.clone())),
                    MappingIssue::Translated { replacements, .. } => {
                        ("translated", Some(replacements.join(", ")))
                    }
                    MappingIssue::Deprecated { .. } => ("deprecated", None),
                    MappingIssue::NewInRelease { .. }
                    | MappingIssue::Unknown { .. }
                    | MappingIssue::Repaired { .. }
                    | MappingIssue::Malformed { .. } => continue,
                };
                rules.push(RuleChange {
                    source: source.name.clone(),
                    rule: rule.id.clone(),
                    title: rule.title.clone(),
                    place: rule.place(),
                    written: issue.written().to_owned(),
                    issue: kind.to_owned(),
                    use_instead,
                });
            }
        }
    }
    ModelImpact { actors, rules }
}
