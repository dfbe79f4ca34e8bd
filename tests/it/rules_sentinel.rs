//! The Microsoft Sentinel adapter: analytic-rule YAML, ARM-template exports, single exported
//! rules and REST lists, and the accounting of a fixture folder.

use std::path::{Path, PathBuf};

use ttpc::model::RuleKind;
use ttpc::rules::{DetectionRule, Parsed, Skip, SkipReason, adapter, load};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/sentinel")
}

fn parse_fixture(name: &str) -> Result<Parsed, Skip> {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    adapter(RuleKind::Sentinel).parse(&path, &text)
}

fn parse_text(name: &str, text: &str) -> Result<Parsed, Skip> {
    adapter(RuleKind::Sentinel).parse(Path::new(name), text)
}

fn one_rule(parsed: Parsed) -> DetectionRule {
    assert!(parsed.warnings.is_empty(), "warnings: {:?}", parsed.warnings);
    assert_eq!(parsed.rules.len(), 1, "rules: {:?}", parsed.rules);
    parsed.rules.into_iter().next().expect("one rule")
}

fn techniques(rule: &DetectionRule) -> Vec<&str> {
    rule.techniques.iter().map(String::as_str).collect()
}

fn tags(rule: &DetectionRule) -> Vec<&str> {
    rule.tags.iter().map(String::as_str).collect()
}

#[test]
fn yaml_rule_with_sub_technique_and_tactics() {
    let rule = one_rule(parse_fixture("aad-password-spray.yaml").expect("a rule"));
    assert_eq!(rule.kind, RuleKind::Sentinel);
    assert_eq!(rule.id, "6f1c2a4e-3b7d-4c9e-8a15-2d0b9e7f4c31");
    assert_eq!(rule.title, "Password spray against Entra ID followed by a successful sign-in");
    assert_eq!(rule.path, fixtures().join("aad-password-spray.yaml"));
    assert_eq!(rule.locator, None);
    assert_eq!(rule.status.as_deref(), Some("available"));
    assert_eq!(rule.level.as_deref(), Some("medium"));
    assert!(rule.enabled);
    assert_eq!(techniques(&rule), ["T1110.003", "T1078.004", "T1110"]);
    assert_eq!(tags(&rule), ["tactic:CredentialAccess", "tactic:InitialAccess"]);
    assert_eq!(rule.weight, 1);
}

#[test]
fn yaml_rule_with_deprecated_status() {
    let rule = one_rule(parse_fixture("deprecated-status.yaml").expect("a rule"));
    assert_eq!(rule.id, "0d4e8b7a-95c2-4f61-b3a8-7c1e2f9d6a50");
    assert_eq!(rule.title, "Owner role added to a service principal");
    assert_eq!(rule.status.as_deref(), Some("deprecated"));
    assert_eq!(rule.level.as_deref(), Some("high"));
    assert!(rule.enabled);
    assert_eq!(techniques(&rule), ["T1098"]);
    assert_eq!(tags(&rule), ["tactic:Persistence", "tactic:PrivilegeEscalation"]);
}

#[test]
fn yaml_rule_with_older_techniques_key_and_deprecated_title() {
    let rule = one_rule(parse_fixture("legacy-techniques.yaml").expect("a rule"));
    assert_eq!(rule.id, "93a7c5d1-2e4f-4b08-9c6d-1f5a3e8b7d22");
    assert_eq!(rule.title, "[Deprecated] Mass download from SharePoint by a guest");
    // No `status`: the repository's `[Deprecated]` name prefix stands in for it.
    assert_eq!(rule.status.as_deref(), Some("deprecated"));
    assert_eq!(rule.level.as_deref(), Some("low"));
    assert_eq!(techniques(&rule), ["T1537"]);
    assert_eq!(tags(&rule), ["tactic:Exfiltration"]);
}

#[test]
fn yaml_rule_disabled() {
    let rule = one_rule(parse_fixture("disabled-rule.yaml").expect("a rule"));
    assert_eq!(rule.id, "b25e9f60-7a1c-4d3e-8f24-6c9a0b1d5e77");
    assert_eq!(rule.title, "OAuth application granted mail read permissions");
    assert!(!rule.enabled);
    assert_eq!(rule.status, None);
    assert_eq!(rule.level.as_deref(), Some("high"));
    assert_eq!(techniques(&rule), ["T1528"]);
    assert_eq!(tags(&rule), ["tactic:CredentialAccess"]);
}

#[test]
fn yaml_both_technique_keys_scalars_and_comma_lists() {
    let text = "name: Both keys\n\
                id: 42\n\
                enabled: 'False'\n\
                tactics: Execution\n\
                relevantTechniques: T1059.001, T1059.003\n\
                techniques: [t1059.001, T1204.002]\n";
    let rule = one_rule(parse_text("both.yaml", text).expect("a rule"));
    assert_eq!(rule.id, "42");
    assert!(!rule.enabled);
    assert_eq!(tags(&rule), ["tactic:Execution"]);
    // As written; `t1059.001` is the same technique as `T1059.001` and kept once.
    assert_eq!(techniques(&rule), ["T1059.001", "T1059.003", "T1204.002"]);
}

#[test]
fn yaml_rule_without_id_takes_the_file_stem() {
    let text = "name: No id\nseverity: Informational\nquery: SigninLogs\n";
    let rule = one_rule(parse_text("rules/no-id.yaml", text).expect("a rule"));
    assert_eq!(rule.id, "no-id");
    assert_eq!(rule.level.as_deref(), Some("informational"));
    assert!(rule.techniques.is_empty());
    assert!(rule.tags.is_empty());
}

#[test]
fn yaml_unreadable_enabled_is_a_warning_and_stays_enabled() {
    let text = "id: x1\nname: Odd flag\nenabled: sometimes\nquery: x\n";
    let parsed = parse_text("odd.yaml", text).expect("a rule");
    assert_eq!(parsed.rules.len(), 1);
    assert!(parsed.rules[0].enabled);
    assert_eq!(
        parsed.warnings,
        ["document 1: `enabled` is `sometimes`, not true or false; counted as enabled"]
    );
}

#[test]
fn yaml_rule_without_name_is_a_warning() {
    let parsed = parse_fixture("unnamed-rule.yaml").expect("parsed with a warning");
    assert!(parsed.rules.is_empty());
    assert_eq!(parsed.warnings, ["document 1: a Sentinel rule without a `name`"]);
}

#[test]
fn yaml_field_of_the_wrong_shape_is_a_warning_with_its_position() {
    let text = "id: x2\nname:\n  en: Title in a mapping\nquery: x\n";
    let parsed = parse_text("shape.yaml", text).expect("parsed with a warning");
    assert!(parsed.rules.is_empty());
    assert_eq!(parsed.warnings, ["document 1: line 3 column 3: name: invalid type: map, expected text"]);
}

#[test]
fn yaml_multi_document_rules_have_locators() {
    let text = "name: First\nquery: a\nrelevantTechniques: [T1021.001]\n---\n\
                name: Second\nquery: b\nrelevantTechniques: [T1021.002]\n";
    let parsed = parse_text("pair.yaml", text).expect("two rules");
    assert!(parsed.warnings.is_empty());
    let found: Vec<_> =
        parsed.rules.iter().map(|r| (r.id.as_str(), r.locator.as_deref(), techniques(r))).collect();
    assert_eq!(
        found,
        [("pair", Some("document 1"), vec!["T1021.001"]), ("pair#2", Some("document 2"), vec!["T1021.002"]),]
    );
}

#[test]
fn yaml_that_is_not_a_rule() {
    let skip = parse_fixture("settings.yaml").expect_err("not a rule");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "YAML without a Sentinel rule (`name` with `query`, `relevantTechniques`, ...)");

    let skip = parse_text("list.yaml", "- a\n- b\n").expect_err("not a rule");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "YAML that is not a mapping");

    let skip = parse_text("empty.yaml", "").expect_err("not a rule");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "an empty file");
}

#[test]
fn yaml_syntax_error() {
    let skip = parse_fixture("broken.yaml").expect_err("invalid");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(
        skip.detail,
        "line 4 column 6: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 10"
    );
}

#[test]
fn arm_export_with_three_alert_rules_and_a_workbook() {
    let parsed = parse_fixture("arm-export.json").expect("rules");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let found: Vec<_> = parsed
        .rules
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.title.as_str(),
                r.locator.as_deref(),
                r.enabled,
                r.level.as_deref(),
                techniques(r),
                tags(r),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "0b9ae89d-8cad-461c-808f-0494f70ad5c4",
                "Sign-in from a new country to a privileged cloud account",
                Some("resources[0]"),
                true,
                Some("high"),
                vec!["T1078", "T1078.004"],
                vec!["tactic:InitialAccess", "tactic:Persistence"],
            ),
            (
                "5e1f7c3a-92b4-4d08-a6e1-3c8b0f2d9a47",
                "Storage account data copied to an external tenant",
                Some("resources[1]"),
                false,
                Some("medium"),
                vec!["T1537"],
                vec!["tactic:Exfiltration"],
            ),
            (
                "a3d6f8e1-4b2c-47d9-8e05-b1c7a9f3e264",
                "Link in a phishing email clicked",
                Some("resources[2]"),
                true,
                Some("medium"),
                vec!["T1566.002"],
                vec!["tactic:InitialAccess"],
            ),
        ]
    );
    assert!(parsed.rules.iter().all(|r| r.status.is_none()));
}

#[test]
fn arm_rule_without_display_name_is_a_warning_and_unusable_name_falls_back() {
    let parsed = parse_fixture("arm-partial.json").expect("one rule");
    assert_eq!(parsed.rules.len(), 1);
    let rule = &parsed.rules[0];
    // The name ends in `parameters('ruleId')`: the ID is not in the file.
    assert_eq!(rule.id, "arm-partial#resources[0]");
    assert_eq!(rule.title, "New federated domain trust added");
    assert_eq!(rule.locator.as_deref(), Some("resources[0]"));
    assert!(rule.enabled);
    assert_eq!(techniques(rule), ["T1484", "T1484.002"]);
    assert_eq!(
        parsed.warnings,
        [
            "resources[0]: `properties.enabled` is `[parameters('enableRule')]`, not true or false; counted as enabled",
            "resources[1]: an alert rule without `properties.displayName`; skipped",
        ]
    );
}

/// An ARM template holding one alert rule named `name`.
fn arm_with_name(name: &str) -> String {
    serde_json::json!({
        "resources": [{
            "type": "Microsoft.SecurityInsights/alertRules",
            "name": name,
            "properties": { "displayName": "R" }
        }]
    })
    .to_string()
}

#[test]
fn arm_rule_id_from_name_expressions() {
    let guid = "0b9ae89d-8cad-461c-808f-0494f70ad5c4";
    let cases = [
        (format!("[concat(parameters('workspace'),'/Microsoft.SecurityInsights/{guid}')]"), guid.to_owned()),
        (
            format!("[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '{guid}')]"),
            guid.to_owned(),
        ),
        (
            format!("[format('{{0}}/Microsoft.SecurityInsights/{{1}}', parameters('ws'), '{guid}')]"),
            guid.to_owned(),
        ),
        (format!("soc-prod/Microsoft.SecurityInsights/{guid}"), guid.to_owned()),
        (guid.to_owned(), guid.to_owned()),
        (
            "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/',variables('id'))]".to_owned(),
            "export#resources[0]".to_owned(),
        ),
        (
            "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/')]".to_owned(),
            "export#resources[0]".to_owned(),
        ),
        ("  ".to_owned(), "export#resources[0]".to_owned()),
    ];
    for (name, id) in cases {
        let parsed = parse_text("export.json", &arm_with_name(&name)).expect("a rule");
        assert_eq!(parsed.rules[0].id, id, "name {name}");
    }
}

#[test]
fn arm_resource_types_are_matched_by_their_last_segment() {
    let text = serde_json::json!({
        "resources": [
            { "type": "microsoft.securityinsights/ALERTRULES", "name": "a", "properties": { "displayName": "Upper" } },
            { "type": "Microsoft.SecurityInsights/alertRules/actions", "name": "b", "properties": { "displayName": "Action" } },
            { "type": "Microsoft.OperationalInsights/workspaces/providers/metadata", "name": "c" }
        ]
    })
    .to_string();
    let parsed = parse_text("types.json", &text).expect("one rule");
    let ids: Vec<_> = parsed.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a"]);
}

#[test]
fn arm_template_without_alert_rules_is_not_a_rule() {
    let text = r#"{"resources": [{"type": "Microsoft.Insights/workbooks", "name": "w", "properties": {"displayName": "W"}}]}"#;
    let skip = parse_text("workbooks.json", text).expect_err("not a rule");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "an ARM template without alertRules resources (1 of other types)");
}

#[test]
fn single_exported_rule() {
    let rule = one_rule(parse_fixture("single-rule.json").expect("a rule"));
    assert_eq!(rule.id, "e4b1d7a2-3c9f-4a65-b8e0-2f6d1c9a7b58");
    assert_eq!(rule.title, "Mailbox forwarding rule to an external address");
    assert_eq!(rule.locator, None);
    assert_eq!(rule.status.as_deref(), Some("preview"));
    assert_eq!(rule.level.as_deref(), Some("medium"));
    assert!(rule.enabled);
    assert_eq!(techniques(&rule), ["T1114", "T1114.003"]);
    assert_eq!(tags(&rule), ["tactic:Collection", "tactic:Exfiltration"]);
}

#[test]
fn rest_lists_of_rules() {
    let value = r#"{"value": [
        {"name": "r1", "type": "Microsoft.SecurityInsights/alertRules",
         "properties": {"displayName": "One", "enabled": false, "techniques": ["T1021"]}},
        {"name": "w1", "type": "Microsoft.Insights/workbooks", "properties": {"displayName": "Not a rule"}}
    ]}"#;
    let parsed = parse_text("list.json", value).expect("one rule");
    let found: Vec<_> =
        parsed.rules.iter().map(|r| (r.id.as_str(), r.locator.as_deref(), r.enabled)).collect();
    assert_eq!(found, [("r1", Some("value[0]"), false)]);

    let array = r#"[{"name": "r2", "properties": {"displayName": "Two", "subTechniques": ["T1021.001"]}}]"#;
    let rule = one_rule(parse_text("array.json", array).expect("one rule"));
    assert_eq!(rule.id, "r2");
    assert_eq!(rule.locator.as_deref(), Some("[0]"));
    assert_eq!(techniques(&rule), ["T1021.001"]);
}

#[test]
fn json_that_is_not_an_export() {
    let skip = parse_fixture("workbook.json").expect_err("not a rule");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "JSON that is neither an ARM template with alertRules nor an exported Sentinel rule"
    );
}

#[test]
fn invalid_json_is_a_syntax_skip_with_line_and_column() {
    let skip = parse_fixture("broken.json").expect_err("invalid");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 7 column 9: expected `,` or `}`");
}

#[test]
fn files_named_explicitly_are_sniffed() {
    let json = r#"{"properties": {"displayName": "Sniffed"}, "name": "s1"}"#;
    let rule = one_rule(parse_text("rule.txt", json).expect("a rule"));
    assert_eq!((rule.id.as_str(), rule.title.as_str()), ("s1", "Sniffed"));

    let yaml = "name: Sniffed YAML\nquery: x\n";
    let rule = one_rule(parse_text("rule.txt", yaml).expect("a rule"));
    assert_eq!((rule.id.as_str(), rule.title.as_str()), ("rule", "Sniffed YAML"));
}

#[test]
fn accepts_yaml_and_json_only() {
    let sentinel = adapter(RuleKind::Sentinel);
    assert!(sentinel.accepts(Path::new("a/rule.yaml")));
    assert!(sentinel.accepts(Path::new("a/rule.YML")));
    assert!(sentinel.accepts(Path::new("a/export.json")));
    assert!(!sentinel.accepts(Path::new("a/README.md")));
}

#[test]
fn load_fixture_folder() {
    let report = load(RuleKind::Sentinel, &fixtures()).expect("the folder loads");
    assert_eq!(report.kind, RuleKind::Sentinel);
    assert_eq!(report.files, 13);
    assert_eq!(report.parsed_files, 7);
    assert_eq!(report.rules.len(), 9);
    assert_eq!(report.rules_with_techniques(), 9);

    let rules: Vec<_> =
        report.rules.iter().map(|r| (r.path.to_string_lossy().into_owned(), r.id.as_str())).collect();
    assert_eq!(
        rules,
        [
            ("aad-password-spray.yaml".into(), "6f1c2a4e-3b7d-4c9e-8a15-2d0b9e7f4c31"),
            ("arm-export.json".into(), "0b9ae89d-8cad-461c-808f-0494f70ad5c4"),
            ("arm-export.json".into(), "5e1f7c3a-92b4-4d08-a6e1-3c8b0f2d9a47"),
            ("arm-export.json".into(), "a3d6f8e1-4b2c-47d9-8e05-b1c7a9f3e264"),
            ("arm-partial.json".into(), "arm-partial#resources[0]"),
            ("deprecated-status.yaml".into(), "0d4e8b7a-95c2-4f61-b3a8-7c1e2f9d6a50"),
            ("disabled-rule.yaml".into(), "b25e9f60-7a1c-4d3e-8f24-6c9a0b1d5e77"),
            ("legacy-techniques.yaml".into(), "93a7c5d1-2e4f-4b08-9c6d-1f5a3e8b7d22"),
            ("single-rule.json".into(), "e4b1d7a2-3c9f-4a65-b8e0-2f6d1c9a7b58"),
        ]
    );

    let skipped: Vec<_> =
        report.skipped.iter().map(|s| (s.path.to_string_lossy().into_owned(), s.reason)).collect();
    assert_eq!(
        skipped,
        [
            ("README.md".into(), SkipReason::NotARule),
            ("broken.json".into(), SkipReason::InvalidSyntax),
            ("broken.yaml".into(), SkipReason::InvalidSyntax),
            ("settings.yaml".into(), SkipReason::NotARule),
            ("unnamed-rule.yaml".into(), SkipReason::NotARule),
            ("workbook.json".into(), SkipReason::NotARule),
        ]
    );
    let unnamed = &report.skipped[4];
    assert_eq!(unnamed.detail, "no usable rule: document 1: a Sentinel rule without a `name`");

    let warnings: Vec<_> =
        report.warnings.iter().map(|w| (w.path.to_string_lossy().into_owned(), w.message.as_str())).collect();
    assert_eq!(
        warnings,
        [
            (
                "arm-partial.json".into(),
                "resources[0]: `properties.enabled` is `[parameters('enableRule')]`, not true or false; counted as enabled"
            ),
            (
                "arm-partial.json".into(),
                "resources[1]: an alert rule without `properties.displayName`; skipped"
            ),
        ]
    );
}
