//! An ATT&CK Navigator layer (`.json`, layer format 4.x) used as coverage from a tool ttpc has
//! no adapter for: each technique the layer scores stands for `score` rules.
//!
//! An entry counts when its score is above 0 or, without a score, when it is not disabled
//! (`enabled: false`). A technique listed under several tactics is one rule whose weight is its
//! highest score. Navigator also exports entries that carry nothing but view state (a parent
//! technique expanded to show its sub-techniques); those claim no coverage and are passed over.
//! An entry's `metadata` item named `telemetry` (log-source names separated by `;`) is the
//! declared telemetry of its rule.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{Adapter, DetectionRule, Parsed, Skip, looks_like_technique};
use crate::inputs::text::{has_extension, json_error};
use crate::model::RuleKind;

/// The NavigatorLayer adapter.
pub struct NavigatorLayer;

/// What one `techniques[i]` entry says, once read.
enum Entry {
    /// It claims coverage: `weight` rules.
    Counted { weight: u32 },
    /// Score 0, disabled, or view state only: no coverage, nothing wrong.
    NotCounted,
    /// Malformed: the warning, and the entry is ignored.
    Invalid(String),
}

/// Reads one entry's score and enabled flag.
fn read_entry(entry: &Map<String, Value>) -> Entry {
    let enabled = match entry.get("enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Entry::Invalid(format!("enabled {other} is not true or false"));
        }
    };
    let score = match entry.get("score") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(s) if s < 0.0 => {
                return Entry::Invalid(format!("score {n} is negative"));
            }
            Some(s) => Some(s),
            None => return Entry::Invalid(format!("score {n} is not a usable number")),
        },
        Some(other) => return Entry::Invalid(format!("score {other} is not a number")),
    };
    if !enabled {
        return Entry::NotCounted;
    }
    match score {
        // Scores are rule counts; a fractional one still means "covered", so at least 1.
        Some(s) if s > 0.0 => Entry::Counted { weight: s.round().clamp(1.0, f64::from(u32::MAX)) as u32 },
        Some(_) => Entry::NotCounted,
        None if is_view_state(entry) => Entry::NotCounted,
        None => Entry::Counted { weight: 1 },
    }
}

/// Whether an unscored entry is only Navigator remembering that a technique was expanded: it
/// exports every technique with `showSubtechniques: true`, annotated or not.
fn is_view_state(entry: &Map<String, Value>) -> bool {
    let empty = |key: &str| match entry.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    entry.get("showSubtechniques") == Some(&Value::Bool(true))
        && ["color", "comment", "metadata", "links"].iter().all(|k| empty(k))
}

/// The values of an entry's `metadata` items named `name` (case-insensitive).
fn metadata<'a>(entry: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    let Some(Value::Array(items)) = entry.get("metadata") else { return Vec::new() };
    items
        .iter()
        .filter_map(Value::as_object)
        .filter(|m| {
            m.get("name").and_then(Value::as_str).is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
        })
        .filter_map(|m| text_field(m, "value"))
        .collect()
}

/// A non-empty trimmed string field.
fn text_field<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

impl Adapter for NavigatorLayer {
    fn kind(&self) -> RuleKind {
        RuleKind::NavigatorLayer
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["json"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        if text.trim().is_empty() {
            return Err(Skip::not_a_rule("an empty file"));
        }
        let layer: Value = serde_json::from_str(text).map_err(|e| Skip::syntax(json_error(&e)))?;
        let Value::Object(layer) = layer else {
            return Err(Skip::not_a_rule("JSON that is not an object, so not a Navigator layer"));
        };
        let Some(Value::Array(entries)) = layer.get("techniques") else {
            return Err(Skip::not_a_rule("JSON without a `techniques` array, so not a Navigator layer"));
        };
        if !layer.contains_key("versions") && !layer.contains_key("domain") {
            return Err(Skip::not_a_rule(
                "JSON with `techniques` but neither `versions` nor `domain`, so not a Navigator layer",
            ));
        }
        let name = text_field(&layer, "name").map(str::to_owned).unwrap_or_else(|| {
            path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
        });

        let mut parsed = Parsed::default();
        // Upper-cased technique ID → index of its rule, to merge the tactics it is listed under.
        let mut seen: HashMap<String, usize> = HashMap::new();
        // Which rules already took their title from a comment.
        let mut commented: Vec<bool> = Vec::new();
        // The tactics of each rule, added once at the end: adding them entry by entry is
        // quadratic in the number of entries for one technique.
        let mut tactics: Vec<Vec<&str>> = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let locator = format!("techniques[{index}]");
            let Value::Object(entry) = entry else {
                parsed.warnings.push(format!("{locator}: an entry that is not an object; ignored"));
                continue;
            };
            let Some(technique) = text_field(entry, "techniqueID") else {
                parsed.warnings.push(format!("{locator}: an entry without a techniqueID; ignored"));
                continue;
            };
            if !looks_like_technique(technique) {
                parsed
                    .warnings
                    .push(format!("{locator}: techniqueID `{technique}` is not a technique ID; ignored"));
                continue;
            }
            let weight = match read_entry(entry) {
                Entry::Counted { weight } => weight,
                Entry::NotCounted => continue,
                Entry::Invalid(why) => {
                    parsed.warnings.push(format!("{locator} ({technique}): {why}; entry ignored"));
                    continue;
                }
            };
            let comment = text_field(entry, "comment");
            let tactic = text_field(entry, "tactic");
            let telemetry = metadata(entry, "telemetry");
            match seen.get(&technique.to_ascii_uppercase()) {
                Some(&at) => {
                    let rule = &mut parsed.rules[at];
                    rule.add_telemetries(telemetry.iter().flat_map(|v| v.split(';')));
                    rule.weight = rule.weight.max(weight);
                    tactics[at].extend(tactic);
                    if let (Some(comment), false) = (comment, commented[at]) {
                        rule.title = comment.to_owned();
                        commented[at] = true;
                    }
                }
                None => {
                    let title = comment.map(str::to_owned).unwrap_or_else(|| format!("{name} {technique}"));
                    let mut rule = DetectionRule::new(
                        RuleKind::NavigatorLayer,
                        path,
                        format!("{name}:{technique}"),
                        title,
                    );
                    rule.locator = Some(locator);
                    rule.weight = weight;
                    rule.add_technique(technique);
                    rule.add_telemetries(telemetry.iter().flat_map(|v| v.split(';')));
                    seen.insert(technique.to_ascii_uppercase(), parsed.rules.len());
                    commented.push(comment.is_some());
                    tactics.push(tactic.into_iter().collect());
                    parsed.rules.push(rule);
                }
            }
        }
        for (rule, tactics) in parsed.rules.iter_mut().zip(tactics) {
            rule.add_tags(tactics);
        }
        if parsed.rules.is_empty() && parsed.warnings.is_empty() {
            return Err(Skip::not_a_rule("a Navigator layer without a scored or enabled technique"));
        }
        Ok(parsed)
    }
}
