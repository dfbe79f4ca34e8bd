//! The remediation plan: gaps in priority order, `per_horizon` to a horizon, and the coverage
//! the organisation can expect after each horizon if it closes them.

use crate::assessment::{
    Coverage, Horizon, Plan, PlanItem, Projection, TargetReach, TechniqueAssessment, percent,
};
use crate::model::RemediationPolicy;

/// Lays the prioritised gaps out over the horizons. `in_union` says whether closing a gap
/// raises the overall figure (must-cover techniques outside every profile do not).
pub fn plan(
    gaps: &[&TechniqueAssessment],
    policy: &RemediationPolicy,
    overall: &Coverage,
    target: Option<f64>,
    in_union: impl Fn(&str) -> bool,
) -> Plan {
    let per = policy.per_horizon as usize;
    let mut horizons = Vec::new();
    let mut projection =
        vec![Projection { label: String::from("now"), days: 0, closed: 0, percent: overall.percent }];
    let mut closed_in_union = 0;
    let mut rest = gaps;
    for days in &policy.horizons_days {
        let take = per.min(rest.len());
        let (now, later) = rest.split_at(take);
        rest = later;
        closed_in_union += now.iter().filter(|g| in_union(&g.id)).count();
        horizons.push(Horizon { days: *days, items: now.iter().map(|g| item(g)).collect() });
        projection.push(Projection {
            label: format!("after {days} days"),
            days: *days,
            closed: gaps.len() - rest.len(),
            percent: percent(overall.covered + closed_in_union, overall.techniques),
        });
    }
    let reach = target.map(|target| {
        let meets = |p: Option<f64>| p.is_some_and(|p| p >= target);
        TargetReach {
            target,
            reached: meets(projection.last().and_then(|p| p.percent)),
            // The same rounding as every figure: the first count whose shown percentage meets it.
            gaps_needed: (0..=overall.gaps).find(|k| meets(percent(overall.covered + k, overall.techniques))),
        }
    });
    Plan { horizons, backlog: rest.iter().map(|g| g.id.clone()).collect(), projection, reach }
}

fn item(g: &TechniqueAssessment) -> PlanItem {
    let priority = g.priority.as_ref();
    PlanItem {
        technique: g.id.clone(),
        name: g.name.clone(),
        priority: priority.map_or(0, |p| p.score),
        reasons: priority.map(|p| p.reasons.clone()).unwrap_or_default(),
        data_sources: g.detection.data_sources.clone(),
        effort: g.detection.effort,
        detection_approach: g.detection.approach.clone(),
        mitigations: g.mitigations.clone(),
    }
}
