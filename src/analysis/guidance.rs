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

/// The first sentence of an analytic's text, at most 200 characters, on one line (runs of
/// whitespace as one space). Only as much of the text is read as the result needs: analytic
/// texts run to paragraphs, and every technique of every model of a batch asks.
fn shorten(text: &str) -> String {
    let mut sentence = String::new();
    let mut chars = 0;
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if !sentence.is_empty() {
            sentence.push(' ');
            chars += 1;
        }
        sentence.push_str(word);
        chars += word.chars().count();
        // A sentence ends at a `.` followed by more text; past 200 characters it is cut anyway.
        if (word.ends_with('.') && words.peek().is_some()) || chars > 200 {
            break;
        }
    }
    if chars <= 200 {
        sentence
    } else {
        let cut: String = sentence.chars().take(199).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    /// What `shorten` promises, written the slow way: flatten all of it, cut at the first ". ".
    fn reference(text: &str) -> String {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let sentence = match flat.find(". ") {
            Some(i) => &flat[..=i],
            None => flat.as_str(),
        };
        if sentence.chars().count() <= 200 {
            sentence.to_owned()
        } else {
            format!("{}…", sentence.chars().take(199).collect::<String>().trim_end())
        }
    }

    #[test]
    fn shorten_keeps_the_first_sentence_within_200_characters() {
        let long = "word ".repeat(60);
        let texts = [
            String::new(),
            String::from("   "),
            String::from("Monitor process creation."),
            String::from("Monitor  process\n creation. Then   correlate.\tMore."),
            String::from("No full stop at all"),
            String::from("Ends with a dot. "),
            String::from("v1.2 is a version. Next"),
            format!("{long}. Second."),
            format!("Short. {long}"),
            format!("{}é. Next.", "é".repeat(199)),
            format!("{}. Next.", "x".repeat(200)),
            format!("{} y. Next.", "x".repeat(198)),
        ];
        for text in &texts {
            assert_eq!(super::shorten(text), reference(text), "{text:?}");
        }
        assert_eq!(super::shorten("Monitor  process\n creation. Then."), "Monitor process creation.");
    }
}
