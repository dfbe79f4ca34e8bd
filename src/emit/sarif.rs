//! SARIF 2.1.0 (`--sarif FILE`): the findings of one or more compiled models as one run of the
//! `ttpc` tool, for code scanning (GitHub shows each result as an annotation on its line).
//!
//! One reporting rule per kind of finding (each target kind, new gap, newly uncovered technique,
//! input problem), with a description and help; one result per finding, at its file and line
//! relative to the repository root (`uriBaseId: %SRCROOT%`), with a `partialFingerprints` entry
//! that does not change when lines move, so code scanning tracks a finding across commits.
//! Deterministic: no timestamps, no absolute paths.

use serde_json::{Value, json};

use super::places::{KINDS, Level, Outcome, findings};

/// The SARIF schema's address, as `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the help of every rule points.
const HELP_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#in-ci");

/// The SARIF log of the compiled models, as pretty JSON.
pub fn sarif(outcomes: &[Outcome<'_>]) -> String {
    let rules: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            let level = match kind {
                super::places::Kind::NewGap
                | super::places::Kind::NewlyUncovered
                | super::places::Kind::InputProblem => "warning",
                super::places::Kind::Target(_) => "error",
            };
            json!({
                "id": kind.id(),
                "name": kind.name(),
                "shortDescription": {"text": kind.summary()},
                "fullDescription": {"text": kind.summary()},
                "help": {"text": kind.help(), "markdown": kind.help()},
                "helpUri": HELP_URI,
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["mitre-attack", "threat-model"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    for outcome in outcomes {
        for f in findings(outcome) {
            let index = KINDS.iter().position(|k| *k == f.kind).unwrap_or_default();
            let mut properties = serde_json::Map::new();
            properties.insert("model".into(), json!(outcome.assessment.model.name));
            if let Some(t) = &f.technique {
                properties.insert("technique".into(), json!(t));
                properties.insert("techniqueUrl".into(), json!(super::places::technique_url(t)));
            }
            results.push(json!({
                "ruleId": f.kind.id(),
                "ruleIndex": index,
                "level": match f.level { Level::Error => "error", Level::Warning => "warning" },
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.uri, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line},
                    },
                }],
                "partialFingerprints": {
                    "ttpcFinding/v1": crate::io::sha256_hex(f.key.as_bytes())[..32].to_owned(),
                },
                "properties": properties,
            }));
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ttpc",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": HELP_URI,
                    "rules": rules,
                },
            },
            "automationDetails": {"id": "ttpc/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    super::json(&log)
}
