//! Issue 21: rules that can fire, alerting versus hunting, levels, and visibility versus
//! detection, on hand-written fixtures (tests/fixtures/telemetry): one rule per format on
//! T1003.001 that needs Sysmon, Sigma rules that hunt or sit below the counted levels.

use ttpc::assessment::{Assessment, State, Visibility};

use crate::{common, tools};

/// Assesses the telemetry fixture with `telemetry`, `rules` and `coverage` lines of its own.
fn assess(telemetry: &str, rules: &str, coverage: &str) -> Assessment {
    assess_with(&common::mini21(), "18.1", telemetry, rules, coverage)
}

/// [`assess`] against another bundle, pinned to `version`.
fn assess_with(
    bundle: &std::path::Path,
    version: &str,
    telemetry: &str,
    rules: &str,
    coverage: &str,
) -> Assessment {
    let path = common::fixture("telemetry/model.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture model");
    let text = text
        .replace(r#"version: "18.1""#, &format!("version: {version:?}"))
        .replace(r#"telemetry: ["WinEventLog:Security"]"#, telemetry)
        .replace("  - {kind: sigma, path: sigma, name: Sigma}", rules)
        .replace("coverage: {require_telemetry: true}", coverage);
    let model = ttpc::model::load_str(&path, text).expect("valid model");
    let data = ttpc::attack::source::load(Some(bundle), &ttpc::pipeline::pin_of(&model)).expect("data");
    let resolved = ttpc::resolve::resolve(model, data).expect("resolves");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    ttpc::analysis::analyse(&resolved, &ttpc::analysis::Options { as_of })
}

const SECURITY: &str = r#"telemetry: ["WinEventLog:Security"]"#;
const WITH_SYSMON: &str = r#"telemetry: ["WinEventLog:Security", "WinEventLog:Sysmon"]"#;
const REQUIRE: &str = "coverage: {require_telemetry: true}";

/// Each format's rule that needs Sysmon, as a model `rules:` line.
const FORMATS: [(&str, &str); 7] = [
    ("sigma", "  - {kind: sigma, path: sigma/sysmon_lsass.yml, name: S}"),
    ("splunk-content", "  - {kind: splunk-content, path: splunk/lsass_access.yml, name: S}"),
    ("splunk-savedsearches", "  - {kind: splunk-savedsearches, path: splunk/savedsearches.conf, name: S}"),
    ("elastic", "  - {kind: elastic, path: elastic, name: S}"),
    ("sentinel", "  - {kind: sentinel, path: sentinel, name: S}"),
    ("csv", "  - {kind: csv, path: csv/edr.csv, name: S}"),
    ("navigator-layer", "  - {kind: navigator-layer, path: layer/edr-coverage.json, name: S}"),
];

#[test]
fn issue_21_a_rule_on_uncollected_sysmon_is_blind_in_every_format_until_sysmon_is_collected() {
    for (format, rules) in FORMATS {
        let blind = assess(SECURITY, rules, REQUIRE);
        let t = blind.technique("T1003.001").expect("FIN7 uses T1003.001");
        assert_eq!(t.state, State::Gap, "{format}: a blind rule does not cover");
        assert_eq!(t.score, 0, "{format}");
        let account = blind.telemetry.as_ref().expect("a telemetry account");
        assert_eq!(account.blind_rules.len(), 1, "{format}: {:?}", account.blind_rules);
        let rule = &account.blind_rules[0];
        assert!(
            rule.collect.iter().any(|c| c == "WinEventLog:Sysmon"),
            "{format}: collect {:?}",
            rule.collect
        );
        assert!(rule.excluded && rule.techniques.contains(&String::from("T1003.001")), "{format}");
        assert_eq!(account.sources[0].blind, 1, "{format}");
        assert_eq!(account.sources[0].counted, 0, "{format}");
        assert!(
            t.excluded.iter().any(|x| x.reasons.iter().any(|r| r.contains("WinEventLog:Sysmon"))),
            "{format}"
        );
        let reasons = &t.priority.as_ref().expect("a gap has a priority").reasons;
        assert!(
            reasons.iter().any(|r| r.contains("exists but is blind") && r.contains("WinEventLog:Sysmon")),
            "{format}: {reasons:?}"
        );

        let seen = assess(WITH_SYSMON, rules, REQUIRE);
        let t = seen.technique("T1003.001").expect("T1003.001");
        assert!(t.state.is_covered(), "{format}: with Sysmon collected the rule counts");
        assert!(seen.telemetry.as_ref().expect("account").blind_rules.is_empty(), "{format}");
    }
}

#[test]
fn issue_21_without_require_telemetry_blind_rules_are_listed_and_still_count() {
    let a = assess(SECURITY, FORMATS[0].1, "coverage: {}");
    assert!(a.technique("T1003.001").expect("T1003.001").state.is_covered());
    let account = a.telemetry.as_ref().expect("telemetry listed: an account");
    assert_eq!(account.blind_rules.len(), 1);
    assert!(!account.blind_rules[0].excluded);
}

#[test]
fn issue_21_hunting_and_level_rules_count_by_default_and_are_left_out_when_asked() {
    let rules = "  - {kind: sigma, path: sigma, name: Sigma}";
    let default = assess(SECURITY, rules, "coverage: {}");
    assert!(default.technique("T1566.001").expect("hunted").state.is_covered(), "hunting counts by default");
    assert!(default.technique("T1021.002").expect("low").state.is_covered(), "every level counts by default");

    let strict =
        assess(SECURITY, rules, "coverage: {count_hunting: false, count_levels: [critical, high, medium]}");
    let hunted = strict.technique("T1566.001").expect("hunted");
    assert_eq!(hunted.state, State::Gap);
    assert_eq!(hunted.excluded[0].reasons, vec![String::from("hunting")]);
    let low = strict.technique("T1021.002").expect("low");
    assert_eq!(low.state, State::Gap);
    assert_eq!(low.excluded[0].reasons, vec![String::from("level low")]);
    let account = strict.telemetry.as_ref().expect("account");
    assert_eq!((account.sources[0].hunting, account.sources[0].level), (1, 1));
    assert_eq!(account.hunting_only, vec![String::from("T1566.001 Phishing: Spearphishing Attachment")]);
    // The process-creation rule is seen by Security 4688; the BITS rule's service is unmapped and counts.
    assert!(strict.technique("T1059.001").expect("proc").state.is_covered());
    assert_eq!(account.unknown.len(), 1);
    assert_eq!(account.unknown[0].declared, "sigma:windows/bits-client");
    assert!(strict.semantics.statements.iter().any(|s| s.contains("do not count as detection")));
}

#[test]
fn issue_21_a_model_map_extends_the_built_in_mapping() {
    let rules = "  - {kind: sigma, path: sigma/unknown.yml, name: S}";
    let map = "telemetry_map: {\"sigma:windows/bits-client\": [\"WinEventLog:Microsoft-Windows-Bits-Client/Operational\"]}\ncoverage: {require_telemetry: true}";
    let a = assess(SECURITY, rules, map);
    let account = a.telemetry.as_ref().expect("account");
    assert!(account.unknown.is_empty());
    assert_eq!(
        account.blind_rules[0].collect,
        vec![String::from("WinEventLog:Microsoft-Windows-Bits-Client/Operational")]
    );
    // A model entry wins over a built-in one.
    let over = "telemetry_map: {\"sigma:windows/sysmon\": [\"WinEventLog:Security\"]}\ncoverage: {require_telemetry: true}";
    let a = assess(SECURITY, FORMATS[0].1, over);
    assert!(a.technique("T1003.001").expect("T1003.001").state.is_covered());
}

#[test]
fn issue_21_quick_wins_are_exactly_the_gaps_whose_analytics_log_sources_are_all_collected() {
    let a = assess(SECURITY, "  - {kind: sigma, path: sigma, name: Sigma}", REQUIRE);
    let account = a.telemetry.as_ref().expect("account");
    let wins: Vec<&str> = account.quick_wins.iter().map(|q| q.technique.as_str()).collect();
    let expected: Vec<&str> = a
        .techniques
        .iter()
        .filter(|t| t.state == State::Gap && !t.actors.is_empty())
        .filter(|t| !t.detection.data_sources.is_empty())
        .filter(|t| t.detection.data_sources.iter().all(|d| d == "WinEventLog:Security"))
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(wins, expected);
    assert_eq!(wins, vec!["T1003.006"], "DCSync's analytic reads only the Security log");
    assert_eq!(a.technique("T1003.006").expect("t").visibility, Some(Visibility::Visible));
    assert_eq!(account.visible_not_detected, 1);
    let cell = a
        .matrix
        .iter()
        .flat_map(|c| &c.cells)
        .flat_map(|c| std::iter::once(c).chain(&c.subtechniques))
        .find(|c| c.id == "T1003.006");
    assert_eq!(cell.map(|c| c.state), Some(ttpc::assessment::CellState::VisibleGap));
}

#[test]
fn issue_21_before_v18_visibility_comes_from_data_components() {
    // The mini STIX 2.0 bundle stands for ATT&CK 17.1: data components, no analytics.
    let a = assess_with(
        &common::mini20(),
        "17.1",
        r#"telemetry: ["Process: Process Access"]"#,
        "  - {kind: sigma, path: sigma/low.yml, name: S}",
        "coverage: {}",
    );
    let lsass = a.technique("T1003.001").expect("T1003.001");
    assert_eq!((lsass.state, lsass.visibility), (State::Gap, Some(Visibility::Visible)));
    let powershell = a.technique("T1059.001").expect("T1059.001");
    assert_eq!(powershell.visibility, Some(Visibility::NotVisible), "Process Creation is not collected");
    let wins: Vec<&str> =
        a.telemetry.as_ref().expect("account").quick_wins.iter().map(|q| q.technique.as_str()).collect();
    assert_eq!(wins, vec!["T1003.001"]);
}

#[test]
fn issue_21_models_without_telemetry_settings_have_no_account_and_no_new_state() {
    let a = common::assess_fixture(
        "compile/model.yaml",
        &[(r#"telemetry: ["WinEventLog:Security"]"#, "")],
        "2026-03-15",
    );
    assert!(a.telemetry.is_none());
    assert!(a.techniques.iter().all(|t| t.visibility.is_none() && t.excluded.is_empty()));
    let json = ttpc::emit::json(&a);
    assert!(!json.contains("visibility") && !json.contains("visible-gap"));
}

/// Writes a model into a temporary folder holding the fixture rules and runs `ttpc check`.
fn check_model(extra: &str) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("model.yaml");
    let text = format!(
        "ttpc: 1\nname: Bad telemetry\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\nactors:\n  - {{ref: FIN7}}\n{extra}\n"
    );
    std::fs::write(&model, text).expect("write");
    common::ttpc().arg("check").arg(&model).arg("--attack-data").arg(common::mini21()).output().expect("runs")
}

#[test]
fn issue_21_bad_telemetry_settings_are_errors_at_the_model_line_with_a_suggestion() {
    let out = check_model("telemetry: [\"WinEventLog:Sysmn\"]");
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ttpc::model::unknown_telemetry")
            && stderr.contains("did you mean `WinEventLog:Sysmon`"),
        "{stderr}"
    );
    assert!(stderr.contains("model.yaml:6:"), "{stderr}");

    let out = check_model("telemetry_map:\n  \"index:my-edr-*\": []");
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("maps `index:my-edr-*` to nothing") && stderr.contains("model.yaml:7:"),
        "{stderr}"
    );

    let out = check_model("coverage: {count_levels: [critical, hihg]}");
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`hihg` is not a rule level") && stderr.contains("did you mean `high`"),
        "{stderr}"
    );

    // A name the model's own map introduces is known.
    let out = check_model("telemetry: [\"EDR:Acme\"]\ntelemetry_map: {\"index:acme-*\": [\"EDR:Acme\"]}");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
}

/// Loads layers in mitreattack-python (`Layer.from_file`) and exports them to SVG.
const LOAD: &str = r#"
import contextlib, io, json, sys
from mitreattack.navlayers import Layer, SVGConfig, ToSvg
bundle, outdir = sys.argv[1:3]
to_svg = ToSvg(domain="enterprise", source="local", resource=bundle, config=SVGConfig())
for path in sys.argv[3:]:
    layer = Layer()
    with contextlib.redirect_stdout(io.StringIO()):
        layer.from_file(path)
        to_svg.to_svg(layerInit=layer, filepath=outdir + "/" + path.rsplit("/", 1)[-1] + ".svg")
    print(json.dumps({"layer": path, "techniques": len(layer.layer.techniques or [])}))
"#;

#[test]
#[ignore = "needs the shared corpora and a Python venv with mitreattack-python"]
fn issue_21_visibility_layers_load_in_mitreattack_python() {
    let bundle = common::shared_file("attack/enterprise-attack-18.1.json");
    let Some(python) = tools::python("mitreattack-python test", "venv", &["mitreattack-python", "pyyaml"])
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("out");
    let run = common::ttpc()
        .arg("compile")
        .arg(common::root().join("models/financial-services.yaml"))
        .args(["--as-of", "2026-03-15", "--attack-data"])
        .arg(&bundle)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(matches!(run.status.code(), Some(0 | 1)), "{}", common::text(&run.stderr));
    let layers = [out.join("layers/visibility.json"), out.join("layers/visibility-minus-detection.json")];
    let kb = common::kb18();
    for layer in &layers {
        common::check_navigator_layer(
            &layer.display().to_string(),
            &std::fs::read(layer).expect("layer"),
            kb,
            "enterprise-attack",
            "18",
        );
    }
    let mut cmd = std::process::Command::new(python);
    cmd.arg("-c").arg(LOAD).arg(&bundle).arg(dir.path()).args(&layers);
    let printed = tools::run(cmd);
    for layer in &layers {
        let line = printed
            .lines()
            .find(|l| l.contains(&*layer.to_string_lossy()))
            .unwrap_or_else(|| panic!("{printed}"));
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert!(v["techniques"].as_u64().expect("count") > 0, "{line}");
    }
    // The minus layer holds exactly the visible or partly visible gaps.
    let a: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("assessment.json")).expect("json")).expect("JSON");
    let minus: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&layers[1]).expect("layer")).expect("JSON");
    let mut in_layer: Vec<&str> = minus["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["score"].is_u64())
        .map(|e| e["techniqueID"].as_str().expect("id"))
        .collect();
    in_layer.sort();
    in_layer.dedup();
    let mut expected: Vec<&str> = a["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|t| t["state"] == "gap" && !t["actors"].as_array().expect("actors").is_empty())
        .filter(|t| t["visibility"] == "visible" || t["visibility"] == "partial")
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    expected.sort();
    assert_eq!(in_layer, expected);
}
