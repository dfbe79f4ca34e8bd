//! Which counted rules cover which technique, under the model's sub-technique policy.
//!
//! A rule covers the techniques it maps to. A rule on a sub-technique also covers its parent
//! (detecting LSASS dumping is detecting credential dumping); a rule on a parent covers the
//! parent's sub-techniques only when `coverage.parent_covers_subtechniques` is set, because a
//! generic rule rarely sees every variant. A rule is counted once per technique however many of
//! these paths lead to it, and weighs its `weight` (1, or a Navigator layer's score).

use std::collections::BTreeMap;

use crate::assessment::RuleRef;
use crate::attack::{KnowledgeBase, TechniqueIdx};
use crate::resolve::ResolvedSource;

/// Where a counted rule lives: source index, rule index.
pub type RuleKey = (usize, usize);

/// Technique → the counted rules mapped to it directly.
#[derive(Debug, Default)]
pub struct RuleIndex {
    direct: BTreeMap<TechniqueIdx, Vec<RuleKey>>,
}

impl RuleIndex {
    /// Indexes the rules of every source for which `take(source index, rule index)` holds (the
    /// counted rules, or for the excluded-rule lists those that do not count).
    pub fn new(sources: &[ResolvedSource], take: impl Fn(usize, usize) -> bool) -> RuleIndex {
        let mut direct: BTreeMap<TechniqueIdx, Vec<RuleKey>> = BTreeMap::new();
        // A source left out of a `deployed_as` pair is compared, not counted.
        for (s, source) in sources.iter().enumerate().filter(|(_, source)| source.counts) {
            for (r, normalised) in source.normalised.iter().enumerate().take(source.report.rules.len()) {
                if !take(s, r) {
                    continue;
                }
                for t in &normalised.techniques {
                    direct.entry(*t).or_default().push((s, r));
                }
            }
        }
        RuleIndex { direct }
    }

    /// Rules mapped to a technique directly.
    pub fn direct(&self, t: TechniqueIdx) -> &[RuleKey] {
        self.direct.get(&t).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Techniques with at least one counted rule, with the summed weight of their direct rules.
    pub fn direct_counts<'a>(
        &'a self,
        sources: &'a [ResolvedSource],
    ) -> impl Iterator<Item = (TechniqueIdx, u32)> + 'a {
        self.direct
            .iter()
            .map(move |(t, keys)| (*t, keys.iter().map(|(s, r)| sources[*s].report.rules[*r].weight).sum()))
    }

    /// The rules covering a technique under the policy, each with how it covers, sorted and
    /// unique by rule.
    pub fn covering(
        &self,
        kb: &KnowledgeBase,
        t: TechniqueIdx,
        parent_covers_subs: bool,
    ) -> Vec<(RuleKey, Via)> {
        let mut found: BTreeMap<RuleKey, Via> = BTreeMap::new();
        for key in self.direct(t) {
            found.insert(*key, Via::Direct);
        }
        for sub in &kb[t].subtechniques {
            for key in self.direct(*sub) {
                found.entry(*key).or_insert(Via::Subtechnique(*sub));
            }
        }
        if parent_covers_subs && let Some(parent) = kb[t].parent {
            for key in self.direct(parent) {
                found.entry(*key).or_insert(Via::Parent(parent));
            }
        }
        found.into_iter().collect()
    }
}

/// How a rule covers a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Mapped to it.
    Direct,
    /// Mapped to one of its sub-techniques.
    Subtechnique(TechniqueIdx),
    /// Mapped to its parent (with `parent_covers_subtechniques`).
    Parent(TechniqueIdx),
}

/// The coverage score (summed weights) and rule references of a technique.
pub fn score_and_refs(
    index: &RuleIndex,
    sources: &[ResolvedSource],
    kb: &KnowledgeBase,
    t: TechniqueIdx,
    parent_covers_subs: bool,
) -> (u32, Vec<RuleRef>) {
    let covering = index.covering(kb, t, parent_covers_subs);
    let mut score = 0;
    let mut refs = Vec::with_capacity(covering.len());
    for ((s, r), via) in covering {
        let source = &sources[s];
        let rule = &source.report.rules[r];
        score += rule.weight;
        refs.push(RuleRef {
            source: source.name.clone(),
            id: rule.id.clone(),
            title: rule.title.clone(),
            place: rule.place(),
            via: match via {
                Via::Direct => String::from("direct"),
                Via::Subtechnique(sub) => format!("sub-technique {}", kb[sub].id),
                Via::Parent(parent) => format!("parent {}", kb[parent].id),
            },
        });
    }
    refs.sort();
    (score, refs)
}
