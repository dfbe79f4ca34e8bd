//! Which rules count under the whole coverage policy, and for every rule left out, why.
//!
//! A rule counts when none of these leaves it out: its status (`count_status`, by default
//! anything but deprecated and unsupported), being disabled (unless `count_disabled`), its level
//! (`count_levels`, on one scale for every format; a rule without a level passes), being a
//! hunting query (unless `count_hunting`), and being blind: its declared telemetry is known and
//! none of it collected (only under `require_telemetry`). Telemetry is judged only when the model
//! has a telemetry account (see [`active`]), so a model without one costs nothing more than before.

use std::collections::HashMap;

use crate::model::{CoveragePolicy, ThreatModel};
use crate::resolve::ResolvedSource;
use crate::rules::DetectionRule;
use crate::rules::telemetry::{Level, Need, TelemetryMap, need};

/// Why a rule does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// Its status is not counted.
    Status(String),
    /// It is disabled.
    Disabled,
    /// Its level is not counted.
    Level(Level),
    /// It is a hunting query.
    Hunting,
    /// Its telemetry is not collected: collect any one of these.
    Blind(Vec<String>),
    /// A security-control mapping that is evidence rather than a detection (a `protect`,
    /// `respond`, `mitigate` or exposure row, or a `detect` row scored minimal): shown with the
    /// technique's controls, never among excluded rules.
    Evidence(String),
}

impl Exclusion {
    /// The reason in words, as reports print it.
    pub fn describe(&self) -> String {
        match self {
            Exclusion::Status(status) => format!("status {status}"),
            Exclusion::Disabled => String::from("disabled"),
            Exclusion::Level(level) => format!("level {}", level.as_str()),
            Exclusion::Hunting => String::from("hunting"),
            Exclusion::Blind(collect) => format!("blind: collect {}", collect.join(" or ")),
            Exclusion::Evidence(what) => what.clone(),
        }
    }
}

/// Whether the model has a telemetry account: it lists telemetry, maps it, or uses a counting
/// rule beyond status and enabled.
pub fn active(m: &ThreatModel) -> bool {
    let c = &m.coverage;
    !m.telemetry.is_empty()
        || !m.telemetry_map.is_empty()
        || c.require_telemetry
        || c.count_levels.is_some()
        || !c.count_hunting
}

/// One rule's standing.
#[derive(Debug, Clone)]
pub struct Standing {
    /// Why it does not count (empty: it counts).
    pub exclusions: Vec<Exclusion>,
    /// What its declared telemetry means (`Undeclared` without a telemetry account).
    pub need: Need,
}

/// The standing of every rule of every source, indexed like the sources' rules.
#[derive(Debug, Default)]
pub struct Eligibility {
    standings: Vec<Vec<Standing>>,
}

impl Eligibility {
    /// Judges every rule of the model's sources.
    pub fn new(m: &ThreatModel, sources: &[ResolvedSource]) -> Eligibility {
        let policy = &m.coverage;
        let judge_telemetry = active(m);
        let map = TelemetryMap::new(&m.telemetry_map);
        let levels: Option<Vec<Level>> =
            policy.count_levels.as_ref().map(|l| l.iter().filter_map(|w| Level::parse(w)).collect());
        // Rules of one source declare the same few things over and over: judge each once.
        let mut judged: HashMap<Vec<String>, Need> = HashMap::new();
        let standings = sources
            .iter()
            .map(|source| {
                source
                    .report
                    .rules
                    .iter()
                    .map(|rule| {
                        let need = if judge_telemetry {
                            judged
                                .entry(rule.telemetry.clone())
                                .or_insert_with(|| need(rule, &map, &m.telemetry))
                                .clone()
                        } else {
                            Need::Undeclared
                        };
                        Standing { exclusions: exclusions(rule, policy, levels.as_deref(), &need), need }
                    })
                    .collect()
            })
            .collect();
        Eligibility { standings }
    }

    /// Whether rule `r` of source `s` counts.
    pub fn counts(&self, s: usize, r: usize) -> bool {
        self.standing(s, r).is_none_or(|x| x.exclusions.is_empty())
    }

    /// Whether rule `r` of source `s` is a control mapping kept as evidence, not a detection.
    pub fn is_evidence(&self, s: usize, r: usize) -> bool {
        self.standing(s, r).is_some_and(|x| x.exclusions.iter().any(|e| matches!(e, Exclusion::Evidence(_))))
    }

    /// The standing of rule `r` of source `s`.
    pub fn standing(&self, s: usize, r: usize) -> Option<&Standing> {
        self.standings.get(s).and_then(|list| list.get(r))
    }

    /// The standings of source `s`, in rule order.
    pub fn of_source(&self, s: usize) -> &[Standing] {
        self.standings.get(s).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Every reason the policy leaves a rule out.
fn exclusions(
    rule: &DetectionRule,
    policy: &CoveragePolicy,
    levels: Option<&[Level]>,
    need: &Need,
) -> Vec<Exclusion> {
    let mut out = Vec::new();
    // A mapping row weighs what the model's selection gave it; nothing means evidence only.
    if let Some(control) = rule.control.as_ref().filter(|_| rule.weight == 0) {
        out.push(Exclusion::Evidence(match control.score {
            Some(score) => {
                format!("{} mapping, {}: evidence, not counted", control.category.as_str(), score.as_str())
            }
            None => format!("{} mapping: evidence, not counted", control.category.as_str()),
        }));
    }
    if let Some(status) = &rule.status {
        let ok = match &policy.count_status {
            Some(allowed) => allowed.iter().any(|a| a.eq_ignore_ascii_case(status)),
            None => !matches!(status.as_str(), "deprecated" | "unsupported"),
        };
        if !ok {
            out.push(Exclusion::Status(status.clone()));
        }
    }
    if !rule.enabled && !policy.count_disabled {
        out.push(Exclusion::Disabled);
    }
    if let (Some(levels), Some(level)) = (levels, Level::of(rule))
        && !levels.contains(&level)
    {
        out.push(Exclusion::Level(level));
    }
    if rule.hunting && !policy.count_hunting {
        out.push(Exclusion::Hunting);
    }
    if let (true, Need::Missing(collect)) = (policy.require_telemetry, need) {
        out.push(Exclusion::Blind(collect.clone()));
    }
    out
}
