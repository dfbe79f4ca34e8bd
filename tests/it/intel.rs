//! Issue 17: actors from the team's own intelligence — vendor STIX bundles, MISP galaxy names,
//! Navigator layers, custom actors — on the hand-written fixtures of tests/fixtures/intel
//! against the mini ATT&CK bundle. Expected profiles are worked out by hand from the fixtures:
//!
//! - `vendor.json`, intrusion set Quiet Otter (alias Silent Weasel): itself uses T1566.001;
//!   campaign Operation Alpha (`attributed-to`) uses T1547.011 (revoked → T1547) and T1064
//!   (deprecated: left out); campaign Operation Beta (tied only by the nested reports) uses
//!   T9999 (unknown: left out) and T1003.001; its malware OtterRAT uses T1055 (only with
//!   `via_software`); an indicator's `uses` T1200 counts for nothing.
//! - `bundles/mossy-heron.json` (STIX 2.0): Mossy Heron uses T1059.001.
//! - `hunt-layer.json`: T1078 (3), T1021.002 (1), T1071.001 (comment, unscored); T1537 scores 0,
//!   T1059 is view state, T1200 is disabled.

use crate::common;

use std::collections::BTreeMap;

use ttpc::diagnostics::Problems;
use ttpc::resolve::Resolved;

const MODEL: &str = "intel/model.yaml";

/// The fixture model with replacements, resolved against the mini bundle.
fn resolve(replacements: &[(&str, &str)]) -> Result<Resolved, Box<Problems>> {
    let path = common::fixture(MODEL);
    let mut text = std::fs::read_to_string(&path).expect("fixture model");
    for (from, to) in replacements {
        assert!(text.contains(from), "the fixture model contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    let model = ttpc::model::load_str(&path, text).expect("valid model");
    let data =
        ttpc::attack::source::load(Some(&common::mini21()), &ttpc::pipeline::pin_of(&model)).expect("data");
    ttpc::resolve::resolve(model, data)
}

/// Technique ID → provenance lines, of the actor written `reference`.
fn profile(r: &Resolved, reference: &str) -> BTreeMap<String, Vec<String>> {
    let kb = &r.attack.kb;
    let actor = r.actors.iter().find(|a| a.reference == reference).expect("the actor resolves");
    actor
        .techniques
        .keys()
        .map(|t| {
            let via =
                actor.evidence.get(t).map(|e| e.iter().map(|v| v.text.clone()).collect()).unwrap_or_default();
            (kb[*t].id.clone(), via)
        })
        .collect()
}

fn codes(r: &Resolved) -> Vec<&'static str> {
    r.warnings.iter().map(|w| w.code).collect()
}

fn errors(replacements: &[(&str, &str)]) -> Vec<(String, String)> {
    let problems = resolve(replacements).expect_err("the model does not resolve");
    problems.problems.iter().map(|p| (p.code.to_owned(), p.message.clone())).collect()
}

#[test]
fn issue_17_stix_intrusion_set_profile_follows_uses_attribution_and_nested_reports() {
    let r = resolve(&[]).expect("resolves");
    let otter = profile(&r, "Silent Weasel");
    assert_eq!(otter.keys().collect::<Vec<_>>(), ["T1003.001", "T1547", "T1566.001"]);
    // Provenance: the object, relationship, report (when one ties the campaign) and file.
    assert!(
        otter["T1566.001"][0].starts_with("stix: intrusion-set Quiet Otter [relationship--10000001"),
        "{otter:?}"
    );
    assert!(
        otter["T1547"][0].contains("campaign Operation Alpha")
            && otter["T1547"][0].contains(", written T1547.011")
    );
    assert!(otter["T1003.001"][0].contains("campaign Operation Beta (report Operation Beta play)"));
    assert!(otter.values().flatten().all(|v| v.contains("in vendor.json")));
    // Revoked remapped, deprecated and unknown IDs reported once, at the actor.
    let ids = r.warnings.iter().find(|w| w.code == "ttpc::intel::technique_ids").expect("ID report");
    for part in ["T1547.011 (revoked) → T1547", "T1064: deprecated", "T9999: not in ATT&CK 18.1"] {
        assert!(ids.message.contains(part), "{}", ids.message);
    }
    let actor = r.actors.iter().find(|a| a.reference == "Silent Weasel").expect("actor");
    assert_eq!(actor.name, "Quiet Otter");
    assert_eq!(actor.provenance_counts(), (1, 2, 0));
}

#[test]
fn issue_17_via_software_adds_the_malware_techniques_and_stix_ids_name_actors() {
    let r = resolve(&[
        (
            "{ref: Silent Weasel, weight: 2}",
            "{ref: intrusion-set--20000001-cccc-4ccc-8ccc-000000000000, via_software: true}",
        ),
        ("actors: {Silent Weasel: 10%}", "actors: {}"),
    ])
    .expect("resolves");
    let otter = profile(&r, "intrusion-set--20000001-cccc-4ccc-8ccc-000000000000");
    assert_eq!(otter.keys().collect::<Vec<_>>(), ["T1003.001", "T1055", "T1547", "T1566.001"]);
    assert!(otter["T1055"][0].starts_with("stix: malware OtterRAT"));
}

#[test]
fn issue_17_stix_2_0_folder_layer_and_custom_actor() {
    let r = resolve(&[]).expect("resolves");
    assert_eq!(profile(&r, "Mossy Heron").keys().collect::<Vec<_>>(), ["T1059.001"]);
    // The folder's README is listed as skipped, the indicators-only bundle as holding no actor.
    assert!(codes(&r).contains(&"ttpc::intel::skipped_files"));
    assert!(codes(&r).contains(&"ttpc::intel::no_actor"));

    let layer = profile(&r, "Hunt team: Q3 intrusions");
    assert_eq!(layer.keys().collect::<Vec<_>>(), ["T1021.002", "T1071.001", "T1078"]);
    assert_eq!(
        layer["T1078"],
        ["navigator-layer: layer Hunt team: Q3 intrusions: seen in case 17 in hunt-layer.json"]
    );

    let custom = profile(&r, "Incident 2026-031");
    assert_eq!(custom.keys().collect::<Vec<_>>(), ["T1059.001", "T1547", "T1566.001"]);
    assert_eq!(custom["T1547"], ["custom: IR report 2026-031 (as T1547.011)"]);
    // Validated like every technique list: the revoked ID is reported at its line.
    assert!(codes(&r).contains(&"ttpc::model::revoked_technique"));
}

#[test]
fn issue_17_layer_threshold_is_the_models() {
    let r = resolve(&[(
        "{kind: navigator-layer, path: hunt-layer.json}",
        "{kind: navigator-layer, path: hunt-layer.json, min_score: 2}",
    )])
    .expect("resolves");
    assert_eq!(profile(&r, "Hunt team: Q3 intrusions").keys().collect::<Vec<_>>(), ["T1078"]);
}

#[test]
fn issue_17_misp_synonym_resolves_to_the_linked_group_with_a_note() {
    let r = resolve(&[]).expect("resolves");
    let actor = r.actors.iter().find(|a| a.reference == "PEBBLE COMET").expect("actor");
    assert_eq!((actor.id.as_str(), actor.name.as_str()), ("G0082", "APT38"));
    let note = r.warnings.iter().find(|w| w.code == "ttpc::model::misp_name").expect("note");
    assert!(note.message.contains("`Tin Heron`"), "{}", note.message);
}

#[test]
fn issue_17_attack_names_come_before_misp_and_misp_only_ambiguity_is_an_error() {
    // Carbon Spider is FIN7's ATT&CK alias; the galaxy also links it to Lazarus Group: FIN7,
    // with a note naming the other group.
    let r = resolve(&[("{ref: Mossy Heron}", "{ref: Carbon Spider}")]).expect("resolves");
    let actor = r.actors.iter().find(|a| a.reference == "Carbon Spider").expect("actor");
    assert_eq!(actor.id, "G0046");
    let note = r.warnings.iter().find(|w| w.code == "ttpc::model::misp_other_groups").expect("note");
    assert!(note.message.contains("Lazarus Group (G0032)"), "{}", note.message);

    // JokerStash is known to MISP only, and links to two groups: an error listing both.
    let errors = errors(&[("{ref: Mossy Heron}", "{ref: JokerStash}")]);
    let (_, message) = errors.iter().find(|(c, _)| c == "ttpc::model::ambiguous_actor").expect("ambiguous");
    assert!(message.contains("FIN7 (G0046)") && message.contains("Lazarus Group (G0032)"), "{message}");

    // A MISP name linked to no ATT&CK group has no profile to use.
    let errors = self::errors(&[("{ref: Mossy Heron}", "{ref: Pale Moth}")]);
    assert!(errors.iter().any(|(c, _)| c == "ttpc::model::unlinked_actor"), "{errors:?}");
}

#[test]
fn issue_17_an_actor_known_to_both_is_reported_and_profile_chooses() {
    // vendor.json also holds an intrusion set named FIN7 (uses T1078).
    let r = resolve(&[("{ref: Mossy Heron}", "{ref: FIN7}")]).expect("resolves");
    assert!(codes(&r).contains(&"ttpc::model::known_to_both"));
    let attack_only = profile(&r, "FIN7");
    assert!(attack_only.values().all(Vec::is_empty), "ATT&CK's profile by default");

    let r = resolve(&[("{ref: Mossy Heron}", "{ref: FIN7, profile: intelligence}")]).expect("resolves");
    assert_eq!(profile(&r, "FIN7").keys().collect::<Vec<_>>(), ["T1078"]);
    assert!(!codes(&r).contains(&"ttpc::model::known_to_both"));

    let r = resolve(&[("{ref: Mossy Heron}", "{ref: FIN7, profile: union}")]).expect("resolves");
    let union = profile(&r, "FIN7");
    assert!(union.len() > attack_only.len() || union["T1078"].len() == 1, "{union:?}");
    assert!(union.keys().all(|k| attack_only.contains_key(k) || k == "T1078"));
    assert_eq!(union["T1078"].len(), 1, "the vendor's provenance is kept");

    let errors = errors(&[("{ref: Mossy Heron}", "{ref: Mossy Heron, profile: union}")]);
    assert!(errors.iter().any(|(c, _)| c == "ttpc::model::profile_choice"), "{errors:?}");
}

/// `ttpc compile` of the fixture model with replacements, written to a temporary folder.
fn compile(replacements: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = common::fixture("intel");
    let mut text = std::fs::read_to_string(src.join("model.yaml")).expect("model");
    for (from, to) in replacements {
        assert!(text.contains(from), "the fixture model contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    text = text.replace("path: ", &format!("path: {}/", src.display()));
    text = text.replace(
        "outputs: {dir: ../../../target/test-out/intel}",
        &format!("outputs: {{dir: {}}}", dir.path().join("out").display()),
    );
    let model = dir.path().join("model.yaml");
    std::fs::write(&model, text).expect("write model");
    let out = common::ttpc()
        .args(["compile", "--allow-outside", "--attack-data"])
        .arg(common::mini21())
        .arg(&model)
        .output()
        .expect("runs");
    common::assert_no_panic(&common::text(&out.stderr));
    out
}

#[test]
fn issue_17_bad_intelligence_is_an_error_at_the_model_line_exit_2() {
    let cases: [(&str, &str, &str); 5] = [
        ("{kind: stix, path: vendor.json}", "{kind: stix, path: not-stix.json}", "ttpc::intel::source"),
        ("{ref: Mossy Heron}", "{ref: Hollow Crane}", "ttpc::model::no_techniques"),
        ("{kind: stix, path: bundles}", "{kind: stix, path: duplicate.json}", "ttpc::intel::duplicate_actor"),
        (
            "{kind: navigator-layer, path: hunt-layer.json}",
            "{kind: navigator-layer, path: mobile-layer.json}",
            "ttpc::intel::domain",
        ),
        (
            "{kind: misp-galaxy, path: misp-threat-actor.json}",
            "{kind: misp-galaxy, path: vendor.json}",
            "ttpc::intel::source",
        ),
    ];
    for (from, to, code) in cases {
        let mut replacements = vec![(from, to)];
        if to.contains("Hollow Crane") {
            replacements.push(("{kind: stix, path: bundles}", "{kind: stix, path: hollow.json}"));
        }
        let out = compile(&replacements);
        let stderr = common::text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{to}: {stderr}");
        assert!(stderr.contains(code), "{to}: {stderr}");
        assert!(stderr.contains("model.yaml:"), "points at the model: {stderr}");
        assert!(out.stdout.is_empty(), "nothing half-loaded: no assessment printed for {to}");
    }
}

#[test]
fn issue_17_intelligence_actors_reach_the_assessment_report_and_layers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::ttpc()
        .args(["compile", "--allow-outside", "--attack-data"])
        .arg(common::mini21())
        .arg(common::fixture(MODEL))
        .args(["--output"])
        .arg(dir.path())
        .output()
        .expect("runs");
    // The fixture's target is missed on purpose: the actor's coverage is 0.
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("assessment"))
            .expect("JSON");
    let actors = json["actors"].as_array().expect("actors");
    let otter = actors.iter().find(|a| a["name"] == "Quiet Otter").expect("Quiet Otter");
    assert_eq!(otter["kind"], "intrusion-set");
    assert_eq!(otter["source"], "stix vendor.json (vendor.json)");
    let custom = actors.iter().find(|a| a["name"] == "Incident 2026-031").expect("custom");
    assert_eq!(
        (custom["kind"].as_str(), custom["source"].as_str()),
        (Some("custom"), Some("IR report 2026-031"))
    );
    // Shared techniques say which actors use them.
    let t1566 = json["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .find(|t| t["id"] == "T1566.001")
        .expect("T1566.001");
    assert_eq!(t1566["actors"], serde_json::json!(["Quiet Otter", "Incident 2026-031"]));
    let report = std::fs::read_to_string(dir.path().join("report.md")).expect("report");
    assert!(
        report.contains("Source (intrusion-set): stix vendor.json (vendor.json)."),
        "provenance in the actor section"
    );
    assert!(dir.path().join("layers/actor-quiet-otter.json").is_file());
    let union = std::fs::read_to_string(dir.path().join("layers/all-actors.json")).expect("union layer");
    assert!(union.contains("used by Quiet Otter, Incident 2026-031"));
}

#[test]
fn issue_17_actors_match_ranks_the_source_actor_and_the_models_own() {
    let out = common::ttpc()
        .args(["actors", "--attack-data"])
        .arg(common::mini21())
        .args(["--match", "T1566.001,T1059.001,T1003.001,t1086", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(json["matches"].as_array().is_some_and(|m| !m.is_empty()));
    let first = &json["matches"][0];
    for key in ["rank", "id", "name", "score", "shared", "missing", "not_observed", "profile"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    // With the model: its custom actor is the observation, its other intelligence actors compete.
    let out = common::ttpc()
        .args(["actors", "--allow-outside", "--attack-data"])
        .arg(common::mini21())
        .args(["--model"])
        .arg(common::fixture(MODEL))
        .args(["--match", "Incident 2026-031", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["observed"], serde_json::json!(["T1059.001", "T1547", "T1566.001"]));
    let names: Vec<&str> =
        json["matches"].as_array().expect("matches").iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(names.contains(&"Quiet Otter") && names.contains(&"Mossy Heron"), "{names:?}");
    assert!(!names.contains(&"Incident 2026-031"), "the observation is not its own candidate");
}

#[test]
fn issue_17_intelligence_files_are_cached_like_rule_files() {
    let cache = tempfile::tempdir().expect("tempdir");
    let folder = tempfile::tempdir().expect("tempdir");
    for name in ["vendor.json", "hollow.json"] {
        std::fs::copy(common::fixture("intel").join(name), folder.path().join(name)).expect("copy");
    }
    let load = || {
        ttpc::intel::load::load_with(
            ttpc::model::IntelKind::Stix,
            folder.path(),
            None,
            None,
            Some(cache.path()),
        )
        .expect("loads")
    };
    let cold = load();
    assert_eq!((cold.cache.parsed, cold.cache.reused), (2, 0));
    let warm = load();
    assert_eq!((warm.cache.parsed, warm.cache.reused), (0, 2), "unchanged files are not read again");
    assert_eq!(warm.actors, cold.actors);
    // A changed file is read again, the other still reused.
    std::fs::write(folder.path().join("hollow.json"), "{\"type\": \"bundle\", \"objects\": []}\n")
        .expect("write");
    let changed = load();
    assert_eq!((changed.cache.parsed, changed.cache.reused), (1, 1));
    assert_eq!(changed.without_actors.len(), 1);
}

#[test]
fn issue_17_a_misspelt_target_key_points_at_the_target_when_the_actor_is_an_intelligence_actor() {
    let errors = errors(&[("actors: {Silent Weasel: 10%}", "actors: {Silent Weasle: 10%}")]);
    let (_, message) =
        errors.iter().find(|(c, _)| c == "ttpc::model::unknown_target_actor").expect("target error");
    assert!(
        message.contains("which is not in `actors`"),
        "the actor resolves, the key is the typo: {message}"
    );
}

#[test]
fn issue_17_a_custom_actor_gets_an_emulation_plan_from_its_atomics() {
    let out = common::ttpc()
        .args(["emulate", "--attack-data"])
        .arg(common::mini21())
        .args(["--atomics"])
        .arg(common::fixture("atomics"))
        .arg(common::fixture(MODEL))
        .args(["--actor", "Incident 2026-031"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let plan = common::text(&out.stdout);
    assert!(plan.contains("## Incident 2026-031 (custom)"), "{plan}");
    assert!(plan.contains("T1566.001 Phishing: Spearphishing Attachment"), "{plan}");
}
