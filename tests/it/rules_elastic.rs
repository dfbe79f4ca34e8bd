//! The Elastic adapter: detection-rules TOML and Kibana NDJSON exports, through the public API.

use std::path::{Path, PathBuf};

use ttpc::model::RuleKind;
use ttpc::rules::{DetectionRule, Parsed, Skip, SkipReason, adapter, load};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/elastic")
}

fn parse_text(name: &str, text: &str) -> Result<Parsed, Skip> {
    adapter(RuleKind::Elastic).parse(Path::new(name), text)
}

fn parse_fixture(relative: &str) -> Result<Parsed, Skip> {
    let path = fixtures().join(relative);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    adapter(RuleKind::Elastic).parse(&path, &text)
}

fn only_rule(relative: &str) -> DetectionRule {
    let parsed = parse_fixture(relative).expect("fixture parses");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.rules.len(), 1);
    parsed.rules.into_iter().next().expect("one rule")
}

#[test]
fn accepts_toml_and_ndjson_only() {
    let elastic = adapter(RuleKind::Elastic);
    assert_eq!(elastic.kind(), RuleKind::Elastic);
    assert!(elastic.accepts(Path::new("rules/windows/a.toml")));
    assert!(elastic.accepts(Path::new("export.NDJSON")));
    assert!(!elastic.accepts(Path::new("export.json")));
    assert!(!elastic.accepts(Path::new("rule.yml")));
    assert!(!elastic.accepts(Path::new("README")));
}

#[test]
fn toml_rule_collects_technique_and_nested_subtechniques_with_tactic_last() {
    let rule = only_rule("windows/execution_encoded_powershell.toml");
    assert_eq!(rule.id, "0e1a5000-0000-4000-8000-000000000001");
    assert_eq!(rule.title, "Fixture Encoded Interpreter Command");
    assert_eq!(rule.kind, RuleKind::Elastic);
    assert_eq!(rule.status.as_deref(), Some("production"));
    assert_eq!(rule.level.as_deref(), Some("high"));
    assert!(rule.enabled);
    assert_eq!(rule.locator, None);
    assert_eq!(rule.techniques, ["T1059", "T1059.001", "T1059.003"]);
    assert_eq!(rule.tags, ["tactic:TA0002 Execution"]);
    assert_eq!(rule.weight, 1);
}

#[test]
fn technique_in_two_threat_blocks_is_deduplicated_and_atlas_is_ignored() {
    let rule = only_rule("windows/defense_evasion_injection.toml");
    assert_eq!(rule.id, "0e1a5000-0000-4000-8000-000000000002");
    // T1055 and t1055 are one technique; the ATLAS entry adds neither a technique nor a tag.
    assert_eq!(rule.techniques, ["T1055", "T1055.012"]);
    assert_eq!(rule.tags, ["tactic:TA0005 Defense Evasion", "tactic:TA0004 Privilege Escalation"]);
    assert!(!rule.enabled, "enabled = false");
    assert_eq!(rule.level.as_deref(), Some("critical"));
    assert_eq!(rule.status.as_deref(), Some("production"));
}

#[test]
fn deprecated_maturity_and_a_revoked_id_kept_as_written() {
    let rule = only_rule("windows/persistence_legacy_run_key.toml");
    assert_eq!(rule.title, "Fixture Legacy Run Key Write");
    assert_eq!(rule.status.as_deref(), Some("deprecated"));
    assert!(rule.enabled, "no `enabled` key means enabled");
    // Trimmed but otherwise as written: remapping revoked IDs is normalisation's job.
    assert_eq!(rule.techniques, ["T1060"]);
    assert_eq!(rule.tags, ["tactic:TA0003 Persistence"]);
}

#[test]
fn building_block_is_an_ordinary_rule_with_a_tag() {
    let rule = only_rule("building_block_rundll32.toml");
    assert_eq!(rule.id, "0e1a5000-0000-4000-8000-000000000004");
    assert_eq!(rule.techniques, ["T1218", "T1218.011"]);
    assert_eq!(rule.tags, ["building-block", "tactic:TA0005 Defense Evasion", "tactic:TA0002 Execution"]);
    assert!(rule.enabled);
}

#[test]
fn rule_without_threat_parses_with_no_techniques() {
    let rule = only_rule("no_threat.toml");
    assert_eq!(rule.id, "0e1a5000-0000-4000-8000-000000000005");
    assert_eq!(rule.title, "Fixture Unmapped Sign-in Anomaly");
    assert_eq!(rule.status.as_deref(), Some("development"));
    assert_eq!(rule.level.as_deref(), Some("medium"));
    assert!(rule.techniques.is_empty());
    assert!(rule.tags.is_empty());
}

#[test]
fn toml_without_rule_table_is_not_a_rule() {
    for fixture in ["config/settings.toml", "_deprecated/stub_only_metadata.toml"] {
        let skip = parse_fixture(fixture).expect_err(fixture);
        assert_eq!(skip.reason, SkipReason::NotARule, "{fixture}");
        assert_eq!(skip.detail, "TOML without a [rule] table", "{fixture}");
    }
    let skip = parse_text("empty.toml", "").expect_err("empty");
    assert_eq!(skip.reason, SkipReason::NotARule);
    let skip = parse_text("other.toml", "[rule]\nlevel = 3\n").expect_err("foreign [rule]");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "TOML whose [rule] table has neither `name` nor `rule_id`");
}

#[test]
fn invalid_toml_is_a_syntax_skip_with_line_and_column() {
    let skip = parse_fixture("broken.toml").expect_err("broken");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 7 column 12: string values must be quoted, expected literal string");
}

#[test]
fn toml_error_column_counts_characters_not_bytes() {
    let text = "[rule]\nname = \"Zugriff auf Schlüssel\" x\n";
    let skip = parse_text("umlaut.toml", text).expect_err("trailing garbage");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 2 column 32: unexpected key or value, expected newline, `#`");
}

#[test]
fn wrong_field_type_is_a_warning_not_a_syntax_error() {
    let parsed = parse_fixture("wrong_type.toml").expect("well-formed TOML");
    assert!(parsed.rules.is_empty());
    assert_eq!(parsed.warnings, ["line 7 column 11: invalid type: string \"no\", expected a boolean"]);
}

#[test]
fn toml_rule_without_name_is_a_warning_and_without_id_takes_the_stem() {
    let parsed = parse_text("nameless.toml", "[rule]\nrule_id = \"abc\"\n").expect("parses");
    assert!(parsed.rules.is_empty());
    assert_eq!(parsed.warnings, ["rule abc has no name"]);

    let parsed = parse_text(
        "rules/my_rule.toml",
        "[metadata]\nmaturity = \"experimental\"\n[rule]\nname = \" Mine \"\n",
    )
    .expect("parses");
    assert_eq!(parsed.rules.len(), 1);
    assert_eq!(parsed.rules[0].id, "my_rule");
    assert_eq!(parsed.rules[0].title, "Mine");
    assert_eq!(parsed.rules[0].status.as_deref(), Some("experimental"));
    assert_eq!(parsed.rules[0].level, None);
}

#[test]
fn toml_with_crlf_line_ends_parses() {
    let text = "[rule]\r\nname = \"CRLF\"\r\nrule_id = \"crlf-1\"\r\n\r\n[[rule.threat]]\r\n\
                framework = \"MITRE ATT&CK\"\r\n[[rule.threat.technique]]\r\nid = \"T1112\"\r\n";
    let parsed = parse_text("crlf.toml", text).expect("parses");
    assert_eq!(parsed.rules[0].id, "crlf-1");
    assert_eq!(parsed.rules[0].techniques, ["T1112"]);
    assert_eq!(parsed.rules[0].status, None);
}

#[test]
fn kibana_export_yields_rules_per_line_and_warns_on_a_corrupt_line() {
    let parsed = parse_fixture("kibana-export.ndjson").expect("export parses");
    let ids: Vec<&str> = parsed.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "0e1a5000-0000-4000-8000-000000000101",
            "0e1a5000-0000-4000-8000-000000000102",
            "0e1a5000-0000-4000-8000-000000000103"
        ]
    );
    let locators: Vec<Option<&str>> = parsed.rules.iter().map(|r| r.locator.as_deref()).collect();
    assert_eq!(locators, [Some("line 1"), Some("line 2"), Some("line 5")]);

    let office = &parsed.rules[0];
    assert_eq!(office.title, "Fixture Office Child Process");
    assert!(office.enabled);
    assert_eq!(office.status, None, "exports have no maturity");
    assert_eq!(office.level.as_deref(), Some("high"));
    assert_eq!(office.techniques, ["T1566", "T1566.001", "T1204", "T1204.002"]);
    assert_eq!(office.tags, ["tactic:TA0001 Initial Access", "tactic:TA0002 Execution"]);

    let service = &parsed.rules[1];
    assert!(!service.enabled);
    assert_eq!(service.level.as_deref(), Some("medium"));
    assert_eq!(service.techniques, ["T1021", "T1021.002", "T1569", "T1569.002"]);

    let shadow = &parsed.rules[2];
    assert_eq!(shadow.title, "Fixture Shadow Copy Deletion");
    assert!(shadow.techniques.is_empty());
    assert_eq!(shadow.tags, ["building-block"]);

    assert_eq!(parsed.warnings, ["line 3: invalid JSON at column 95: EOF while parsing a value"]);
}

#[test]
fn kibana_summary_reporting_missing_rules_is_a_warning() {
    let text = concat!(
        r#"{"rule_id":"r-1","name":"One","enabled":true,"severity":"LOW","threat":[]}"#,
        "\n",
        r#"{"exported_count":1,"exported_rules_count":1,"missing_rules":[{"rule_id":"r-2"},{"rule_id":"r-3"}],"missing_rules_count":2}"#,
        "\n"
    );
    let parsed = parse_text("export.ndjson", text).expect("parses");
    assert_eq!(parsed.rules.len(), 1);
    assert_eq!(parsed.rules[0].level.as_deref(), Some("low"));
    assert_eq!(parsed.warnings, ["line 2: the export summary reports 2 missing rules: r-2, r-3"]);
}

#[test]
fn kibana_lines_that_are_not_rules() {
    let text = concat!(
        r#"{"rule_id":"r-1","enabled":false}"#,
        "\n",
        "[1, 2]\n",
        r#"{"rule_id":"r-2","name":"Typed badly","enabled":"yes"}"#,
        "\n",
        r#"{"list_id":"endpoint_list","name":"Endpoint exceptions","type":"endpoint"}"#,
        "\n",
        r#"{"rule_id":"r-3","name":"Good","threat":[{"framework":"MITRE ATLAS","tactic":{"id":"AML.TA0000","name":"ML Model Access"},"technique":[{"id":"AML.T0040"}]},{"tactic":{"id":"TA0040","name":"Impact"},"technique":[{"id":"T1486"}]}]}"#,
        "\n"
    );
    let parsed = parse_text("mixed.ndjson", text).expect("parses");
    assert_eq!(parsed.rules.len(), 1);
    let good = &parsed.rules[0];
    assert_eq!(good.id, "r-3");
    assert_eq!(good.locator.as_deref(), Some("line 5"));
    // No framework at all is taken as ATT&CK; ATLAS is not.
    assert_eq!(good.techniques, ["T1486"]);
    assert_eq!(good.tags, ["tactic:TA0040 Impact"]);
    assert_eq!(
        parsed.warnings,
        [
            "line 1: rule r-1 has no name",
            "line 2: not a JSON object",
            "line 3: rule r-2: invalid type: string \"yes\", expected a boolean",
        ]
    );
}

#[test]
fn ndjson_without_any_rule_is_not_a_rule() {
    let text = concat!(
        r#"{"list_id":"endpoint_list","name":"Endpoint exceptions","type":"endpoint"}"#,
        "\n",
        r#"{"exported_count":0,"exported_rules_count":0,"missing_rules":[],"missing_rules_count":0}"#,
        "\n"
    );
    let skip = parse_text("exceptions.ndjson", text).expect_err("no rules");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "NDJSON without Kibana rules (2 JSON values without a `rule_id`)");
    let skip = parse_text("empty.ndjson", "\n \n").expect_err("empty");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "an empty file");
}

#[test]
fn ndjson_that_is_not_json_at_all_is_a_syntax_skip() {
    let skip = parse_text("notes.ndjson", "these are notes\nnot rules\n").expect_err("not JSON");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 1 column 2: expected ident");
    // A broken pretty-printed rule: the position is in the file, not in one line of it.
    let broken = "{\n  \"rule_id\": \"x\",\n  \"name\": \"Broken\"\n  \"severity\": \"low\"\n}\n";
    let skip = parse_text("broken.json", broken).expect_err("missing comma");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 4 column 3: expected `,` or `}`");
}

#[test]
fn pretty_printed_single_rule_named_explicitly_is_read_whole() {
    let text = "\n{\n  \"rule_id\": \"solo\",\n  \"name\": \"Solo rule\",\n  \"severity\": \"high\",\n  \
                \"threat\": [{\"framework\": \"MITRE ATT&CK\", \"technique\": [{\"id\": \"T1486\"}]}]\n}\n";
    let parsed = parse_text("solo.json", text).expect("parses");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.rules.len(), 1);
    assert_eq!(parsed.rules[0].id, "solo");
    assert_eq!(parsed.rules[0].locator.as_deref(), Some("line 2"));
    assert_eq!(parsed.rules[0].techniques, ["T1486"]);
    assert!(parsed.rules[0].tags.is_empty());
}

#[test]
fn unknown_extension_is_sniffed() {
    let json = r#"{"rule_id":"x-1","name":"From a .txt"}"#;
    let parsed = parse_text("export.txt", json).expect("JSON by its first character");
    assert_eq!(parsed.rules[0].locator.as_deref(), Some("line 1"));
    let parsed =
        parse_text("rule", "[rule]\nname = \"No extension\"\nrule_id = \"x-2\"\n").expect("TOML otherwise");
    assert_eq!(parsed.rules[0].id, "x-2");
    assert_eq!(parsed.rules[0].locator, None);
}

#[test]
fn load_fixture_folder_accounts_for_every_file() {
    let report = load(RuleKind::Elastic, &fixtures()).expect("fixture folder loads");
    assert_eq!(report.kind, RuleKind::Elastic);
    assert_eq!(report.files, 12);
    assert_eq!(report.parsed_files, 6);
    assert_eq!(report.rules.len(), 8);
    assert_eq!(report.rules_with_techniques(), 6);

    let skipped: Vec<(String, SkipReason)> =
        report.skipped.iter().map(|s| (s.path.to_string_lossy().replace('\\', "/"), s.reason)).collect();
    assert_eq!(
        skipped,
        [
            ("README.md".to_owned(), SkipReason::NotARule),
            ("_deprecated/stub_only_metadata.toml".to_owned(), SkipReason::NotARule),
            ("broken.toml".to_owned(), SkipReason::InvalidSyntax),
            ("config/settings.toml".to_owned(), SkipReason::NotARule),
            ("stray.json".to_owned(), SkipReason::NotARule),
            ("wrong_type.toml".to_owned(), SkipReason::NotARule),
        ]
    );
    let by_reason = report.skipped_by_reason();
    assert_eq!(by_reason.get(&SkipReason::NotARule), Some(&5));
    assert_eq!(by_reason.get(&SkipReason::InvalidSyntax), Some(&1));
    let wrong_type = report
        .skipped
        .iter()
        .find(|s| s.path == Path::new("wrong_type.toml"))
        .expect("wrong_type.toml skipped");
    assert_eq!(
        wrong_type.detail,
        "no usable rule: line 7 column 11: invalid type: string \"no\", expected a boolean"
    );

    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].path, Path::new("kibana-export.ndjson"));
    assert!(report.warnings[0].message.starts_with("line 3: "));

    let disabled: Vec<&str> = report.rules.iter().filter(|r| !r.enabled).map(|r| r.title.as_str()).collect();
    assert_eq!(disabled, ["Fixture Admin Share Service Install", "Fixture Remote Thread Injection"]);
    let deprecated: Vec<&Path> = report
        .rules
        .iter()
        .filter(|r| r.status.as_deref() == Some("deprecated"))
        .map(|r| r.path.as_path())
        .collect();
    assert_eq!(deprecated, [Path::new("windows/persistence_legacy_run_key.toml")]);
    let placed: Vec<String> =
        report.rules.iter().filter(|r| r.locator.is_some()).map(DetectionRule::place).collect();
    assert_eq!(
        placed,
        ["kibana-export.ndjson line 1", "kibana-export.ndjson line 2", "kibana-export.ndjson line 5"]
    );
}

#[test]
fn example_inventory_parses_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules/elastic");
    let report = load(RuleKind::Elastic, &root).expect("examples load");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.files, 16);
    assert_eq!(report.rules.len(), 19);
    assert_eq!(report.rules_with_techniques(), 17);
    assert_eq!(report.rules.iter().filter(|r| !r.enabled).count(), 2);
    let has = |id: &str| report.rules.iter().any(|r| r.techniques.iter().any(|t| t == id));
    for id in ["T1078.004", "T1537", "T1098", "T1110.003", "T1530", "T1566.002", "T1060", "T1050", "T1064"] {
        assert!(has(id), "{id} missing from the inventory");
    }
}
