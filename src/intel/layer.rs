//! An ATT&CK Navigator layer as an actor: the techniques a CTI team annotated.
//!
//! An entry counts when it is enabled and, without `min_score`, scored above 0 or annotated
//! without a score (Navigator's bare "expanded" view-state entries are passed over); with
//! `min_score`, when its score is at least that. Each technique keeps the layer's name and the
//! entry's comment as provenance.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Evidence, IntelActor, Route};

/// Reads a layer as one actor named `name` (default: the layer's `name`, else the file stem).
pub fn parse(
    text: &str,
    file: &str,
    name: Option<&str>,
    min_score: Option<f64>,
) -> Result<IntelActor, String> {
    let layer: Value = serde_json::from_str(text).map_err(|e| crate::inputs::text::json_error(&e))?;
    let Value::Object(layer) = layer else {
        return Err(String::from("JSON that is not an object, so not a Navigator layer"));
    };
    let Some(Value::Array(entries)) = layer.get("techniques") else {
        return Err(String::from("JSON without a `techniques` array, so not a Navigator layer"));
    };
    if !layer.contains_key("versions") && !layer.contains_key("domain") {
        return Err(String::from(
            "JSON with `techniques` but neither `versions` nor `domain`, so not a Navigator layer",
        ));
    }
    let text_field = |o: &Map<String, Value>, key: &str| {
        o.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    let actor_name = name
        .map(str::to_owned)
        .or_else(|| text_field(&layer, "name"))
        .unwrap_or_else(|| file.trim_end_matches(".json").to_owned());
    let mut techniques = BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let Value::Object(entry) = entry else {
            return Err(format!("techniques[{i}] is not an object"));
        };
        let Some(id) = text_field(entry, "techniqueID") else {
            return Err(format!("techniques[{i}] has no `techniqueID`"));
        };
        if entry.get("enabled") == Some(&Value::Bool(false)) {
            continue;
        }
        let score = entry.get("score").and_then(Value::as_f64);
        let comment = text_field(entry, "comment");
        let counts = match (min_score, score) {
            (Some(min), Some(s)) => s >= min,
            (Some(_), None) => false,
            (None, Some(s)) => s > 0.0,
            (None, None) => comment.is_some() || text_field(entry, "color").is_some(),
        };
        if counts {
            techniques.insert(Evidence {
                written: id,
                route: Route::Layer,
                file: file.to_owned(),
                object: format!("layer {actor_name}"),
                relationship: None,
                report: None,
                comment,
            });
        }
    }
    Ok(IntelActor {
        name: actor_name,
        aliases: Vec::new(),
        stix_id: None,
        kind: String::from("navigator-layer"),
        file: file.to_owned(),
        domain: text_field(&layer, "domain"),
        techniques: techniques.into_iter().collect(),
    })
}
