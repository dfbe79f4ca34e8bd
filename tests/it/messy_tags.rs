//! Technique tags that are meant as IDs but malformed (`attack.1562.001`, `attack.t1059.01`,
//! `attack.t`, `T1059.01` in a CSV): each is reported with its file and line, repaired and counted
//! only when the repair is certain (the `T` missing), never dropped in silence.

use serde_json::Value;

use crate::common::{self, text, ttpc};

fn rules_json(file: &str, kind: &str) -> Value {
    rules_json_at(&format!("tests/fixtures/rules/messy-tags/{file}"), kind)
}

fn issues(summary: &Value, bucket: &str) -> Vec<(String, String, String)> {
    summary[bucket]
        .as_array()
        .expect("bucket")
        .iter()
        .map(|m| {
            let extra = m["id"].as_str().or(m["likely"].as_str()).unwrap_or_default();
            (
                m["issue"].as_str().unwrap_or_default().to_owned(),
                m["written"].as_str().unwrap_or_default().to_owned(),
                extra.to_owned(),
            )
        })
        .collect()
}

#[test]
fn malformed_sigma_tags_are_reported_at_their_lines_and_only_certain_repairs_count() {
    let s = rules_json("tamper.yml", "sigma");
    assert_eq!(
        issues(&s, "stale_mappings"),
        [(String::from("repaired"), String::from("1562.001"), String::from("T1562.001"))]
    );
    let unmapped = issues(&s, "unmapped");
    for (written, likely) in [("t1059.01", "T1059.001"), ("t10590", ""), ("t1059.0011", ""), ("t", "")] {
        assert!(
            unmapped.contains(&(String::from("malformed"), written.to_owned(), likely.to_owned())),
            "{written}: {unmapped:?}"
        );
    }
    let counted: Vec<&str> =
        s["techniques"].as_array().expect("techniques").iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(counted, ["T1562.001"], "the repaired tag counts, the guesses do not");
    let warnings: Vec<&str> =
        s["warnings"].as_array().expect("warnings").iter().filter_map(|w| w["message"].as_str()).collect();
    for (line, tag) in [
        (7, "attack.1562.001"),
        (8, "attack.t1059.01"),
        (9, "attack.t10590"),
        (10, "attack.t1059.0011"),
        (11, "attack."),
        (12, "attack.t"),
    ] {
        let expected = format!("line {line}: tag `{tag}` is not a well-formed technique ID");
        assert!(warnings.contains(&expected.as_str()), "{expected}: {warnings:?}");
    }
}

#[test]
fn malformed_csv_ids_are_reported_at_their_lines() {
    let s = rules_json("inventory.csv", "csv");
    assert_eq!(
        issues(&s, "stale_mappings"),
        [(String::from("repaired"), String::from("1003"), String::from("T1003"))]
    );
    assert_eq!(
        issues(&s, "unmapped"),
        [(String::from("malformed"), String::from("T1059.01"), String::from("T1059.001"))]
    );
    let warnings: Vec<&str> =
        s["warnings"].as_array().expect("warnings").iter().filter_map(|w| w["message"].as_str()).collect();
    assert!(warnings.contains(&"line 2: `T1059.01` is not a well-formed technique ID"), "{warnings:?}");
}

#[test]
fn rules_json_names_skip_reasons_one_way() {
    let out = ttpc()
        .args(["rules", "tests/fixtures/rules", "--kind", "sigma", "--format", "json"])
        .output()
        .expect("runs");
    let s: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let by_reason: std::collections::BTreeSet<&str> =
        s["skipped_by_reason"].as_object().expect("map").keys().map(String::as_str).collect();
    let listed: std::collections::BTreeSet<&str> =
        s["skipped"].as_array().expect("list").iter().filter_map(|f| f["reason"].as_str()).collect();
    assert!(!listed.is_empty());
    assert_eq!(by_reason, listed, "the same kebab-case names in both places");
}

#[test]
fn rules_lists_each_rule_with_status_and_counts_counted_rules_under_a_stated_policy() {
    let out = ttpc()
        .args([
            "rules",
            "examples/rules/splunk/savedsearches.conf",
            "--kind",
            "splunk-savedsearches",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let s: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = s["rule_list"].as_array().expect("rule_list");
    assert_eq!(list.len() as u64, s["rules"].as_u64().expect("rules"), "every rule listed");
    let disabled = list.iter().filter(|r| r["enabled"] == false).count();
    assert!(disabled > 0, "the sample carries disabled searches on purpose");
    assert!(list.iter().filter(|r| r["enabled"] == false).all(|r| r["counted"] == false));
    assert_eq!(s["not_counted"]["disabled"].as_u64(), Some(disabled as u64));
    // Per technique: all rules and the counted ones, apart.
    let techniques = s["techniques"].as_array().expect("techniques");
    assert!(techniques.iter().all(|t| t["counted"].as_u64() <= t["rules"].as_u64()));
    assert!(
        techniques.iter().any(|t| t["counted"].as_u64() < t["rules"].as_u64()),
        "a disabled search's technique"
    );
    // The text says which policy "counted" means.
    let out = ttpc()
        .args(["rules", "examples/rules/splunk/savedsearches.conf", "--kind", "splunk-savedsearches"])
        .output()
        .expect("runs");
    let text = text(&out.stdout);
    assert!(text.contains("counted: enabled, and a status other than deprecated or unsupported"), "{text}");
    assert!(text.contains(&format!("not counted: disabled {disabled}")), "{text}");
}

/// `ttpc rules --format json` of one fixture file or folder against the mini 18.1 bundle.
fn rules_json_at(path: &str, kind: &str) -> Value {
    let out = ttpc()
        .args(["rules", path, "--kind", kind, "--format", "json"])
        .arg("--attack-data")
        .arg(common::fixture("attack/mini-release-18.1.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn warning_messages(summary: &Value) -> Vec<String> {
    summary["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["path"].as_str().unwrap_or_default(),
                w["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn technique_ids(summary: &Value) -> Vec<String> {
    summary["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .map(str::to_owned)
        .collect()
}

#[test]
fn repeated_keys_in_sigma_rules_are_read_as_pyyaml_does_with_a_warning_at_the_real_line() {
    let s = rules_json_at("tests/fixtures/rules/duplicate-keys", "sigma");
    assert_eq!(s["rules"].as_u64(), Some(2), "neither file is skipped: {s}");
    assert_eq!(s["skipped_files"].as_u64(), Some(0));
    // The later `tags` wins: T1059, not the T1070 of the first list.
    assert_eq!(technique_ids(&s), ["T1003", "T1059"]);
    let warnings = warning_messages(&s);
    for expected in [
        "repeated-tags.yml: line 14: duplicate key `selection` (also on line 12); the later value is used, as PyYAML does",
        "repeated-tags.yml: line 18: duplicate key `tags` (also on line 5); the later value is used, as PyYAML does",
        "repeated-level.yml: line 17: duplicate key `level` (also on line 5); the later value is used, as PyYAML does",
    ] {
        assert!(warnings.iter().any(|w| w == expected), "{expected}\n{warnings:#?}");
    }
}

#[test]
fn repeated_keys_in_sentinel_rules_keep_the_last_value() {
    let s = rules_json_at("tests/fixtures/rules/duplicate-keys-sentinel", "sentinel");
    assert_eq!(technique_ids(&s), ["T1562.001"]);
    let warnings = warning_messages(&s);
    assert!(
        warnings.iter().any(
            |w| w.starts_with("rule.yaml: line 21: duplicate key `relevantTechniques` (also on line 16)")
        ),
        "{warnings:#?}"
    );
}

#[test]
fn repeated_keys_in_atomic_files_keep_the_last_value_and_say_so() {
    let text = "attack_technique: T1003\ndisplay_name: first\natomic_tests:\n- name: one\n  executor: {name: bash, command: x}\ndisplay_name: OS Credential Dumping\n";
    let technique = ttpc::inputs::atomics::parse(text).expect("read leniently");
    assert_eq!(technique.display_name, "OS Credential Dumping");
    assert_eq!(technique.tests.len(), 1);
    assert_eq!(
        technique.warnings,
        ["line 6: duplicate key `display_name` (also on line 2); the later value is used, as PyYAML does"]
    );
}

#[test]
fn a_model_that_repeats_a_key_is_refused_at_the_second_occurrence() {
    let out = ttpc().args(["check", "tests/fixtures/models/duplicate-key.yaml"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("ttpc::model::duplicate_key"), "{err}");
    assert!(err.contains("`targets` is set twice in the same mapping"), "{err}");
    assert!(err.contains("duplicate-key.yaml:11:1"), "the real line of the second `targets`: {err}");
    assert!(err.contains("line 7 already sets `targets`"), "{err}");
    assert!(!err.contains(":1:1]"), "never the start of the file: {err}");
}
