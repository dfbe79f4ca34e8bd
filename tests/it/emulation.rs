//! Validation by adversary emulation on hand-written fixtures: Atomic Red Team parsing, plan
//! ordering and platform filtering, scripts, results import, and the `validated` target.
//! Expectations are worked out from tests/fixtures/{atomics,emulation} and the mini bundle.

use crate::common;

use ttpc::assessment::{Assessment, State, TargetKind, ValidationState};
use ttpc::rules::SkipReason;

fn assess_with(replacements: &[(&str, &str)]) -> Assessment {
    common::assess_fixture("emulation/model.yaml", replacements, "2026-03-15")
}

fn validation(a: &Assessment, id: &str) -> ValidationState {
    a.technique(id)
        .and_then(|t| t.validation.as_ref())
        .map(|v| v.state)
        .unwrap_or_else(|| panic!("{id} judged"))
}

#[test]
fn atomics_are_parsed_and_every_file_is_accounted_for() {
    let report = ttpc::inputs::load_atomics(&common::fixture("atomics")).expect("loads");
    assert_eq!(report.files, 10);
    assert_eq!(report.parsed_files + report.skipped.len(), report.files);
    let skipped: Vec<(String, SkipReason)> =
        report.skipped.iter().map(|s| (s.path.display().to_string(), s.reason)).collect();
    assert_eq!(
        skipped,
        [
            ("Indexes/Indexes-CSV/windows-index.csv".to_owned(), SkipReason::NotARule),
            ("README.md".to_owned(), SkipReason::NotARule),
            ("T1021/T1021.yaml".to_owned(), SkipReason::InvalidSyntax),
        ]
    );
    let ps = report.tests_for("t1059.001");
    assert_eq!(ps.len(), 3);
    assert_eq!(
        (ps[0].number, ps[0].executor.as_str(), ps[0].elevation_required, ps[0].has_prerequisites),
        (1, "powershell", false, true)
    );
    assert_eq!(
        (ps[1].number, ps[1].executor.as_str(), ps[1].elevation_required),
        (2, "command_prompt", true)
    );
    assert_eq!(ps[2].platforms, ["linux", "macos"]);
    assert_eq!(ps[0].guid.as_deref(), Some("a1bfd88c-d721-59f2-82c7-fde5ffdf8586"));
}

#[test]
fn the_plan_follows_the_kill_chain_and_marks_covered_techniques_and_gaps() {
    let a = assess_with(&[]);
    let e = a.emulation.as_ref().expect("emulation section");
    let fin7 = &e.actors[0];
    let order: Vec<(&str, &str, bool)> =
        fin7.steps.iter().map(|s| (s.technique.as_str(), s.tactic.as_str(), s.covered)).collect();
    // T1055 sits under Privilege Escalation, its first tactic in matrix order; T1003.001 failed
    // validation, so it is a gap now.
    assert_eq!(
        order,
        [
            ("T1566.001", "Initial Access", false),
            ("T1059.001", "Execution", true),
            ("T1547.001", "Persistence", false),
            ("T1055", "Privilege Escalation", false),
            ("T1003.001", "Credential Access", false),
            ("T1003.006", "Credential Access", false),
            ("T1021", "Lateral Movement", true),
            ("T1021.002", "Lateral Movement", false),
            ("T1071.001", "Command and Control", false),
        ]
    );
    let tests: Vec<usize> = fin7.steps[1].tests.iter().map(|t| t.number).collect();
    assert_eq!(tests, [1, 2, 3]);
    assert!(fin7.steps[5].tests.is_empty(), "no atomic test for T1003.006");
}

#[test]
fn platform_scope_filters_the_tests() {
    let a = assess_with(&[("platforms: [Windows, Linux, macOS, IaaS]", "platforms: [Windows]")]);
    let fin7 = &a.emulation.as_ref().expect("emulation").actors[0];
    let ps = fin7.steps.iter().find(|s| s.technique == "T1059.001").expect("T1059.001");
    assert_eq!(
        ps.tests.iter().map(|t| t.number).collect::<Vec<_>>(),
        [1, 2],
        "the Unix test is filtered out"
    );
    assert!(fin7.steps.iter().all(|s| s.technique != "T1071.001" || s.tests.is_empty()));
}

#[test]
fn results_validate_fail_partially_validate_or_go_stale() {
    let a = assess_with(&[]);
    assert_eq!(validation(&a, "T1059.001"), ValidationState::Validated);
    assert_eq!(validation(&a, "T1003.001"), ValidationState::Failed);
    assert_eq!(validation(&a, "T1021"), ValidationState::Partial);
    assert_eq!(validation(&a, "T1566.001"), ValidationState::Stale);
    assert_eq!(validation(&a, "T1003"), ValidationState::Untested);
    // A covered technique whose tests ran undetected is a gap, first in line for remediation
    // with the failed rule named.
    assert_eq!(a.technique("T1003.001").map(|t| t.state), Some(State::Gap));
    let p = a.technique("T1003.001").and_then(|t| t.priority.clone()).expect("priority");
    assert!(
        p.reasons.iter().any(|r| r == "emulation ran undetected; mapped rules that did not fire: LSASS read by unusual process: +25"),
        "{:?}",
        p.reasons
    );
    let s = a.emulation.as_ref().expect("emulation").summary;
    assert_eq!(
        (s.covered_on_paper, s.validated, s.failed, s.partial, s.stale, s.untested),
        (4, 1, 1, 1, 0, 1)
    );
    assert_eq!(s.percent, Some(25.0));
    assert_eq!((a.overall.covered, a.overall.techniques), (3, 11));
}

#[test]
fn unusable_results_and_unknown_techniques_are_warnings() {
    let a = assess_with(&[]);
    let warnings = &a.emulation.as_ref().expect("emulation").warnings;
    assert!(
        warnings.iter().any(|w| w.ends_with("results.csv: line 8: the date must be YYYY-MM-DD")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.ends_with("results.csv: line 9: detected must be yes, no or partial")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w == "results for T9999 (line 7), a technique this model does not contain; ignored"),
        "{warnings:?}"
    );
}

#[test]
fn the_validated_target_passes_and_fails() {
    let verdict = |a: &Assessment| {
        a.verdicts.iter().find(|v| v.kind == TargetKind::Validated).map(|v| (v.pass, v.actual.clone()))
    };
    assert_eq!(verdict(&assess_with(&[])), Some((true, "25.0% (1/4 covered techniques)".to_owned())));
    assert_eq!(verdict(&assess_with(&[("validated: 25%", "validated: 30%")])).map(|v| v.0), Some(false));
}

#[test]
fn compile_writes_the_plan_scripts_caldera_profile_and_validation_layer() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", "tests/fixtures/emulation/model.yaml", "--as-of", "2026-03-15", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let read =
        |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap_or_else(|_| panic!("{p} written"));
    let ps1 = read("emulation/fin7.ps1");
    assert!(
        ps1.contains("# WARNING: these are real attack techniques. Run them only in an isolated lab"),
        "{ps1}"
    );
    // Issue 15: tests by GUID, from the model's library only, the module imported explicitly.
    let run = "Invoke-AtomicTest T1059.001 -TestGuids a1bfd88c-d721-59f2-82c7-fde5ffdf8586,53bed249-9e32-598b-b002-df6e7db361ec -PathToAtomicsFolder $PathToAtomicsFolder";
    assert!(ps1.contains(&format!("{run} -GetPrereqs\n{run}\n")), "{ps1}");
    assert!(ps1.contains("    [string]$PathToAtomicsFolder = '../atomics',\n"), "{ps1}");
    assert!(ps1.contains("\nImport-Module $Module -ErrorAction Stop\n"), "{ps1}");
    assert!(!ps1.contains("-TestNumbers"), "{ps1}");
    assert!(
        ps1.contains("#   53bed249-9e32-598b-b002-df6e7db361ec (#2) Download cradle fetches a local test file [command_prompt, needs elevation]"),
        "{ps1}"
    );
    assert!(ps1.contains("# Atomic Red Team library: ../atomics (files sha256 "), "{ps1}");
    assert!(
        ps1.contains("# T1003.006 OS Credential Dumping: DCSync — exercises a gap; no atomic test"),
        "{ps1}"
    );
    let sh = read("emulation/fin7.sh");
    assert!(sh.starts_with("#!/usr/bin/env bash\n"), "{sh}");
    assert!(sh.contains("pwsh -NoProfile -Command 'Import-Module $env:TTPC_ATOMIC_MODULE -ErrorAction Stop; Invoke-AtomicTest T1059.001 -TestGuids 87f54f45-de37-5c34-8cd4-4dc44c33015a -PathToAtomicsFolder $env:TTPC_ATOMICS_FOLDER'"), "{sh}");
    assert!(sh.contains("\natomics='../atomics'\n"), "{sh}");
    let caldera: serde_json::Value = serde_yaml::from_str(&read("emulation/fin7.caldera.yml")).expect("YAML");
    let keys: Vec<&str> = caldera.as_object().expect("map").keys().map(String::as_str).collect();
    assert_eq!(keys, ["atomic_ordering", "description", "id", "name", "objective", "tags"]);
    let id = caldera["id"].as_str().expect("id");
    assert_eq!(id.as_bytes()[14], b'4', "a version-4 UUID: {id}");
    assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'), "RFC 9562 variant: {id}");
    // Abilities as Caldera's atomic plugin names them (checked against PyYAML in `tools_caldera`).
    let ordering = caldera["atomic_ordering"].as_array().expect("list");
    assert!(!ordering.is_empty() && ordering.iter().all(|i| i.as_str().is_some_and(|i| i.len() == 32)));
    let plan = read("emulation-plan.md");
    assert!(plan.contains("| 2 | Execution | T1059.001 Command and Scripting Interpreter: PowerShell | validates a covered technique |"), "{plan}");
    assert!(plan.contains("| T1003.001 OS Credential Dumping: LSASS Memory | LSASS read by unusual process | 2026-02-20: no (no alert; EDR blocked but SIEM silent) |"), "{plan}");
    let report = read("report.md");
    assert!(report.contains("## Validation by emulation"), "{report}");
    let kb = ttpc::attack::KnowledgeBase::load(&common::mini21()).expect("kb");
    common::check_navigator_layer(
        "validation.json",
        read("layers/validation.json").as_bytes(),
        &kb,
        "enterprise-attack",
        "18",
    );
}

#[test]
fn emulate_prints_one_actor_in_each_format() {
    let run = |format: &str, actor: &str| {
        let out = common::ttpc()
            .args([
                "emulate",
                "tests/fixtures/emulation/model.yaml",
                "--actor",
                actor,
                "--format",
                format,
                "--as-of",
                "2026-03-15",
                "--attack-data",
            ])
            .arg(common::mini21())
            .output()
            .expect("runs");
        (out.status.code(), common::text(&out.stdout), common::text(&out.stderr))
    };
    let (code, md, _) = run("markdown", "apt38");
    assert_eq!(code, Some(0));
    assert!(md.contains("## APT38 (G0082)") && !md.contains("## FIN7"), "{md}");
    let (_, ps1, _) = run("powershell", "G0046");
    assert!(ps1.contains("# Actor: FIN7 (G0046)"), "{ps1}");
    let (_, caldera, _) = run("caldera", "fin7");
    assert!(caldera.contains("atomic_ordering:"), "{caldera}");
    let (code, _, stderr) = run("markdown", "FIN8");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no actor `FIN8`") && stderr.contains("FIN7 (G0046)"), "{stderr}");
}

#[test]
fn a_missing_atomics_folder_points_at_the_model_line() {
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "ttpc: 1\nname: x\nattack: {domain: enterprise-attack, version: \"18.1\"}\nactors: [{ref: FIN7}]\nvalidation:\n  atomics: nowhere/atomics\n",
    )
    .expect("write");
    let out = common::ttpc()
        .arg("check")
        .arg(&model)
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::text(&out.stderr);
    assert!(stderr.contains("Atomic Red Team folder nowhere/atomics does not exist"), "{stderr}");
    assert!(stderr.contains("m.yaml:6:12"), "{stderr}");
}
