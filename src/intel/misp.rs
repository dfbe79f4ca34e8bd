//! A MISP galaxy cluster of threat actors (`threat-actor.json`, `microsoft-activity-group.json`):
//! cross-vendor names, and links to ATT&CK groups.
//!
//! Each value has a name (`value`), `meta.synonyms`, and `related` entries; one of type `similar`
//! whose `dest-uuid` is the UUID of an ATT&CK intrusion set ties the MISP actor to that group.
//! The galaxy carries no techniques: its names only lead to the groups it is linked to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One actor of the galaxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MispActor {
    /// Its `value`.
    pub name: String,
    /// Its `meta.synonyms`.
    pub synonyms: Vec<String>,
    /// `dest-uuid`s of its `similar` relations, in file order.
    pub similar: Vec<String>,
}

/// A galaxy cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MispGalaxy {
    /// The cluster's `name` (`Threat Actor`).
    pub name: String,
    /// Its actors, in file order.
    pub actors: Vec<MispActor>,
}

/// Reads a galaxy cluster; an error says why the text is not one.
pub fn parse(text: &str) -> Result<MispGalaxy, String> {
    let cluster: Value = serde_json::from_str(text).map_err(|e| crate::inputs::text::json_error(&e))?;
    let Some(values) = cluster.get("values").and_then(Value::as_array) else {
        return Err(String::from("JSON without a `values` array, so not a MISP galaxy cluster"));
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut actors = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let Some(name) = v.get("value").and_then(Value::as_str) else {
            return Err(format!("values[{i}] has no `value`, as every MISP cluster value must"));
        };
        let similar = v
            .get("related")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter(|x| x.get("type").and_then(Value::as_str) == Some("similar"))
                    .filter_map(|x| x.get("dest-uuid").and_then(Value::as_str))
                    .map(|u| u.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        actors.push(MispActor {
            name: name.trim().to_owned(),
            synonyms: strings(v.get("meta").and_then(|m| m.get("synonyms"))),
            similar,
        });
    }
    let name = cluster.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(MispGalaxy { name, actors })
}
