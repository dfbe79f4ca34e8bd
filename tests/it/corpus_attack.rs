//! Corpus tests on the real ATT&CK bundles in the shared test data (run with
//! `cargo test -- --include-ignored`, `TTPC_SHARED` pointing at the folder). Every expected number
//! is computed here, independently, from the raw JSON.

use crate::common;

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use serde_json::Value;
use ttpc::attack::{Domain, KnowledgeBase, Status};

const NEEDS: &str = "needs the shared corpora";

fn raw18() -> &'static Value {
    static RAW: OnceLock<Value> = OnceLock::new();
    RAW.get_or_init(|| {
        let bytes =
            std::fs::read(common::shared_file("attack/enterprise-attack-18.1.json")).expect("readable");
        serde_json::from_slice(&bytes).expect("JSON")
    })
}

fn kb18() -> &'static KnowledgeBase {
    common::kb18()
}

fn objects(raw: &Value) -> &Vec<Value> {
    raw["objects"].as_array().expect("objects")
}

fn is_active(o: &Value) -> bool {
    !o["revoked"].as_bool().unwrap_or(false) && !o["x_mitre_deprecated"].as_bool().unwrap_or(false)
}

fn attack_id(o: &Value) -> Option<&str> {
    o["external_references"]
        .as_array()?
        .iter()
        .find(|r| r["source_name"] == "mitre-attack")
        .and_then(|r| r["external_id"].as_str())
}

#[test]
#[ignore = "needs the shared corpora"]
fn active_counts_match_the_raw_bundle() {
    let raw = objects(raw18());
    let patterns: Vec<&Value> =
        raw.iter().filter(|o| o["type"] == "attack-pattern" && is_active(o)).collect();
    let subs = patterns.iter().filter(|o| o["x_mitre_is_subtechnique"].as_bool() == Some(true)).count();
    let groups = raw.iter().filter(|o| o["type"] == "intrusion-set" && is_active(o)).count();

    let kb = kb18();
    assert_eq!(kb.active_techniques().count(), patterns.len(), "{NEEDS}");
    assert_eq!(kb.active_techniques().filter(|t| kb[*t].is_subtechnique()).count(), subs);
    assert_eq!(kb.groups().iter().filter(|g| g.status == Status::Active).count(), groups);
    assert_eq!(kb.tactics().len(), 14);
    assert!(kb.has_detection_strategies());
}

#[test]
#[ignore = "needs the shared corpora"]
fn fin7_direct_techniques_match_the_raw_relationships() {
    let raw = objects(raw18());
    let by_id: HashMap<&str, &Value> = raw.iter().filter_map(|o| Some((o["id"].as_str()?, o))).collect();
    let fin7 = raw
        .iter()
        .find(|o| o["type"] == "intrusion-set" && attack_id(o) == Some("G0046"))
        .expect("FIN7 in the bundle");
    let fin7_id = fin7["id"].as_str().expect("id");
    let expected: BTreeSet<String> = raw
        .iter()
        .filter(|o| o["type"] == "relationship" && o["relationship_type"] == "uses" && is_active(o))
        .filter(|o| o["source_ref"] == fin7_id)
        .filter_map(|o| by_id.get(o["target_ref"].as_str()?))
        .filter(|t| t["type"] == "attack-pattern" && is_active(t))
        .filter_map(|t| attack_id(t).map(str::to_owned))
        .collect();
    assert!(expected.len() > 20, "FIN7 uses many techniques; got {}", expected.len());

    let kb = kb18();
    let g = &kb[kb.group("G0046").expect("FIN7")];
    let actual: BTreeSet<String> = g.techniques.iter().map(|t| kb[*t].id.clone()).collect();
    assert_eq!(actual, expected);
}

#[test]
#[ignore = "needs the shared corpora"]
fn no_revoked_or_deprecated_technique_enters_any_profile() {
    let kb = kb18();
    let mut yaml = String::from(
        "ttpc: 1\nname: every group\nattack: {domain: enterprise-attack, version: \"18.1\"}\nactors:\n",
    );
    for g in kb.groups().iter().filter(|g| g.status == Status::Active) {
        yaml.push_str(&format!("  - {{ref: {}, via_software: true}}\n", g.id));
    }
    let model = ttpc::model::load_str(std::path::Path::new("every-group.yaml"), yaml).expect("valid model");
    let data = ttpc::attack::source::AttackData {
        kb: std::sync::Arc::new(kb.clone()),
        path: common::shared_file("attack/enterprise-attack-18.1.json"),
        origin: ttpc::attack::source::Origin::Explicit,
        version: Some("18.1".into()),
        warnings: Vec::new(),
        sha256: String::new(),
    };
    let resolved = ttpc::resolve::resolve(model, data).expect("every active group resolves");
    let mut total = 0;
    for actor in &resolved.actors {
        for t in actor.techniques.keys() {
            assert_eq!(kb[*t].status, Status::Active, "{} has {} in its profile", actor.name, kb[*t].id);
            total += 1;
        }
    }
    assert!(total > 1000, "profiles cover many techniques ({total})");
}

#[test]
#[ignore = "needs the shared corpora"]
fn older_and_other_domain_bundles_load() {
    let v17 = KnowledgeBase::load(&common::shared_file("attack/enterprise-attack-17.1.json")).expect("17.1");
    assert_eq!(v17.flavour(), ttpc::attack::StixFlavour::Stix20);
    assert!(!v17.has_detection_strategies());
    assert!(v17.active_techniques().any(|t| !v17[t].data_components.is_empty()));

    let ics = KnowledgeBase::load(&common::shared_file("attack/ics-attack-18.1.json")).expect("ics");
    assert_eq!(ics.domain(), Domain::IcsAttack);
    assert_eq!(ics.tactics().len(), 12);
    assert!(ics.group("G0034").is_some(), "Sandworm Team");

    let mobile = KnowledgeBase::load(&common::shared_file("attack/mobile-attack-18.1.json")).expect("mobile");
    assert_eq!(mobile.domain(), Domain::MobileAttack);
    // The deprecated "Network-Based Effects" matrix does not contribute tactics.
    assert!(mobile.tactic("network-effects").is_none());
    assert_eq!(mobile.tactics().len(), 12);
}

#[test]
#[ignore = "needs the shared corpora"]
fn financial_model_checks_against_18_1_and_17_1() {
    for version in ["18.1", "17.1"] {
        let out = common::ttpc()
            .args(["check", "models/financial-services.yaml", "--attack-data"])
            .arg(common::shared_file(&format!("attack/enterprise-attack-{version}.json")))
            .output()
            .expect("runs");
        let stdout = common::text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{version}: {}", common::text(&out.stderr));
        for (id, name) in [("G0046", "FIN7"), ("G0082", "APT38"), ("G0032", "Lazarus Group")] {
            assert!(stdout.lines().any(|l| l.contains(id) && l.contains(name)), "{version}: {stdout}");
        }
    }
}

#[test]
#[ignore = "needs the shared corpora"]
fn attack_diff_17_1_to_18_1_matches_an_independent_computation() {
    let raw17: Value = serde_json::from_slice(
        &std::fs::read(common::shared_file("attack/enterprise-attack-17.1.json")).expect("read"),
    )
    .expect("JSON");
    let raw18 = raw18();
    let techniques = |raw: &Value| -> HashMap<String, Value> {
        objects(raw)
            .iter()
            .filter(|o| o["type"] == "attack-pattern")
            .filter_map(|o| Some((attack_id(o)?.to_owned(), o.clone())))
            .collect()
    };
    let (old, new) = (techniques(&raw17), techniques(raw18));
    let by_stix: HashMap<&str, &Value> =
        objects(raw18).iter().filter_map(|o| Some((o["id"].as_str()?, o))).collect();
    let revoked_by: HashMap<&str, &str> = objects(raw18)
        .iter()
        .filter(|o| o["type"] == "relationship" && o["relationship_type"] == "revoked-by")
        .filter_map(|o| Some((o["source_ref"].as_str()?, o["target_ref"].as_str()?)))
        .collect();
    let mut added: Vec<String> =
        new.iter().filter(|(k, v)| is_active(v) && !old.contains_key(*k)).map(|(k, _)| k.clone()).collect();
    let mut revoked: Vec<(String, Option<String>)> = new
        .iter()
        .filter(|(k, v)| v["revoked"].as_bool() == Some(true) && old.get(*k).is_some_and(is_active))
        .map(|(k, v)| {
            let next = v["id"]
                .as_str()
                .and_then(|s| revoked_by.get(s))
                .and_then(|t| by_stix.get(t))
                .and_then(|o| attack_id(o));
            (k.clone(), next.map(str::to_owned))
        })
        .collect();
    let mut renamed: Vec<String> = new
        .iter()
        .filter(|(k, v)| is_active(v) && old.get(*k).is_some_and(|o| is_active(o) && o["name"] != v["name"]))
        .map(|(k, _)| k.clone())
        .collect();
    added.sort();
    revoked.sort();
    renamed.sort();

    let out = common::ttpc()
        .args(["attack", "diff", "--format", "json", "--from-data"])
        .arg(common::shared_file("attack/enterprise-attack-17.1.json"))
        .arg("--to-data")
        .arg(common::shared_file("attack/enterprise-attack-18.1.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = |key: &str| -> Vec<String> {
        v["changes"][key]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|x| x["id"].as_str().map(str::to_owned))
            .collect()
    };
    let ours_revoked: Vec<(String, Option<String>)> = v["changes"]["revoked"]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| {
            (
                x["id"].as_str().unwrap_or_default().to_owned(),
                x["replaced_by"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(ours_revoked, revoked, "revoked techniques with their replacements");
    assert_eq!(list("added"), added);
    assert_eq!(list("renamed"), renamed);
    assert_eq!(added.len(), 12, "ATT&CK 18 added twelve enterprise techniques");
}

/// The project must not redistribute ATT&CK's prose (IDs and names are facts; descriptions and
/// detection text are MITRE's): no file git tracks may quote 50 characters of any description
/// or detection text in the enterprise bundle.
#[test]
#[ignore = "needs the shared corpora"]
fn no_tracked_file_quotes_attack_prose() {
    let mut quotes = BTreeSet::new();
    for o in raw18()["objects"].as_array().expect("objects") {
        for key in ["description", "x_mitre_detection"] {
            let Some(text) = o[key].as_str() else { continue };
            let words: Vec<&str> = text.split_whitespace().collect();
            let text = words.join(" ");
            // Windows of 50 characters every 120, from prose long enough to be more than a name.
            let chars: Vec<char> = text.chars().collect();
            let mut at = 0;
            while chars.len() > 80 && at + 50 <= chars.len().min(600) {
                quotes.insert(chars[at..at + 50].iter().collect::<String>());
                at += 120;
            }
        }
    }
    assert!(quotes.len() > 10_000, "{} windows", quotes.len());
    let quotes: Vec<String> = quotes.into_iter().collect();
    let finder = aho_corasick::AhoCorasick::new(&quotes).expect("automaton");

    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(common::root())
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files: {}", common::text(&listed.stderr));
    let mut checked = 0;
    for file in listed.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let path = common::root().join(String::from_utf8_lossy(file).as_ref());
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        // JSON and YAML outputs escape quotes; compare on the unescaped text too.
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ").replace("\\\"", "\"");
        let found: Vec<&String> =
            finder.find_iter(&text).take(3).map(|m| &quotes[m.pattern().as_usize()]).collect();
        assert!(found.is_empty(), "{} quotes ATT&CK prose: {found:?}", path.display());
        checked += 1;
    }
    assert!(checked > 100, "checked {checked} files");
}
