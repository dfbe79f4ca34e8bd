//! `ttpc rules` through the binary: the accounting as text and as JSON with documented keys.

use crate::common::{mini21, text, ttpc};

#[test]
fn text_output_has_accounting_stale_mappings_and_techniques() {
    let out = ttpc()
        .args(["rules", "tests/fixtures/rules/sigma", "--kind", "sigma", "--attack-data"])
        .arg(mini21())
        .output()
        .expect("runs");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.starts_with("tests/fixtures/rules/sigma (sigma)\n"), "{stdout}");
    for expected in [
        "files                  11",
        "parsed                  7",
        "skipped                 4",
        "rules with techniques   7",
        "t1547.011 → T1547",
        "broken.yml",
        "T1685",
        "T1059.001  Command and Scripting Interpreter: PowerShell",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in\n{stdout}");
    }
}

#[test]
fn json_output_has_documented_keys() {
    let out = ttpc()
        .args(["rules", "tests/fixtures/rules/sigma", "--kind", "sigma", "--format", "json", "--attack-data"])
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "sigma");
    assert_eq!(v["files"], 11);
    assert_eq!(v["parsed_files"], 7);
    assert_eq!(v["skipped_files"], 4);
    assert_eq!(v["skipped_by_reason"]["not-a-rule"], 2);
    assert_eq!(v["rules"], 8);
    assert_eq!(v["rules_with_techniques"], 7);
    assert_eq!(v["normalised"], true);
    assert_eq!(v["stale_mappings"][0]["written"], "t1547.011");
    assert_eq!(v["stale_mappings"][0]["replacement"], "T1547");
    assert_eq!(v["stale_mappings"][0]["issue"], "stale");
    let ps =
        v["techniques"].as_array().expect("list").iter().find(|t| t["id"] == "T1059.001").expect("T1059.001");
    assert_eq!(ps["rules"], 1);
    assert_eq!(v["skipped"][1]["reason"], "invalid-syntax");
}

#[test]
fn without_attack_data_ids_are_shown_as_written() {
    let out = ttpc()
        .args(["rules", "tests/fixtures/rules/sigma", "--kind", "sigma", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["normalised"], false);
    let ids: Vec<&str> =
        v["techniques"].as_array().expect("list").iter().filter_map(|t| t["id"].as_str()).collect();
    assert!(ids.contains(&"T1685") && ids.contains(&"T1547.011"), "{ids:?}");
}

#[test]
fn unknown_kind_and_missing_source_exit_2() {
    let out =
        ttpc().args(["rules", "tests/fixtures/rules/sigma", "--kind", "sigmaa"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected one of: sigma, splunk-savedsearches"));
    let out = ttpc().args(["rules", "tests/fixtures/rules/none", "--kind", "sigma"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("rule source tests/fixtures/rules/none does not exist"));
}
