//! `ttpc init`: the starter model passes `ttpc check` straight away.

use crate::common;

use crate::common::{mini21, text, ttpc};

fn check(model: &std::path::Path) -> (Option<i32>, String) {
    let out = ttpc().arg("check").arg(model).arg("--attack-data").arg(mini21()).output().expect("runs");
    (out.status.code(), text(&out.stderr))
}

#[test]
fn the_starter_model_checks_with_canonical_actor_names() {
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("threat-model.yaml");
    std::fs::create_dir_all(dir.path().join("detections/sigma")).expect("mkdir");
    std::fs::copy(common::fixture("compile/rules/r1.yml"), dir.path().join("detections/sigma/r1.yml"))
        .expect("copy");
    let out = ttpc()
        .args([
            "init",
            "--actors",
            "fin7,hidden cobra,Carbon Spider",
            "--platforms",
            "Windows,IaaS",
            "--rules",
            "sigma:detections/sigma",
            "-o",
        ])
        .arg(&model)
        .arg("--attack-data")
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&model).expect("written");
    assert!(
        written.contains("  - {ref: FIN7, weight: 1}\n  - {ref: Lazarus Group, weight: 1}\n"),
        "{written}"
    );
    assert!(written.contains("platforms: [Windows, IaaS]"), "{written}");
    assert!(written.contains("  - {kind: sigma, path: detections/sigma}"), "{written}");
    let (code, stderr) = check(&model);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains('⚠'), "no warnings: {stderr}");
}

#[test]
fn an_unknown_actor_writes_nothing_and_an_existing_file_is_kept() {
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("threat-model.yaml");
    let out = ttpc()
        .args(["init", "--actors", "FIN77", "-o"])
        .arg(&model)
        .arg("--attack-data")
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean FIN7 (G0046)"), "{}", text(&out.stderr));
    assert!(!model.exists());

    std::fs::write(&model, "keep me\n").expect("write");
    let out =
        ttpc().args(["init", "-o"]).arg(&model).arg("--attack-data").arg(mini21()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&model).expect("read"), "keep me\n");
    let out = ttpc()
        .args(["init", "--force", "-o"])
        .arg(&model)
        .arg("--attack-data")
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(check(&model).0, Some(0));
}

#[test]
fn without_attack_data_the_model_is_written_unchecked_and_still_valid() {
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("threat-model.yaml");
    let out = ttpc().args(["init", "--actors", "APT38", "-o"]).arg(&model).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the actors were not checked"));
    assert_eq!(check(&model).0, Some(0));
}
