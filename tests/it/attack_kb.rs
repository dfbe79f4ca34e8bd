//! The knowledge base through the library API, on the hand-written fixture bundles
//! (facts listed in tests/fixtures/attack/README.md).

use crate::common;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use ttpc::attack::{Domain, KnowledgeBase, Status, StixFlavour, TechniqueIdx, Via};

fn kb21() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::load(&common::mini21()).expect("mini 2.1 loads"))
}

fn kb20() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::load(&common::mini20()).expect("mini 2.0 loads"))
}

fn ids(kb: &KnowledgeBase, list: &[TechniqueIdx]) -> Vec<String> {
    list.iter().map(|t| kb[*t].id.clone()).collect()
}

#[test]
fn both_flavours_are_recognised() {
    assert_eq!(kb21().flavour(), StixFlavour::Stix21);
    assert_eq!(kb20().flavour(), StixFlavour::Stix20);
    assert_eq!(kb21().domain(), Domain::EnterpriseAttack);
}

#[test]
fn tactics_follow_the_matrix_not_the_file() {
    let names: Vec<&str> = kb21().tactics().iter().map(|t| t.shortname.as_str()).collect();
    assert_eq!(
        names,
        [
            "initial-access",
            "execution",
            "persistence",
            "privilege-escalation",
            "defense-evasion",
            "credential-access",
            "lateral-movement",
            "command-and-control"
        ]
    );
    // Lookup by ID, shortname, name, and the underscore spelling of older Sigma rules.
    let kb = kb21();
    let pe = kb.tactic("privilege-escalation").expect("by shortname");
    assert_eq!(kb.tactic("TA0004"), Some(pe));
    assert_eq!(kb.tactic("Privilege Escalation"), Some(pe));
    assert_eq!(kb.tactic("privilege_escalation"), Some(pe));
}

#[test]
fn ics_tactics_keep_matrix_order_which_differs_from_id_order() {
    let kb = KnowledgeBase::load(&common::fixture("attack/mini-ics-2.1.json")).expect("ics loads");
    assert_eq!(kb.domain(), Domain::IcsAttack);
    let ids: Vec<&str> = kb.tactics().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["TA0108", "TA0104", "TA0107", "TA0106"]);
    let t0831 = kb.technique("T0831").expect("T0831");
    assert_eq!(kb[kb[t0831].tactics[0]].shortname, "impair-process-control");
}

#[test]
fn techniques_have_parents_subtechniques_tactics_and_platforms() {
    let kb = kb21();
    let sub = kb.technique("t1059.001").expect("case-insensitive lookup");
    let parent = kb.technique("T1059").expect("parent");
    assert_eq!(kb[sub].parent, Some(parent));
    assert_eq!(ids(kb, &kb[parent].subtechniques), ["T1059.001", "T1059.004"]);
    assert_eq!(kb.full_name(sub), "Command and Scripting Interpreter: PowerShell");
    let t1078 = kb.technique("T1078").expect("T1078");
    let tactics: Vec<&str> = kb[t1078].tactics.iter().map(|t| kb[*t].shortname.as_str()).collect();
    assert_eq!(tactics, ["initial-access", "persistence", "privilege-escalation", "defense-evasion"]);
    assert_eq!(kb[t1078].platforms, ["Windows", "Linux", "macOS", "IaaS", "Identity Provider"]);
    assert_eq!(kb.active_techniques().count(), 19);
    assert_eq!(kb.active_techniques().filter(|t| kb[*t].is_subtechnique()).count(), 9);
}

#[test]
fn revoked_and_deprecated_techniques_are_marked() {
    let kb = kb21();
    let revoked = kb.technique("T1547.011").expect("revoked still indexed");
    assert_eq!(kb[revoked].status, Status::Revoked);
    assert_eq!(kb[revoked].revoked_by, kb.technique("T1547"));
    let deprecated = kb.technique("T1064").expect("deprecated still indexed");
    assert_eq!(kb[deprecated].status, Status::Deprecated);
    assert_eq!(kb[deprecated].revoked_by, None);
}

#[test]
fn groups_campaigns_and_software_are_linked() {
    let kb = kb21();
    let fin7 = kb.group("g0046").expect("FIN7");
    let g = &kb[fin7];
    assert_eq!(g.name, "FIN7");
    assert_eq!(g.aliases, ["Carbon Spider", "ELBRUS", "Sangria Tempest"]);
    // Deprecated T1064, revoked T1547.011 and the related-to decoy T1200 are not in the list.
    assert_eq!(ids(kb, &g.techniques), ["T1003.001", "T1021.002", "T1059.001", "T1071.001", "T1566.001"]);
    let campaigns: Vec<&str> = g.campaigns.iter().map(|c| kb[*c].id.as_str()).collect();
    assert_eq!(campaigns, ["C0001"]);
    let c = &kb[g.campaigns[0]];
    assert_eq!(ids(kb, &c.techniques), ["T1003.006", "T1547.001"]);
    let software: Vec<&str> = g.software.iter().map(|s| kb[*s].id.as_str()).collect();
    assert_eq!(software, ["S0001"]);
    let old = kb.group("G9003").expect("revoked group");
    assert_eq!(kb[old].status, Status::Revoked);
    assert_eq!(kb[old].revoked_by, Some(fin7));
}

#[test]
fn mitigations_are_linked_to_techniques() {
    let kb = kb21();
    let t = kb.technique("T1003.006").expect("DCSync");
    let names: Vec<&str> = kb[t].mitigations.iter().map(|m| kb[*m].id.as_str()).collect();
    assert_eq!(names, ["M1026"]);
}

#[test]
fn v18_detection_strategies_lead_to_analytics_and_log_sources() {
    let kb = kb21();
    assert!(kb.has_detection_strategies());
    let t = kb.technique("T1059.001").expect("PowerShell");
    let strategies: Vec<&str> = kb[t].detection_strategies.iter().map(|d| kb[*d].id.as_str()).collect();
    assert_eq!(strategies, ["DET0001"]);
    let analytics = kb.analytics_for(t);
    let described: Vec<(String, Vec<String>, String)> = analytics
        .iter()
        .map(|a| {
            let a = &kb[*a];
            (a.id.clone(), a.platforms.clone(), a.log_sources[0].name.clone())
        })
        .collect();
    assert_eq!(
        described,
        [
            ("AN0001".into(), vec!["Windows".to_owned()], "WinEventLog:Sysmon".into()),
            ("AN0002".into(), vec!["Linux".to_owned()], "auditd:SYSCALL".into())
        ]
    );
    let component = kb[analytics[0]].log_sources[0].data_component.expect("linked component");
    assert_eq!(kb[component].name, "Process Creation");
    assert!(kb[t].data_components.is_empty(), "the v18 bundle has no data-component detects");
}

#[test]
fn v17_data_components_detect_techniques() {
    let kb = kb20();
    assert!(!kb.has_detection_strategies());
    let t = kb.technique("T1003.006").expect("DCSync");
    let components: Vec<String> = kb[t]
        .data_components
        .iter()
        .map(|d| format!("{}: {}", kb[*d].data_source.clone().unwrap_or_default(), kb[*d].name))
        .collect();
    assert_eq!(components, ["Active Directory: Active Directory Object Access"]);
}

#[test]
fn both_flavours_hold_the_same_attack_content() {
    let (a, b) = (kb21(), kb20());
    let summary = |kb: &KnowledgeBase| -> BTreeSet<(String, String, Vec<String>)> {
        kb.techniques().iter().map(|t| (t.id.clone(), t.name.clone(), t.platforms.clone())).collect()
    };
    assert_eq!(summary(a), summary(b));
    let groups = |kb: &KnowledgeBase| -> Vec<(String, usize)> {
        kb.groups().iter().map(|g| (g.id.clone(), g.techniques.len())).collect()
    };
    assert_eq!(groups(a), groups(b));
}

#[test]
fn stix_ids_are_indexed() {
    let kb = kb21();
    let fin7 = kb.group("G0046").expect("FIN7");
    assert_eq!(kb.by_stix_id(&kb[fin7].stix_id), Some(ttpc::attack::StixRef::Group(fin7)));
    assert_eq!(kb.by_stix_id("intrusion-set--00000000-0000-0000-0000-000000000000"), None);
}

#[test]
fn profiles_keep_provenance() {
    let model = ttpc::model::load(&common::fixture("models/mini.yaml")).expect("model loads");
    let data = ttpc::attack::source::load(Some(&common::mini21()), &ttpc::pipeline::pin_of(&model))
        .expect("data loads");
    let resolved = ttpc::resolve::resolve(model, data).expect("resolves");
    let kb = &resolved.attack.kb;
    let fin7 = &resolved.actors[0];
    assert_eq!(fin7.id, "G0046");
    let via = |id: &str| fin7.techniques[&kb.technique(id).expect("known")].clone();
    assert_eq!(via("T1059.001").into_iter().collect::<Vec<_>>(), [Via::Direct]);
    let campaign = kb.campaign("C0001").expect("C0001");
    assert_eq!(via("T1003.006").into_iter().collect::<Vec<_>>(), [Via::Campaign(campaign)]);
    let carbanak = kb.software_by_id("S0001").expect("S0001");
    assert_eq!(via("T1055").into_iter().collect::<Vec<_>>(), [Via::Software(carbanak)]);
    assert_eq!(fin7.techniques.len(), 9);
    assert!(fin7.techniques.keys().all(|t| kb[*t].is_active()));
    // APT38 without via_software: direct only.
    assert_eq!(resolved.actors[1].provenance_counts(), (3, 0, 0));
}
