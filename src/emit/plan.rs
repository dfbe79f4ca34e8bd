//! `remediation-plan.yaml`, in the brief's shape: `threat_model_remediation_plan:` with the
//! assessment date, primary threats, current and target coverage, and one list of gaps per
//! horizon (`priority_1_gaps`, `priority_2_gaps`, ...). Written by [`super::yaml()`], so any
//! value, whatever characters it holds, is quoted so that YAML 1.1 and 1.2 readers alike read it
//! back unchanged.

use serde::{Deserialize, Serialize};

use crate::assessment::{Assessment, Effort};

/// The document.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct PlanDocument {
    /// The plan.
    pub threat_model_remediation_plan: RemediationPlan,
}

/// The plan.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct RemediationPlan {
    /// The model's name.
    pub model: String,
    /// The assessment date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_date: Option<String>,
    /// ATT&CK domain and version.
    pub attack: String,
    /// The actors, heaviest first.
    pub primary_threats: Vec<String>,
    /// Overall coverage now.
    pub current_coverage: String,
    /// The overall target, when the model sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_coverage: Option<String>,
    /// The horizons: `priority_1_gaps: 30 days`, ...
    pub horizons: Vec<HorizonLabel>,
    /// One list per horizon, keyed `priority_N_gaps`.
    #[serde(flatten)]
    pub lists: std::collections::BTreeMap<String, Vec<PlanGap>>,
    /// Gaps beyond the last horizon.
    pub backlog: Vec<String>,
    /// Coverage now and after each horizon.
    pub projection: Vec<String>,
}

/// Which list belongs to which horizon.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct HorizonLabel {
    /// `priority_1_gaps`.
    pub list: String,
    /// Days.
    pub days: u32,
}

/// One gap in a list.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct PlanGap {
    /// Technique ID.
    pub technique: String,
    /// Its name.
    pub name: String,
    /// Log sources or data components needed.
    pub data_source: Vec<String>,
    /// low, medium or high.
    pub effort: Effort,
    /// How to detect it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection_approach: Option<String>,
    /// Priority score.
    pub priority: u32,
    /// Why it is here.
    pub reasons: Vec<String>,
    /// Mitigations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<String>,
}

/// Builds the document.
pub fn document(a: &Assessment) -> PlanDocument {
    let target = a.targets.overall;
    let mut actors: Vec<&crate::assessment::ActorAssessment> = a.actors.iter().collect();
    actors.sort_by_key(|x| std::cmp::Reverse(x.weight));
    let pct = |p: Option<f64>| p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
    let mut lists = std::collections::BTreeMap::new();
    let mut horizons = Vec::new();
    for (i, h) in a.plan.horizons.iter().enumerate() {
        let key = format!("priority_{}_gaps", i + 1);
        horizons.push(HorizonLabel { list: key.clone(), days: h.days });
        lists.insert(
            key,
            h.items
                .iter()
                .map(|item| PlanGap {
                    technique: item.technique.clone(),
                    name: item.name.clone(),
                    data_source: item.data_sources.clone(),
                    effort: item.effort,
                    detection_approach: item.detection_approach.clone(),
                    priority: item.priority,
                    reasons: item.reasons.clone(),
                    mitigations: item.mitigations.clone(),
                })
                .collect(),
        );
    }
    PlanDocument {
        threat_model_remediation_plan: RemediationPlan {
            model: a.model.name.clone(),
            assessed_date: a.model.assessed.clone(),
            attack: format!("{} {}", a.model.domain, a.model.attack_version),
            primary_threats: actors.iter().map(|x| x.name.clone()).collect(),
            current_coverage: pct(a.overall.percent),
            target_coverage: target.map(|t| format!("{}%", crate::assessment::trim_number(t))),
            horizons,
            lists,
            backlog: a.plan.backlog.clone(),
            projection: a
                .plan
                .projection
                .iter()
                .map(|p| format!("{}: {}", p.label, pct(p.percent)))
                .collect(),
        },
    }
}
