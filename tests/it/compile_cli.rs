//! `ttpc compile` through the binary: every output written, Navigator layers valid, the plan
//! round-trips, runs are byte-identical, exit codes follow the targets, and a failing run leaves
//! earlier outputs alone.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{mini21, text, ttpc};
use ttpc::attack::KnowledgeBase;

const MODEL: &str = "tests/fixtures/compile/model.yaml";

fn compile(args: &[&str], out: &Path) -> (i32, String, String) {
    let output = ttpc()
        .arg("compile")
        .args(args)
        .arg("-o")
        .arg(out)
        .arg("--attack-data")
        .arg(mini21())
        .args(["--as-of", "2026-03-15"])
        .output()
        .expect("runs");
    let stderr = text(&output.stderr);
    common::assert_no_panic(&stderr);
    (output.status.code().expect("code"), text(&output.stdout), stderr)
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).expect("inside").to_owned(), std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn writes_every_output_and_exits_1_when_a_target_fails() {
    let dir = tempfile::tempdir().expect("temp");
    let (code, stdout, stderr) = compile(&[MODEL], dir.path());
    assert_eq!(code, 1, "{stderr}");
    let names: Vec<String> = files(dir.path()).keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        names,
        [
            ".ttpc-outputs",
            "assessment.json",
            "gaps.csv",
            "layers/actor-apt38.json",
            "layers/actor-fin7.json",
            "layers/actor-lazarus-group.json",
            "layers/all-actors.json",
            "layers/coverage.json",
            "layers/gaps.json",
            // The model lists telemetry: the visibility layers (issue 21).
            "layers/visibility-minus-detection.json",
            "layers/visibility.json",
            "matrix.svg",
            "remediation-plan.yaml",
            "report.html",
            "report.md"
        ]
    );
    assert!(stdout.contains("THREAT MODEL ASSESSMENT — Arithmetic bank"), "{stdout}");
    assert!(stdout.contains("Covered: 4/11 (36.4%)"), "{stdout}");
    assert!(stdout.contains("[FAIL] overall coverage: expected ≥ 80%, actual 36.4% (4/11)"), "{stdout}");
    assert!(stderr.contains("target failed: overall coverage"), "{stderr}");
    assert!(stderr.contains("expired acceptance: acceptance of T1055"), "{stderr}");
}

#[test]
fn navigator_layers_follow_the_layer_format() {
    let dir = tempfile::tempdir().expect("temp");
    compile(&[MODEL], dir.path());
    let kb = KnowledgeBase::load(&mini21()).expect("kb");
    for (path, bytes) in files(&dir.path().join("layers")) {
        common::check_navigator_layer(&path.display().to_string(), &bytes, &kb, "enterprise-attack", "18");
    }
    let coverage: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("layers/coverage.json")).expect("coverage"))
            .expect("JSON");
    let ps = coverage["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["techniqueID"] == "T1059.001")
        .expect("T1059.001");
    assert_eq!((ps["score"].as_u64(), ps["color"].as_str()), (Some(2), Some("#31a354")));
    let lsass = coverage["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["techniqueID"] == "T1003.001")
        .expect("T1003.001");
    assert_eq!((lsass["score"].as_u64(), lsass["color"].as_str()), (Some(1), Some("#a1d99b")));
    let gaps: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("layers/gaps.json")).expect("gaps"))
            .expect("JSON");
    let colors: BTreeMap<String, String> = gaps["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| {
            (
                t["techniqueID"].as_str().unwrap_or_default().to_owned(),
                t["color"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(colors["T1059.001"], "#31a354");
    assert_eq!(colors["T1055"], "#e34a33");
    assert_eq!(colors["T1078"], "#bdbdbd");
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("layers/all-actors.json")).expect("all"))
            .expect("JSON");
    let t1055 = all["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["techniqueID"] == "T1055")
        .expect("T1055");
    assert_eq!(t1055["score"], 5, "FIN7 (3) + APT38 (2)");
}

#[test]
fn the_plan_has_the_briefs_shape_and_round_trips() {
    let dir = tempfile::tempdir().expect("temp");
    compile(&[MODEL], dir.path());
    let yaml = std::fs::read_to_string(dir.path().join("remediation-plan.yaml")).expect("plan");
    let doc: ttpc::emit::plan::PlanDocument = serde_yaml::from_str(&yaml).expect("plan parses");
    assert_eq!(ttpc::emit::yaml(&doc), yaml, "re-serialising gives the same text");
    let plan = &doc.threat_model_remediation_plan;
    assert_eq!(plan.assessed_date.as_deref(), Some("2026-03-15"));
    assert_eq!(plan.primary_threats, ["FIN7", "APT38", "Lazarus Group"]);
    assert_eq!(plan.current_coverage, "36.4%");
    assert_eq!(plan.target_coverage.as_deref(), Some("80%"));
    let first: Vec<&str> = plan.lists["priority_1_gaps"].iter().map(|g| g.technique.as_str()).collect();
    assert_eq!(first, ["T1055", "T1003.006"]);
    let dcsync = &plan.lists["priority_1_gaps"][1];
    assert_eq!(dcsync.data_source, ["WinEventLog:Security"]);
    assert_eq!(dcsync.effort, ttpc::assessment::Effort::Low);
    assert!(dcsync.detection_approach.is_some());
    assert!(plan.lists.contains_key("priority_3_gaps"));
}

#[test]
fn two_runs_write_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().expect("temp"), tempfile::tempdir().expect("temp"));
    compile(&[MODEL], a.path());
    compile(&[MODEL], b.path());
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (path, bytes) in &fa {
        assert!(bytes == &fb[path], "{} differs between runs", path.display());
    }
}

#[test]
fn the_report_states_figures_verdicts_and_semantics() {
    let dir = tempfile::tempdir().expect("temp");
    compile(&[MODEL], dir.path());
    let report = std::fs::read_to_string(dir.path().join("report.md")).expect("report");
    for expected in [
        "# Threat model assessment — Arithmetic bank",
        "Covered: 4/11 (36.4%)",
        "Defense Evasion:",
        "<-- Priority gap",
        "1. **T1055 Process Injection** — priority 72",
        "Closing the top 6 gaps over 90 days: expected coverage 36.4% → 90.9%.",
        "| overall coverage | ≥ 80% | 36.4% (4/11) | ❌ FAIL |",
        "| Unit Sigma | Plist written by script (r7.yml) | t1547.011 | T1547 |",
        "a rule on a parent technique does not cover its sub-techniques",
        "an expired acceptance fails its target",
    ] {
        assert!(report.contains(expected), "report lacks {expected:?}:\n{report}");
    }
}

#[test]
fn a_user_template_gets_the_same_context() {
    let dir = tempfile::tempdir().expect("temp");
    let (code, _, stderr) =
        compile(&[MODEL, "--template", "tests/fixtures/templates/short.md.j2"], dir.path());
    assert_eq!(code, 1, "{stderr}");
    let report = std::fs::read_to_string(dir.path().join("report.md")).expect("report");
    assert!(report.starts_with("Arithmetic bank: 4/11 covered (36.4%)\n"), "{report}");
    assert!(
        report.contains("- must cover T1059.001 Command and Scripting Interpreter: PowerShell: pass"),
        "{report}"
    );
}

#[test]
fn a_template_error_points_at_its_line_and_leaves_earlier_outputs_untouched() {
    let dir = tempfile::tempdir().expect("temp");
    compile(&[MODEL], dir.path());
    let before = files(dir.path());
    let (code, _, stderr) =
        compile(&[MODEL, "--template", "tests/fixtures/templates/broken.md.j2"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tests/fixtures/templates/broken.md.j2:4:"), "{stderr}");
    assert!(stderr.contains("no_such_field"), "{stderr}");
    assert_eq!(files(dir.path()), before, "a failed run changes nothing");
}

#[test]
fn json_format_prints_the_assessment_and_passing_targets_exit_0() {
    let model_dir = tempfile::tempdir().expect("temp");
    let text = std::fs::read_to_string(MODEL)
        .expect("model")
        .replace("overall: 80%", "overall: 30%")
        .replace("must_cover: [T1003.006, T1059.001]", "must_cover: [T1059.001]")
        .replace("expires: 2020-01-01", "expires: 2029-01-01")
        .replace("path: rules", &format!("path: {}", common::fixture("compile/rules").display()));
    let model = model_dir.path().join("passing.yaml");
    std::fs::write(&model, text).expect("write");
    let out = tempfile::tempdir().expect("temp");
    // A model in a temporary folder naming the fixtures: outside its repository by design.
    let (code, stdout, stderr) =
        compile(&[model.to_str().expect("utf-8"), "--format", "json", "--allow-outside"], out.path());
    assert_eq!(code, 0, "{stderr}");
    let a: ttpc::assessment::Assessment = serde_json::from_str(&stdout).expect("the assessment");
    assert!(a.all_targets_hold());
    // With T1055's acceptance valid again: 4 covered of 10.
    assert_eq!(a.overall.percent, Some(40.0));
}

#[test]
fn an_ics_model_compiles_with_the_same_outputs() {
    let dir = tempfile::tempdir().expect("temp");
    let output = ttpc()
        .args(["compile", "tests/fixtures/models/ics.yaml", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::fixture("attack/mini-ics-2.1.json"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let names: Vec<String> = files(dir.path()).keys().map(|p| p.display().to_string()).collect();
    assert!(names.contains(&"layers/actor-sandworm-team.json".to_owned()), "{names:?}");
    let a: ttpc::assessment::Assessment =
        serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("json"))
            .expect("assessment");
    assert_eq!(a.model.domain, "ics-attack");
    assert_eq!(a.model.matrix, "ATT&CK for ICS");
    // ICS techniques carry platform "None" (or none): never out of scope. 4 techniques, no rules.
    assert_eq!((a.overall.techniques, a.overall.gaps, a.overall.out_of_scope), (4, 4, 0));
    let order: Vec<&str> = a.tactics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(order, ["TA0108", "TA0104", "TA0107", "TA0106"]);
}
