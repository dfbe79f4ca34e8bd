//! The pull-request story, end to end in a temporary git repository holding the example
//! repository (examples/repo): compile the base, delete a rule that covered a FIN7 technique,
//! compile again with `--baseline` (exit 1, the Markdown diff names the technique and the removed
//! rule), restore the rule (exit 0).

use crate::common;

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=ttpc",
            "-c",
            "user.email=ttpc@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", common::text(&out.stderr));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn compile(repo: &Path, out: &str, baseline: Option<&str>) -> (i32, String) {
    let mut cmd = common::ttpc();
    cmd.current_dir(repo)
        .args(["compile", "threat-model.yaml", "--as-of", "2026-03-15", "-o", out, "--attack-data"])
        .arg(common::mini21());
    if let Some(base) = baseline {
        cmd.args(["--baseline", base]);
    }
    let output = cmd.output().expect("runs");
    let stderr = common::text(&output.stderr);
    common::assert_no_panic(&stderr);
    (output.status.code().expect("code"), stderr)
}

#[test]
fn a_pull_request_that_drops_coverage_fails_and_the_diff_says_why() {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path().join("repo");
    copy_tree(&common::root().join("examples/repo"), &repo);
    std::fs::remove_dir_all(repo.join("expected")).expect("rm expected");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);

    // The base branch.
    let (code, stderr) = compile(&repo, "base", None);
    assert_eq!(code, 0, "{stderr}");

    // The pull request deletes the only rule on FIN7's T1003.001.
    git(&repo, &["rm", "-q", "detections/sigma/lsass_access.yml"]);
    git(&repo, &["commit", "-q", "-m", "remove the LSASS rule"]);
    let (code, stderr) = compile(&repo, "head", Some("base/assessment.json"));
    assert_eq!(code, 1, "a drop fails the check: {stderr}");
    assert!(stderr.contains("target failed: no drop from baseline"), "{stderr}");
    let comment = std::fs::read_to_string(repo.join("head/diff.md")).expect("diff.md written");
    assert!(comment.contains("▼ Newly uncovered (1)"), "{comment}");
    // The verdict that failed the build is listed first, though the base had no such verdict.
    assert!(comment.contains("**Targets failing**"), "{comment}");
    assert!(comment.contains("| ❌ no drop from baseline | new → FAIL |"), "{comment}");
    assert!(comment.contains("**T1003.001** OS Credential Dumping: LSASS Memory — FIN7"), "{comment}");
    assert!(comment.contains("removed: LSASS Memory Read by a Non-System Process (Sigma)"), "{comment}");
    assert!(comment.lines().count() <= 60, "a compact comment:\n{comment}");

    // `ttpc diff` says the same from the two assessments.
    let out = common::ttpc()
        .current_dir(&repo)
        .args(["diff", "base/assessment.json", "head/assessment.json", "--format", "markdown"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(common::text(&out.stdout), comment);

    // Restoring the rule makes the check pass again.
    git(&repo, &["revert", "--no-edit", "HEAD"]);
    let (code, stderr) = compile(&repo, "head", Some("base/assessment.json"));
    assert_eq!(code, 0, "{stderr}");
    let comment = std::fs::read_to_string(repo.join("head/diff.md")).expect("diff.md");
    assert!(comment.contains("No change in coverage"), "{comment}");
}

#[test]
fn diff_reports_actor_and_tactic_changes_as_text_and_json() {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path().join("repo");
    copy_tree(&common::root().join("examples/repo"), &repo);
    compile(&repo, "base", None);
    std::fs::remove_file(repo.join("detections/splunk/savedsearches.conf")).expect("rm");
    // Every mapped search gone; one unmapped search left (a source that yields no rules at all is
    // an error of its own).
    std::fs::write(
        repo.join("detections/splunk/savedsearches.conf"),
        "[default]\n\n[Heartbeat]\nsearch = index=_internal | head 1\n",
    )
    .expect("write");
    let (code, _) = compile(&repo, "head", Some("base/assessment.json"));
    assert_eq!(code, 1);
    let out = common::ttpc()
        .current_dir(&repo)
        .args(["diff", "base/assessment.json", "head/assessment.json", "--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let uncovered: Vec<&str> =
        v["newly_uncovered"].as_array().expect("list").iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(uncovered, ["T1021.002", "T1071.001"]);
    assert!(v["overall"]["change"].as_f64().is_some_and(|c| c < 0.0));
    let text = common::ttpc()
        .current_dir(&repo)
        .args(["diff", "base/assessment.json", "head/assessment.json"])
        .output()
        .expect("runs");
    let text = common::text(&text.stdout);
    assert!(text.contains("FIN7: 85.7% → 57.1% (▼ 28.6)"), "{text}");
    assert!(text.contains("Lateral Movement"), "{text}");
}
