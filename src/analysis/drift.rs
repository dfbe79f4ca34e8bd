//! The drift between each file source and the live source it is deployed as: rules compared by
//! ID (a stanza or saved-search name, an Elastic `rule_id`, a Sentinel alert rule name), their
//! techniques compared after normalisation.

use std::collections::BTreeMap;

use crate::assessment::{Drift, DriftMapping, DriftRule};
use crate::attack::KnowledgeBase;
use crate::resolve::{Resolved, ResolvedSource};
use crate::rules::{DetectionRule, NormalisedRule};

/// One entry per file source with a `deployed_as`, in model order.
pub fn drift(r: &Resolved) -> Vec<Drift> {
    let kb = &r.attack.kb;
    let paired = r.model.model.coverage.count_paired;
    r.sources
        .iter()
        .filter_map(|git| {
            let wanted = git.spec.deployed_as.as_deref()?;
            let live = r.sources.iter().find(|s| s.spec.kind.is_live() && s.name == wanted)?;
            Some(compare(kb, git, live, paired.as_str()))
        })
        .collect()
}

type Rules<'a> = BTreeMap<&'a str, (&'a DetectionRule, &'a NormalisedRule)>;

fn by_id(source: &ResolvedSource) -> Rules<'_> {
    source
        .report
        .rules
        .iter()
        .zip(source.normalised.iter())
        .map(|(rule, n)| (rule.id.as_str(), (rule, n)))
        .collect()
}

fn entry(rule: &DetectionRule) -> DriftRule {
    DriftRule { id: rule.id.clone(), title: rule.title.clone(), place: rule.place() }
}

fn ids(kb: &KnowledgeBase, n: &NormalisedRule) -> Vec<String> {
    let mut ids: Vec<String> = n.techniques.iter().map(|t| kb[*t].id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn compare(kb: &KnowledgeBase, git: &ResolvedSource, live: &ResolvedSource, counted: &str) -> Drift {
    let (in_git, deployed) = (by_id(git), by_id(live));
    let mut drift = Drift {
        source: git.name.clone(),
        deployed_as: live.name.clone(),
        counted: counted.to_owned(),
        in_git: git.report.rules.len(),
        deployed: live.report.rules.len(),
        not_deployed: Vec::new(),
        disabled: Vec::new(),
        not_in_git: Vec::new(),
        mapped_differently: Vec::new(),
    };
    for (id, (rule, n)) in &in_git {
        let Some((live_rule, live_n)) = deployed.get(id) else {
            drift.not_deployed.push(entry(rule));
            continue;
        };
        if rule.enabled && !live_rule.enabled {
            drift.disabled.push(entry(live_rule));
        }
        let (g, d) = (ids(kb, n), ids(kb, live_n));
        if g != d {
            drift.mapped_differently.push(DriftMapping {
                id: (*id).to_owned(),
                title: live_rule.title.clone(),
                git: g,
                deployed: d,
            });
        }
    }
    drift.not_in_git = deployed
        .iter()
        .filter(|(id, _)| !in_git.contains_key(*id))
        .map(|(_, (rule, _))| entry(rule))
        .collect();
    drift
}
