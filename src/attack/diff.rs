//! What changed between two ATT&CK releases of one domain: techniques added, revoked (with
//! their replacements), deprecated, renamed, moved between tactics, and removed.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{KnowledgeBase, Status, Technique};

/// The changes from one release to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttackDiff {
    /// Active in the new release, absent from the old one.
    pub added: Vec<TechniqueRef>,
    /// Active in the old release, revoked in the new one.
    pub revoked: Vec<Revocation>,
    /// Active in the old release, deprecated in the new one.
    pub deprecated: Vec<TechniqueRef>,
    /// Active in both, with another name.
    pub renamed: Vec<Rename>,
    /// Active in both, in other tactics.
    pub moved: Vec<Move>,
    /// Active in the old release, absent from the new one.
    pub removed: Vec<TechniqueRef>,
}

/// A technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TechniqueRef {
    /// ID.
    pub id: String,
    /// Full name.
    pub name: String,
}

/// A revoked technique and what replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    /// ID.
    pub id: String,
    /// Its old full name.
    pub name: String,
    /// The replacement (ID and full name), when ATT&CK names one.
    pub replaced_by: Option<TechniqueRef>,
}

/// A technique renamed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// ID.
    pub id: String,
    /// Old full name.
    pub from: String,
    /// New full name.
    pub to: String,
}

/// A technique moved between tactics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// ID.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Old tactic shortnames.
    pub from: Vec<String>,
    /// New tactic shortnames.
    pub to: Vec<String>,
}

fn tactics(kb: &KnowledgeBase, t: &Technique) -> Vec<String> {
    let set: BTreeSet<String> = t.tactics.iter().map(|x| kb[*x].shortname.clone()).collect();
    set.into_iter().collect()
}

/// Compares two releases.
pub fn diff(old: &KnowledgeBase, new: &KnowledgeBase) -> AttackDiff {
    let mut out = AttackDiff::default();
    for (i, t) in new.techniques().iter().enumerate() {
        let idx = super::TechniqueIdx(i as u32);
        let name = new.full_name(idx);
        match old.technique(&t.id) {
            None if t.is_active() => out.added.push(TechniqueRef { id: t.id.clone(), name }),
            None => {}
            Some(o) if old[o].is_active() => match t.status {
                Status::Revoked => out.revoked.push(Revocation {
                    id: t.id.clone(),
                    name: old.full_name(o),
                    replaced_by: t
                        .revoked_by
                        .map(|r| TechniqueRef { id: new[r].id.clone(), name: new.full_name(r) }),
                }),
                Status::Deprecated => {
                    out.deprecated.push(TechniqueRef { id: t.id.clone(), name: old.full_name(o) })
                }
                Status::Active => {
                    let old_name = old.full_name(o);
                    if old_name != name {
                        out.renamed.push(Rename { id: t.id.clone(), from: old_name, to: name.clone() });
                    }
                    let (from, to) = (tactics(old, &old[o]), tactics(new, t));
                    if from != to {
                        out.moved.push(Move { id: t.id.clone(), name, from, to });
                    }
                }
            },
            Some(_) => {}
        }
    }
    for (i, t) in old.techniques().iter().enumerate() {
        if t.is_active() && new.technique(&t.id).is_none() {
            out.removed
                .push(TechniqueRef { id: t.id.clone(), name: old.full_name(super::TechniqueIdx(i as u32)) });
        }
    }
    out
}
