//! The ATT&CK Navigator layer adapter, through the public API.

use std::path::{Path, PathBuf};

use ttpc::model::RuleKind;
use ttpc::rules::{DetectionRule, Parsed, Skip, SkipReason, adapter, load};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/navigator")
}

fn parse_fixture(name: &str) -> Result<Parsed, Skip> {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    adapter(RuleKind::NavigatorLayer).parse(&path, &text)
}

fn parse_text(text: &str) -> Result<Parsed, Skip> {
    adapter(RuleKind::NavigatorLayer).parse(Path::new("layers/inline.json"), text)
}

fn rule<'a>(parsed: &'a Parsed, technique: &str) -> &'a DetectionRule {
    parsed
        .rules
        .iter()
        .find(|r| r.techniques.iter().any(|t| t == technique))
        .unwrap_or_else(|| panic!("no rule for {technique} in {:?}", parsed.rules))
}

/// A minimal 4.5 layer around the given `techniques` entries.
fn layer(entries: &str) -> String {
    format!(
        r#"{{"name": "L", "versions": {{"layer": "4.5"}}, "domain": "enterprise-attack",
            "techniques": [{entries}]}}"#
    )
}

#[test]
fn adapter_kind_and_extension() {
    let nav = adapter(RuleKind::NavigatorLayer);
    assert_eq!(nav.kind(), RuleKind::NavigatorLayer);
    assert!(nav.accepts(Path::new("layers/coverage.json")));
    assert!(nav.accepts(Path::new("layers/COVERAGE.JSON")));
    assert!(!nav.accepts(Path::new("layers/coverage.ndjson")));
    assert!(!nav.accepts(Path::new("layers/coverage.yml")));
}

#[test]
fn counted_entries_become_rules_in_layer_order() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    let found: Vec<(&str, u32, Option<&str>)> =
        parsed.rules.iter().map(|r| (r.id.as_str(), r.weight, r.locator.as_deref())).collect();
    assert_eq!(
        found,
        [
            ("Partner coverage:T1059.001", 3, Some("techniques[0]")),
            ("Partner coverage:T1078", 4, Some("techniques[3]")),
            ("Partner coverage:T1105", 1, Some("techniques[6]")),
            ("Partner coverage:T1055", 2, Some("techniques[7]")),
            ("Partner coverage:T1490", 1, Some("techniques[13]")),
        ]
    );
    for r in &parsed.rules {
        assert_eq!(r.kind, RuleKind::NavigatorLayer);
        assert!(r.enabled);
        assert_eq!(r.status, None);
        assert_eq!(r.level, None);
        assert_eq!(r.techniques.len(), 1);
    }
}

#[test]
fn scored_entry_takes_its_comment_as_title_and_tactic_as_tag() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    let r = rule(&parsed, "T1059.001");
    assert_eq!(r.title, "PowerShell analytics");
    assert_eq!(r.weight, 3);
    assert_eq!(r.tags, ["execution"]);
}

#[test]
fn score_zero_and_disabled_entries_are_not_rules() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    for absent in ["T1003.001", "T1021.002"] {
        assert!(!parsed.rules.iter().any(|r| r.techniques[0] == absent), "{absent} must not count");
        assert!(!parsed.warnings.iter().any(|w| w.contains(absent)));
    }
}

#[test]
fn same_technique_under_several_tactics_is_one_rule_with_the_max_score() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    let matching: Vec<&DetectionRule> =
        parsed.rules.iter().filter(|r| r.techniques[0].eq_ignore_ascii_case("T1078")).collect();
    assert_eq!(matching.len(), 1, "t1078 in lower case merges too");
    let r = matching[0];
    assert_eq!(r.weight, 4);
    assert_eq!(r.techniques, ["T1078"]);
    assert_eq!(r.title, "Valid account abuse", "the first non-empty comment");
    assert_eq!(r.tags, ["initial-access", "persistence", "defense-evasion"]);
    assert_eq!(r.locator.as_deref(), Some("techniques[3]"));
}

#[test]
fn entry_without_score_counts_once_with_a_derived_title() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    let r = rule(&parsed, "T1105");
    assert_eq!(r.weight, 1);
    assert_eq!(r.title, "Partner coverage T1105", "an empty comment is no title");
    assert_eq!(r.tags, ["command-and-control"]);
}

#[test]
fn fractional_scores_round_and_never_drop_below_one() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    assert_eq!(rule(&parsed, "T1055").weight, 2, "1.6 rounds to 2");
    assert_eq!(rule(&parsed, "T1490").weight, 1, "0.2 is still covered");
}

#[test]
fn view_state_entry_is_not_coverage() {
    // Navigator exports an expanded parent technique even when it has no annotation.
    let parsed = parse_fixture("coverage.json").expect("parses");
    assert!(!parsed.rules.iter().any(|r| r.techniques[0] == "T1547"));
    assert!(!parsed.warnings.iter().any(|w| w.contains("T1547")));
    // The same entry with a comment is a claim of coverage.
    let parsed = parse_text(&layer(
        r#"{"techniqueID": "T1547", "tactic": "persistence", "comment": "Autostart analytics",
            "showSubtechniques": true}"#,
    ))
    .expect("parses");
    assert_eq!(parsed.rules[0].title, "Autostart analytics");
    assert_eq!(parsed.rules[0].weight, 1);
}

#[test]
fn bad_entries_warn_and_the_rest_still_count() {
    let parsed = parse_fixture("coverage.json").expect("parses");
    assert_eq!(
        parsed.warnings,
        [
            "techniques[8] (T1112): score -1 is negative; entry ignored",
            r#"techniques[9] (T1027): score "high" is not a number; entry ignored"#,
            "techniques[11]: techniqueID `TA0002` is not a technique ID; ignored",
            "techniques[12]: an entry without a techniqueID; ignored",
        ]
    );
}

#[test]
fn enabled_that_is_not_a_boolean_warns() {
    let parsed = parse_text(&layer(
        r#"{"techniqueID": "T1486", "score": 2, "enabled": "no"},
           {"techniqueID": "T1490", "score": 1},
           "T1112""#,
    ))
    .expect("parses");
    assert_eq!(parsed.rules.len(), 1);
    assert_eq!(parsed.rules[0].id, "L:T1490");
    assert_eq!(parsed.rules[0].title, "L T1490");
    assert!(parsed.rules[0].tags.is_empty(), "no tactic given");
    assert_eq!(
        parsed.warnings,
        [
            r#"techniques[0] (T1486): enabled "no" is not true or false; entry ignored"#,
            "techniques[2]: an entry that is not an object; ignored",
        ]
    );
}

#[test]
fn a_layer_without_a_name_uses_the_file_stem() {
    let parsed = parse_fixture("unnamed.json").expect("parses");
    assert!(parsed.warnings.is_empty());
    assert_eq!(parsed.rules.len(), 1);
    let r = &parsed.rules[0];
    assert_eq!(r.id, "unnamed:T1566.001");
    assert_eq!(r.title, "unnamed T1566.001");
    assert_eq!(r.weight, 1);
    assert_eq!(r.tags, ["initial-access"]);
    assert_eq!(r.locator.as_deref(), Some("techniques[0]"));
}

#[test]
fn a_layer_claiming_nothing_is_not_a_rule() {
    let skip = parse_fixture("all-zero.json").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "a Navigator layer without a scored or enabled technique");
    let skip = parse_text(&layer("")).expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
}

#[test]
fn json_that_is_not_a_layer_is_not_a_rule() {
    let skip = parse_fixture("package.json").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "JSON without a `techniques` array, so not a Navigator layer");
    let skip = parse_fixture("techniques-only.json").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "JSON with `techniques` but neither `versions` nor `domain`, so not a Navigator layer"
    );
    let skip = parse_text(r#"[{"techniqueID": "T1059"}]"#).expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "JSON that is not an object, so not a Navigator layer");
    let skip = parse_text(r#"{"domain": "enterprise-attack", "techniques": {}}"#).expect_err("skipped");
    assert_eq!(skip.detail, "JSON without a `techniques` array, so not a Navigator layer");
    let skip = parse_text(" \n").expect_err("skipped");
    assert_eq!(skip.detail, "an empty file");
}

#[test]
fn invalid_json_is_a_syntax_error_with_line_and_column() {
    let skip = parse_fixture("broken.json").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 5 column 33: expected `,` or `}`");
}

#[test]
fn load_the_fixture_folder() {
    let report = load(RuleKind::NavigatorLayer, &fixtures()).expect("folder loads");
    assert_eq!(report.files, 7);
    assert_eq!(report.parsed_files, 2);
    assert_eq!(report.rules.len(), 6);
    assert_eq!(report.rules_with_techniques(), 6);
    assert_eq!(report.rules.iter().map(|r| r.weight).sum::<u32>(), 12);
    let skipped: Vec<(&str, SkipReason)> =
        report.skipped.iter().map(|s| (s.path.to_str().expect("utf-8 path"), s.reason)).collect();
    assert_eq!(
        skipped,
        [
            ("all-zero.json", SkipReason::NotARule),
            ("broken.json", SkipReason::InvalidSyntax),
            ("notes.txt", SkipReason::NotARule),
            ("package.json", SkipReason::NotARule),
            ("techniques-only.json", SkipReason::NotARule),
        ]
    );
    assert_eq!(report.warnings.len(), 4);
    assert!(report.warnings.iter().all(|w| w.path == Path::new("coverage.json")));
    let r = report.rules.iter().find(|r| r.id == "unnamed:T1566.001").expect("unnamed layer rule");
    assert_eq!(r.place(), "unnamed.json techniques[0]");
}

#[test]
fn load_the_sample_layer() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules/navigator/managed-mdr-coverage.json");
    let report = load(RuleKind::NavigatorLayer, &path).expect("sample loads");
    assert_eq!(report.files, 1);
    assert_eq!(report.parsed_files, 1);
    assert!(report.skipped.is_empty());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let found: Vec<(&str, u32)> = report.rules.iter().map(|r| (r.techniques[0].as_str(), r.weight)).collect();
    assert_eq!(
        found,
        [
            ("T1566.001", 2),
            ("T1059.001", 3),
            ("T1003.001", 2),
            ("T1021.001", 1),
            ("T1078", 2),
            ("T1078.004", 1),
            ("T1110.003", 2),
            ("T1098", 1),
            ("T1537", 1),
            ("T1486", 3),
        ]
    );
    assert_eq!(report.rules[0].id, "Managed MDR coverage:T1566.001");
    assert_eq!(report.rules[2].title, "Managed MDR coverage T1003.001");
}
