//! What ATT&CK says about detecting a technique, measured against the model's telemetry.
//!
//! ATT&CK v18+ gives detection strategies whose analytics name log sources (`WinEventLog:Security`);
//! up to v17 it gives data components (`Process: Process Creation`). Either way the result is the
//! list of data a detection needs, which of it the model already collects, a short detection
//! approach, and an effort estimate: low when everything needed is collected, medium when some is,
//! high when nothing is or ATT&CK gives no guidance.

use std::collections::BTreeSet;

use crate::assessment::{DetectionGuidance, Effort};
use crate::attack::{KnowledgeBase, TechniqueIdx};

/// Guidance for a technique; `scope` are the model's platforms (empty: all), `telemetry` the
/// log sources it collects.
pub fn guidance(
    kb: &KnowledgeBase,
    t: TechniqueIdx,
    scope: &[String],
    telemetry: &[String],
) -> DetectionGuidance {
    let applies = |platforms: &[String]| {
        scope.is_empty()
            || platforms.is_empty()
            || platforms.iter().any(|p| scope.iter().any(|s| s.eq_ignore_ascii_case(p)))
    };
    let collected_name = |name: &str| telemetry.iter().any(|c| c.trim().eq_ignore_ascii_case(name));

    let mut analytics = Vec::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut approach = None;
    for a in kb.analytics_for(t) {
        let analytic = &kb[a];
        if !applies(&analytic.platforms) {
            continue;
        }
        analytics.push(analytic.id.clone());
        sources.extend(analytic.log_sources.iter().map(|l| l.name.clone()));
        if approach.is_none() && !analytic.description.trim().is_empty() {
            approach = Some(shorten(&analytic.description));
        }
    }
    let mut collected: Vec<String> = sources.iter().filter(|s| collected_name(s)).cloned().collect();

    // Before v18: data components, matched by `Source: Component` or the bare component name.
    if kb[t].detection_strategies.is_empty() {
        for d in &kb[t].data_components {
            let component = &kb[*d];
            let label = match &component.data_source {
                Some(source) => format!("{source}: {}", component.name),
                None => component.name.clone(),
            };
            if collected_name(&label) || collected_name(&component.name) {
                collected.push(label.clone());
            }
            sources.insert(label);
        }
        if !sources.is_empty() {
            let list: Vec<&str> = sources.iter().map(String::as_str).collect();
            approach = Some(format!("Monitor {}.", list.join(", ")));
        }
        collected.sort();
        collected.dedup();
    }

    let effort = match (sources.len(), collected.len()) {
        (0, _) | (_, 0) => Effort::High,
        (needed, have) if have >= needed => Effort::Low,
        _ => Effort::Medium,
    };
    DetectionGuidance { analytics, data_sources: sources.into_iter().collect(), collected, approach, effort }
}

/// The first sentence of an analytic's text, at most 200 characters, on one line.
fn shorten(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = match flat.find(". ") {
        Some(i) => &flat[..=i],
        None => flat.as_str(),
    };
    if sentence.chars().count() <= 200 {
        sentence.to_owned()
    } else {
        let cut: String = sentence.chars().take(199).collect();
        format!("{}…", cut.trim_end())
    }
}
