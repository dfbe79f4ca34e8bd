//! The checked-in JSON Schemas match the ones generated from the Rust types, and every shipped
//! model is valid against them.

use crate::common;

#[test]
fn checked_in_threat_model_schema_is_current() {
    let path = common::root().join("schema/threat-model.schema.json");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = ttpc::model::threat_model_schema_text();
    assert!(
        on_disk == generated,
        "schema/threat-model.schema.json is stale; regenerate it with:\n    cargo run -- schema > schema/threat-model.schema.json"
    );
}

#[test]
fn checked_in_assessment_schema_is_current() {
    let path = common::root().join("schema/assessment.schema.json");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == ttpc::assessment::assessment_schema_text(),
        "schema/assessment.schema.json is stale; regenerate it with:\n    cargo run -- schema --assessment > schema/assessment.schema.json"
    );
}

#[test]
fn a_compiled_assessment_validates_against_its_schema() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", "tests/fixtures/compile/model.yaml", "--format", "json", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    let assessment: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let schema: serde_json::Value =
        serde_json::from_str(&ttpc::assessment::assessment_schema_text()).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator.iter_errors(&assessment).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn schema_command_prints_the_generated_schema() {
    let out = common::ttpc().arg("schema").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(common::text(&out.stdout), ttpc::model::threat_model_schema_text());
}

#[test]
fn every_shipped_model_is_valid() {
    let mut checked = 0;
    for entry in std::fs::read_dir(common::root().join("models")).expect("models/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            if let Err(e) = ttpc::model::load(&path) {
                panic!("{} is invalid: {:?}", path.display(), miette::Report::new(e));
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "models/ ships at least two models, found {checked}");
}

#[test]
fn schema_accepts_a_dollar_schema_key_for_editors() {
    let text = "$schema: ../schema/threat-model.schema.json\nttpc: 1\nname: x\nattack: {domain: enterprise-attack, version: \"18.1\"}\nactors: [{ref: FIN7}]\n";
    let loaded = ttpc::model::load_str(std::path::Path::new("x.yaml"), text.into()).expect("valid");
    assert_eq!(loaded.model.schema.as_deref(), Some("../schema/threat-model.schema.json"));
}
