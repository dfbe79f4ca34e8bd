//! Issue 20, at home in CI: `--sarif` checked against the official SARIF 2.1.0 schema, `--junit`
//! against the published JUnit XSD (with `xmllint`), the GitHub job summary and workflow commands,
//! and `--baseline-ref` in a real git repository of two commits.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

const MODEL: &str = "tests/fixtures/compile/model.yaml";

/// `ttpc compile` of the fixture model with the CI outputs into `dir`.
fn compile_ci(dir: &Path) -> std::process::Output {
    common::ttpc()
        .args(["compile", MODEL, "--as-of", "2026-03-15", "--attack-data"])
        .arg(common::mini21())
        .arg("-o")
        .arg(dir.join("out"))
        .arg("--sarif")
        .arg(dir.join("ttpc.sarif"))
        .arg("--junit")
        .arg(dir.join("junit.xml"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("runs")
}

/// The 1-based line of the model that contains `needle`.
fn model_line(needle: &str) -> u64 {
    let text = std::fs::read_to_string(common::root().join(MODEL)).expect("model");
    text.lines().position(|l| l.contains(needle)).map(|i| i as u64 + 1).expect("the line is in the model")
}

/// The fixture's assessment, as JSON.
fn assessment(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("out/assessment.json")).expect("assessment.json");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
#[ignore = "needs the shared corpora"]
fn sarif_is_valid_sarif_2_1_0_with_a_result_per_failed_target_at_its_model_line() {
    let dir = tempfile::tempdir().expect("temp");
    let out = compile_ci(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out.stderr));
    let text = std::fs::read_to_string(dir.path().join("ttpc.sarif")).expect("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("JSON");

    let schema_text = std::fs::read_to_string(common::shared_file("schemas/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken), "the schema check is not vacuous");

    // GitHub's upload expectations: version, one run, rules with IDs, results with a message,
    // a relative location with a base ID, and a partial fingerprint.
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert!(rule_ids.contains(&"ttpc/target/overall") && rule_ids.contains(&"ttpc/new-gap"));
    for rule in rules {
        assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{rule}");
    }
    let results = run["results"].as_array().expect("results");
    let verdicts = assessment(dir.path())["verdicts"].as_array().expect("verdicts").clone();
    let failed: Vec<&serde_json::Value> = verdicts.iter().filter(|v| v["pass"] == false).collect();
    assert!(!failed.is_empty(), "the fixture has failing targets");
    let target_results: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().is_some_and(|id| id.starts_with("ttpc/target/")))
        .collect();
    assert_eq!(target_results.len(), failed.len(), "one result per failed target");
    for r in results {
        let rule = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rule_ids[index], rule);
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(!uri.starts_with('/') && !uri.contains(':'), "relative URI: {uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(common::root().join(uri).is_file(), "{uri} is a file of the repository");
        assert!(r["partialFingerprints"].as_object().is_some_and(|f| !f.is_empty()));
    }
    // Located at the model line making the promise.
    let line_of = |rule: &str| -> Vec<u64> {
        target_results
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().expect("line"))
            .collect()
    };
    assert_eq!(line_of("ttpc/target/overall"), [model_line("overall: 80%")]);
    assert_eq!(line_of("ttpc/target/must-cover"), [model_line("must_cover:")]);
    assert_eq!(line_of("ttpc/target/acceptance"), [model_line("technique: T1055")]);
    let must_cover = target_results.iter().find(|r| r["ruleId"] == "ttpc/target/must-cover").expect("result");
    let message = must_cover["message"]["text"].as_str().expect("text");
    assert!(message.contains("https://attack.mitre.org/techniques/T1003/006/"), "{message}");

    // The fixture's revoked mapping is an input problem at its rule file.
    let stale = assessment(dir.path())["stale_mappings"].as_array().expect("stale").clone();
    assert!(!stale.is_empty(), "the fixture has a stale mapping");
    let problems: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["ruleId"] == "ttpc/input-problem").collect();
    assert_eq!(problems.len(), stale.len());
    let file = stale[0]["place"].as_str().expect("place");
    let uri =
        problems[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
    assert_eq!(uri, format!("tests/fixtures/compile/rules/{file}"));
}

#[test]
fn sarif_and_junit_are_byte_identical_between_runs() {
    let (a, b) = (tempfile::tempdir().expect("temp"), tempfile::tempdir().expect("temp"));
    compile_ci(a.path());
    compile_ci(b.path());
    for file in ["ttpc.sarif", "junit.xml"] {
        let read = |d: &Path| std::fs::read(d.join(file)).expect("written");
        assert_eq!(read(a.path()), read(b.path()), "{file} differs between runs");
    }
}

#[test]
fn junit_has_one_test_case_per_verdict_with_expected_and_actual_in_failures() {
    let dir = tempfile::tempdir().expect("temp");
    compile_ci(dir.path());
    let text = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let verdicts = assessment(dir.path())["verdicts"].as_array().expect("verdicts").clone();
    let suites: Vec<_> = doc.root_element().children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1, "one suite per model");
    let cases: Vec<_> = suites[0].children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), verdicts.len());
    for (case, verdict) in cases.iter().zip(&verdicts) {
        assert_eq!(case.attribute("name"), verdict["target"].as_str());
        let failure = case.children().find(|n| n.has_tag_name("failure"));
        assert_eq!(failure.is_some(), verdict["pass"] == false, "{verdict}");
        if let Some(f) = failure {
            let message = f.attribute("message").expect("message");
            assert!(message.contains(verdict["expected"].as_str().expect("expected")), "{message}");
            assert!(message.contains(verdict["actual"].as_str().expect("actual")), "{message}");
        }
    }
    let failed = verdicts.iter().filter(|v| v["pass"] == false).count();
    assert_eq!(suites[0].attribute("failures"), Some(failed.to_string().as_str()));
}

/// `xmllint` (libxml2-utils), or `None` outside CI with one visible line saying what to install.
fn xmllint() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("xmllint")).find(|p| p.is_file()))
        .unwrap_or_default();
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!in_ci, "CI=true and no xmllint: `apt-get install libxml2-utils` (as .ci/run does)");
        let line = "SKIPPED JUnit XSD validation: no xmllint found (install libxml2-utils)\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    found
}

#[test]
#[ignore = "needs the shared corpora"]
fn junit_is_valid_against_the_published_junit_xsd() {
    let xsd = common::shared_file("schemas/JUnit.xsd");
    let Some(xmllint) = xmllint() else { return };
    let dir = tempfile::tempdir().expect("temp");
    compile_ci(dir.path());
    let out = Command::new(&xmllint)
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(dir.path().join("junit.xml"))
        .output()
        .expect("xmllint runs");
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    assert!(common::text(&out.stderr).contains("validates"));
    // Not vacuous: the XSD rejects a suite without its required hostname.
    let text = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    std::fs::write(dir.path().join("broken.xml"), text.replace(" hostname=\"localhost\"", ""))
        .expect("write");
    let out = Command::new(&xmllint)
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(dir.path().join("broken.xml"))
        .output()
        .expect("xmllint runs");
    assert!(!out.status.success(), "the XSD check is not vacuous");
}

#[test]
fn github_actions_gets_the_job_summary_and_error_annotations_at_model_lines() {
    let dir = tempfile::tempdir().expect("temp");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let out = common::ttpc()
        .args(["compile", MODEL, "--as-of", "2026-03-15", "--attack-data"])
        .arg(common::mini21())
        .arg("-o")
        .arg(dir.path().join("out"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).expect("summary");
    assert!(text.starts_with("earlier step\n"), "appended, not replaced");
    assert!(text.contains("Arithmetic bank") && text.contains("| ❌ | overall coverage |"), "{text}");
    let stdout = common::text(&out.stdout);
    let expected =
        format!("::error file={MODEL},line={},title=ttpc%3A overall coverage::", model_line("overall: 80%"));
    assert!(stdout.contains(&expected), "{stdout}");
    let errors = stdout.lines().filter(|l| l.starts_with("::error ")).count();
    let failed = assessment(dir.path())["verdicts"]
        .as_array()
        .expect("v")
        .iter()
        .filter(|v| v["pass"] == false)
        .count();
    assert_eq!(errors, failed, "one ::error per failed target");
}

/// Runs git in `dir` with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=ttpc tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", common::text(&out.stderr));
    common::text(&out.stdout)
}

/// A repository of two commits: the fixture model (with `no_drop_from_baseline`) and its rules,
/// then the same with the only rule of a covered technique removed. Returns the removed file.
fn two_commit_repository(repo: &Path) -> String {
    git(repo, &["init", "-q", "-b", "main"]);
    let model = std::fs::read_to_string(common::root().join(MODEL)).expect("model");
    let model: String = model
        .lines()
        .filter(|l| !l.starts_with("outputs:"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace("targets:\n", "targets:\n  no_drop_from_baseline: true\n");
    std::fs::write(repo.join("threat-model.yaml"), model).expect("write");
    std::fs::create_dir(repo.join("rules")).expect("mkdir");
    for entry in std::fs::read_dir(common::fixture("compile/rules")).expect("rules") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, repo.join("rules").join(path.file_name().expect("name"))).expect("copy");
    }
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "model and rules"]);

    // Which rule file alone covers an actor's technique: read from the compiled assessment.
    let out = common::ttpc()
        .args([
            "compile",
            "threat-model.yaml",
            "--as-of",
            "2026-03-15",
            "--format",
            "json",
            "-o",
            "out",
            "--attack-data",
        ])
        .arg(common::mini21())
        .current_dir(repo)
        .output()
        .expect("runs");
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let place = a["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .filter(|t| t["score"] == 1 && !t["actors"].as_array().expect("actors").is_empty())
        .find_map(|t| t["rules"][0]["place"].as_str().map(str::to_owned))
        .expect("a technique covered by one rule");
    let file = Path::new(&place).file_name().expect("file").to_string_lossy().into_owned();
    std::fs::remove_dir_all(repo.join("out")).expect("rm out");
    git(repo, &["rm", "-q", &format!("rules/{file}")]);
    git(repo, &["commit", "-q", "-m", "remove a rule"]);
    file
}

#[test]
fn baseline_ref_compiles_the_model_at_a_git_revision_and_a_removed_rule_fails_no_drop() {
    let repo = tempfile::tempdir().expect("temp");
    let removed = two_commit_repository(repo.path());
    let compile = |revision: &str| {
        common::ttpc()
            .args([
                "compile",
                "threat-model.yaml",
                "--as-of",
                "2026-03-15",
                "-o",
                "out",
                "--baseline-ref",
                revision,
            ])
            .arg("--attack-data")
            .arg(common::mini21())
            .arg("--sarif")
            .arg("ttpc.sarif")
            .current_dir(repo.path())
            .output()
            .expect("runs")
    };
    let out = compile("HEAD~1");
    let stderr = common::text(&out.stderr);
    common::assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let a: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("out/assessment.json")).expect("read"),
    )
    .expect("JSON");
    let no_drop = a["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .find(|v| v["kind"] == "no-drop-from-baseline")
        .expect("the baseline verdict");
    assert_eq!(no_drop["pass"], false, "{no_drop}");
    let diff = std::fs::read_to_string(repo.path().join("out/diff.md")).expect("diff.md");
    assert!(diff.contains(removed.trim_end_matches(".yml")) || diff.contains("uncovered"), "{diff}");
    let sarif = std::fs::read_to_string(repo.path().join("ttpc.sarif")).expect("sarif");
    assert!(sarif.contains("ttpc/target/no-drop-from-baseline") && sarif.contains("ttpc/newly-uncovered"));

    // Against itself nothing drops, and the temporary worktrees are gone.
    let same = compile("HEAD");
    assert_eq!(same.status.code(), Some(1), "other targets still fail");
    let a: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("out/assessment.json")).expect("read"),
    )
    .expect("JSON");
    let no_drop =
        a["verdicts"].as_array().expect("v").iter().find(|v| v["kind"] == "no-drop-from-baseline").cloned();
    assert_eq!(no_drop.expect("verdict")["pass"], true);
    assert_eq!(git(repo.path(), &["worktree", "list"]).lines().count(), 1, "worktrees removed");

    // `ttpc diff` compiles both sides itself.
    let out = common::ttpc()
        .args([
            "diff",
            "--baseline-ref",
            "HEAD~1",
            "threat-model.yaml",
            "--as-of",
            "2026-03-15",
            "--attack-data",
        ])
        .arg(common::mini21())
        .current_dir(repo.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert!(common::text(&out.stdout).to_lowercase().contains("uncovered"), "{}", common::text(&out.stdout));
}

#[test]
fn baseline_ref_outside_a_repository_or_of_an_unknown_revision_is_a_clear_error() {
    let repo = tempfile::tempdir().expect("temp");
    std::fs::write(repo.path().join("threat-model.yaml"), "ttpc: 1\n").expect("write");
    let run = |revision: &str| {
        let out = common::ttpc()
            .args(["compile", "threat-model.yaml", "--baseline-ref", revision, "--attack-data"])
            .arg(common::mini21())
            .current_dir(repo.path())
            .env("GIT_CEILING_DIRECTORIES", repo.path().parent().expect("parent"))
            .output()
            .expect("runs");
        (out.status.code(), common::text(&out.stderr))
    };
    // The model itself must load before the baseline is looked for: use the fixture's model text.
    let model = std::fs::read_to_string(common::root().join(MODEL)).expect("model");
    let model: String = model
        .lines()
        .filter(|l| !l.starts_with("outputs:") && !l.starts_with("rules:") && !l.contains("kind: sigma"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(repo.path().join("threat-model.yaml"), model).expect("write");
    let (code, stderr) = run("HEAD~1");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("ttpc::git::not_a_repository") && stderr.contains("not in a git repository"),
        "{stderr}"
    );

    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "one"]);
    let (code, stderr) = run("no-such-branch");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("ttpc::git::unknown_revision") && stderr.contains("no-such-branch"), "{stderr}");
}
