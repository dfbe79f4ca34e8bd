//! Splunk: `savedsearches.conf` as exported from Enterprise Security (every stanza a saved search,
//! techniques in the correlation-search annotations JSON) and security_content detection YAML (one
//! detection per file, techniques in `tags.mitre_attack_id`).
//!
//! The .conf format is read here rather than with an INI crate because Splunk's dialect differs
//! from INI where it matters: a trailing `\` continues a value on the next line (the newline is
//! kept, and the next line is taken as is even when it starts with `#` or `[`), keys repeat with
//! the last one winning, and `[default]` (or settings before the first stanza) supplies defaults
//! to every stanza of the file, as Splunk itself applies them.
//!
//! In both formats the technique field is meant for technique IDs only, so every entry goes into
//! `techniques` as written (a malformed one is then reported as unknown by normalisation rather
//! than hidden); only entries shaped like another ATT&CK object (`TA0002`, `G0046`, `S0154`) are
//! recorded as tags.
//!
//! Declared telemetry: a stanza's `search` gives its `sourcetype=` (else `index=`) values; a
//! detection's `data_source` list its data sources. A detection of `type: Hunting` is a hunting
//! rule; its level is its risk score (`tags.risk_score` or the highest `rba` score).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, DetectionRule, Parsed, Skip, telemetry};
use crate::inputs::scalar::{Scalar, Scalars};
use crate::inputs::text::{has_extension, json_error, normal_word, yaml_error, yaml_guard};
use crate::model::RuleKind;

/// Saved searches from a Splunk `savedsearches.conf` (Enterprise Security correlation searches).
pub struct SavedSearches;

/// Splunk security_content detection YAML (`detections/**/*.yml`), one detection per file.
pub struct SecurityContent;

pub(crate) const ANNOTATIONS: &str = "action.correlationsearch.annotations";
pub(crate) const LABEL: &str = "action.correlationsearch.label";
pub(crate) const SEVERITY: &str = "action.notable.param.severity";

/// One setting of a stanza, with where its value starts in the file (for JSON error positions).
#[derive(Debug, Clone)]
struct Setting {
    value: String,
    /// 1-based line of the key.
    line: usize,
    /// 1-based byte column of the value's first character on that line.
    column: usize,
}

/// One `[stanza]`.
#[derive(Debug, Default)]
struct Stanza {
    name: String,
    /// 1-based line of the header (0 for the implicit default stanza).
    line: usize,
    settings: HashMap<String, Setting>,
}

/// A .conf file: the `[default]` stanza apart from the others, which keep their file order.
#[derive(Debug, Default)]
struct Conf {
    default: Stanza,
    stanzas: Vec<Stanza>,
    /// Problems met while reading, with their line: lines that are not .conf syntax, repeated
    /// stanzas, nameless headers.
    warnings: Vec<(usize, String)>,
    /// The first line that is not .conf syntax, as a warning: it tells a foreign file apart.
    bad_line: Option<String>,
}

/// Where the key = value lines being read go.
#[derive(Clone, Copy)]
enum Target {
    Default,
    Stanza(usize),
    /// After a nameless `[]` header: read, then dropped.
    Nowhere,
}

impl Conf {
    fn read(text: &str) -> Conf {
        let mut conf = Conf::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut target = Target::Default;
        let mut lines = text.lines().enumerate();
        while let Some((i, raw)) = lines.next() {
            let number = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim();
                target = if name.is_empty() {
                    conf.warnings.push((number, format!("line {number}: a stanza header without a name")));
                    Target::Nowhere
                } else if name == "default" {
                    Target::Default
                } else if let Some(&at) = index.get(name) {
                    // Splunk merges a repeated stanza into the first; an export should not have one.
                    let message = format!(
                        "line {number}: stanza [{name}] repeats the one at line {}; their settings are merged",
                        conf.stanzas[at].line
                    );
                    conf.warnings.push((number, message));
                    Target::Stanza(at)
                } else {
                    index.insert(name.to_owned(), conf.stanzas.len());
                    conf.stanzas.push(Stanza {
                        name: name.to_owned(),
                        line: number,
                        settings: HashMap::new(),
                    });
                    Target::Stanza(conf.stanzas.len() - 1)
                };
                continue;
            }
            let Some(eq) = raw.find('=').filter(|&eq| !raw[..eq].trim().is_empty()) else {
                let message = format!(
                    "line {number}: `{}` is neither a comment, a [stanza] header nor key = value",
                    shorten(line)
                );
                conf.bad_line.get_or_insert_with(|| message.clone());
                conf.warnings.push((number, message));
                continue;
            };
            let key = raw[..eq].trim();
            let after = &raw[eq + 1..];
            let column = eq + 2 + (after.len() - after.trim_start().len());
            let mut value = after.trim_start().to_owned();
            loop {
                let end = value.trim_end();
                match end.strip_suffix('\\') {
                    Some(kept) => {
                        let kept_len = kept.len();
                        value.truncate(kept_len);
                        match lines.next() {
                            Some((_, next)) => {
                                value.push('\n');
                                value.push_str(next.strip_suffix('\r').unwrap_or(next));
                            }
                            None => break,
                        }
                    }
                    None => {
                        let end_len = end.len();
                        value.truncate(end_len);
                        break;
                    }
                }
            }
            let stanza = match target {
                Target::Default => &mut conf.default,
                Target::Stanza(at) => &mut conf.stanzas[at],
                Target::Nowhere => continue,
            };
            stanza.settings.insert(key.to_owned(), Setting { value, line: number, column });
        }
        conf
    }

    /// A setting of a stanza, falling back on `[default]` as Splunk does.
    fn get<'a>(&'a self, stanza: &'a Stanza, key: &str) -> Option<&'a Setting> {
        stanza.settings.get(key).or_else(|| self.default.settings.get(key))
    }

    /// Whether the stanzas look like saved searches rather than another .conf (macros, props):
    /// walking an app folder meets every .conf file of the app.
    fn has_saved_search_settings(&self) -> bool {
        self.stanzas.iter().chain(std::iter::once(&self.default)).flat_map(|s| s.settings.keys()).any(|key| {
            matches!(key.as_str(), "search" | "cron_schedule" | "enableSched")
                || ["action.", "alert.", "dispatch."].iter().any(|p| key.starts_with(p))
        })
    }
}

/// A line for a message: at most 60 characters.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_owned(),
    }
}

/// Whether an ID is another kind of ATT&CK object: tactic, group, software, mitigation, data
/// source.
fn is_other_attack_id(id: &str) -> bool {
    let upper = id.trim().to_ascii_uppercase();
    ["TA", "DS", "G", "S", "M"].iter().any(|prefix| {
        upper
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Adds the entries of a technique field: techniques, except those clearly another ATT&CK object.
/// The whole list at once: adding entries one by one is quadratic in the list's length.
fn add_attack_ids<'a>(rule: &mut DetectionRule, ids: impl IntoIterator<Item = &'a str>) {
    let (tags, techniques): (Vec<&str>, Vec<&str>) = ids.into_iter().partition(|id| is_other_attack_id(id));
    rule.add_techniques(techniques);
    rule.add_tags(tags);
}

/// Reads the annotations JSON into the rule; a problem becomes a warning, never a lost rule.
fn read_annotations(
    rule: &mut DetectionRule,
    stanza: &Stanza,
    setting: &Setting,
    warnings: &mut Vec<(usize, String)>,
) {
    if setting.value.trim().is_empty() {
        return;
    }
    let head = format!("line {}: stanza [{}]", stanza.line, stanza.name);
    let json: serde_json::Value = match serde_json::from_str(&setting.value) {
        Ok(json) => json,
        Err(e) => {
            // Continuation lines keep their newlines, so JSON lines map onto file lines; only the
            // first one starts after `key = `.
            let line = setting.line + e.line().saturating_sub(1);
            let column =
                if e.line() <= 1 { setting.column + e.column().saturating_sub(1) } else { e.column().max(1) };
            let located = json_error(&e);
            let message = located.split_once(": ").map_or(located.as_str(), |(_, m)| m);
            warnings.push((
                stanza.line,
                format!("{head} has invalid annotations JSON: line {line} column {column}: {message}"),
            ));
            return;
        }
    };
    if let Err(problem) = apply_annotations(rule, &json) {
        warnings.push((stanza.line, format!("{head}: {problem}")));
    }
}

/// Reads parsed correlation-search annotations (`{"mitre_attack": [...], "kill_chain_phases":
/// [...]}`) into a rule: shared by `savedsearches.conf` and the live REST API. `Err` says what is
/// malformed; what could be read is kept.
pub(crate) fn apply_annotations(rule: &mut DetectionRule, json: &serde_json::Value) -> Result<(), String> {
    let Some(object) = json.as_object() else {
        return Err(String::from("the annotations are not a JSON object"));
    };
    let mut malformed = false;
    match object.get("mitre_attack") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(id)) => add_attack_ids(rule, [id.as_str()]),
        Some(serde_json::Value::Array(ids)) => {
            malformed = ids.iter().any(|id| !id.is_string());
            add_attack_ids(rule, ids.iter().filter_map(serde_json::Value::as_str));
        }
        Some(_) => malformed = true,
    }
    if let Some(phases) = object.get("kill_chain_phases").and_then(|p| p.as_array()) {
        rule.add_tags(phases.iter().filter_map(|p| p.as_str()));
    }
    if malformed {
        return Err(String::from("annotations `mitre_attack` is not a list of technique IDs"));
    }
    Ok(())
}

impl Adapter for SavedSearches {
    fn kind(&self) -> RuleKind {
        RuleKind::SplunkSavedsearches
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["conf"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        let conf = Conf::read(text);
        if conf.stanzas.is_empty() {
            let detail = match &conf.bad_line {
                Some(bad) => format!("not a Splunk .conf file: {bad}"),
                None => String::from("no saved-search [stanza] in the file"),
            };
            return Err(Skip::not_a_rule(detail));
        }
        let named_so = path.file_name().is_some_and(|n| n.eq_ignore_ascii_case("savedsearches.conf"));
        if !named_so && !conf.has_saved_search_settings() {
            return Err(Skip::not_a_rule(
                "a .conf file without saved-search settings (`search`, `action.*`, `cron_schedule`)",
            ));
        }
        let mut parsed = Parsed::default();
        let mut warnings = conf.warnings.clone();
        for stanza in &conf.stanzas {
            let title = conf
                .get(stanza, LABEL)
                .map(|s| s.value.trim())
                .filter(|t| !t.is_empty())
                .unwrap_or(&stanza.name);
            let mut rule =
                DetectionRule::new(RuleKind::SplunkSavedsearches, path, stanza.name.as_str(), title);
            rule.locator = Some(format!("[{}]", stanza.name));
            rule.enabled = !conf.get(stanza, "disabled").is_some_and(|d| {
                let d = d.value.trim();
                d == "1" || d.eq_ignore_ascii_case("true")
            });
            rule.level = normal_word(
                conf.get(stanza, SEVERITY)
                    .or_else(|| conf.get(stanza, "alert.severity"))
                    .map(|s| s.value.as_str()),
            );
            if let Some(search) = conf.get(stanza, "search") {
                let declared = telemetry::splunk_search_descriptors(&search.value);
                rule.add_telemetries(declared.iter().map(String::as_str));
            }
            if let Some(annotations) = conf.get(stanza, ANNOTATIONS) {
                read_annotations(&mut rule, stanza, annotations, &mut warnings);
            }
            parsed.rules.push(rule);
        }
        // In file order, whether found while reading or while reading a stanza's annotations.
        warnings.sort_by_key(|(line, _)| *line);
        parsed.warnings = warnings.into_iter().map(|(_, w)| w).collect();
        Ok(parsed)
    }
}

/// The fields of a security_content detection ttpc reads; everything else is skipped by serde.
#[derive(Debug, Deserialize)]
struct Detection {
    #[serde(default)]
    name: Option<Scalar>,
    #[serde(default)]
    id: Option<Scalar>,
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default, rename = "type")]
    kind: Option<Scalar>,
    #[serde(default)]
    tags: Option<ContentTags>,
    /// Read loosely (as the two below): a field ttpc did not read before must not cost a
    /// detection its techniques when it is shaped unexpectedly.
    #[serde(default)]
    data_source: Option<serde_yaml::Value>,
    #[serde(default)]
    rba: Option<serde_yaml::Value>,
}

/// The `tags:` mapping of a detection.
#[derive(Debug, Default, Deserialize)]
struct ContentTags {
    #[serde(default)]
    mitre_attack_id: Option<Scalars>,
    #[serde(default)]
    kill_chain_phases: Option<Scalars>,
    #[serde(default)]
    risk_score: Option<serde_yaml::Value>,
}

/// A detection's risk score as written: `tags.risk_score`, else the highest
/// `rba.risk_objects[].score` (the number is put on the level scale by
/// [`telemetry::Level::of`]).
fn risk_score(detection: &Detection) -> Option<String> {
    if let Some(score) = detection.tags.as_ref().and_then(|t| t.risk_score.as_ref()).and_then(|s| s.as_u64())
    {
        return Some(score.to_string());
    }
    let objects = detection.rba.as_ref()?.get("risk_objects")?.as_sequence()?;
    objects.iter().filter_map(|o| o.get("score")?.as_u64()).max().map(|n| n.to_string())
}

/// Whether a top-level key holds something (a detection needs both `name` and `search`).
fn has_value(map: &serde_yaml::Mapping, key: &str) -> bool {
    match map.get(key) {
        None | Some(serde_yaml::Value::Null) => false,
        Some(serde_yaml::Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

impl Adapter for SecurityContent {
    fn kind(&self) -> RuleKind {
        RuleKind::SplunkContent
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["yml", "yaml"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        // Syntax first, shape second: a story, macro or Sigma rule is good YAML, not a detection.
        yaml_guard(text)?;
        let (text, repeated_keys) = crate::yaml::lenient(text);
        let text = text.as_ref();
        let value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| Skip::syntax(yaml_error(&e)))?;
        let map = match &value {
            serde_yaml::Value::Mapping(map) => map,
            serde_yaml::Value::Null => return Err(Skip::not_a_rule("an empty file")),
            _ => return Err(Skip::not_a_rule("YAML that is not a mapping")),
        };
        match (has_value(map, "name"), has_value(map, "search")) {
            (true, true) => {}
            (false, true) => {
                return Err(Skip::not_a_rule("a `search` without a `name`"));
            }
            _ => {
                return Err(Skip::not_a_rule(
                    "YAML without a `name` and a `search` (not a security_content detection)",
                ));
            }
        }
        // Parsed again from the text so that a wrongly typed field comes with its position.
        let detection: Detection = serde_yaml::from_str(text).map_err(|e| Skip::syntax(yaml_error(&e)))?;
        let kind = normal_word(detection.kind.as_ref().map(|k| k.0.as_str()));
        if let Some(kind @ ("baseline" | "investigation")) = kind.as_deref() {
            // Baselines and investigations carry a `search` too, but detect nothing.
            return Err(Skip::not_a_rule(format!("a security_content {kind}, not a detection")));
        }
        let title = detection
            .name
            .as_ref()
            .map(|n| n.0.trim())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Skip::not_a_rule("a detection with an empty `name`"))?;
        let id =
            detection.id.as_ref().map(|i| i.0.trim().to_owned()).filter(|i| !i.is_empty()).unwrap_or_else(
                || path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            );
        let mut rule = DetectionRule::new(RuleKind::SplunkContent, path, id, title);
        rule.status = normal_word(detection.status.as_ref().map(|s| s.0.as_str()));
        rule.hunting = kind.as_deref() == Some("hunting");
        let sources = match &detection.data_source {
            Some(serde_yaml::Value::Sequence(list)) => list.iter().filter_map(|v| v.as_str()).collect(),
            Some(serde_yaml::Value::String(one)) => vec![one.as_str()],
            _ => Vec::new(),
        };
        let declared: Vec<String> = sources
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!("splunk:{}", s.trim()))
            .collect();
        rule.add_telemetries(declared.iter().map(String::as_str));
        rule.level = risk_score(&detection);
        let tags = detection.tags.unwrap_or_default();
        add_attack_ids(&mut rule, tags.mitre_attack_id.iter().flat_map(|s| &s.0).map(String::as_str));
        rule.add_tags(tags.kill_chain_phases.iter().flat_map(|s| &s.0).map(String::as_str));
        Ok(Parsed { rules: vec![rule], warnings: repeated_keys })
    }
}
