//! What changed between ATT&CK releases, and how a technique ID written for one release maps onto
//! another: the facts that let a model pinned to 18.1 count a rule tagged for 19.0 (and the
//! reverse), and that `ttpc migrate` applies to a model.
//!
//! Moves come from two places. The revoked-by relationships of any bundle a run can see (the
//! pinned one, newer releases in the cache, the other side of a migration), so a release ttpc has
//! never heard of works the day it is fetched; and a built-in table of the documented moves
//! (18.x → 19.0, Enterprise and ICS; IDs and names are facts from MITRE's release notes), for when
//! no newer bundle is at hand.
//!
//! Translation is decided by what the pinned knowledge base holds, not by comparing version
//! numbers: an ID the pinned release does not know is looked up on both sides of every move.
//! - the *new* side (written for a later release): it counts for the pinned release's techniques
//!   it revoked (`T1685` → `T1562`, `T1562.001`, `T1562.006`); a new sub-technique whose parent
//!   revoked something, or whose parent exists, counts through its parent (`T1686.003` →
//!   `T1562.004` via `T1686`);
//! - the *old* side (written for an earlier release whose ID this bundle no longer carries): it
//!   counts for its replacement;
//! - an ID a later release introduced with no predecessor is "new in ATT&CK 19.0, no equivalent",
//!   not unknown.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{Domain, KnowledgeBase, TechniqueIdx};

/// One technique revoked by another in a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    /// The revoked ID.
    pub old: String,
    /// The ID that revoked it.
    pub new: String,
}

/// What one release of one domain changed, as far as technique IDs go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moves {
    /// The release that made the moves, e.g. `19.0`.
    pub release: String,
    /// Revocations: old ID → the ID that revoked it.
    pub moves: Vec<Move>,
    /// IDs the release knows (active ones), so an ID without a predecessor is "new in it" rather
    /// than unknown.
    pub known: Vec<String>,
}

impl Moves {
    /// The revocations and active IDs of a knowledge base, as the moves of its release.
    pub fn of(kb: &KnowledgeBase, release: &str) -> Moves {
        let moves = kb
            .techniques()
            .iter()
            .filter_map(|t| {
                let next = t.revoked_by?;
                Some(Move { old: t.id.clone(), new: kb[next].id.clone() })
            })
            .collect();
        let known = kb.techniques().iter().filter(|t| t.is_active()).map(|t| t.id.clone()).collect();
        Moves { release: release.to_owned(), moves, known }
    }
}

/// A tactic that a release split or renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TacticSplit {
    /// The domain.
    pub domain: Domain,
    /// The release.
    pub release: &'static str,
    /// The shortname before.
    pub old: &'static str,
    /// Its ID before.
    pub old_id: &'static str,
    /// The tactics it became: shortname and ID.
    pub new: &'static [(&'static str, &'static str)],
}

/// Tactic changes ttpc knows of. v19 split Enterprise Defense Evasion: TA0005 kept its ID as
/// Stealth, TA0112 Defense Impairment is new.
pub const TACTIC_SPLITS: &[TacticSplit] = &[TacticSplit {
    domain: Domain::EnterpriseAttack,
    release: "19.0",
    old: "defense-evasion",
    old_id: "TA0005",
    new: &[("stealth", "TA0005"), ("defense-impairment", "TA0112")],
}];

/// The split that took a tactic key the knowledge base does not know, when it is the old name of
/// tactics the knowledge base has (a 19.x model keyed `defense-evasion`).
pub fn split_of(kb: &KnowledgeBase, key: &str) -> Option<&'static TacticSplit> {
    let key = key.trim().to_ascii_lowercase().replace('_', "-");
    TACTIC_SPLITS.iter().find(|s| {
        s.domain == kb.domain()
            && (s.old == key || s.old.replace('-', " ") == key)
            && kb.tactic(s.old).is_none()
            && s.new.iter().all(|(short, _)| kb.tactic(short).is_some())
    })
}

/// The split that introduced a tactic key the knowledge base does not know (an 18.x model keyed
/// `stealth`).
pub fn introduced_by(kb: &KnowledgeBase, key: &str) -> Option<&'static TacticSplit> {
    let key = key.trim().to_ascii_lowercase().replace('_', "-");
    TACTIC_SPLITS.iter().find(|s| {
        s.domain == kb.domain() && s.new.iter().any(|(short, _)| *short == key) && kb.tactic(s.old).is_some()
    })
}

/// 18.x → 19.0, Enterprise: revoked ID → the ID that revoked it (MITRE's v19 release notes).
const ENTERPRISE_19_0: &[(&str, &str)] = &[
    ("T1070.001", "T1685.005"),
    ("T1070.002", "T1685.006"),
    ("T1562", "T1685"),
    ("T1562.001", "T1685"),
    ("T1562.002", "T1685.001"),
    ("T1562.003", "T1690"),
    ("T1562.004", "T1686"),
    ("T1562.006", "T1685"),
    ("T1562.007", "T1686.001"),
    ("T1562.008", "T1685.002"),
    ("T1562.009", "T1688"),
    ("T1562.010", "T1689"),
    ("T1562.011", "T1685.003"),
    ("T1562.012", "T1685.004"),
    ("T1562.013", "T1686.002"),
    ("T1656", "T1684.001"),
    ("T1672", "T1684.002"),
];

/// Enterprise IDs new in 19.0 (with or without a predecessor).
const ENTERPRISE_19_0_NEW: &[&str] = &[
    "T1682",
    "T1683",
    "T1683.001",
    "T1683.002",
    "T1684",
    "T1684.001",
    "T1684.002",
    "T1685",
    "T1685.001",
    "T1685.002",
    "T1685.003",
    "T1685.004",
    "T1685.005",
    "T1685.006",
    "T1686",
    "T1686.001",
    "T1686.002",
    "T1686.003",
    "T1687",
    "T1688",
    "T1689",
    "T1690",
    "T1027.018",
];

/// 18.x → 19.0, ICS.
const ICS_19_0: &[(&str, &str)] = &[
    ("T0803", "T1691.001"),
    ("T0804", "T1691.002"),
    ("T0805", "T1695.001"),
    ("T0812", "T1694.001"),
    ("T0839", "T1693.002"),
    ("T0855", "T1692.001"),
    ("T0856", "T1692.002"),
    ("T0857", "T1693.001"),
    ("T0891", "T1694.002"),
];

/// ICS IDs new in 19.0.
const ICS_19_0_NEW: &[&str] = &[
    "T1691",
    "T1691.001",
    "T1691.002",
    "T1692",
    "T1692.001",
    "T1692.002",
    "T1693",
    "T1693.001",
    "T1693.002",
    "T1694",
    "T1694.001",
    "T1694.002",
    "T1695",
    "T1695.001",
    "T0843.001",
    "T0843.002",
    "T0843.003",
    "T0846.001",
    "T0846.002",
    "T0846.003",
    "T0873.001",
];

/// The built-in moves of a domain, oldest release first.
pub fn builtin(domain: Domain) -> Vec<Moves> {
    let (moves, new): (&[(&str, &str)], &[&str]) = match domain {
        Domain::EnterpriseAttack => (ENTERPRISE_19_0, ENTERPRISE_19_0_NEW),
        Domain::IcsAttack => (ICS_19_0, ICS_19_0_NEW),
        Domain::MobileAttack => return Vec::new(),
    };
    vec![Moves {
        release: String::from("19.0"),
        moves: moves
            .iter()
            .map(|(old, new)| Move { old: (*old).to_owned(), new: (*new).to_owned() })
            .collect(),
        known: new.iter().map(|id| (*id).to_owned()).collect(),
    }]
}

/// How an ID that is not in the pinned release counts there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Foreign {
    /// It stands for these techniques of the pinned release.
    Translated {
        /// The release the ID belongs to (`19.0`), or that revoked it.
        release: String,
        /// Whether the ID is newer than the pinned release (else older).
        newer: bool,
        /// The pinned release's techniques it counts for, sorted.
        techniques: Vec<TechniqueIdx>,
        /// The parent it was translated through, for a sub-technique new in the later release.
        via_parent: Option<String>,
    },
    /// Introduced by a later release with no equivalent in the pinned one.
    New {
        /// That release.
        release: String,
    },
}

/// Technique IDs of other releases → this release's techniques. Empty unless moves were given.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    /// New ID → (release, the old IDs it revoked).
    newer: HashMap<String, (String, Vec<String>)>,
    /// Old ID → (release, the ID that revoked it).
    older: HashMap<String, (String, String)>,
    /// IDs some later release knows → that release.
    known: HashMap<String, String>,
}

impl Translation {
    /// A translation from these moves (later entries win nothing: the first release that
    /// mentions an ID names it).
    pub fn new(all: &[Moves]) -> Translation {
        let mut t = Translation::default();
        for moves in all {
            for m in &moves.moves {
                let (new, old) = (m.new.to_ascii_uppercase(), m.old.to_ascii_uppercase());
                let entry = t.newer.entry(new).or_insert_with(|| (moves.release.clone(), Vec::new()));
                if !entry.1.contains(&old) {
                    entry.1.push(old.clone());
                }
                t.older.entry(old).or_insert_with(|| (moves.release.clone(), m.new.to_ascii_uppercase()));
            }
            for id in &moves.known {
                t.known.entry(id.to_ascii_uppercase()).or_insert_with(|| moves.release.clone());
            }
        }
        t
    }

    /// Whether it knows no move at all.
    pub fn is_empty(&self) -> bool {
        self.newer.is_empty() && self.older.is_empty() && self.known.is_empty()
    }

    /// How `id` (a technique ID `kb` does not hold) counts in `kb`, if any release knows it.
    pub fn translate(&self, kb: &KnowledgeBase, id: &str) -> Option<Foreign> {
        let id = id.trim().to_ascii_uppercase();
        if let Some(found) = self.through_newer(kb, &id, 0) {
            return Some(found);
        }
        if !id.contains('.')
            && let Some(found) = self.through_subtechniques(kb, &id)
        {
            return Some(found);
        }
        if let Some(parent) = id.split_once('.').map(|(p, _)| p)
            && let Some(Foreign::Translated { release, techniques, .. }) =
                self.through_newer(kb, parent, 0).or_else(|| self.direct_parent(kb, &id, parent))
        {
            return Some(Foreign::Translated {
                release,
                newer: true,
                techniques,
                via_parent: Some(parent.to_owned()),
            });
        }
        if let Some((release, new)) = self.older.get(&id)
            && let Some(t) = current(kb, new)
        {
            return Some(Foreign::Translated {
                release: release.clone(),
                newer: false,
                techniques: vec![t],
                via_parent: None,
            });
        }
        self.known.get(&id).map(|release| Foreign::New { release: release.clone() })
    }

    /// A new technique that revoked nothing itself but whose sub-techniques did (ICS T1694
    /// Insecure Credentials: T1694.001 revoked T0812, T1694.002 revoked T0891) stands for all of
    /// them.
    fn through_subtechniques(&self, kb: &KnowledgeBase, id: &str) -> Option<Foreign> {
        let prefix = format!("{id}.");
        let mut release = None;
        let mut techniques = BTreeSet::new();
        for sub in self.newer.keys().filter(|k| k.starts_with(&prefix)) {
            if let Some(Foreign::Translated { release: r, techniques: found, .. }) =
                self.through_newer(kb, sub, 0)
            {
                release.get_or_insert(r);
                techniques.extend(found);
            }
        }
        Some(Foreign::Translated {
            release: release?,
            newer: true,
            techniques: techniques.into_iter().collect(),
            via_parent: None,
        })
    }

    /// A new sub-technique of a parent the pinned release has (`T1027.018` → `T1027`).
    fn direct_parent(&self, kb: &KnowledgeBase, id: &str, parent: &str) -> Option<Foreign> {
        let release = self.known.get(id)?;
        let t = current(kb, parent)?;
        Some(Foreign::Translated {
            release: release.clone(),
            newer: true,
            techniques: vec![t],
            via_parent: None,
        })
    }

    fn through_newer(&self, kb: &KnowledgeBase, id: &str, depth: usize) -> Option<Foreign> {
        let (release, olds) = self.newer.get(id)?;
        let mut techniques = BTreeSet::new();
        for old in olds {
            match current(kb, old) {
                Some(t) => {
                    techniques.insert(t);
                }
                // A chain over several releases (v20 revoking a v19 ID that revoked an 18.x one).
                None if depth < 8 => {
                    if let Some(Foreign::Translated { techniques: found, .. }) =
                        self.through_newer(kb, old, depth + 1)
                    {
                        techniques.extend(found);
                    }
                }
                None => {}
            }
        }
        (!techniques.is_empty()).then(|| Foreign::Translated {
            release: release.clone(),
            newer: true,
            techniques: techniques.into_iter().collect(),
            via_parent: None,
        })
    }

    /// Every translated ID, for reports of what a table holds: new ID → old IDs.
    pub fn newer_ids(&self) -> BTreeMap<&str, &[String]> {
        self.newer.iter().map(|(k, (_, v))| (k.as_str(), v.as_slice())).collect()
    }
}

/// The active technique an ID names in `kb`, following revoked-by.
pub fn current(kb: &KnowledgeBase, id: &str) -> Option<TechniqueIdx> {
    let mut t = kb.technique(id)?;
    for _ in 0..8 {
        if kb[t].is_active() {
            return Some(t);
        }
        t = kb[t].revoked_by?;
    }
    None
}
