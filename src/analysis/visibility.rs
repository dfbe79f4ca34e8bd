//! Visibility versus detection: whether the collected telemetry covers what ATT&CK's analytics for
//! a technique read (log sources of v18+ analytics, data components up to v17), the techniques
//! that are gaps although they are visible (the quick wins), and the telemetry account of the
//! assessment: blind rules with what to collect, declarations ttpc could not map, and what the
//! coverage policy left out of each source.

use std::collections::BTreeMap;

use super::coverage::{RuleIndex, Via};
use super::eligibility::{Eligibility, Exclusion};
use crate::assessment::{
    BlindRule, DetectionGuidance, ExcludedRule, QuickWin, SourceExclusions, State, TechniqueAssessment,
    TelemetryAccount, UnknownTelemetry, Visibility,
};
use crate::attack::{KnowledgeBase, TechniqueIdx};
use crate::resolve::{Resolved, ResolvedSource};
use crate::rules::telemetry::Need;

/// How much of what ATT&CK's analytics for a technique read is collected.
pub fn visibility(g: &DetectionGuidance) -> Visibility {
    if g.data_sources.is_empty() {
        Visibility::Unknown
    } else if g.collected.len() >= g.data_sources.len() {
        Visibility::Visible
    } else if g.collected.is_empty() {
        Visibility::NotVisible
    } else {
        Visibility::Partial
    }
}

/// The rules mapped to a technique (under the sub-technique policy) that do not count, with why.
pub fn excluded_rules(
    excluded: &RuleIndex,
    eligibility: &Eligibility,
    sources: &[ResolvedSource],
    kb: &KnowledgeBase,
    t: TechniqueIdx,
    parent_covers_subs: bool,
) -> Vec<ExcludedRule> {
    let mut list: Vec<ExcludedRule> = excluded
        .covering(kb, t, parent_covers_subs)
        .into_iter()
        .filter_map(|((s, r), _via): ((usize, usize), Via)| {
            let standing = eligibility.standing(s, r)?;
            let rule = &sources[s].report.rules[r];
            Some(ExcludedRule {
                source: sources[s].name.clone(),
                id: rule.id.clone(),
                title: rule.title.clone(),
                place: rule.place(),
                reasons: standing.exclusions.iter().map(Exclusion::describe).collect(),
            })
        })
        .collect();
    list.sort();
    list
}

/// The priority reasons (worth no points) a gap gets for mapped rules that are blind: a rule
/// exists, the data it needs does not.
pub fn blind_reasons(excluded: &[ExcludedRule]) -> Vec<String> {
    excluded
        .iter()
        .filter_map(|x| {
            let blind = x.reasons.iter().find(|r| r.starts_with("blind"))?;
            Some(format!("rule \"{}\" exists but is {blind}", x.title))
        })
        .collect()
}

/// The telemetry account of the assessment; `techniques` are finished (states, priorities).
pub fn account(
    r: &Resolved,
    eligibility: &Eligibility,
    techniques: &[TechniqueAssessment],
) -> TelemetryAccount {
    let kb = &r.attack.kb;
    let m = &r.model.model;
    let mut blind_rules = Vec::new();
    let mut unknown: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut sources = Vec::new();
    for (s, source) in r.sources.iter().enumerate() {
        let mut tally = SourceExclusions { source: source.name.clone(), ..SourceExclusions::default() };
        for (i, (rule, standing)) in source.report.rules.iter().zip(eligibility.of_source(s)).enumerate() {
            tally.rules += 1;
            if standing.exclusions.is_empty() {
                tally.counted += 1;
            }
            for x in &standing.exclusions {
                match x {
                    Exclusion::Status(_) => tally.status += 1,
                    Exclusion::Disabled => tally.disabled += 1,
                    Exclusion::Level(_) => tally.level += 1,
                    Exclusion::Hunting => tally.hunting += 1,
                    Exclusion::Blind(_) | Exclusion::Evidence(_) => {}
                }
            }
            match &standing.need {
                Need::Undeclared => tally.undeclared += 1,
                Need::Met => {}
                Need::Unknown(declared) => {
                    tally.unknown_telemetry += 1;
                    for d in declared {
                        *unknown.entry((source.name.clone(), d.clone())).or_insert(0) += 1;
                    }
                }
                Need::Missing(collect) => {
                    tally.blind += 1;
                    let mut ids: Vec<String> = source
                        .normalised
                        .get(i)
                        .map(|n| n.techniques.iter().map(|t| kb[*t].id.clone()).collect())
                        .unwrap_or_default();
                    ids.sort();
                    ids.dedup();
                    blind_rules.push(BlindRule {
                        source: source.name.clone(),
                        id: rule.id.clone(),
                        title: rule.title.clone(),
                        place: rule.place(),
                        declares: rule.telemetry.clone(),
                        collect: collect.clone(),
                        techniques: ids,
                        excluded: m.coverage.require_telemetry,
                    });
                }
            }
        }
        sources.push(tally);
    }
    blind_rules.sort();

    let in_play = |t: &&TechniqueAssessment| !t.actors.is_empty() || t.must_cover;
    let visible_gaps: Vec<&TechniqueAssessment> = techniques
        .iter()
        .filter(in_play)
        .filter(|t| t.state == State::Gap && t.visibility == Some(Visibility::Visible))
        .collect();
    let mut quick_wins: Vec<QuickWin> = visible_gaps
        .iter()
        .map(|t| QuickWin {
            technique: t.id.clone(),
            name: t.name.clone(),
            priority: t.priority.as_ref().map(|p| p.score),
            log_sources: t.detection.data_sources.clone(),
            excluded_rules: t.excluded.iter().map(|x| x.title.clone()).collect(),
        })
        .collect();
    let rank = |id: &str| {
        techniques
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.priority.as_ref())
            .map_or(usize::MAX, |p| p.rank)
    };
    quick_wins
        .sort_by(|a, b| rank(&a.technique).cmp(&rank(&b.technique)).then(a.technique.cmp(&b.technique)));

    let c = &m.coverage;
    TelemetryAccount {
        collected: m.telemetry.clone(),
        require_telemetry: c.require_telemetry,
        count_levels: c.count_levels.as_ref().map(|levels| {
            let mut parsed: Vec<_> =
                levels.iter().filter_map(|l| crate::rules::telemetry::Level::parse(l)).collect();
            parsed.sort();
            parsed.dedup();
            parsed.iter().map(|l| l.as_str().to_owned()).collect()
        }),
        count_hunting: c.count_hunting,
        visible_not_detected: visible_gaps.iter().filter(|t| !t.actors.is_empty()).count(),
        quick_wins,
        hunting_only: techniques
            .iter()
            .filter(in_play)
            .filter(|t| {
                t.state == State::Gap && t.excluded.iter().any(|x| x.reasons.iter().any(|r| r == "hunting"))
            })
            .map(|t| format!("{} {}", t.id, t.name))
            .collect(),
        blind_rules,
        unknown: unknown
            .into_iter()
            .map(|((source, declared), rules)| UnknownTelemetry { source, declared, rules })
            .collect(),
        sources,
    }
}
