//! The Sigma adapter and the shared source accounting and normalisation, on hand-written
//! fixtures (tests/fixtures/rules/sigma).

use crate::common;

use std::path::Path;

use ttpc::attack::KnowledgeBase;
use ttpc::model::RuleKind;
use ttpc::rules::{self, MappingIssue, SkipReason};

fn fixtures() -> std::path::PathBuf {
    common::fixture("rules/sigma")
}

fn report() -> rules::SourceReport {
    rules::load(RuleKind::Sigma, &fixtures()).expect("fixture folder loads")
}

fn rule<'a>(report: &'a rules::SourceReport, id: &str) -> &'a rules::DetectionRule {
    report.rules.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("rule {id} missing"))
}

#[test]
fn every_file_is_accounted_for() {
    let r = report();
    // 10 files outside the hidden folder: 7 with rules, 4 skipped (README, broken, latin1,
    // not_a_rule); .hidden/ is not entered.
    assert_eq!(r.files, 11);
    assert_eq!(r.parsed_files + r.skipped.len(), r.files);
    assert_eq!(r.parsed_files, 7);
    let reasons: Vec<(String, SkipReason)> =
        r.skipped.iter().map(|s| (s.path.display().to_string(), s.reason)).collect();
    assert_eq!(
        reasons,
        [
            ("README.md".to_owned(), SkipReason::NotARule),
            ("broken.yml".to_owned(), SkipReason::InvalidSyntax),
            ("latin1.yml".to_owned(), SkipReason::InvalidUtf8),
            ("not_a_rule.yml".to_owned(), SkipReason::NotARule),
        ]
    );
    assert!(r.rules.iter().all(|r| r.id != "hidden"), "hidden folders are not entered");
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let r = report();
    let broken = r.skipped.iter().find(|s| s.path == Path::new("broken.yml")).expect("broken");
    assert!(broken.detail.starts_with("line 5 column 6: "), "{}", broken.detail);
    let latin1 = r.skipped.iter().find(|s| s.path == Path::new("latin1.yml")).expect("latin1");
    assert_eq!(latin1.detail, "invalid UTF-8 at byte 15");
}

#[test]
fn a_plain_rule_yields_id_title_status_level_and_techniques() {
    let r = report();
    let ps = rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0001");
    assert_eq!(ps.title, "Encoded PowerShell Command Line");
    assert_eq!(ps.status.as_deref(), Some("stable"));
    assert_eq!(ps.level.as_deref(), Some("high"));
    assert_eq!(ps.techniques, ["t1059.001"]);
    assert_eq!(ps.tags, ["attack.execution", "attack.g0046"]);
    assert_eq!(ps.path, Path::new("windows/encoded_powershell.yml"));
    assert_eq!(ps.locator, None);
    assert!(ps.enabled);
}

#[test]
fn upper_case_tags_are_techniques() {
    let r = report();
    let lsass = rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0002");
    assert_eq!(lsass.techniques, ["T1003.001", "t1003"]);
    assert_eq!(lsass.tags, ["ATTACK.CREDENTIAL-ACCESS"]);
}

#[test]
fn a_collection_yields_one_rule_per_document_with_global_defaults() {
    let r = report();
    let first = rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0003");
    assert_eq!(first.title, "Service Installed From Temp Folder");
    assert_eq!(first.status.as_deref(), Some("experimental"));
    assert_eq!(first.techniques, ["t1543.003"]);
    assert_eq!(first.locator.as_deref(), Some("document 2"));
    let second = rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0004");
    assert_eq!(second.title, "Service Installed From Temp Folder (Security log)");
    assert_eq!(second.techniques, ["t1543.003", "t1569.002"]);
    assert_eq!(second.locator.as_deref(), Some("document 3"));
    assert_eq!(r.rules.iter().filter(|x| x.path == Path::new("windows/collection.yml")).count(), 2);
}

#[test]
fn a_rule_without_tags_has_no_techniques() {
    let r = report();
    assert!(rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0008").techniques.is_empty());
    assert_eq!(r.rules.len(), 8);
    assert_eq!(r.rules_with_techniques(), 7);
}

#[test]
fn a_named_file_is_parsed_whatever_its_extension() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("rule.txt");
    std::fs::copy(fixtures().join("no_tags.yml"), &path).expect("copy");
    let r = rules::load(RuleKind::Sigma, &path).expect("loads");
    assert_eq!((r.files, r.parsed_files, r.rules.len()), (1, 1, 1));
    assert_eq!(r.rules[0].path, Path::new("rule.txt"));
}

#[test]
fn a_missing_source_is_an_error() {
    let err = rules::load(RuleKind::Sigma, Path::new("tests/fixtures/rules/nope")).expect_err("missing");
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn normalisation_remaps_revoked_and_reports_deprecated_and_unknown_ids() {
    let kb = KnowledgeBase::load(&common::mini21()).expect("kb");
    let r = report();
    let revoked = rules::normalise(rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0005"), &kb);
    assert_eq!(revoked.techniques, [kb.technique("T1547").expect("T1547")]);
    assert_eq!(
        revoked.issues,
        [MappingIssue::Stale { written: "t1547.011".into(), replacement: "T1547".into() }]
    );
    let deprecated = rules::normalise(rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0007"), &kb);
    assert!(deprecated.techniques.is_empty());
    assert_eq!(deprecated.issues, [MappingIssue::Deprecated { written: "t1064".into() }]);
    let unknown = rules::normalise(rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0006"), &kb);
    assert_eq!(unknown.issues, [MappingIssue::Unknown { written: "t1685".into() }]);
    let upper = rules::normalise(rule(&r, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0002"), &kb);
    let ids: Vec<&str> = upper.techniques.iter().map(|t| kb[*t].id.as_str()).collect();
    assert_eq!(ids, ["T1003", "T1003.001"]);
}

#[test]
fn summary_counts_rules_per_technique_and_lists_stale_mappings() {
    let kb = KnowledgeBase::load(&common::mini21()).expect("kb");
    let summary = rules::SourceSummary::new(&report(), Some(&kb));
    assert_eq!(summary.rules, 8);
    assert_eq!(summary.stale_mappings.len(), 1);
    assert_eq!(summary.stale_mappings[0].rule, "6f4c8a55-1f0e-4a53-9a6b-0c1f1c2b0005");
    // T1064 is deprecated; T1685 (ATT&CK v19) and the collection's T1543.003 / T1569.002 are not
    // in the mini bundle.
    let unmapped: Vec<&str> = summary.unmapped.iter().map(|m| m.issue.written()).collect();
    assert_eq!(unmapped, ["t1064", "t1685", "t1543.003", "t1543.003", "t1569.002"]);
    let t1059 = summary.techniques.iter().find(|t| t.id == "T1059.001").expect("T1059.001");
    assert_eq!(
        (t1059.rules, t1059.name.as_deref()),
        (1, Some("Command and Scripting Interpreter: PowerShell"))
    );
    assert_eq!(summary.skipped_by_reason.get(&ttpc::rules::SkipReason::InvalidSyntax), Some(&1));
}
