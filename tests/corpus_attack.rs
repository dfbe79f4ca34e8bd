//! Corpus tests on the real ATT&CK bundles in the shared test data (run with
//! `cargo test -- --include-ignored`, `TTPC_SHARED` pointing at the folder). Every expected number
//! is computed here, independently, from the raw JSON.

mod common;

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
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        KnowledgeBase::load(&common::shared_file("attack/enterprise-attack-18.1.json")).expect("loads")
    })
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
        kb: kb.clone(),
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
