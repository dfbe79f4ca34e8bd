//! Microsoft Sentinel analytic rules: the YAML of the Azure-Sentinel repository and the JSON that
//! the portal's "Export" (an ARM template) or the REST API produce.
//!
//! YAML: `id`, `name`, `severity`, `status`, `enabled`, `tactics` and `relevantTechniques` (older
//! rules say `techniques`); a document is a rule when it has a `name` and something only a rule
//! has (`query`, techniques, tactics, `severity`, ...), so a stray `name:` in an unrelated YAML
//! file does not become a rule. JSON: every `resources[i]` whose `type` ends in `alertRules`, a
//! single exported rule (`properties.displayName`), or a REST list (`value: [...]` or a bare
//! array). ARM names are template expressions; the rule ID is the last literal path segment of
//! the name, normally the rule's GUID. The Azure-Sentinel repository marks retired rules by a
//! `[Deprecated]` prefix in the name more often than by `status`, so that prefix stands in for a
//! missing status. The `dataTypes` of `requiredDataConnectors` are a YAML rule's declared
//! telemetry; a YAML rule with a query but no schedule, trigger, severity or kind is one of the
//! repository's hunting queries.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value as Json;

use super::{Adapter, DetectionRule, Parsed, Skip};
use crate::inputs::scalar::{Scalar, Scalars};
use crate::inputs::text::{has_extension, json_error, normal_word, yaml_error, yaml_guard};
use crate::model::RuleKind;

/// The Sentinel adapter.
pub struct Sentinel;

impl Adapter for Sentinel {
    fn kind(&self) -> RuleKind {
        RuleKind::Sentinel
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["yaml", "yml", "json"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        let json = has_extension(path, &["json"])
            || (!has_extension(path, &["yaml", "yml"]) && text.trim_start().starts_with(['{', '[']));
        if json { parse_json(path, text) } else { parse_yaml(path, text) }
    }
}

// ---------------------------------------------------------------------------------------------
// YAML analytic rules

/// The fields of a Sentinel analytic rule ttpc reads; everything else is skipped by serde.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    #[serde(default)]
    id: Option<Scalar>,
    #[serde(default)]
    name: Option<Scalar>,
    #[serde(default)]
    severity: Option<Scalar>,
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default)]
    enabled: Option<Scalar>,
    #[serde(default)]
    tactics: Option<Scalars>,
    #[serde(default)]
    relevant_techniques: Option<Scalars>,
    #[serde(default)]
    techniques: Option<Scalars>,
}

/// Keys that only a rule has; with a `name`, any one of them makes a document a rule.
const RULE_KEYS: &[&str] = &[
    "query",
    "relevantTechniques",
    "techniques",
    "tactics",
    "severity",
    "queryFrequency",
    "queryPeriod",
    "triggerOperator",
    "requiredDataConnectors",
];

/// Keys every analytic (scheduled, NRT) rule has and a hunting query lacks.
const HUNTING_ABSENT_KEYS: &[&str] = &["queryFrequency", "triggerOperator", "severity", "kind"];

/// The declared telemetry of `requiredDataConnectors`: each data type (`sentinel:SecurityEvent`),
/// or the connector (`connector:AzureActiveDirectory`) when it lists none.
fn add_connectors(rule: &mut DetectionRule, connectors: Option<&serde_yaml::Value>) {
    // Collected first, added once: adding connector by connector is quadratic in their number.
    let mut declared: Vec<String> = Vec::new();
    for connector in connectors.and_then(serde_yaml::Value::as_sequence).into_iter().flatten() {
        let types: Vec<&str> = match connector.get("dataTypes") {
            Some(serde_yaml::Value::Sequence(list)) => list.iter().filter_map(|v| v.as_str()).collect(),
            Some(serde_yaml::Value::String(one)) => vec![one.as_str()],
            _ => Vec::new(),
        };
        let types: Vec<&str> = types.into_iter().map(str::trim).filter(|t| !t.is_empty()).collect();
        if types.is_empty()
            && let Some(id) = connector.get("connectorId").and_then(|v| v.as_str()).map(str::trim)
        {
            declared.push(format!("connector:{id}"));
        }
        declared.extend(types.iter().map(|t| format!("sentinel:{t}")));
    }
    rule.add_telemetries(declared.iter().map(String::as_str));
}

/// Keys that make a document a rule even without a `name` (which is then reported missing).
const STRONG_KEYS: &[&str] = &["query", "relevantTechniques", "techniques"];

fn parse_yaml(path: &Path, text: &str) -> Result<Parsed, Skip> {
    let mut values = Vec::new();
    yaml_guard(text)?;
    let (text, repeated_keys) = crate::yaml::lenient(text);
    let text = text.as_ref();
    // Repeated keys come first: they are the earliest lines, and a file of them alone still
    // reports them.
    let with_repeats = |mut parsed: Parsed| {
        parsed.warnings.splice(0..0, repeated_keys.iter().cloned());
        parsed
    };
    for (index, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        match serde_yaml::Value::deserialize(de) {
            Ok(value) => values.push(value),
            Err(e) if index == 0 => return Err(Skip::syntax(yaml_error(&e))),
            Err(e) => {
                // A syntax error ends the stream; the documents before it still count.
                values.push(serde_yaml::Value::Null);
                let mut parsed = parse_documents(path, text, &values);
                parsed.warnings.push(format!("document {}: {}", index + 1, yaml_error(&e)));
                return Ok(with_repeats(parsed));
            }
        }
    }
    let parsed = parse_documents(path, text, &values);
    if parsed.rules.is_empty() && parsed.warnings.is_empty() {
        let empty = values.iter().all(serde_yaml::Value::is_null);
        let what = if empty {
            "an empty file"
        } else if values.len() == 1 && !values[0].is_mapping() {
            "YAML that is not a mapping"
        } else {
            "YAML without a Sentinel rule (`name` with `query`, `relevantTechniques`, ...)"
        };
        return Err(Skip::not_a_rule(what));
    }
    Ok(with_repeats(parsed))
}

/// The rules among already-parsed documents; `text` is read again only to locate a field error.
fn parse_documents(path: &Path, text: &str, values: &[serde_yaml::Value]) -> Parsed {
    let mut parsed = Parsed::default();
    let stem = file_stem(path);
    for (index, value) in values.iter().enumerate() {
        let Some(mapping) = value.as_mapping() else {
            continue;
        };
        let has = |key: &str| mapping.contains_key(key);
        let rule_like =
            (has("name") && RULE_KEYS.iter().any(|k| has(k))) || STRONG_KEYS.iter().any(|k| has(k));
        if !rule_like {
            continue;
        }
        let doc = match Document::deserialize(value) {
            Ok(doc) => doc,
            Err(e) => {
                // A `Value` has no positions; the same document read from the text has them.
                let located = serde_yaml::Deserializer::from_str(text).nth(index).map(Document::deserialize);
                let message = match located {
                    Some(Err(located)) => yaml_error(&located),
                    _ => e.to_string(),
                };
                parsed.warnings.push(format!("document {}: {message}", index + 1));
                continue;
            }
        };
        let Some(title) = doc.name.as_ref().and_then(Scalar::text) else {
            parsed.warnings.push(format!("document {}: a Sentinel rule without a `name`", index + 1));
            continue;
        };
        let id = match doc.id.as_ref().and_then(Scalar::text) {
            Some(id) => id.to_owned(),
            None if index == 0 => stem.clone(),
            None => format!("{stem}#{}", index + 1),
        };
        let mut rule = DetectionRule::new(RuleKind::Sentinel, path, id, title);
        if values.len() > 1 {
            rule.locator = Some(format!("document {}", index + 1));
        }
        rule.level = normal_word(doc.severity.as_ref().map(|s| s.0.as_str()));
        rule.status = status(doc.status.as_ref().map(|s| s.0.as_str()), title);
        if let Some(enabled) = doc.enabled.as_ref().and_then(Scalar::text) {
            match flag(enabled) {
                Some(enabled) => rule.enabled = enabled,
                None => parsed.warnings.push(format!(
                    "document {}: `enabled` is `{enabled}`, not true or false; counted as enabled",
                    index + 1
                )),
            }
        }
        add_tactics(&mut rule, doc.tactics.iter().flat_map(|l| &l.0).map(String::as_str));
        let techniques = doc.relevant_techniques.iter().chain(&doc.techniques);
        add_techniques(&mut rule, techniques.flat_map(|l| &l.0).map(String::as_str));
        add_connectors(&mut rule, mapping.get("requiredDataConnectors"));
        // The repository's hunting queries are rules without a schedule or a severity.
        rule.hunting = has("query") && !HUNTING_ABSENT_KEYS.iter().any(|k| has(k));
        parsed.rules.push(rule);
    }
    parsed
}

// ---------------------------------------------------------------------------------------------
// JSON: ARM templates, single exported rules, REST lists

fn parse_json(path: &Path, text: &str) -> Result<Parsed, Skip> {
    let value: Json = serde_json::from_str(text).map_err(|e| Skip::syntax(json_error(&e)))?;
    let mut parsed = Parsed::default();
    let stem = file_stem(path);
    match &value {
        Json::Object(top) if top.contains_key("resources") => {
            let Some(resources) = top.get("resources").and_then(Json::as_array) else {
                return Err(Skip::not_a_rule("an ARM template whose `resources` is not a list"));
            };
            for (i, resource) in resources.iter().enumerate() {
                if is_alert_rule_type(resource) {
                    let locator = format!("resources[{i}]");
                    read_rule(path, resource, &stem, locator, &mut parsed);
                }
            }
            if parsed.rules.is_empty() && parsed.warnings.is_empty() {
                return Err(Skip::not_a_rule(format!(
                    "an ARM template without alertRules resources ({} of other types)",
                    resources.len()
                )));
            }
        }
        Json::Object(top) if top.get("value").is_some_and(Json::is_array) => {
            let items = top.get("value").and_then(Json::as_array).into_iter();
            for (i, item) in items.flatten().enumerate() {
                if is_listed_rule(item) {
                    read_rule(path, item, &stem, format!("value[{i}]"), &mut parsed);
                }
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if is_listed_rule(item) {
                    read_rule(path, item, &stem, format!("[{i}]"), &mut parsed);
                }
            }
        }
        Json::Object(_) if is_listed_rule(&value) => {
            read_rule(path, &value, &stem, String::new(), &mut parsed);
        }
        _ => {}
    }
    if parsed.rules.is_empty() && parsed.warnings.is_empty() {
        return Err(Skip::not_a_rule(
            "JSON that is neither an ARM template with alertRules nor an exported Sentinel rule",
        ));
    }
    Ok(parsed)
}

/// Whether an ARM resource is an analytic rule (`.../alertRules`, any case). Child types such
/// as `alertRules/actions` end otherwise and are not rules.
fn is_alert_rule_type(resource: &Json) -> bool {
    resource
        .get("type")
        .and_then(Json::as_str)
        .and_then(|t| t.trim().rsplit('/').next())
        .is_some_and(|last| last.eq_ignore_ascii_case("alertRules"))
}

/// Whether an object outside an ARM template is a rule: it has a display name and, when it says
/// its type, that type is alertRules (workbooks have display names too).
fn is_listed_rule(item: &Json) -> bool {
    let titled = item.get("properties").and_then(|p| p.get("displayName")).is_some();
    titled && (item.get("type").is_none() || is_alert_rule_type(item))
}

/// Reads one alert rule object (ARM resource or REST object, as the live API lists them too); an
/// empty `locator` means the file is the rule.
pub(crate) fn read_rule(path: &Path, item: &Json, stem: &str, locator: String, parsed: &mut Parsed) {
    let prefix = if locator.is_empty() { String::new() } else { format!("{locator}: ") };
    let properties = item.get("properties");
    let field = |name: &str| properties.and_then(|p| p.get(name)).filter(|v| !v.is_null());
    let Some(title) = field("displayName").and_then(Json::as_str).map(str::trim).filter(|t| !t.is_empty())
    else {
        let why = match field("displayName") {
            Some(_) => "whose `properties.displayName` is not text",
            None => "without `properties.displayName`",
        };
        parsed.warnings.push(format!("{prefix}an alert rule {why}; skipped"));
        return;
    };
    let named =
        ["name", "id"].iter().filter_map(|k| item.get(*k).and_then(Json::as_str)).find_map(id_from_name);
    let id = match named {
        Some(id) => id,
        None if locator.is_empty() => stem.to_owned(),
        None => format!("{stem}#{locator}"),
    };
    let mut rule = DetectionRule::new(RuleKind::Sentinel, path, id, title);
    rule.locator = Some(locator).filter(|l| !l.is_empty());
    rule.level = normal_word(field("severity").and_then(Json::as_str));
    rule.status = status(field("status").and_then(Json::as_str), title);
    match field("enabled") {
        None => {}
        Some(Json::Bool(enabled)) => rule.enabled = *enabled,
        Some(other) => match other.as_str().and_then(flag) {
            Some(enabled) => rule.enabled = enabled,
            None => parsed.warnings.push(format!(
                "{prefix}`properties.enabled` is `{}`, not true or false; counted as enabled",
                json_text(other)
            )),
        },
    }
    add_tactics(&mut rule, strings(field("tactics")));
    add_techniques(&mut rule, strings(field("techniques")).chain(strings(field("subTechniques"))));
    parsed.rules.push(rule);
}

/// The strings of a JSON list (or a lone string); other entries are ignored.
fn strings(value: Option<&Json>) -> impl Iterator<Item = &str> {
    let (list, single) = match value {
        Some(Json::Array(items)) => (items.as_slice(), None),
        Some(Json::String(s)) => (&[][..], Some(s.as_str())),
        _ => (&[][..], None),
    };
    list.iter().filter_map(Json::as_str).chain(single)
}

fn json_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rule ID in an ARM resource name or ID: the last path segment, taken from the last string
/// literal when the name is a template expression. `None` when that segment comes from a
/// `parameters(...)`/`variables(...)` call or is empty: the ID is then not in the file.
fn id_from_name(name: &str) -> Option<String> {
    let name = name.trim();
    let text = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        // `[[...]` is ARM's escape for a literal that starts with a bracket.
        Some(expression) if !expression.starts_with('[') => last_literal(expression)?,
        _ => name,
    };
    let id = text.rsplit('/').next()?.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// The last single-quoted literal of an ARM expression, unless it names a parameter or variable.
fn last_literal(expression: &str) -> Option<&str> {
    let mut last = None;
    let mut start = None;
    let mut chars = expression.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            continue;
        }
        match start {
            None => start = Some(i + 1),
            // `''` is an escaped quote inside a literal.
            Some(_) if chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                chars.next();
            }
            Some(s) => {
                last = Some((s, i));
                start = None;
            }
        }
    }
    let (s, e) = last?;
    let before = expression[..s - 1].trim_end();
    let before = before.to_ascii_lowercase();
    let lookup = ["parameters(", "variables("].iter().any(|f| before.ends_with(f));
    (!lookup).then(|| &expression[s..e])
}

// ---------------------------------------------------------------------------------------------
// Shared

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The status as written, lower-cased; a `[Deprecated]` title stands in for a missing one.
fn status(written: Option<&str>, title: &str) -> Option<String> {
    normal_word(written).or_else(|| {
        let prefix = title.get(..12)?;
        prefix.eq_ignore_ascii_case("[deprecated]").then(|| String::from("deprecated"))
    })
}

fn flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

// Both add a whole list at once: adding entries one by one is quadratic in the list's length.

fn add_tactics<'a>(rule: &mut DetectionRule, tactics: impl Iterator<Item = &'a str>) {
    let tags: Vec<String> =
        tactics.map(str::trim).filter(|t| !t.is_empty()).map(|t| format!("tactic:{t}")).collect();
    rule.add_tags(tags.iter().map(String::as_str));
}

/// Adds the techniques of a list of entries; `T1078, T1110` in one entry is two techniques.
fn add_techniques<'a>(rule: &mut DetectionRule, entries: impl Iterator<Item = &'a str>) {
    rule.add_techniques(entries.flat_map(|entry| entry.split(',')));
}
