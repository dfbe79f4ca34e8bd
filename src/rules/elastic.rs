//! Elastic detection rules: the detection-rules repository's TOML (one rule per file) and
//! Kibana's "Export rules" NDJSON (one rule per line).
//!
//! Both carry the same rule body: `rule_id`, `name`, `enabled`, `severity` and a `threat` list
//! of `{framework, tactic, technique[{id, subtechnique[{id}]}]}`. Sub-technique IDs appear only
//! nested under their parent technique, so both levels are walked. Only entries whose
//! `framework` is MITRE ATT&CK count (Elastic also maps some rules to MITRE ATLAS, whose IDs
//! would be mistaken for unknown techniques). The TOML's `[metadata] maturity` is the status;
//! Kibana exports have none. The `index` patterns (else the `related_integrations`) are the
//! rule's declared telemetry; a building block (`building_block_type`) is a hunting rule, not an
//! alert.
//!
//! Which of the two a file is follows its extension; any other file (named explicitly) is
//! NDJSON when its first non-blank character is `{`, since a TOML document cannot start so.

use std::path::Path;

use serde::Deserialize;

use super::{Adapter, DetectionRule, Parsed, Skip};
use crate::inputs::scalar::{Scalar, Scalars};
use crate::inputs::text::{has_extension, json_error, normal_word};
use crate::model::RuleKind;

/// The Elastic adapter.
pub struct Elastic;

/// The framework name Elastic writes for ATT&CK mappings.
const ATTACK_FRAMEWORK: &str = "MITRE ATT&CK";

/// The parts of a detection-rules TOML file ttpc reads; serde skips everything else.
#[derive(Debug, Default, Deserialize)]
struct TomlFile {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    rule: Option<RuleBody>,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    maturity: Option<String>,
}

/// The rule fields shared by the TOML `[rule]` table and a Kibana export line.
#[derive(Debug, Default, Deserialize)]
struct RuleBody {
    #[serde(default)]
    rule_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    building_block_type: Option<String>,
    #[serde(default)]
    threat: Option<Vec<Threat>>,
    #[serde(default)]
    index: Option<Scalars>,
    #[serde(default)]
    related_integrations: Option<Vec<Integration>>,
}

/// An entry of `related_integrations`: a Fleet package and, for some, one of its integrations.
#[derive(Debug, Default, Deserialize)]
struct Integration {
    #[serde(default)]
    package: Option<Scalar>,
    #[serde(default)]
    integration: Option<Scalar>,
}

#[derive(Debug, Default, Deserialize)]
struct Threat {
    #[serde(default)]
    framework: Option<String>,
    #[serde(default)]
    tactic: Option<Tactic>,
    #[serde(default)]
    technique: Option<Vec<Technique>>,
}

#[derive(Debug, Default, Deserialize)]
struct Tactic {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Technique {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    subtechnique: Option<Vec<SubTechnique>>,
}

#[derive(Debug, Default, Deserialize)]
struct SubTechnique {
    #[serde(default)]
    id: Option<String>,
}

impl Adapter for Elastic {
    fn kind(&self) -> RuleKind {
        RuleKind::Elastic
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["toml", "ndjson"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        let ndjson = if has_extension(path, &["toml"]) {
            false
        } else if has_extension(path, &["ndjson", "jsonl", "json"]) {
            true
        } else {
            text.trim_start().starts_with('{')
        };
        if ndjson { parse_ndjson(path, text) } else { parse_toml(path, text) }
    }
}

/// One detection-rules TOML file: at most one rule, in its `[rule]` table.
fn parse_toml(path: &Path, text: &str) -> Result<Parsed, Skip> {
    let file: TomlFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(error) => {
            // Tell bad TOML from good TOML whose fields have unexpected types: only the first
            // is a syntax error; the second is a malformed rule, unless it is not a rule at all.
            let table = toml::from_str::<toml::Table>(text)
                .map_err(|syntax| Skip::syntax(toml_error(text, &syntax)))?;
            if !table.get("rule").is_some_and(toml::Value::is_table) {
                return Err(Skip::not_a_rule("TOML without a [rule] table"));
            }
            return Ok(Parsed { rules: Vec::new(), warnings: vec![toml_error(text, &error)] });
        }
    };
    let Some(body) = file.rule else {
        return Err(Skip::not_a_rule("TOML without a [rule] table"));
    };
    if text_of(&body.name).is_none() && text_of(&body.rule_id).is_none() {
        return Err(Skip::not_a_rule("TOML whose [rule] table has neither `name` nor `rule_id`"));
    }
    let status = normal_word(file.metadata.as_ref().and_then(|m| m.maturity.as_deref()));
    match build_rule(path, &body, None) {
        Ok(mut rule) => {
            rule.status = status;
            Ok(Parsed::rules(vec![rule]))
        }
        Err(warning) => Ok(Parsed { rules: Vec::new(), warnings: vec![warning] }),
    }
}

/// A Kibana export: one JSON object per line. Objects with a `rule_id` are rules; the closing
/// summary line and the exception lists and connectors an export may also hold are not.
fn parse_ndjson(path: &Path, text: &str) -> Result<Parsed, Skip> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let Some(&(first_line, first)) = lines.first() else {
        return Err(Skip::not_a_rule("an empty file"));
    };

    // A single rule saved pretty-printed (Kibana's API, a hand-kept file) spans many lines;
    // read it whole rather than reporting every line of it as broken JSON.
    let whole = (lines.len() > 1 && serde_json::from_str::<serde_json::Value>(first).is_err())
        .then(|| serde_json::from_str::<serde_json::Value>(text).ok())
        .flatten();
    if let Some(value) = whole {
        let mut parsed = Parsed::default();
        let mut others = 0;
        read_object(path, first_line, &value, &mut parsed, &mut others);
        return finish_ndjson(parsed, others);
    }

    let mut parsed = Parsed::default();
    let mut others = 0;
    let mut json_lines = 0;
    for (number, line) in lines {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(value) => {
                json_lines += 1;
                read_object(path, number, &value, &mut parsed, &mut others);
            }
            Err(e) => parsed.warnings.push(format!("line {number}: {}", json_line_error(&e))),
        }
    }
    if json_lines == 0 {
        // Not one line is JSON: the file is not an export at all. Read as one document, the
        // parser's position is the true one, also for a broken pretty-printed rule.
        let detail = match serde_json::from_str::<serde_json::Value>(text) {
            Err(e) => json_error(&e),
            Ok(_) => parsed.warnings.first().cloned().unwrap_or_default(),
        };
        return Err(Skip::syntax(detail));
    }
    finish_ndjson(parsed, others)
}

/// No rule and nothing wrong with any line: some other NDJSON, not an export.
fn finish_ndjson(parsed: Parsed, others: usize) -> Result<Parsed, Skip> {
    if parsed.rules.is_empty() && parsed.warnings.is_empty() {
        return Err(Skip::not_a_rule(format!(
            "NDJSON without Kibana rules ({others} JSON value{} without a `rule_id`)",
            if others == 1 { "" } else { "s" }
        )));
    }
    Ok(parsed)
}

/// One JSON value of an export: a rule, the export summary, or something else to pass over.
fn read_object(path: &Path, line: usize, value: &serde_json::Value, parsed: &mut Parsed, others: &mut usize) {
    let Some(object) = value.as_object() else {
        parsed.warnings.push(format!("line {line}: not a JSON object"));
        return;
    };
    if !object.contains_key("rule_id") {
        *others += 1;
        if let Some(warning) = summary_warning(object) {
            parsed.warnings.push(format!("line {line}: {warning}"));
        }
        return;
    }
    let located = |message: String| format!("line {line}: {message}");
    match RuleBody::deserialize(value) {
        Ok(body) => match build_rule(path, &body, Some(format!("line {line}"))) {
            Ok(rule) => parsed.rules.push(rule),
            Err(warning) => parsed.warnings.push(located(warning)),
        },
        Err(e) => {
            let id = object.get("rule_id").and_then(|v| v.as_str()).unwrap_or("?");
            parsed.warnings.push(located(format!("rule {id}: {e}")));
        }
    }
}

/// A rule object as Kibana's API and exports write it (`rule_id`, `name`, `enabled`, `threat[]`):
/// shared by NDJSON exports and the live REST API. `Err` says why it is unusable.
pub(crate) fn rule_from_json(
    path: &Path,
    value: &serde_json::Value,
    locator: Option<String>,
) -> Result<DetectionRule, String> {
    let body = RuleBody::deserialize(value).map_err(|e| {
        let id = value.get("rule_id").and_then(|v| v.as_str()).unwrap_or("?");
        format!("rule {id}: {e}")
    })?;
    build_rule(path, &body, locator)
}

/// The export summary is silent, except when Kibana says rules it was asked for are missing:
/// then the export is incomplete, and coverage drawn from it would be too.
fn summary_warning(object: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let missing = object.get("missing_rules_count")?.as_u64()?;
    if missing == 0 {
        return None;
    }
    let ids: Vec<&str> = object
        .get("missing_rules")
        .and_then(|m| m.as_array())
        .map(|m| m.iter().filter_map(|r| r.get("rule_id").and_then(|i| i.as_str())).collect())
        .unwrap_or_default();
    let mut warning =
        format!("the export summary reports {missing} missing rule{}", if missing == 1 { "" } else { "s" });
    if !ids.is_empty() {
        warning.push_str(": ");
        warning.push_str(&ids.join(", "));
    }
    Some(warning)
}

/// The rule a body describes, or why it is unusable.
fn build_rule(path: &Path, body: &RuleBody, locator: Option<String>) -> Result<DetectionRule, String> {
    let id = text_of(&body.rule_id);
    let Some(title) = text_of(&body.name) else {
        return Err(match id {
            Some(id) => format!("rule {id} has no name"),
            None => String::from("a rule without a name"),
        });
    };
    // detection-rules always has a rule_id; a hand-written file may not.
    let id = id
        .map(str::to_owned)
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    let mut rule = DetectionRule::new(RuleKind::Elastic, path, id, title);
    rule.locator = locator;
    rule.level = normal_word(body.severity.as_deref());
    rule.enabled = body.enabled.unwrap_or(true);
    if text_of(&body.building_block_type).is_some() {
        rule.add_tag("building-block");
        rule.hunting = true;
    }
    // What it reads: its index patterns, else (ES|QL, machine learning) its integrations.
    let mut declared: Vec<String> = body
        .index
        .iter()
        .flat_map(|i| &i.0)
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| format!("index:{p}"))
        .collect();
    if declared.is_empty() {
        declared = body
            .related_integrations
            .iter()
            .flatten()
            .filter_map(|i| {
                let package = i.package.as_ref().and_then(Scalar::text)?;
                Some(match i.integration.as_ref().and_then(Scalar::text) {
                    Some(integration) => format!("integration:{package}/{integration}"),
                    None => format!("integration:{package}"),
                })
            })
            .collect();
    }
    rule.add_telemetries(declared.iter().map(String::as_str));
    // Collected first, added in bulk: adding one by one is quadratic in the number of entries.
    let (mut techniques, mut tactics) = (Vec::new(), Vec::new());
    for threat in body.threat.iter().flatten() {
        // Elastic always writes the framework; an entry without one is taken as ATT&CK, which
        // the technique IDs themselves will confirm or refute during normalisation.
        let attack =
            threat.framework.as_deref().is_none_or(|f| f.trim().eq_ignore_ascii_case(ATTACK_FRAMEWORK));
        if !attack {
            continue;
        }
        for technique in threat.technique.iter().flatten() {
            if let Some(id) = text_of(&technique.id) {
                techniques.push(id);
            }
            for sub in technique.subtechnique.iter().flatten() {
                if let Some(id) = text_of(&sub.id) {
                    techniques.push(id);
                }
            }
        }
        if let Some(tactic) = &threat.tactic {
            let label = [text_of(&tactic.id), text_of(&tactic.name)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if !label.is_empty() {
                tactics.push(format!("tactic:{label}"));
            }
        }
    }
    rule.add_techniques(techniques);
    rule.add_tags(tactics.iter().map(String::as_str));
    Ok(rule)
}

/// A field's text, trimmed, `None` when absent or blank.
fn text_of(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A toml error as `line L column C: message`; toml gives a byte span, not a position.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("line {line} column {column}: {message}")
        }
        None => message.to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Count characters, not bytes: skip UTF-8 continuation bytes.
    let column = before[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
    (line, column)
}

/// A JSON error on one line of an export: the column matters, the line is always 1.
fn json_line_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    format!("invalid JSON at column {}: {message}", error.column().max(1))
}
