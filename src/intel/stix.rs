//! STIX 2.0 and 2.1 bundles as actors: every intrusion set with the attack-patterns it uses.
//!
//! The profile of an intrusion set is what the bundle says, through three routes:
//! - direct: `intrusion-set uses attack-pattern`;
//! - campaigns: `campaign uses attack-pattern` for each campaign tied to the set — `attributed-to`
//!   it, or named together with it by a report. Reports nest (a playbook's top report names the
//!   set and its "play" reports, each naming a campaign), so a report names whatever it lists and
//!   whatever the reports it lists name, at any depth;
//! - software: `malware`/`tool uses attack-pattern` for software the set or one of its campaigns
//!   `uses` (counted only when the model asks with `via_software`).
//!
//! Indicators' `uses`/`indicates` relationships describe detections, not the actor, and count for
//! nothing. Revoked objects and relationships are passed over. An attack-pattern is known by the
//! `external_id` of its ATT&CK reference (`mitre-attack`, `mitre-mobile-attack`, ...), however
//! old: the vendor's copy keeps the ID of the release it was written against.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{Evidence, IntelActor, Route};

/// Reads one bundle; `file` is its path relative to the source, for provenance. An error says
/// why the text is not a STIX bundle.
pub fn parse(text: &str, file: &str) -> Result<Vec<IntelActor>, String> {
    let bundle: Value = serde_json::from_str(text).map_err(|e| crate::inputs::text::json_error(&e))?;
    let Value::Object(bundle) = bundle else {
        return Err(String::from("JSON that is not an object, so not a STIX bundle"));
    };
    if bundle.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(String::from("JSON without `\"type\": \"bundle\"`, so not a STIX bundle"));
    }
    let Some(Value::Array(objects)) = bundle.get("objects") else {
        return Err(String::from("a bundle without an `objects` array"));
    };
    let mut by_id: HashMap<&str, &Map<String, Value>> = HashMap::new();
    for (i, object) in objects.iter().enumerate() {
        let Value::Object(o) = object else {
            return Err(format!("objects[{i}] is not an object"));
        };
        let (Some(_), Some(id)) = (text_of(o, "type"), text_of(o, "id")) else {
            return Err(format!("objects[{i}] has no `type` and `id`, as every STIX object must"));
        };
        if !revoked(o) {
            by_id.insert(id, o);
        }
    }
    let kind = |id: &str| by_id.get(id).and_then(|o| text_of(o, "type"));
    let name = |id: &str| by_id.get(id).and_then(|o| text_of(o, "name")).unwrap_or(id).to_owned();

    // Relationships, by source: (type, target, relationship id).
    let mut out_of: HashMap<&str, Vec<(&str, &str, &str)>> = HashMap::new();
    let mut into: HashMap<&str, Vec<(&str, &str, &str)>> = HashMap::new();
    for o in by_id.values().filter(|o| text_of(o, "type") == Some("relationship")) {
        let (Some(rel), Some(source), Some(target), Some(id)) = (
            text_of(o, "relationship_type"),
            text_of(o, "source_ref"),
            text_of(o, "target_ref"),
            text_of(o, "id"),
        ) else {
            continue;
        };
        if by_id.contains_key(source) && by_id.contains_key(target) {
            out_of.entry(source).or_default().push((rel, target, id));
            into.entry(target).or_default().push((rel, source, id));
        }
    }
    for list in out_of.values_mut().chain(into.values_mut()) {
        list.sort_unstable();
    }

    let reports = ReportIndex::new(&by_id);
    let mut sets: Vec<&str> = by_id
        .iter()
        .filter(|(_, o)| text_of(o, "type") == Some("intrusion-set"))
        .map(|(id, _)| *id)
        .collect();
    sets.sort_unstable();
    let mut actors = Vec::new();
    for set in sets {
        let o = by_id[set];
        let mut evidence: BTreeSet<Evidence> = BTreeSet::new();
        let uses = |user: &str, route: Route, report: Option<String>, out: &mut BTreeSet<Evidence>| {
            for (rel, target, rid) in out_of.get(user).map(Vec::as_slice).unwrap_or(&[]) {
                if *rel != "uses" || kind(target) != Some("attack-pattern") {
                    continue;
                }
                out.insert(Evidence {
                    written: attack_id(by_id[target]).unwrap_or_else(|| name(target)),
                    route,
                    file: file.to_owned(),
                    object: format!("{} {}", kind(user).unwrap_or_default(), name(user)),
                    relationship: Some((*rid).to_owned()),
                    report: report.clone(),
                    comment: None,
                });
            }
        };
        uses(set, Route::Direct, None, &mut evidence);

        // Campaigns: attributed-to the set, else named with it by a report (the report that
        // lists the campaign itself, first by name, is the provenance).
        let mut campaigns: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for (rel, source, _) in into.get(set).map(Vec::as_slice).unwrap_or(&[]) {
            if *rel == "attributed-to" && kind(source) == Some("campaign") {
                campaigns.insert(source, None);
            }
        }
        for campaign in reports.named_with(set, "campaign", &kind) {
            campaigns.entry(campaign).or_insert_with(|| reports.listing(campaign).map(&name));
        }
        let mut software: BTreeSet<&str> = BTreeSet::new();
        software.extend(software_used(&out_of, &by_id, set));
        for (campaign, report) in &campaigns {
            uses(campaign, Route::Campaign, report.clone(), &mut evidence);
            software.extend(software_used(&out_of, &by_id, campaign));
        }
        for s in software {
            uses(s, Route::Software, None, &mut evidence);
        }
        let mut aliases: Vec<String> = o
            .get("aliases")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::trim).map(str::to_owned).collect())
            .unwrap_or_default();
        let set_name = name(set);
        aliases.retain(|a| !a.is_empty() && !a.eq_ignore_ascii_case(&set_name));
        aliases.sort();
        aliases.dedup();
        actors.push(IntelActor {
            name: set_name,
            aliases,
            stix_id: Some(set.to_owned()),
            kind: String::from("intrusion-set"),
            file: file.to_owned(),
            domain: None,
            techniques: evidence.into_iter().collect(),
        });
    }
    Ok(actors)
}

/// Malware and tools `user` uses.
fn software_used<'a>(
    out_of: &HashMap<&'a str, Vec<(&'a str, &'a str, &'a str)>>,
    by_id: &HashMap<&'a str, &'a Map<String, Value>>,
    user: &str,
) -> Vec<&'a str> {
    out_of
        .get(user)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter(|(rel, target, _)| {
            *rel == "uses"
                && matches!(by_id.get(target).and_then(|o| text_of(o, "type")), Some("malware" | "tool"))
        })
        .map(|(_, target, _)| *target)
        .collect()
}

/// The ATT&CK IDs of every attack-pattern of a bundle (an incident's observations), sorted.
pub fn attack_pattern_ids(text: &str) -> Result<Vec<String>, String> {
    let bundle: Value = serde_json::from_str(text).map_err(|e| crate::inputs::text::json_error(&e))?;
    if bundle.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(String::from("JSON without `\"type\": \"bundle\"`, so not a STIX bundle"));
    }
    let mut ids: Vec<String> = bundle
        .get("objects")
        .and_then(Value::as_array)
        .map(|objects| {
            objects
                .iter()
                .filter_map(Value::as_object)
                .filter(|o| text_of(o, "type") == Some("attack-pattern") && !revoked(o))
                .filter_map(attack_id)
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn text_of<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

fn revoked(o: &Map<String, Value>) -> bool {
    o.get("revoked").and_then(Value::as_bool).unwrap_or(false)
}

/// The ATT&CK ID of an attack-pattern: the `external_id` of its `mitre-*attack` reference.
fn attack_id(o: &Map<String, Value>) -> Option<String> {
    o.get("external_references")?.as_array()?.iter().find_map(|r| {
        let source = r.get("source_name")?.as_str()?;
        let id = r.get("external_id")?.as_str()?.trim();
        (source.starts_with("mitre-") && source.ends_with("attack") && !id.is_empty()).then(|| id.to_owned())
    })
}

/// Reports and what they name, directly and through the reports they list.
struct ReportIndex<'a> {
    /// Report id → the objects it names at any depth.
    closure: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// Object id → the reports that list it directly, by name.
    listed_by: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> ReportIndex<'a> {
    fn new(by_id: &HashMap<&'a str, &'a Map<String, Value>>) -> ReportIndex<'a> {
        let mut direct: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut listed_by: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut names = HashMap::new();
        for (id, o) in by_id.iter().filter(|(_, o)| text_of(o, "type") == Some("report")) {
            let refs: Vec<&str> = o
                .get("object_refs")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for r in &refs {
                listed_by.entry(*r).or_default().push(id);
            }
            names.insert(*id, text_of(o, "name").unwrap_or(id));
            direct.insert(id, refs);
        }
        for list in listed_by.values_mut() {
            list.sort_unstable_by_key(|r| (names.get(r).copied().unwrap_or(r), *r));
        }
        // Each report's closure by a walk that remembers what it met: reports may list each other.
        let mut closure = BTreeMap::new();
        for start in direct.keys() {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut stack = vec![*start];
            while let Some(r) = stack.pop() {
                for x in direct.get(r).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.insert(x) && direct.contains_key(x) {
                        stack.push(x);
                    }
                }
            }
            closure.insert(*start, seen);
        }
        ReportIndex { closure, listed_by }
    }

    /// Objects of type `wanted` named by a report that also names `object`.
    fn named_with(
        &self,
        object: &str,
        wanted: &str,
        kind: &dyn Fn(&str) -> Option<&'a str>,
    ) -> BTreeSet<&'a str> {
        self.closure
            .values()
            .filter(|named| named.contains(object))
            .flat_map(|named| named.iter().copied().filter(|x| kind(x) == Some(wanted)))
            .collect()
    }

    /// The first report (by name) that lists `object` directly.
    fn listing(&self, object: &str) -> Option<&'a str> {
        self.listed_by.get(object).and_then(|r| r.first()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_bundle_is_an_error() {
        assert!(parse("{\"type\": \"layer\"}", "x.json").is_err());
        assert!(parse("[1]", "x.json").is_err());
        assert!(parse("{\"type\": \"bundle\"}", "x.json").is_err());
    }
}
