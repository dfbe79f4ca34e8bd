//! `ttpc check` through the binary: valid models in both STIX flavours, and one test per kind of
//! bad input, each asserting the exit code, the message and the file:line:col it points at.

use crate::common;

use crate::common::{assert_no_panic, mini20, mini21, text, ttpc};

fn check(model: &str, bundle: &std::path::Path) -> (i32, String, String) {
    let out = ttpc()
        .args(["check", &format!("tests/fixtures/models/{model}"), "--attack-data"])
        .arg(bundle)
        .output()
        .expect("ttpc runs");
    let stderr = text(&out.stderr);
    assert_no_panic(&stderr);
    (out.status.code().expect("exit code"), text(&out.stdout), stderr)
}

#[test]
fn valid_model_prints_each_actor_with_id_name_and_count() {
    let (code, stdout, stderr) = check("mini.yaml", &mini21());
    assert_eq!(code, 0, "stderr: {stderr}");
    // FIN7 with via_software: 5 direct + 2 campaign + 2 software techniques (fixture README).
    let fin7 = stdout.lines().find(|l| l.starts_with("fin7")).expect("FIN7 row");
    let cells: Vec<&str> = fin7.split_whitespace().collect();
    assert_eq!(cells[..5], ["fin7", "G0046", "FIN7", "3", "9"], "{fin7}");
    let apt38 = stdout.lines().find(|l| l.starts_with("G0082")).expect("APT38 row");
    assert!(apt38.contains("APT38") && apt38.split_whitespace().nth(4) == Some("3"), "{apt38}");
    // An alias in capitals resolves case-insensitively.
    let lazarus = stdout.lines().find(|l| l.starts_with("HIDDEN COBRA")).expect("Lazarus row");
    assert!(lazarus.contains("G0032") && lazarus.contains("Lazarus Group"), "{lazarus}");
    assert!(stdout.contains("STIX 2.1"), "{stdout}");
}

#[test]
fn same_model_checks_against_the_stix_20_flavour() {
    let (code, stdout, stderr) = check("mini.yaml", &mini20());
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("STIX 2.0"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("fin7") && l.contains("G0046")), "{stdout}");
}

#[test]
fn misspelt_key_points_at_the_key_and_suggests_the_right_one() {
    let (code, _, stderr) = check("misspelt-key.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown key `telemetery`"), "{stderr}");
    assert!(stderr.contains("tests/fixtures/models/misspelt-key.yaml:6:1"), "{stderr}");
    assert!(stderr.contains("did you mean `telemetry`?"), "{stderr}");
}

#[test]
fn wrong_type_names_the_field_and_the_expected_type() {
    let (code, _, stderr) = check("wrong-type.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`actors[0].weight` must be a whole number, found the string \"heavy\""),
        "{stderr}"
    );
    assert!(stderr.contains("wrong-type.yaml:6:13"), "{stderr}");
}

#[test]
fn percentage_out_of_range_is_reported_at_its_value() {
    let (code, _, stderr) = check("percent-out-of-range.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`targets.overall` must be a percentage from 0% to 100%, found 120%"),
        "{stderr}"
    );
    assert!(stderr.contains("percent-out-of-range.yaml:7:12"), "{stderr}");
}

#[test]
fn unknown_actor_suggests_the_nearest_group_with_its_id() {
    let (code, _, stderr) = check("unknown-actor.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown actor `FIN77`"), "{stderr}");
    assert!(stderr.contains("did you mean FIN7 (G0046)"), "{stderr}");
    assert!(stderr.contains("unknown-actor.yaml:6:10"), "{stderr}");
}

#[test]
fn alias_shared_by_two_groups_is_ambiguous_and_lists_both() {
    let (code, _, stderr) = check("ambiguous-alias.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("actor `twin panda` is ambiguous"), "{stderr}");
    assert!(
        stderr.contains("Shared Alias One (G9001)") && stderr.contains("Shared Alias Two (G9002)"),
        "{stderr}"
    );
    assert!(stderr.contains("ambiguous-alias.yaml:5:10"), "{stderr}");
}

#[test]
fn revoked_group_is_replaced_with_a_warning() {
    let (code, stdout, stderr) = check("revoked-actor.yaml", &mini21());
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("revoked in ATT&CK and replaced by G0046 FIN7"), "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Ancient Actor") && l.contains("G0046")), "{stdout}");
}

#[test]
fn unknown_platform_suggests_a_known_one() {
    let (code, _, stderr) = check("unknown-platform.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("`Linuxx` is not a platform of ATT&CK enterprise-attack"), "{stderr}");
    assert!(stderr.contains("did you mean `Linux`?"), "{stderr}");
}

#[test]
fn yaml_syntax_error_has_a_position() {
    let (code, _, stderr) = check("not-yaml.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("not valid YAML"), "{stderr}");
    assert!(stderr.contains("not-yaml.yaml:5:"), "{stderr}");
}

#[test]
fn missing_attack_file_is_named() {
    let (code, _, stderr) =
        check("mini.yaml", std::path::Path::new("tests/fixtures/attack/no-such-bundle.json"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ATT&CK data file tests/fixtures/attack/no-such-bundle.json does not exist"),
        "{stderr}"
    );
}

#[test]
fn bundle_that_is_not_json_has_a_position() {
    let (code, _, stderr) = check("mini.yaml", std::path::Path::new("tests/fixtures/attack/not-json.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("tests/fixtures/attack/not-json.json:6:1 is not valid JSON"), "{stderr}");
}

#[test]
fn bundle_that_is_json_but_not_stix_says_so() {
    let (code, _, stderr) = check("mini.yaml", std::path::Path::new("tests/fixtures/attack/not-stix.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("is JSON but not an ATT&CK STIX bundle"), "{stderr}");
    assert!(stderr.contains("missing field `type`"), "{stderr}");
}

#[test]
fn empty_bundle_has_no_matrix() {
    let (code, _, stderr) =
        check("mini.yaml", std::path::Path::new("tests/fixtures/attack/empty-bundle.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("it holds no ATT&CK matrix"), "{stderr}");
}

#[test]
fn bundle_of_another_domain_is_refused() {
    let (code, _, stderr) = check("mini.yaml", &common::fixture("attack/mini-ics-2.1.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("holds ics-attack data, but the model pins enterprise-attack"), "{stderr}");
}

#[test]
fn ics_model_checks_against_the_ics_bundle() {
    let (code, stdout, stderr) = check("ics.yaml", &common::fixture("attack/mini-ics-2.1.json"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("Sandworm Team") && l.contains("G0034")), "{stdout}");
}

#[test]
fn without_data_the_error_says_how_to_get_it() {
    let out = ttpc().args(["check", "tests/fixtures/models/mini.yaml"]).output().expect("runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("ATT&CK enterprise-attack 18.1 is not in the cache"), "{stderr}");
    assert!(
        stderr.contains("attack-stix-data/master/enterprise-attack/enterprise-attack-18.1.json"),
        "{stderr}"
    );
    assert!(stderr.contains("--attack-data"), "{stderr}");
}

#[test]
fn attack_data_can_come_from_the_environment() {
    let out = ttpc()
        .args(["check", "tests/fixtures/models/mini.yaml"])
        .env("TTPC_ATTACK_DATA", mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn pinned_version_is_found_in_the_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(cache.path().join("attack")).expect("mkdir");
    std::fs::copy(mini21(), cache.path().join("attack/enterprise-attack-18.1.json")).expect("copy");
    // The model is copied so that the ttpc.lock recorded beside it lands in a temporary folder.
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("mini.yaml");
    std::fs::copy(common::fixture("models/mini.yaml"), &model).expect("copy model");
    let out = ttpc().arg("check").arg(&model).env("TTPC_CACHE", cache.path()).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("enterprise-attack-18.1.json"));
    assert!(dir.path().join("ttpc.lock").is_file(), "data from the cache is pinned");
}

#[test]
fn check_prints_the_accounting_of_each_rule_source() {
    let (code, stdout, stderr) = check("with-rules.yaml", &mini21());
    assert_eq!(code, 0, "{stderr}");
    let line = stdout.lines().find(|l| l.contains("SOC Sigma (sigma)")).expect("source line");
    assert!(
        line.contains("11 files: 7 parsed, 4 skipped (invalid UTF-8 1, invalid syntax 1, not a rule 2)"),
        "{line}"
    );
    assert!(
        line.contains(
            "8 rules, 7 with techniques, 1 stale mapping, 0 translated from another release, 5 unmapped IDs"
        ),
        "{line}"
    );
}

#[test]
fn missing_rule_source_points_at_the_model_line() {
    let (code, _, stderr) = check("missing-rules.yaml", &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("rule source ../rules/no-such-inventory.csv does not exist"), "{stderr}");
    assert!(stderr.contains("missing-rules.yaml:8:23"), "{stderr}");
    assert!(stderr.contains("paths are relative to the model file"), "{stderr}");
}
