//! The JSON Schema of the model language, generated from the Rust types, and validation of a
//! loaded document against it with every error turned into a located [`Problem`].
//!
//! jsonschema reports an error by instance path and keyword; this module turns each into the
//! sentence a person would write ("unknown key `actrs`", "expected a percentage from 0% to 100%"),
//! picks the span to underline through the [`SpanMap`], and adds a help line (the nearest valid
//! key, the allowed values, the field's own documentation).

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use schemars::Schema;
use serde_json::Value;

use super::language::{PERCENT_PATTERN, ThreatModel};
use super::spans::{SpanMap, escape_segment};
use crate::diagnostics::{Problem, nearest, one_of};

/// The JSON Schema of the threat-model language (draft 2020-12).
pub fn threat_model_schema() -> Value {
    // Optional fields are omitted, never `null`: no `null` alternative in the schema, so a wrong
    // value gets the precise error of the field's own type instead of an `anyOf` summary.
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(strip_null))
        .with_transform(schemars::transform::RecursiveTransform(standard_formats))
        .into_generator()
        .into_root_schema_for::<ThreatModel>();
    schema.to_value()
}

/// Replaces the formats schemars writes for Rust number types (`uint32`, `uint`, `double`, ...),
/// which are not JSON Schema formats and which strict validators (Ajv) reject, by the bounds they
/// stand for (`minimum`/`maximum`). Only standard formats (`date`) remain.
pub fn standard_formats(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let bounds: Option<(Option<i64>, Option<i64>)> = match object.get("format").and_then(Value::as_str) {
        Some("uint8") => Some((Some(0), Some(i64::from(u8::MAX)))),
        Some("uint16") => Some((Some(0), Some(i64::from(u16::MAX)))),
        Some("uint32") => Some((Some(0), Some(i64::from(u32::MAX)))),
        Some("uint" | "uint64" | "uint128") => Some((Some(0), None)),
        Some("int8") => Some((Some(i64::from(i8::MIN)), Some(i64::from(i8::MAX)))),
        Some("int16") => Some((Some(i64::from(i16::MIN)), Some(i64::from(i16::MAX)))),
        Some("int32") => Some((Some(i64::from(i32::MIN)), Some(i64::from(i32::MAX)))),
        Some("int" | "int64" | "int128" | "float" | "double") => Some((None, None)),
        _ => None,
    };
    if let Some((min, max)) = bounds {
        object.remove("format");
        if let Some(min) = min {
            object.entry("minimum").or_insert(Value::from(min));
        }
        if let Some(max) = max {
            object.entry("maximum").or_insert(Value::from(max));
        }
    }
}

/// The schema as the pretty JSON written to `schema/threat-model.schema.json`.
pub fn threat_model_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&threat_model_schema())
        .unwrap_or_else(|e| unreachable!("a serde_json::Value always serialises: {e}"));
    text.push('\n');
    text
}

/// Drops the `null` alternative schemars adds for `Option` fields (`anyOf: [X, {type: null}]`
/// becomes X, `type: [T, null]` becomes T).
fn strip_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert(String::from("type"), only);
        }
    }
    let single = match object.get_mut("anyOf") {
        Some(Value::Array(options)) => {
            options.retain(|o| o.get("type").and_then(Value::as_str) != Some("null"));
            (options.len() == 1).then(|| options.remove(0))
        }
        _ => None,
    };
    if let Some(Value::Object(inner)) = single {
        object.remove("anyOf");
        for (k, v) in inner {
            object.entry(k).or_insert(v);
        }
    }
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&threat_model_schema())
            .unwrap_or_else(|e| panic!("the generated threat-model schema is invalid: {e}"))
    })
}

/// Validates a document; returns one problem per schema violation, in no particular order.
pub fn validate(document: &Value, spans: &SpanMap) -> Vec<Problem> {
    // Generated once: describing an error reads the schema; a batch validates thousands of models.
    static ROOT: OnceLock<Value> = OnceLock::new();
    let root = ROOT.get_or_init(threat_model_schema);
    validator().iter_errors(document).flat_map(|error| describe(&error, root, spans)).collect()
}

fn describe(error: &jsonschema::ValidationError<'_>, root: &Value, spans: &SpanMap) -> Vec<Problem> {
    let path = error.instance_path().as_str().to_owned();
    let instance = error.instance();
    let schema_path = error.schema_path().as_str().to_owned();
    let node = schema_node(root, &schema_path);
    let doc = node.and_then(|n| n.get("description")).and_then(Value::as_str).map(first_sentence);
    let here = spans.value_or_ancestor(&path);
    let what = describe_path(&path);

    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<String> = node
                .and_then(|n| n.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let key_path = format!("{path}/{}", escape_segment(key));
                    let span = spans.key_or_value(&key_path);
                    let suggestion = nearest(key, allowed.iter().map(String::as_str), 1);
                    let help = match suggestion.first() {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => {
                            let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
                            format!("{what} takes {}", one_of(&list))
                        }
                    };
                    Problem::error("ttpc::model::unknown_key", format!("unknown key `{key}` in {what}"), span)
                        .label("unknown key")
                        .help(help)
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let field_doc = node
                .and_then(|n| n.get("properties"))
                .and_then(|p| p.get(name))
                .and_then(|p| resolve_ref(root, p).get("description"))
                .and_then(Value::as_str)
                .map(first_sentence);
            let span = if path.is_empty() { 0..0 } else { spans.key_or_value(&path) };
            vec![
                Problem::error(
                    "ttpc::model::missing_key",
                    format!("{what} is missing the required key `{name}`"),
                    span,
                )
                .label(format!("needs `{name}`"))
                .help(match field_doc {
                    Some(d) => format!("add `{name}:` — {d}"),
                    None => format!("add `{name}:`"),
                }),
            ]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => {
                    let names: Vec<String> = ts.iter().map(|t| article(&t.to_string())).collect();
                    one_of(&names)
                }
            };
            let help = if expected == "a string" && instance.is_number() {
                Some(format!("quote it: \"{instance}\""))
            } else {
                doc.clone()
            };
            vec![
                Problem::error(
                    "ttpc::model::wrong_type",
                    format!("{what} must be {expected}, found {}", json_kind(instance)),
                    here,
                )
                .label(format!("expected {expected}"))
                .maybe_help(help),
            ]
        }
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::AnyOf { .. } if is_percent(node) => {
            vec![percent_problem(&what, instance, here)]
        }
        ValidationErrorKind::Maximum { .. } | ValidationErrorKind::Minimum { .. } if is_percent(node) => {
            vec![percent_problem(&what, instance, here)]
        }
        ValidationErrorKind::Format { format } if format == "date" => vec![
            Problem::error(
                "ttpc::model::bad_date",
                format!("{what} must be a date like 2026-03-15, found {instance}"),
                here,
            )
            .label("not a YYYY-MM-DD date"),
        ],
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. }
            if !choices(node).is_empty() =>
        {
            vec![unknown_value(&what, instance, &choices(node), here)]
        }
        ValidationErrorKind::Enum { options } => {
            let names: Vec<String> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            vec![unknown_value(&what, instance, &names, here)]
        }
        ValidationErrorKind::Pattern { .. } => vec![
            Problem::error("ttpc::model::bad_value", format!("{what} cannot be {instance}"), here)
                .label("wrong form")
                .maybe_help(doc),
        ],
        ValidationErrorKind::Maximum { limit } => vec![
            Problem::error(
                "ttpc::model::out_of_range",
                format!("{what} is {instance}, more than the maximum {limit}"),
                here,
            )
            .label("too large")
            .maybe_help(doc),
        ],
        ValidationErrorKind::Minimum { limit } => vec![
            Problem::error(
                "ttpc::model::out_of_range",
                format!("{what} is {instance}, less than the minimum {limit}"),
                here,
            )
            .label("too small")
            .maybe_help(doc),
        ],
        ValidationErrorKind::MinItems { limit } => vec![
            Problem::error(
                "ttpc::model::too_few",
                format!("{what} needs at least {limit} item{}", if *limit == 1 { "" } else { "s" }),
                here,
            )
            .label("empty")
            .maybe_help(doc),
        ],
        ValidationErrorKind::Constant { expected_value } => vec![
            Problem::error(
                "ttpc::model::bad_value",
                format!("{what} must be {expected_value}, found {instance}"),
                here,
            )
            .label(format!("must be {expected_value}")),
        ],
        _ => vec![
            Problem::error("ttpc::model::invalid", format!("{what}: {}", error.masked()), here)
                .label("invalid")
                .maybe_help(doc),
        ],
    }
}

/// The allowed words of an enum written as `oneOf` consts (schemars does this for documented
/// variants).
fn choices(node: Option<&Value>) -> Vec<String> {
    let Some(node) = node else { return Vec::new() };
    let options = node.get("oneOf").or_else(|| node.get("anyOf")).and_then(Value::as_array);
    let mut names = Vec::new();
    for option in options.into_iter().flatten() {
        if let Some(c) = option.get("const").and_then(Value::as_str) {
            names.push(c.to_owned());
        } else if let Some(list) = option.get("enum").and_then(Value::as_array) {
            names.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
        } else {
            return Vec::new();
        }
    }
    names
}

fn unknown_value(what: &str, instance: &Value, names: &[String], span: std::ops::Range<usize>) -> Problem {
    let got = instance.as_str().unwrap_or_default();
    let help = match nearest(got, names.iter().map(String::as_str), 1).first() {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("use {}", one_of(&list))
        }
    };
    Problem::error("ttpc::model::unknown_value", format!("{what} cannot be {instance}"), span)
        .label("not an allowed value")
        .help(help)
}

fn percent_problem(what: &str, instance: &Value, span: std::ops::Range<usize>) -> Problem {
    let shown = match instance {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Problem::error(
        "ttpc::model::bad_percentage",
        format!("{what} must be a percentage from 0% to 100%, found {shown}"),
        span,
    )
    .label("out of range or not a percentage")
    .help("write a percentage like 80% (or the bare number 80)")
}

/// Whether a schema node is the percentage's (`anyOf` a patterned string or a bounded number)
/// or one of its two branches.
fn is_percent(node: Option<&Value>) -> bool {
    let patterned = |n: &Value| n.get("pattern").and_then(Value::as_str) == Some(PERCENT_PATTERN);
    node.is_some_and(|n| {
        patterned(n)
            || n.as_array().is_some_and(|options| options.iter().any(patterned))
            || n.get("anyOf").and_then(Value::as_array).is_some_and(|options| options.iter().any(patterned))
            || (n.get("type").and_then(Value::as_str) == Some("number")
                && n.get("maximum").and_then(Value::as_f64) == Some(100.0))
    })
}

/// The schema node a keyword location points at, following `$ref`s along the way.
fn schema_node<'a>(root: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let mut node = root;
    let mut segments = schema_path.split('/').skip(1).peekable();
    while let Some(raw) = segments.next() {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        if segment == "$ref" {
            node = resolve_ref(root, node);
            continue;
        }
        // The last segment is the failing keyword itself; stop at the schema that holds it.
        if segments.peek().is_none() && !matches!(node.get(&segment), Some(Value::Object(_))) {
            return Some(node);
        }
        node = match node {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(resolve_ref(root, node))
}

fn resolve_ref<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(node),
        None => node,
    }
}

/// `/actors/2/ref` → "`actors[2].ref`"; the root is "the model".
fn describe_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return String::from("the model");
    }
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    format!("`{out}`")
}

fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => String::from("nothing (null)"),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => String::from("a list"),
        Value::Object(_) => String::from("a mapping"),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "object" => String::from("a mapping"),
        "array" => String::from("a list"),
        "integer" => String::from("a whole number"),
        "null" => String::from("empty"),
        other => {
            let first = other.chars().next().unwrap_or('x');
            if "aeiou".contains(first) { format!("an {other}") } else { format!("a {other}") }
        }
    }
}

fn first_sentence(text: &str) -> String {
    let text = text.replace('\n', " ");
    match text.find(". ") {
        Some(i) => text[..=i].to_owned(),
        None => text,
    }
}
