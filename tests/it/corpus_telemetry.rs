//! Issue 21 on the shared corpora: with every built-in log source collected except Sysmon,
//! `require_telemetry`, `count_levels: [critical, high]` and `count_hunting: false`, the
//! per-source counts of blind, hunting and level-excluded rules over SigmaHQ (rules and
//! threat-hunting folders) and Elastic (rules and building blocks) equal the counts made here
//! from the raw files, independently of ttpc's adapters.

use std::path::{Path, PathBuf};

use crate::common;

/// Windows categories of Sigma's taxonomy that only Sysmon logs (its events 3, 6, 7, 8, 9, 10,
/// 11–15, 17–18, 19–21, 22, 23, 25–29, 255), as the taxonomy documents them.
const SYSMON_ONLY_CATEGORIES: &[&str] = &[
    "network_connection",
    "image_load",
    "file_event",
    "file_delete",
    "file_rename",
    "file_change",
    "file_access",
    "file_executable_detected",
    "file_block_executable",
    "file_block_shredding",
    "registry_add",
    "registry_delete",
    "registry_event",
    "registry_set",
    "registry_rename",
    "create_remote_thread",
    "create_stream_hash",
    "process_access",
    "process_tampering",
    "raw_access_thread",
    "driver_load",
    "pipe_created",
    "dns_query",
    "wmi_event",
    "sysmon_status",
    "sysmon_error",
    "clipboard_capture",
];

/// Blind, hunting, level-excluded.
type Counts = (usize, usize, usize);

fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("entry").into_path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == extension))
        .collect()
}

/// The independent count over a Sigma folder.
fn sigma_counts(dir: &Path) -> Counts {
    let (mut blind, mut hunting, mut level) = (0, 0, 0);
    for file in files_under(dir, "yml") {
        let text = std::fs::read_to_string(&file).expect("UTF-8");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("one YAML rule per file");
        let field = |m: &serde_yaml::Value, k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let tags: Vec<String> = doc
            .get("tags")
            .and_then(|t| t.as_sequence())
            .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        if tags.iter().any(|t| t == "detection.threat-hunting") {
            hunting += 1;
        }
        if matches!(field(&doc, "level").as_deref(), Some("informational" | "low" | "medium")) {
            level += 1;
        }
        let source = doc.get("logsource").cloned().unwrap_or(serde_yaml::Value::Null);
        let windows = field(&source, "product").as_deref() == Some("windows");
        let service = field(&source, "service");
        let category = field(&source, "category");
        let needs_sysmon = match (service.as_deref(), category.as_deref()) {
            (Some("sysmon"), _) => true,
            (Some(_), _) => false,
            (None, Some(c)) => SYSMON_ONLY_CATEGORIES.contains(&c),
            (None, None) => false,
        };
        if windows && needs_sysmon {
            blind += 1;
        }
    }
    (blind, hunting, level)
}

/// The independent count over an Elastic folder: blind when every index pattern is Sysmon's.
fn elastic_counts(dir: &Path) -> Counts {
    let (mut blind, mut hunting, mut level) = (0, 0, 0);
    for file in files_under(dir, "toml") {
        let table: toml::Table =
            toml::from_str(&std::fs::read_to_string(&file).expect("UTF-8")).expect("TOML");
        let Some(rule) = table.get("rule").and_then(|r| r.as_table()) else { continue };
        if rule.get("building_block_type").and_then(|b| b.as_str()).is_some_and(|b| !b.trim().is_empty()) {
            hunting += 1;
        }
        if matches!(rule.get("severity").and_then(|s| s.as_str()), Some("low" | "medium")) {
            level += 1;
        }
        let index: Vec<&str> = rule
            .get("index")
            .and_then(|i| i.as_array())
            .map(|i| i.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        if !index.is_empty() && index.iter().all(|i| i.contains("sysmon")) {
            blind += 1;
        }
    }
    (blind, hunting, level)
}

#[test]
#[ignore = "needs the shared corpora"]
fn issue_21_blind_hunting_and_level_counts_per_source_match_an_independent_count() {
    let shared = common::shared();
    let corpora = shared.join("corpora");
    let sources = [
        ("Sigma rules", "sigma", corpora.join("sigmahq/rules")),
        ("Sigma hunting", "sigma", corpora.join("sigmahq/rules-threat-hunting")),
        ("Elastic rules", "elastic", corpora.join("elastic/rules")),
        ("Elastic building blocks", "elastic", corpora.join("elastic/rules_building_block")),
    ];
    let collected: Vec<String> = ttpc::rules::telemetry::builtin_names()
        .into_iter()
        .filter(|n| *n != "WinEventLog:Sysmon")
        .map(|n| format!("{n:?}"))
        .collect();
    let rules: Vec<String> = sources
        .iter()
        .map(|(name, kind, path)| {
            format!("  - {{kind: {kind}, path: {:?}, name: {name}}}", path.display().to_string())
        })
        .collect();
    let text = format!(
        "ttpc: 1\nname: Corpus telemetry\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\nactors:\n  - {{ref: FIN7}}\ntelemetry: [{}]\nrules:\n{}\ncoverage: {{require_telemetry: true, count_levels: [critical, high], count_hunting: false}}\n",
        collected.join(", "),
        rules.join("\n")
    );
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("model.yaml");
    let model = ttpc::model::load_str(&path, text).expect("valid model");
    let bundle = common::shared_file("attack/enterprise-attack-18.1.json");
    let data = ttpc::attack::source::load(Some(&bundle), &ttpc::pipeline::pin_of(&model)).expect("data");
    let resolved = ttpc::resolve::resolve(model, data).expect("resolves");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    let a = ttpc::analysis::analyse(&resolved, &ttpc::analysis::Options { as_of });
    let account = a.telemetry.as_ref().expect("a telemetry account");
    for (name, kind, path) in &sources {
        let expected = if *kind == "sigma" { sigma_counts(path) } else { elastic_counts(path) };
        let s = account.sources.iter().find(|s| s.source == *name).expect("the source");
        println!(
            "{name}: blind {} hunting {} level {} (rules {}, counted {})",
            s.blind, s.hunting, s.level, s.rules, s.counted
        );
        assert_eq!((s.blind, s.hunting, s.level), expected, "{name}: (blind, hunting, level-excluded)");
        assert!(s.blind + s.hunting + s.level > 0, "{name}: the corpus exercises the policy");
    }
    let hunting = account.sources.iter().find(|s| s.source == "Sigma hunting").expect("hunting folder");
    assert_eq!(hunting.hunting, hunting.rules, "every rule of rules-threat-hunting is tagged a hunt");
    assert!(account.blind_rules.iter().all(|b| b.collect == vec![String::from("WinEventLog:Sysmon")]));
}
