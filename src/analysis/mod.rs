//! Analysis: a resolved model → the [`Assessment`].
//!
//! For every technique of every actor (and every must-cover or accepted technique) it decides
//! scope, counts covering rules under the sub-technique policy, assigns a state (strong, partial,
//! gap, accepted, out of scope), gathers ATT&CK's detection guidance and mitigations, and scores
//! gaps; then it sums coverage per actor, for the union and per tactic, and lays out the
//! remediation plan. Targets are judged afterwards by [`crate::check`].

mod controls;
mod coverage;
mod drift;
mod eligibility;
mod emulation;
mod guidance;
mod matrix;
mod plan;
pub mod priority;
pub mod similarity;
pub mod upgrade;
mod visibility;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::assessment::*;
use crate::attack::{KnowledgeBase, Status, TechniqueIdx, Via};
use crate::model::{Criticality, ThreatModel, WeightKind};
use crate::resolve::weights::Weight;
use crate::resolve::{ActorKind, Resolved};
use crate::rules::{Mapping, MappingIssue, SourceSummary};

pub use coverage::RuleIndex;

/// What the analysis needs besides the resolved model.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The date acceptances are checked against.
    pub as_of: NaiveDate,
}

/// Compiles a resolved model into its assessment: everything but the verdicts, which
/// [`crate::check`] adds from the assessment's own [`Targets`].
pub fn analyse(r: &Resolved, options: &Options) -> Assessment {
    let kb = &r.attack.kb;
    let m = &r.model.model;
    let eligibility = eligibility::Eligibility::new(m, &r.sources);
    let index = RuleIndex::new(&r.sources, |s, i| eligibility.counts(s, i));
    // With a telemetry account, the rules that do not count are listed per technique too.
    let excluded = eligibility::active(m).then(|| {
        RuleIndex::new(&r.sources, |s, i| !eligibility.counts(s, i) && !eligibility.is_evidence(s, i))
    });
    let accepted = acceptances_in_force(r, options.as_of);
    let users = users_of_techniques(r);
    let judge = emulation::Judge::new(r, options.as_of);
    let controls = controls::ControlIndex::new(r);

    // Every technique looked at: the union of profiles, must-cover and accepted ones.
    let must_cover: BTreeSet<TechniqueIdx> = r.targets.must_cover.iter().copied().collect();
    let mut looked_at: BTreeSet<TechniqueIdx> = users.keys().copied().collect();
    looked_at.extend(must_cover.iter().copied());
    looked_at.extend(accepted.keys().copied());
    let mut techniques: Vec<TechniqueAssessment> = looked_at
        .iter()
        .map(|t| {
            let actor_list = users.get(t).map(Vec::as_slice).unwrap_or(&[]);
            let validation = judge.as_ref().map(|j| j.validation(&kb[*t].id));
            let mut assessed = technique(
                r,
                &index,
                *t,
                actor_list,
                accepted.get(t).copied(),
                must_cover.contains(t),
                validation,
            );
            (assessed.controls, assessed.protected, assessed.exposed_by) = controls.evidence(r, *t);
            if let Some(excluded) = &excluded {
                assessed.visibility = Some(visibility::visibility(&assessed.detection));
                assessed.excluded = visibility::excluded_rules(
                    excluded,
                    &eligibility,
                    &r.sources,
                    kb,
                    *t,
                    m.coverage.parent_covers_subtechniques,
                );
            }
            assessed
        })
        .collect();

    let overall = union_coverage(&techniques, |_| true);
    let tactics = tactic_coverage(r, &techniques, &overall);
    prioritise(r, &mut techniques, &tactics);
    let ranked = rank(&mut techniques);
    let gaps: Vec<String> = ranked.iter().map(|i| techniques[*i].id.clone()).collect();
    let plan = {
        let ordered: Vec<&TechniqueAssessment> = ranked.iter().map(|i| &techniques[*i]).collect();
        plan::plan(&ordered, &m.remediation, &overall, m.targets.overall.map(|p| p.value()), |id| {
            find(&techniques, id).is_some_and(|t| !t.actors.is_empty())
        })
    };
    let actors = actor_assessments(r, &techniques);
    let rule_coverage = rule_coverage(r, &index);
    let sources = source_accounts(r, &eligibility);
    let telemetry = excluded.is_some().then(|| visibility::account(r, &eligibility, &techniques));
    let accepted = acceptances(r, &techniques, options.as_of);
    let emulation = judge.as_ref().map(|j| j.emulation(&techniques));
    let matrix = matrix::matrix(kb, &techniques);
    Assessment {
        format: FORMAT,
        model: model_info(r),
        semantics: semantics(m, r, overall.percent),
        overall,
        actors,
        tactics,
        techniques,
        gaps,
        plan,
        targets: targets(r),
        verdicts: Vec::new(),
        rule_coverage,
        sources: sources.accounts,
        stale_mappings: sources.stale,
        translated_mappings: sources.translated,
        unmapped: sources.unmapped,
        accepted,
        emulation,
        matrix,
        drift: drift::drift(r),
        telemetry,
        controls: controls::sources(r),
    }
}

/// A technique of the assessment by ID (the list is sorted by ID).
fn find<'a>(techniques: &'a [TechniqueAssessment], id: &str) -> Option<&'a TechniqueAssessment> {
    techniques.binary_search_by(|t| t.id.as_str().cmp(id)).ok().map(|i| &techniques[i])
}

/// Acceptances by technique: `true` when every acceptance of it has expired by `as_of`.
fn acceptances_in_force(r: &Resolved, as_of: NaiveDate) -> BTreeMap<TechniqueIdx, bool> {
    let mut accepted: BTreeMap<TechniqueIdx, bool> = BTreeMap::new();
    for (i, t) in &r.targets.accepted {
        let expired = r.model.model.accepted[*i].expires < as_of;
        let entry = accepted.entry(*t).or_insert(expired);
        *entry = *entry && expired;
    }
    accepted
}

/// The union of profiles: technique → the actors using it (model order).
fn users_of_techniques(r: &Resolved) -> BTreeMap<TechniqueIdx, Vec<usize>> {
    let mut users: BTreeMap<TechniqueIdx, Vec<usize>> = BTreeMap::new();
    for (a, actor) in r.actors.iter().enumerate() {
        for t in actor.techniques.keys() {
            users.entry(*t).or_default().push(a);
        }
    }
    users
}

/// Coverage of the actors' techniques that pass `filter`.
fn union_coverage(
    techniques: &[TechniqueAssessment],
    filter: impl Fn(&TechniqueAssessment) -> bool,
) -> Coverage {
    let chosen = || techniques.iter().filter(|t| !t.actors.is_empty() && filter(t));
    let mut c = tally(chosen().map(|t| t.state));
    if techniques.iter().any(|t| t.protected.is_some()) {
        c.protection = Some(controls::protection(&c, chosen()));
    }
    c
}

/// Coverage per tactic, in matrix order, each measured against the model's own line: the
/// tactic's target, else the overall target, else (a model without targets) the overall
/// coverage.
fn tactic_coverage(
    r: &Resolved,
    techniques: &[TechniqueAssessment],
    overall: &Coverage,
) -> Vec<TacticCoverage> {
    let kb = &r.attack.kb;
    let overall_target = r.model.model.targets.overall.map(|p| p.value());
    kb.tactics()
        .iter()
        .enumerate()
        .map(|(i, tactic)| {
            let coverage = union_coverage(techniques, |t| t.tactics.contains(&tactic.shortname));
            let own = r.targets.tactics.iter().find(|(_, t, _)| t.get() == i).map(|(_, _, p)| p.value());
            let threshold = match (own, overall_target) {
                (Some(p), _) => Threshold { basis: ThresholdBasis::TacticTarget, percent: Some(p) },
                (None, Some(p)) => Threshold { basis: ThresholdBasis::OverallTarget, percent: Some(p) },
                (None, None) => {
                    Threshold { basis: ThresholdBasis::OverallCoverage, percent: overall.percent }
                }
            };
            TacticCoverage {
                id: tactic.id.clone(),
                shortname: tactic.shortname.clone(),
                name: tactic.name.clone(),
                priority_gap: matches!((coverage.percent, threshold.percent), (Some(c), Some(o)) if c < o),
                threshold,
                coverage,
            }
        })
        .collect()
}

/// Scores every gap that is in a profile or promised in `must_cover` (see [`priority`]).
fn prioritise(r: &Resolved, techniques: &mut [TechniqueAssessment], tactics: &[TacticCoverage]) {
    let kb = &r.attack.kb;
    let m = &r.model.model;
    let failing_tactics: BTreeSet<&str> = r
        .targets
        .tactics
        .iter()
        .filter(|(_, t, promise)| {
            let c = &tactics[t.get()].coverage;
            c.percent.is_some_and(|p| p < promise.value())
        })
        .map(|(_, t, _)| kb[*t].shortname.as_str())
        .collect();
    for t in techniques.iter_mut() {
        if t.state != State::Gap || (t.actors.is_empty() && !t.must_cover) {
            continue;
        }
        let of_technique = |pred: &dyn Fn(&TacticCoverage) -> bool| -> Vec<&TacticCoverage> {
            tactics.iter().filter(|c| t.tactics.contains(&c.shortname) && pred(c)).collect()
        };
        let failing: Vec<&str> = of_technique(&|c| failing_tactics.contains(c.shortname.as_str()))
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let weak_tactics =
            of_technique(&|c| c.priority_gap && c.threshold.basis != ThresholdBasis::TacticTarget);
        let weak_against = weak_tactics.first().map(|c| c.threshold.describe()).unwrap_or_default();
        let weak: Vec<(&str, f64)> =
            weak_tactics.iter().map(|c| (c.name.as_str(), c.coverage.percent.unwrap_or(0.0))).collect();
        let (critical, high) = exposed_assets(m, &t.platforms);
        let inputs = priority::PriorityInputs {
            actors: &t.actors,
            actor_weight: t.actor_weight,
            critical_assets: critical,
            high_assets: high,
            failing_tactics: failing,
            weak_tactics: weak,
            weak_against,
            must_cover: t.must_cover,
            guidance: &t.detection,
            failed_validation: t
                .validation
                .as_ref()
                .filter(|v| v.state == ValidationState::Failed)
                .map(|_| t.rules.iter().map(|x| x.title.clone()).collect()),
            weights: technique_weights(r, &t.id),
            exposed_by: &t.exposed_by,
            protected_by: t.controls.iter().filter(|c| c.protects()).map(ControlRef::named).collect(),
        };
        let (score, mut reasons) = priority::score(&inputs);
        reasons.extend(visibility::blind_reasons(&t.excluded));
        t.priority = Some(Priority { score, rank: 0, reasons });
    }
}

/// The technique's weight in each of the model's weight sources, in model order.
fn technique_weights<'a>(r: &'a Resolved, id: &str) -> Vec<(&'a str, Option<&'a Weight>)> {
    let t = r.attack.kb.technique(id);
    r.weights.sources.iter().map(|s| (s.label.as_str(), t.and_then(|t| s.by_technique.get(&t)))).collect()
}

/// Ranks the scored gaps (score, then actor weight, then ID) and returns their indices in order.
fn rank(techniques: &mut [TechniqueAssessment]) -> Vec<usize> {
    let mut ranked: Vec<usize> =
        (0..techniques.len()).filter(|i| techniques[*i].priority.is_some()).collect();
    ranked.sort_by(|a, b| {
        let (x, y) = (&techniques[*a], &techniques[*b]);
        let score = |t: &TechniqueAssessment| t.priority.as_ref().map_or(0, |p| p.score);
        score(y).cmp(&score(x)).then(y.actor_weight.cmp(&x.actor_weight)).then(x.id.cmp(&y.id))
    });
    for (rank, i) in ranked.iter().enumerate() {
        if let Some(p) = techniques[*i].priority.as_mut() {
            p.rank = rank + 1;
        }
    }
    ranked
}

/// One entry per actor: its coverage and its techniques with state and provenance.
fn actor_assessments(r: &Resolved, techniques: &[TechniqueAssessment]) -> Vec<ActorAssessment> {
    let kb = &r.attack.kb;
    let m = &r.model.model;
    r.actors
        .iter()
        .map(|actor| {
            let chosen = || actor.techniques.keys().filter_map(|t| find(techniques, &kb[*t].id));
            let mut coverage = tally(chosen().map(|x| x.state));
            if techniques.iter().any(|t| t.protected.is_some()) {
                coverage.protection = Some(controls::protection(&coverage, chosen()));
            }
            ActorAssessment {
                reference: actor.reference.clone(),
                id: actor.id.clone(),
                name: actor.name.clone(),
                kind: match (actor.kind, &actor.origin) {
                    (ActorKind::Group(_), _) => "group",
                    (ActorKind::Campaign(_), _) => "campaign",
                    (ActorKind::Software(_), _) => "software",
                    (ActorKind::Intel(_) | ActorKind::Custom(_), Some(origin)) => origin.kind.as_str(),
                    (ActorKind::Intel(_) | ActorKind::Custom(_), None) => "custom",
                }
                .to_owned(),
                source: actor.origin.as_ref().map(|o| o.source.clone()),
                weight: actor.weight,
                via_software: m.actors.iter().any(|a| a.reference == actor.reference && a.via_software),
                coverage,
                techniques: actor
                    .techniques
                    .iter()
                    .map(|(t, via)| {
                        let assessed = find(techniques, &kb[*t].id);
                        ActorTechnique {
                            id: kb[*t].id.clone(),
                            name: kb.full_name(*t),
                            state: assessed.map_or(State::OutOfScope, |x| x.state),
                            score: assessed.map_or(0, |x| x.score),
                            via: via
                                .iter()
                                .map(|v| describe_via(kb, *v))
                                .chain(actor.evidence.get(t).into_iter().flatten().map(|e| e.text.clone()))
                                .collect(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Counted rules per technique over the whole matrix, by ID: the coverage layer.
fn rule_coverage(r: &Resolved, index: &RuleIndex) -> Vec<RuleCount> {
    let kb = &r.attack.kb;
    let mut counts: Vec<RuleCount> = index
        .direct_counts(&r.sources)
        .map(|(t, rules)| RuleCount {
            id: kb[t].id.clone(),
            tactics: kb[t].tactics.iter().map(|x| kb[*x].shortname.clone()).collect(),
            rules,
        })
        .collect();
    counts.sort_by(|a, b| a.id.cmp(&b.id));
    counts
}

/// The model's acceptances, with whether each has lapsed and whether its technique is covered.
fn acceptances(r: &Resolved, techniques: &[TechniqueAssessment], as_of: NaiveDate) -> Vec<Acceptance> {
    let kb = &r.attack.kb;
    r.model
        .model
        .accepted
        .iter()
        .zip(&r.targets.accepted)
        .map(|(a, (_, t))| Acceptance {
            technique: kb[*t].id.clone(),
            name: kb.full_name(*t),
            reason: a.reason.clone(),
            owner: a.owner.clone(),
            expires: a.expires.to_string(),
            expired: a.expires < as_of,
            covered: find(techniques, &kb[*t].id).is_some_and(|x| x.score > 0),
        })
        .collect()
}

/// The model's promises, resolved: actors by `ref`, tactics by shortname, techniques by ID.
fn targets(r: &Resolved) -> Targets {
    let kb = &r.attack.kb;
    let t = &r.model.model.targets;
    Targets {
        overall: t.overall.map(|p| p.value()),
        actors: t
            .actors
            .iter()
            .map(|(reference, p)| ActorTarget { reference: reference.clone(), percent: p.value() })
            .collect(),
        tactics: r
            .targets
            .tactics
            .iter()
            .map(|(_, tactic, p)| TacticTarget { tactic: kb[*tactic].shortname.clone(), percent: p.value() })
            .collect(),
        must_cover: r.targets.must_cover.iter().map(|x| kb[*x].id.clone()).collect(),
        max_priority_1_gaps: t.max_priority_1_gaps,
        validated: t.validated.map(|p| p.value()),
        no_drop_from_baseline: t.no_drop_from_baseline.and_then(|n| n.tolerance()),
        detected_or_protected: DetectedOrProtectedTargets {
            overall: t.detected_or_protected.overall.map(|p| p.value()),
            actors: t
                .detected_or_protected
                .actors
                .iter()
                .map(|(reference, p)| ActorTarget { reference: reference.clone(), percent: p.value() })
                .collect(),
            // Keys were checked when the model was resolved.
            tactics: t
                .detected_or_protected
                .tactics
                .iter()
                .filter_map(|(key, p)| {
                    kb.tactic(key)
                        .map(|x| TacticTarget { tactic: kb[x].shortname.clone(), percent: p.value() })
                })
                .collect(),
        },
    }
}

/// Assesses one technique (everything but its priority).
fn technique(
    r: &Resolved,
    index: &RuleIndex,
    t: TechniqueIdx,
    actor_list: &[usize],
    acceptance: Option<bool>,
    must_cover: bool,
    validation: Option<TechniqueValidation>,
) -> TechniqueAssessment {
    let kb = &r.attack.kb;
    let m = &r.model.model;
    let technique = &kb[t];
    let scope = &m.scope.platforms;
    let in_scope = applies(scope, &technique.platforms);
    let (score, rules) =
        coverage::score_and_refs(index, &r.sources, kb, t, m.coverage.parent_covers_subtechniques);
    // A technique whose emulation ran undetected is not covered, whatever its rule count.
    let failed = validation.as_ref().is_some_and(|v| v.state == ValidationState::Failed);
    let state = if !in_scope {
        State::OutOfScope
    } else if failed && score > 0 {
        State::Gap
    } else if score >= m.coverage.strong_at {
        State::Strong
    } else if score > 0 {
        State::Partial
    } else if acceptance == Some(false) {
        State::Accepted
    } else {
        State::Gap
    };
    let (critical, high) = exposed_assets(m, &technique.platforms);
    TechniqueAssessment {
        id: technique.id.clone(),
        name: kb.full_name(t),
        tactics: technique.tactics.iter().map(|x| kb[*x].shortname.clone()).collect(),
        platforms: technique.platforms.clone(),
        state,
        score,
        rules,
        actors: actor_list.iter().map(|a| r.actors[*a].name.clone()).collect(),
        actor_weight: actor_list.iter().map(|a| r.actors[*a].weight).sum(),
        assets: critical.into_iter().chain(high).map(str::to_owned).collect(),
        detection: guidance::guidance(kb, t, scope, &m.telemetry),
        mitigations: technique
            .mitigations
            .iter()
            .filter(|x| kb[**x].status == Status::Active)
            .map(|x| format!("{} {}", kb[*x].id, kb[*x].name))
            .collect(),
        priority: None,
        must_cover,
        validation,
        visibility: None,
        excluded: Vec::new(),
        controls: Vec::new(),
        protected: None,
        exposed_by: Vec::new(),
    }
}

/// Whether a technique with these platforms is in scope. Techniques without platforms (most of
/// ATT&CK for ICS says `None`) are never dropped.
fn applies(scope: &[String], platforms: &[String]) -> bool {
    scope.is_empty()
        || platforms.is_empty()
        || platforms.iter().all(|p| p.eq_ignore_ascii_case("none"))
        || platforms.iter().any(|p| scope.iter().any(|s| s.eq_ignore_ascii_case(p)))
}

/// Critical and high-criticality assets exposed to a technique: their platforms meet its
/// platforms (an asset without platforms, or a technique without any, meets everything).
fn exposed_assets<'m>(m: &'m ThreatModel, platforms: &[String]) -> (Vec<&'m str>, Vec<&'m str>) {
    let exposed = |criticality: Criticality| -> Vec<&'m str> {
        m.assets
            .iter()
            .filter(|a| a.criticality == criticality)
            .filter(|a| a.platforms.is_empty() || applies(&a.platforms, platforms))
            .map(|a| a.name.as_str())
            .collect()
    };
    (exposed(Criticality::Critical), exposed(Criticality::High))
}

/// Sums states into coverage.
fn tally(states: impl Iterator<Item = State>) -> Coverage {
    let mut c = Coverage::default();
    for s in states {
        match s {
            State::Strong => c.strong += 1,
            State::Partial => c.partial += 1,
            State::Gap => c.gaps += 1,
            State::Accepted => c.accepted += 1,
            State::OutOfScope => c.out_of_scope += 1,
        }
    }
    c.covered = c.strong + c.partial;
    c.techniques = c.covered + c.gaps;
    c.percent = percent(c.covered, c.techniques);
    c
}

fn describe_via(kb: &KnowledgeBase, via: Via) -> String {
    match via {
        Via::Direct => String::from("direct"),
        Via::Campaign(c) => format!("campaign {} {}", kb[c].id, kb[c].name),
        Via::Software(s) => format!("software {} {}", kb[s].id, kb[s].name),
    }
}

fn model_info(r: &Resolved) -> ModelInfo {
    let m = &r.model.model;
    let version = r.attack.version.clone().unwrap_or_else(|| m.attack.version.clone());
    let matrix = match r.attack.kb.domain() {
        crate::attack::Domain::EnterpriseAttack => "Enterprise ATT&CK",
        crate::attack::Domain::IcsAttack => "ATT&CK for ICS",
        crate::attack::Domain::MobileAttack => "Mobile ATT&CK",
    };
    ModelInfo {
        name: m.name.clone(),
        owner: m.owner.clone(),
        description: m.description.clone(),
        assessed: m.assessed.map(|d| d.to_string()),
        file: r.model.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        domain: r.attack.kb.domain().to_string(),
        attack_major: version.split('.').next().unwrap_or_default().to_owned(),
        attack_version: version,
        matrix: matrix.to_owned(),
    }
}

fn semantics(m: &ThreatModel, r: &Resolved, overall: Option<f64>) -> Semantics {
    let c = &m.coverage;
    let priority_gap = match m.targets.overall {
        Some(target) => format!(
            "A tactic is a priority gap when its coverage is below its own target (targets.tactics) or, without one, below the {}% overall target.",
            trim_number(target.value())
        ),
        None => format!(
            "A tactic is a priority gap when its coverage is below its own target (targets.tactics) or, without one, below the overall coverage ({}); set targets.overall to measure tactics against your own goal.",
            percent_text(overall)
        ),
    };
    let mut statements = vec![
        String::from(
            "Coverage = covered techniques ÷ (covered + gaps). Accepted and out-of-scope techniques are left out of both.",
        ),
        format!(
            "A technique is covered by a counted rule mapped to it or to one of its sub-techniques; a rule on a parent technique {} its sub-techniques.",
            if c.parent_covers_subtechniques { "also covers" } else { "does not cover" }
        ),
        match &c.count_status {
            Some(list) => format!(
                "Rules count when their status is {} (rules of formats without a status always count){}.",
                list.join(", "),
                if c.count_disabled { "" } else { " and they are enabled" }
            ),
            None => format!(
                "Rules count unless their status is deprecated or unsupported{}.",
                if c.count_disabled { "" } else { ", and only when enabled" }
            ),
        },
        format!("Coverage is strong with {} or more counted rules and partial below that.", c.strong_at),
        String::from(
            "Actor profiles: the group's own techniques plus those of campaigns attributed to it, plus its software's where via_software is set. Revoked and deprecated techniques never enter a profile.",
        ),
        if m.scope.platforms.is_empty() {
            String::from("Scope: every platform.")
        } else {
            format!(
                "Scope: techniques that apply to none of {} are out of scope (counted apart, neither covered nor gaps).",
                m.scope.platforms.join(", ")
            )
        },
        String::from("A technique in several tactics counts in each tactic's breakdown."),
        priority_gap.clone(),
        String::from(
            "Technique IDs in rules are case-insensitive; a revoked ID is counted for its replacement and listed as a stale mapping; deprecated and unknown IDs are listed and not counted.",
        ),
        String::from(
            "Accepted risks are neither gaps nor covered while the acceptance holds; an expired acceptance fails its target and the technique becomes a gap again.",
        ),
        format!(
            "Gap priority = {} × actor weight + {} per critical and {} per high-criticality asset on its platforms + {} per tactic below its own target + {} per other tactic that is a priority gap + {} if must-cover + {} if ATT&CK has analytics + {} if its log sources are all collected ({} if some).",
            priority::THREAT,
            priority::CRITICAL_ASSET,
            priority::HIGH_ASSET,
            priority::FAILING_TACTIC,
            priority::WEAK_TACTIC,
            priority::MUST_COVER,
            priority::HAS_ANALYTICS,
            priority::QUICK_WIN,
            priority::SOME_DATA
        ) + &weight_statement(m),
        String::from(
            "Priority-1 gaps (the max_priority_1_gaps target) are gaps used by actors carrying at least half of the total actor weight.",
        ),
    ];
    if r.attack.kb.has_detection_strategies() {
        statements.push(String::from(
            "Data sources are the log sources of ATT&CK's analytics (v18+) on the platforms in scope; effort is low when all are in telemetry, medium when some are, high otherwise.",
        ));
    } else {
        statements.push(String::from(
            "Data sources are ATT&CK's data components (up to v17); effort is low when all are in telemetry, medium when some are, high otherwise.",
        ));
    }
    if eligibility::active(m) {
        statements.extend(telemetry_statements(m));
    }
    if m.rules.iter().any(|s| s.kind == crate::model::RuleKind::MappingsExplorer) {
        statements.push(format!(
            "Security controls (mappings-explorer sources, only the capabilities the model selects): a detect mapping counts as rules — partial as 1, significant as {} (strong), minimal is shown and not counted; a protect mapping scored partial or significant makes the technique protected, shown beside detection and counted by targets.detected_or_protected (protected techniques count as covered there); respond and mitigate (NIST SP 800-53) mappings are listed; a known exploited vulnerability (CISA KEV) exposes the techniques it enables. Gap priority + {} when exposed, − {} when protected. Mappings are read on the technique they name.",
            c.strong_at.max(1),
            priority::EXPOSED,
            priority::PROTECTED
        ));
    }
    Semantics {
        scope_platforms: m.scope.platforms.clone(),
        count_status: c.count_status.clone(),
        count_disabled: c.count_disabled,
        strong_at: c.strong_at,
        parent_covers_subtechniques: c.parent_covers_subtechniques,
        priority_gap,
        statements,
    }
}

/// The weight terms of the gap priority, for models with `priority.weights` only (others read
/// as before).
fn weight_statement(m: &ThreatModel) -> String {
    let mut terms = Vec::new();
    if m.priority.weights.iter().any(|w| w.kind == WeightKind::CtidTopTechniques) {
        terms.push(format!(
            "{} × CTID prevalence + {} × CTID choke point − {} when CTID actionability is below {} (its combined score, else the larger of its detection and mitigation scores)",
            priority::PREVALENCE,
            priority::CHOKE_POINT,
            priority::LOW_ACTIONABILITY,
            priority::ACTIONABLE_AT
        ));
    }
    if m.priority.weights.iter().any(|w| w.kind == WeightKind::Csv) {
        terms.push(format!("{} × the weight of a team CSV", priority::TEAM_WEIGHT));
    }
    if terms.is_empty() {
        return String::new();
    }
    format!(
        " Technique weights (priority.weights): + {}, per source; a technique a source does not cover has no weight from it (not 0); the score never drops below 0.",
        terms.join(" + ")
    )
}

/// The method statements of the telemetry policy (only for models with a telemetry account, so
/// other reports read as before).
fn telemetry_statements(m: &ThreatModel) -> Vec<String> {
    let c = &m.coverage;
    let collected =
        if m.telemetry.is_empty() { String::from("no telemetry listed") } else { m.telemetry.join(", ") };
    vec![
        format!(
            "Each rule's required telemetry is what its format declares (Sigma logsource, Splunk data_source or sourcetype/index, Elastic index or integrations, Sentinel data types, a CSV telemetry column), mapped onto ATT&CK log-source names by ttpc's built-in table{}; a rule can fire when any one of them is collected ({collected}).",
            if m.telemetry_map.is_empty() { "" } else { " extended by the model's telemetry_map" }
        ),
        if c.require_telemetry {
            String::from(
                "A blind rule — its telemetry is known and none of it collected — does not count; a rule whose telemetry is unmapped or undeclared counts and is listed.",
            )
        } else {
            String::from(
                "Blind rules (telemetry known, none of it collected) are listed but still count: require_telemetry is off.",
            )
        },
        match &c.count_levels {
            Some(levels) => format!(
                "Rules count when their level, put on one scale (informational, low, medium, high, critical; Splunk risk scores and alert.severity numbers converted), is one of {}; rules without a level count.",
                levels.join(", ")
            ),
            None => String::from("Rules of every level count."),
        },
        if c.count_hunting {
            String::from(
                "Hunting queries (Sigma threat-hunting, Splunk Hunting, Elastic building blocks, Sentinel hunting queries) count as detection.",
            )
        } else {
            String::from(
                "Hunting queries (Sigma threat-hunting, Splunk Hunting, Elastic building blocks, Sentinel hunting queries) do not count as detection; a gap they map to is shown as hunting coverage.",
            )
        },
        String::from(
            "A technique is visible when every log source (v18+) or data component (up to v17) of its ATT&CK analytics on the platforms in scope is collected; a visible gap is \"visible, not detected\", a quick win.",
        ),
    ]
}

/// The rule sources' accounts and their mapping findings.
struct SourceAccounts {
    accounts: Vec<SourceAccount>,
    stale: Vec<SourceMapping>,
    translated: Vec<SourceMapping>,
    unmapped: Vec<SourceMapping>,
}

fn source_accounts(r: &Resolved, eligibility: &eligibility::Eligibility) -> SourceAccounts {
    let kb = &r.attack.kb;
    let pinned = r.attack.version.as_deref().unwrap_or("this release");
    let mut accounts = Vec::new();
    let (mut stale, mut translated, mut unmapped) = (Vec::new(), Vec::new(), Vec::new());
    for (s, source) in r.sources.iter().enumerate() {
        let summary = SourceSummary::with(&source.report, Some((kb, &source.normalised)));
        stale.extend(summary.stale_mappings.iter().map(|m| source_mapping(&source.name, m, pinned)));
        translated
            .extend(summary.translated_mappings.iter().map(|m| source_mapping(&source.name, m, pinned)));
        unmapped.extend(summary.unmapped.iter().map(|m| source_mapping(&source.name, m, pinned)));
        // Sorted by the reason's words, as reports have always listed them.
        let mut skipped: Vec<SkipCount> = summary
            .skipped_by_reason
            .iter()
            .map(|(reason, files)| SkipCount { reason: reason.as_str().to_owned(), files: *files })
            .collect();
        skipped.sort_by(|a, b| a.reason.cmp(&b.reason));
        accounts.push(SourceAccount {
            name: source.name.clone(),
            kind: source.spec.kind.to_string(),
            path: if source.spec.kind.is_live() {
                source.report.path.display().to_string()
            } else {
                source.spec.path.clone()
            },
            files: summary.files,
            parsed_files: summary.parsed_files,
            skipped,
            rules: summary.rules,
            // A source left out of a `deployed_as` pair is compared, not counted.
            counted: if source.counts {
                (0..source.report.rules.len()).filter(|i| eligibility.counts(s, *i)).count()
            } else {
                0
            },
            with_techniques: summary.rules_with_techniques,
            warnings: summary
                .warnings
                .iter()
                .map(|w| format!("{}: {}", w.path.to_string_lossy().replace('\\', "/"), w.message))
                .collect(),
        });
    }
    SourceAccounts { accounts, stale, translated, unmapped }
}

/// A normalisation finding of a rule, as the assessment lists it.
fn source_mapping(source: &str, mapping: &Mapping, pinned: &str) -> SourceMapping {
    let (issue, replacement, release) = match &mapping.issue {
        MappingIssue::Stale { replacement, .. } => ("stale", Some(replacement.clone()), None),
        MappingIssue::Translated { release, .. } => ("translated", None, Some(release.clone())),
        MappingIssue::NewInRelease { release, .. } => ("new-in-release", None, Some(release.clone())),
        MappingIssue::Repaired { id, .. } => ("repaired", Some(id.clone()), None),
        MappingIssue::Malformed { .. } => ("malformed", None, None),
        MappingIssue::Deprecated { .. } => ("deprecated", None, None),
        MappingIssue::Unknown { .. } => ("unknown", None, None),
    };
    SourceMapping {
        source: source.to_owned(),
        rule: mapping.rule.clone(),
        title: mapping.title.clone(),
        place: mapping.place.clone(),
        written: mapping.issue.written().to_owned(),
        issue: issue.to_owned(),
        replacement,
        replacements: match mapping.issue {
            MappingIssue::Translated { .. } => mapping.issue.replacements(),
            _ => Vec::new(),
        },
        release,
        note: mapping.issue.explain(pinned),
    }
}
