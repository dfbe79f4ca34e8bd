//! Security controls as evidence (`mappings-explorer` sources): which selected capabilities
//! detect, protect, respond to, mitigate or expose each technique, whether it is protected, and
//! the "detected or protected" tally.
//!
//! A `detect` mapping already counts through the rule index (its weight was set when the source
//! was bound, see [`crate::resolve::controls`]); here every kept mapping on a technique is
//! listed with its provenance. A technique is **protected** when a kept `protect` mapping on it
//! is scored partial or significant; minimal mappings and `respond` mappings are listed only.
//! Mappings are read on the technique they name (a protected sub-technique does not protect its
//! parent, nor the reverse).

use std::collections::{BTreeMap, BTreeSet};

use crate::assessment::{
    ControlRef, ControlSource, ControlTally, Coverage, Protection, TechniqueAssessment, percent,
};
use crate::attack::TechniqueIdx;
use crate::model::{Capabilities, RuleKind};
use crate::resolve::Resolved;
use crate::rules::mappings::{ControlCategory, ControlScore};

/// The kept mappings of the model, by the technique they name.
#[derive(Debug, Default)]
pub struct ControlIndex {
    by_technique: BTreeMap<TechniqueIdx, Vec<(usize, usize)>>,
    /// Whether the model has a mapping source at all.
    pub active: bool,
}

impl ControlIndex {
    /// Indexes every row of the model's `mappings-explorer` sources.
    pub fn new(r: &Resolved) -> ControlIndex {
        let mut index = ControlIndex::default();
        for (s, source) in r.sources.iter().enumerate() {
            if source.spec.kind != RuleKind::MappingsExplorer {
                continue;
            }
            index.active = true;
            for (i, normalised) in source.normalised.iter().enumerate() {
                for t in &normalised.techniques {
                    index.by_technique.entry(*t).or_default().push((s, i));
                }
            }
        }
        index
    }

    /// A technique's mappings (sorted), whether it is protected (`None` without mapping
    /// sources) and the CVEs that expose it (sorted, unique).
    pub fn evidence(&self, r: &Resolved, t: TechniqueIdx) -> (Vec<ControlRef>, Option<bool>, Vec<String>) {
        if !self.active {
            return (Vec::new(), None, Vec::new());
        }
        let kb = &r.attack.kb;
        let mut refs = Vec::new();
        let mut exposed = BTreeSet::new();
        for (s, i) in self.by_technique.get(&t).map(Vec::as_slice).unwrap_or(&[]) {
            let source = &r.sources[*s];
            let rule = &source.report.rules[*i];
            let Some(c) = &rule.control else { continue };
            if c.category == ControlCategory::Exposure {
                exposed.insert(rule.id.clone());
            }
            // The written ID when this release calls the technique otherwise.
            let written = rule.techniques.first().filter(|w| !w.eq_ignore_ascii_case(&kb[t].id)).cloned();
            refs.push(ControlRef {
                category: c.category.as_str().to_owned(),
                score: c.score.map(|x| x.as_str().to_owned()),
                counted: c.category.counts(c.score),
                capability: rule.id.clone(),
                description: rule.title.clone(),
                group: c.group.clone(),
                source: source.name.clone(),
                framework: c.framework.clone(),
                framework_version: c.framework_version.clone(),
                attack_version: c.attack_version.clone(),
                written,
                place: rule.place(),
                comments: c.comments.clone(),
            });
        }
        refs.sort();
        let protected = refs.iter().any(ControlRef::protects);
        (refs, Some(protected), exposed.into_iter().collect())
    }
}

/// The protection figures of a set of techniques whose coverage is `c`.
pub fn protection<'a>(c: &Coverage, techniques: impl Iterator<Item = &'a TechniqueAssessment>) -> Protection {
    let mut p = Protection::default();
    for t in techniques.filter(|t| t.state.is_covered() || t.state == crate::assessment::State::Gap) {
        if t.protected == Some(true) {
            p.protected += 1;
            if !t.state.is_covered() {
                p.detected_or_protected += 1;
            }
        }
    }
    p.detected_or_protected += c.covered;
    p.percent = percent(p.detected_or_protected, c.techniques);
    p
}

/// What each mapping source of the model contributed.
pub fn sources(r: &Resolved) -> Vec<ControlSource> {
    r.sources
        .iter()
        .filter(|s| s.spec.kind == RuleKind::MappingsExplorer)
        .map(|source| {
            let mut tallies: BTreeMap<(ControlCategory, Option<ControlScore>), (usize, bool)> =
                BTreeMap::new();
            let mut capabilities = BTreeSet::new();
            let mut framework = String::new();
            let mut attack_version = String::new();
            for rule in &source.report.rules {
                let Some(c) = &rule.control else { continue };
                if framework.is_empty() {
                    framework = format!("{} {}", c.framework, c.framework_version).trim().to_owned();
                    attack_version.clone_from(&c.attack_version);
                }
                capabilities.insert(rule.id.as_str());
                let entry = tallies.entry((c.category, c.score)).or_insert((0, false));
                entry.0 += 1;
                entry.1 |= c.category.counts(c.score);
            }
            ControlSource {
                name: source.name.clone(),
                framework,
                attack_version,
                selection: match &source.spec.capabilities {
                    Some(Capabilities::List(list)) => list.clone(),
                    Some(Capabilities::File(file)) => vec![format!("listed in {}", file.path)],
                    Some(Capabilities::All(_)) | None => vec![String::from("all")],
                },
                capabilities: capabilities.len(),
                mappings: tallies
                    .into_iter()
                    .map(|((category, score), (mappings, counted))| ControlTally {
                        category: category.as_str().to_owned(),
                        score: score.map(|s| s.as_str().to_owned()),
                        mappings,
                        counted,
                    })
                    .collect(),
            }
        })
        .collect()
}
