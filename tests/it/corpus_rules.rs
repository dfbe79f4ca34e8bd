//! Corpus tests on real third-party rule collections (SigmaHQ, Elastic detection-rules) from the
//! shared test data: no panics, every file accounted for, and the number of rules naming an
//! ATT&CK technique equal to an independent plain-text scan done here.

use crate::common;

use std::path::{Path, PathBuf};

use regex::Regex;
use ttpc::attack::KnowledgeBase;
use ttpc::model::RuleKind;
use ttpc::rules::{self, MappingIssue, SourceSummary};

fn kb18() -> &'static KnowledgeBase {
    common::kb18()
}

fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out
}

fn print_stale(summary: &SourceSummary) {
    println!("{}: {} stale mappings", summary.source.display(), summary.stale_mappings.len());
    for m in &summary.stale_mappings {
        if let MappingIssue::Stale { written, replacement } = &m.issue {
            println!("  {written} -> {replacement}  {} ({})", m.title, m.place);
        }
    }
}

#[test]
#[ignore = "needs the shared corpora"]
fn sigmahq_every_file_accounted_and_technique_rules_match_a_plain_scan() {
    let root = common::shared_file("corpora/sigmahq");
    let report = rules::load(RuleKind::Sigma, &root).expect("the corpus loads");
    assert_eq!(report.parsed_files + report.skipped.len(), report.files);

    // Independent count: files with a tag line of the exact shape `- attack.tNNNN[.NNN]`.
    let tag = Regex::new(r"(?im)^\s*-\s*['\x22]?attack\.t\d{4}(\.\d{3})?['\x22]?\s*(#.*)?$").expect("regex");
    let files = files_under(&root, "yml");
    let expected = files.iter().filter(|f| tag.is_match(&std::fs::read_to_string(f).expect("UTF-8"))).count();
    assert_eq!(report.rules_with_techniques(), expected);
    assert_eq!(report.rules.len(), files.len(), "one rule per file in this snapshot");
    assert!(
        report.skipped.iter().all(|s| !s.path.to_string_lossy().ends_with(".yml")),
        "{:?}",
        report.skipped
    );

    let summary = SourceSummary::new(&report, Some(kb18()));
    print_stale(&summary);
    // SigmaHQ already uses ATT&CK v19 IDs; against 18.1 they are reported, never fatal.
    assert!(summary.unmapped.iter().any(|m| m.issue.written().eq_ignore_ascii_case("t1685")));
}

#[test]
#[ignore = "needs the shared corpora"]
fn elastic_every_file_accounted_and_technique_rules_match_a_plain_scan() {
    let root = common::shared_file("corpora/elastic");
    let report = rules::load(RuleKind::Elastic, &root).expect("the corpus loads");
    assert_eq!(report.parsed_files + report.skipped.len(), report.files);

    // Independent count: files with an `id = "T…"` line inside a technique or sub-technique
    // table of an ATT&CK threat entry.
    let header = Regex::new(r"^\s*\[").expect("regex");
    let technique_table =
        Regex::new(r"^\s*\[\[rule\.threat\.technique(\.subtechnique)?\]\]\s*$").expect("regex");
    let id_line = Regex::new(r#"^\s*id\s*=\s*"T\d{4}(\.\d{3})?"\s*$"#).expect("regex");
    let files = files_under(&root, "toml");
    let expected = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("UTF-8");
            let mut in_technique = false;
            text.lines().any(|line| {
                if header.is_match(line) {
                    in_technique = technique_table.is_match(line);
                    false
                } else {
                    in_technique && id_line.is_match(line)
                }
            })
        })
        .count();
    assert_eq!(report.rules_with_techniques(), expected);
    assert_eq!(report.rules.len(), files.len(), "one rule per file");

    let summary = SourceSummary::new(&report, Some(kb18()));
    print_stale(&summary);
    // The corpus maps two macOS rules to T1547.011, revoked long ago.
    assert!(
        summary.stale_mappings.iter().any(|m| m.issue.written() == "T1547.011"),
        "T1547.011 is reported as stale"
    );
    let deprecated = report.rules.iter().filter(|r| r.status.as_deref() == Some("deprecated")).count();
    assert_eq!(deprecated, files.iter().filter(|f| f.to_string_lossy().contains("/_deprecated/")).count());
}
