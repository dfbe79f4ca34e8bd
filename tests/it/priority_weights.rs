//! Issue 18, item 1: technique weights in gap priority (`priority.weights`), on hand-written
//! fixtures in CTID's Top ATT&CK Techniques shape and a team CSV (tests/fixtures/priority), and on
//! CTID's real `Techniques.json` from the shared corpora.

use ttpc::assessment::Assessment;

use crate::common;

const WEIGHTS: &str = "priority:\n  weights:\n    - {kind: ctid-top-techniques, path: techniques.json}\n    - {kind: csv, path: team.csv}\n";

/// The fixture model without its `priority` block, as the model was before the issue.
fn unweighted() -> String {
    let text = std::fs::read_to_string(common::fixture("priority/model.yaml")).expect("fixture model");
    assert!(text.contains(WEIGHTS), "the fixture ends with its weights");
    text.replace(WEIGHTS, "")
}

fn assess(text: &str) -> Assessment {
    let model =
        ttpc::model::load_str(&common::fixture("priority/model.yaml"), text.to_owned()).expect("valid model");
    let data =
        ttpc::attack::source::load(Some(&common::mini21()), &ttpc::pipeline::pin_of(&model)).expect("data");
    let resolved = ttpc::resolve::resolve(model, data).expect("resolves");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    ttpc::analysis::analyse(&resolved, &ttpc::analysis::Options { as_of })
}

/// (ID, score) of the scored gaps in rank order.
fn ranking(a: &Assessment) -> Vec<(String, u32)> {
    let mut gaps: Vec<_> = a
        .techniques
        .iter()
        .filter_map(|t| t.priority.as_ref().map(|p| (p.rank, t.id.clone(), p.score)))
        .collect();
    gaps.sort();
    gaps.into_iter().map(|(_, id, score)| (id, score)).collect()
}

fn reasons<'a>(a: &'a Assessment, id: &str) -> &'a [String] {
    &a.technique(id).and_then(|t| t.priority.as_ref()).expect("a scored gap").reasons
}

#[test]
fn issue_18_weights_reorder_the_gaps_as_hand_computed_with_a_reason_per_source() {
    let before = assess(&unweighted());
    let after = assess(&std::fs::read_to_string(common::fixture("priority/model.yaml")).expect("model"));
    let top = |a: &Assessment| ranking(a).into_iter().take(5).collect::<Vec<_>>();
    let s = |id: &str, score: u32| (id.to_owned(), score);
    assert_eq!(
        top(&before),
        vec![s("T1055", 64), s("T1566.001", 51), s("T1547.001", 44), s("T1003.001", 43), s("T1003.006", 43)]
    );
    // By hand, from the fixtures and the points table (20 × prevalence, 10 × choke point, −15
    // below 0.2 actionability, 10 × CSV weight; each rounded):
    // T1021.002  41 + 10 × 2.5                 = 66
    // T1078      30 + 20 × 0.9 + 10 × 0.6      = 54
    // T1003.001  43 + 20 × 0.25 + 10 × 0.5     = 53 (actionability not scored: no penalty)
    // T1055      64 + 1 + 2 − 15               = 52 (mitigation 0, detection 0)
    // T1566.001  51, in neither source
    assert_eq!(
        top(&after),
        vec![s("T1021.002", 66), s("T1078", 54), s("T1003.001", 53), s("T1055", 52), s("T1566.001", 51)]
    );
    // T1059.004: 23 + 20 × 0.5 + 10 × 0.35 (3.5 rounds away from zero to 4) = 37.
    assert!(ranking(&after).contains(&s("T1059.004", 37)));

    let csv = reasons(&after, "T1021.002");
    assert!(
        csv.contains(&String::from("weight 2.5 in team.csv — Annual threat report: 41 intrusions: +25")),
        "{csv:?}"
    );
    assert!(csv.contains(&String::from(
        "no weight in CTID Top ATT&CK Techniques: it does not cover this technique"
    )));
    let ctid = reasons(&after, "T1078");
    assert!(
        ctid.contains(&String::from(
            "prevalence 0.9, choke point 0.6, actionability 0.91 — CTID Top ATT&CK Techniques: +24"
        )),
        "{ctid:?}"
    );
    let low = reasons(&after, "T1055");
    assert!(
        low.iter().any(|r| r.starts_with("low actionability 0 (below 0.2)") && r.ends_with(": −15")),
        "{low:?}"
    );
    assert!(reasons(&after, "T1003.001").iter().any(|r| r.contains("actionability not scored")));
    // A weight of 0 is a weight, said as such; no weight is said differently.
    assert!(reasons(&after, "T1059.001").contains(&String::from("weight 0 in team.csv — Seen once: +0")));
    // The method statement names the new terms only when the model opts in.
    let statement =
        |a: &Assessment| a.semantics.statements.iter().find(|s| s.starts_with("Gap priority")).cloned();
    assert!(
        statement(&after).is_some_and(
            |s| s.contains("20 × CTID prevalence") && s.contains("10 × the weight of a team CSV")
        )
    );
    assert!(statement(&before).is_some_and(|s| !s.contains("CTID")));
}

#[test]
fn issue_18_weight_ids_follow_revoked_by_and_deprecated_ids_weigh_nothing_with_a_warning() {
    let path = common::fixture("priority/model.yaml");
    let model = ttpc::model::load(&path).expect("valid model");
    let data =
        ttpc::attack::source::load(Some(&common::mini21()), &ttpc::pipeline::pin_of(&model)).expect("data");
    let r = ttpc::resolve::resolve(model, data).expect("resolves");
    let kb = &r.attack.kb;
    let t1547 = kb.technique("T1547").expect("in the mini bundle");
    for source in &r.weights.sources {
        let w = source.by_technique.get(&t1547).expect("T1547.011 is revoked by T1547");
        assert!(format!("{w:?}").contains("T1547.011"), "{w:?}");
    }
    let ctid = &r.weights.sources[0];
    assert!(ctid.by_technique.keys().all(|t| kb[*t].id != "T1064"), "deprecated: no weight");
    let warning = r.warnings.iter().find(|w| w.code == "ttpc::priority::weight_ids").expect("a warning");
    assert!(
        warning.message.contains("T1547.011 → T1547") && warning.message.contains("T1064 (deprecated)"),
        "{}",
        warning.message
    );
}

#[test]
fn issue_18_bad_weight_sources_are_errors_at_the_model_line_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in ["techniques.json", "team.csv", "wrong-shape.json", "bad-weight.csv"] {
        std::fs::copy(common::fixture("priority").join(file), dir.path().join(file)).expect("copy");
    }
    for (name, source, expected) in [
        ("missing", "{kind: csv, path: nowhere.csv}", "cannot read"),
        (
            "wrong shape",
            "{kind: ctid-top-techniques, path: wrong-shape.json}",
            "not CTID's Top ATT&CK Techniques format",
        ),
        (
            "a CSV as CTID",
            "{kind: ctid-top-techniques, path: team.csv}",
            "not CTID's Top ATT&CK Techniques format",
        ),
        (
            "bad row",
            "{kind: csv, path: bad-weight.csv}",
            "line 3: weight `lots` is not a number of 0 or more",
        ),
    ] {
        let model = unweighted() + &format!("priority:\n  weights:\n    - {source}\n");
        let path = dir.path().join("model.yaml");
        std::fs::write(&path, &model).expect("write");
        let stderr = common::refused_compile(&path, &dir.path().join("out"), name);
        assert!(stderr.contains("ttpc::priority::weights") && stderr.contains(expected), "{name}: {stderr}");
        assert!(stderr.contains("model.yaml:19:"), "{name}: at the model line: {stderr}");
    }
}

#[test]
#[ignore = "needs the shared corpora"]
fn issue_18_ctid_techniques_json_weighs_the_financial_model_as_an_independent_reading_says() {
    let file = common::shared_file("corpora/ctid/top-attack-techniques/Techniques.json");
    let path = common::root().join("models/financial-services.yaml");
    let plain = std::fs::read_to_string(&path).expect("model");
    let weighted = format!(
        "{plain}priority:\n  weights:\n    - {{kind: ctid-top-techniques, path: {}}}\n",
        file.display()
    );
    let run = |text: String| analyse_18_1(&path, text);
    let (before, _) = run(plain);
    let (after, warnings) = run(weighted);
    let top = |a: &Assessment| ranking(a).into_iter().take(5).map(|(id, _)| id).collect::<Vec<_>>();
    assert_ne!(top(&before), top(&after), "CTID's weights reorder the top 5");

    // An independent reading of the raw file: points from prevalence and choke point, and the
    // penalty below 0.2 actionability, for every gap the file names with its current ID.
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("JSON");
    let mut checked = 0;
    for entry in raw.as_array().expect("an array") {
        let id = entry["tid"].as_str().expect("tid");
        let Some(t) = after.technique(id) else { continue };
        let Some(p) = &t.priority else { continue };
        let points = (entry["prevalence_score"].as_f64().expect("number") * 20.0).round()
            + (entry["choke_point_score"].as_f64().expect("number") * 10.0).round();
        let a = &entry["actionability_score"];
        let acting = a["combined_score"].as_f64().or_else(|| {
            match (a["detection_score"].as_f64(), a["mitigation_score"].as_f64()) {
                (Some(d), Some(m)) => Some(d.max(m)),
                (d, m) => d.or(m),
            }
        });
        let line =
            p.reasons.iter().find(|r| r.contains("— CTID Top ATT&CK Techniques")).expect("a CTID reason");
        assert!(line.ends_with(&format!(": +{points}")), "{id}: {line}");
        let low = p.reasons.iter().any(|r| r.starts_with("low actionability"));
        assert_eq!(low, acting.is_some_and(|x| x < 0.2), "{id}: {:?}", p.reasons);
        let old = before.technique(id).and_then(|t| t.priority.as_ref()).expect("scored before").score;
        let expected = (i64::from(old) + points as i64 - if low { 15 } else { 0 }).max(0);
        assert_eq!(i64::from(p.score), expected, "{id}");
        checked += 1;
    }
    assert!(checked >= 20, "most of the model's gaps are in CTID's data ({checked})");
    // Gaps the file does not name have no weight (not 0), and its older IDs are remapped, said.
    assert!(after.techniques.iter().filter_map(|t| t.priority.as_ref()).any(|p| {
        p.reasons
            .iter()
            .any(|r| r == "no weight in CTID Top ATT&CK Techniques: it does not cover this technique")
    }));
    assert!(
        warnings.iter().any(|w| w.code == "ttpc::priority::weight_ids" && w.message.contains("remapped"))
    );
}

#[test]
#[ignore = "needs the shared corpora"]
fn issue_18_without_scope_low_actionability_resource_development_leaves_the_30_day_horizon() {
    let file = common::shared_file("corpora/ctid/top-attack-techniques/Techniques.json");
    let path = common::root().join("models/financial-services.yaml");
    let model = std::fs::read_to_string(&path).expect("model");
    let scope = "scope:\n  platforms: [Windows, Linux, macOS, IaaS, Identity Provider, Office Suite]\n";
    assert!(model.contains(scope), "the financial model has this scope");
    let unscoped = model.replace(scope, "");
    let weighted = format!(
        "{unscoped}priority:\n  weights:\n    - {{kind: ctid-top-techniques, path: {}}}\n",
        file.display()
    );
    let run = |text: String| analyse_18_1(&path, text).0;
    // The 30-day items in Resource Development, with their reasons.
    let resource_development = |a: &Assessment| -> Vec<(String, Vec<String>)> {
        a.plan.horizons[0]
            .items
            .iter()
            .filter(|i| {
                a.technique(&i.technique)
                    .is_some_and(|t| t.tactics.iter().any(|x| x == "resource-development"))
            })
            .map(|i| (i.technique.clone(), i.reasons.clone()))
            .collect()
    };
    let before = run(unscoped);
    assert!(
        !resource_development(&before).is_empty(),
        "without weights, Resource Development reaches the 30-day plan"
    );
    let after = run(weighted);
    let left = resource_development(&after);
    assert!(
        left.iter().all(|(_, reasons)| !reasons.iter().any(|r| r.starts_with("low actionability"))),
        "no low-actionability Resource Development technique stays in the 30-day plan: {left:?}"
    );
    // Those that left say why, wherever they went.
    for (id, _) in resource_development(&before) {
        if left.iter().any(|(l, _)| *l == id) {
            continue;
        }
        let p = after.technique(&id).and_then(|t| t.priority.as_ref()).expect("still a gap");
        assert!(p.reasons.iter().any(|r| r.starts_with("low actionability")), "{id}: {:?}", p.reasons);
    }
}

/// A model's text, as if read from `path`, analysed against the shared 18.1 bundle on
/// 2026-03-15: the assessment and the resolution warnings.
fn analyse_18_1(path: &std::path::Path, text: String) -> (Assessment, Vec<ttpc::diagnostics::Problem>) {
    let bundle = common::shared_file("attack/enterprise-attack-18.1.json");
    let model = ttpc::model::load_str(path, text).expect("valid model");
    let data = ttpc::attack::source::load(Some(&bundle), &ttpc::pipeline::pin_of(&model)).expect("data");
    let r = ttpc::resolve::resolve(model, data).expect("resolves");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    (ttpc::analysis::analyse(&r, &ttpc::analysis::Options { as_of }), r.warnings)
}
