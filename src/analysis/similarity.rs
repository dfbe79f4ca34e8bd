//! "Who does this look like?": actors ranked by how much their profile overlaps a set of
//! observed techniques.
//!
//! The score is the cosine similarity of the two technique sets, each technique weighted by
//! how rare it is among the candidates (inverse document frequency, `1 + ln((1 + N) / (1 +
//! n))` for a technique used by `n` of `N` candidates): sharing T1105 Ingress Tool Transfer, which
//! half of ATT&CK's groups use, says little; sharing a technique three groups use says a lot.
//! The cosine also weighs what does not match on either side, so a group with every technique
//! in ATT&CK does not rank first for every observation. Scores are 0 to 1, shown as percentages.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::attack::{KnowledgeBase, Status, TechniqueIdx};

/// An actor that may match.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// ATT&CK ID, or a STIX id / `custom` for an actor of the model's intelligence.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `group`, `intrusion-set`, `navigator-layer`, `custom`.
    pub kind: String,
    /// Its profile.
    pub techniques: BTreeSet<TechniqueIdx>,
}

/// One ranked candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// Rank, from 1.
    pub rank: usize,
    /// The candidate's ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: String,
    /// Similarity, 0 to 1 (rounded to four places).
    pub score: f64,
    /// Observed techniques in its profile, rarest first.
    pub shared: Vec<String>,
    /// Observed techniques not in its profile, rarest first.
    pub missing: Vec<String>,
    /// How many techniques of its profile were not observed.
    pub not_observed: usize,
    /// Techniques in its profile.
    pub profile: usize,
}

/// ATT&CK's active groups with their default profiles: the group's own techniques and those
/// of its active campaigns (software left out, as in a model's default profile).
pub fn groups(kb: &KnowledgeBase) -> Vec<Candidate> {
    kb.groups()
        .iter()
        .filter(|g| g.status == Status::Active)
        .map(|g| {
            let mut techniques: BTreeSet<TechniqueIdx> = g.techniques.iter().copied().collect();
            for c in &g.campaigns {
                if kb[*c].status == Status::Active {
                    techniques.extend(&kb[*c].techniques);
                }
            }
            techniques.retain(|t| kb[*t].is_active());
            Candidate { id: g.id.clone(), name: g.name.clone(), kind: String::from("group"), techniques }
        })
        .filter(|c| !c.techniques.is_empty())
        .collect()
}

/// Ranks `candidates` by similarity to `observed`, best first (ties by name); candidates that
/// share nothing are left out.
pub fn rank(kb: &KnowledgeBase, observed: &BTreeSet<TechniqueIdx>, candidates: &[Candidate]) -> Vec<Match> {
    let mut users: HashMap<TechniqueIdx, usize> = HashMap::new();
    for c in candidates {
        for t in &c.techniques {
            *users.entry(*t).or_insert(0) += 1;
        }
    }
    let n = candidates.len() as f64;
    let weight =
        |t: &TechniqueIdx| 1.0 + ((1.0 + n) / (1.0 + users.get(t).copied().unwrap_or(0) as f64)).ln();
    let norm = |set: &BTreeSet<TechniqueIdx>| set.iter().map(|t| weight(t).powi(2)).sum::<f64>().sqrt();
    let observed_norm = norm(observed);
    let by_rarity = |list: Vec<TechniqueIdx>| -> Vec<String> {
        let mut list = list;
        list.sort_by(|a, b| weight(b).total_cmp(&weight(a)).then(kb[*a].id.cmp(&kb[*b].id)));
        list.into_iter().map(|t| kb[t].id.clone()).collect()
    };
    let mut out: Vec<Match> = candidates
        .iter()
        .filter_map(|c| {
            let shared: Vec<TechniqueIdx> = observed.intersection(&c.techniques).copied().collect();
            if shared.is_empty() || observed_norm == 0.0 {
                return None;
            }
            let dot: f64 = shared.iter().map(|t| weight(t).powi(2)).sum();
            let score = dot / (observed_norm * norm(&c.techniques));
            let missing: Vec<TechniqueIdx> = observed.difference(&c.techniques).copied().collect();
            Some(Match {
                rank: 0,
                id: c.id.clone(),
                name: c.name.clone(),
                kind: c.kind.clone(),
                score: (score * 10_000.0).round() / 10_000.0,
                not_observed: c.techniques.len() - shared.len(),
                profile: c.techniques.len(),
                shared: by_rarity(shared),
                missing: by_rarity(missing),
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
    for (i, m) in out.iter_mut().enumerate() {
        m.rank = i + 1;
    }
    out
}
