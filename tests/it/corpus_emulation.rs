//! Corpus tests on the real Atomic Red Team library from the shared test data: every file
//! accounted for, technique counts checked against an independent reading, and the financial
//! model compiled with the real library writes its emulation plan.

use crate::common;

use std::collections::BTreeSet;

#[test]
#[ignore = "needs the shared corpora"]
fn all_atomics_parse_and_windows_techniques_match_an_independent_count() {
    let root = common::shared_file("corpora/atomic-red-team/atomics");
    let report = ttpc::inputs::load_atomics(&root).expect("the library loads");
    assert_eq!(report.parsed_files + report.skipped.len(), report.files, "every file accounted for");
    assert!(
        report.skipped.iter().all(|s| !s.path.to_string_lossy().starts_with('T')),
        "every technique file parses: {:?}",
        report.skipped.iter().filter(|s| s.path.to_string_lossy().starts_with('T')).collect::<Vec<_>>()
    );

    // Independently: every T*/T*.yaml read as a generic YAML value.
    let mut windows: BTreeSet<String> = BTreeSet::new();
    let mut technique_files = 0;
    let mut tests = 0;
    for dir in std::fs::read_dir(&root).expect("dir") {
        let dir = dir.expect("entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let file = dir.join(format!("{name}.yaml"));
        if !name.starts_with('T') || !file.is_file() {
            continue;
        }
        technique_files += 1;
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&file).expect("UTF-8")).expect("YAML");
        let list = doc["atomic_tests"].as_sequence().cloned().unwrap_or_default();
        tests += list.len();
        let on_windows = list.iter().any(|t| {
            t["supported_platforms"]
                .as_sequence()
                .is_some_and(|p| p.iter().any(|x| x.as_str() == Some("windows")))
        });
        if on_windows {
            windows.insert(doc["attack_technique"].as_str().expect("technique").to_owned());
        }
    }
    assert_eq!(report.techniques.len(), technique_files);
    assert_eq!(report.techniques.iter().map(|t| t.tests.len()).sum::<usize>(), tests);
    let ours: BTreeSet<String> = report
        .techniques
        .iter()
        .filter(|t| t.tests.iter().any(|x| x.platforms.iter().any(|p| p == "windows")))
        .map(|t| t.technique.clone())
        .collect();
    assert_eq!(ours, windows);
    println!(
        "{} technique files, {tests} tests, {} techniques with a Windows test",
        technique_files,
        windows.len()
    );
}

#[test]
#[ignore = "needs the shared corpora"]
fn the_financial_model_with_the_real_library_writes_its_emulation_plan() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", "models/financial-services.yaml", "--as-of", "2026-06-01", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::shared_file("attack/enterprise-attack-18.1.json"))
        .arg("--atomics")
        .arg(common::shared_file("corpora/atomic-red-team/atomics"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let plan = std::fs::read_to_string(dir.path().join("emulation-plan.md")).expect("plan written");
    assert!(plan.contains("## FIN7 (G0046)") && plan.contains("## Lazarus Group (G0032)"), "{plan}");
    assert!(plan.contains("Invoke") || plan.contains("| 1 |"), "{plan}");
    let ps1 = std::fs::read_to_string(dir.path().join("emulation/fin7.ps1")).expect("script");
    assert!(ps1.contains("Invoke-AtomicTest T1059.001 -TestGuids "), "{ps1}");
    assert!(!ps1.contains("-TestNumbers"), "{ps1}");
    let a: ttpc::assessment::Assessment =
        serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("json"))
            .expect("assessment");
    let atomics = a.emulation.as_ref().and_then(|e| e.atomics.as_ref()).expect("atomics account");
    assert_eq!(atomics.parsed_files, 341);
}
