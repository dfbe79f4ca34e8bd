//! Issue 20, the files that bring ttpc into CI and the shell: `action.yml` against SchemaStore's
//! published schema, `.pre-commit-hooks.yaml` against the keys pre-commit requires, the
//! `Dockerfile`'s structure and the binary it copies, shell completions and manual pages.

use std::path::PathBuf;
use std::process::Command;

use crate::common;

fn yaml_as_json(file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(common::root().join(file)).expect("the file exists");
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::to_value(value).expect("YAML as JSON")
}

#[test]
fn action_yml_is_valid_against_the_schemastore_github_action_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("schemas/github-action.json")).expect("schema"),
    )
    .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let action = yaml_as_json("action.yml");
    let errors: Vec<String> =
        validator.iter_errors(&action).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "action.yml: {errors:#?}");
    // And the schema does reject a broken action (it is not vacuous).
    let mut broken = action.clone();
    broken["runs"]["using"] = serde_json::json!("not-a-runtime");
    assert!(!validator.is_valid(&broken));

    // What the action promises: compile with SARIF and JUnit, upload the SARIF, comment the PR.
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.starts_with("github/codeql-action/upload-sarif@")), "{uses:?}");
    assert!(uses.iter().any(|u| u.starts_with("actions/cache@")), "{uses:?}");
    let scripts: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    for needle in
        ["cargo install --locked", "ttpc compile", "--sarif", "--junit", "--baseline-ref", "gh pr comment"]
    {
        assert!(scripts.contains(needle), "action.yml runs no {needle}");
    }
    // Every flag it passes exists.
    let help = common::text(&common::ttpc().args(["compile", "--help"]).output().expect("runs").stdout);
    for flag in ["--fetch", "--baseline-ref", "--sarif", "--junit"] {
        assert!(help.contains(flag), "ttpc compile has no {flag}");
    }
}

/// The hook keys and their types, as pre-commit's manifest validator (`MANIFEST_HOOK_DICT` in
/// `pre_commit/clientlib.py`) defines them: SchemaStore's pre-commit-hooks schema is not shipped
/// by any package this project can install, so this is a structural check.
#[test]
fn pre_commit_hooks_have_the_keys_pre_commit_requires() {
    let hooks = yaml_as_json(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    assert!(!hooks.is_empty());
    let strings = [
        "id",
        "name",
        "entry",
        "language",
        "alias",
        "files",
        "exclude",
        "description",
        "language_version",
        "minimum_pre_commit_version",
    ];
    let lists = ["types", "types_or", "exclude_types", "args", "stages", "additional_dependencies"];
    let bools = ["pass_filenames", "always_run", "fail_fast", "verbose", "require_serial"];
    let languages = [
        "conda",
        "coursier",
        "dart",
        "docker",
        "docker_image",
        "dotnet",
        "fail",
        "golang",
        "haskell",
        "julia",
        "lua",
        "node",
        "perl",
        "pygrep",
        "python",
        "r",
        "ruby",
        "rust",
        "swift",
        "unsupported",
        "unsupported_script",
        "script",
        "system",
    ];
    let help = |sub: &str| common::text(&common::ttpc().args([sub, "--help"]).output().expect("runs").stdout);
    for hook in hooks {
        let map = hook.as_object().expect("a hook is a mapping");
        for key in ["id", "name", "entry", "language"] {
            assert!(
                map.get(key).and_then(|v| v.as_str()).is_some_and(|s| !s.is_empty()),
                "{key} missing: {hook}"
            );
        }
        for (key, value) in map {
            let ok = if strings.contains(&key.as_str()) {
                value.is_string()
            } else if lists.contains(&key.as_str()) {
                value.as_array().is_some_and(|a| a.iter().all(|x| x.is_string()))
            } else if bools.contains(&key.as_str()) {
                value.is_boolean()
            } else {
                false
            };
            assert!(ok, "unknown key or wrong type: {key}: {value}");
        }
        assert!(languages.contains(&map["language"].as_str().unwrap_or_default()), "{hook}");
        for key in ["files", "exclude"] {
            if let Some(pattern) = map.get(key).and_then(|v| v.as_str()) {
                regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{key}: {e}"));
            }
        }
        // The entry runs a real subcommand, with real flags.
        let entry: Vec<&str> = map["entry"].as_str().unwrap_or_default().split_whitespace().collect();
        assert_eq!(entry.first(), Some(&"ttpc"));
        let sub = entry.get(1).expect("a subcommand");
        let help = help(sub);
        for flag in entry.iter().filter(|w| w.starts_with("--")) {
            assert!(help.contains(flag), "ttpc {sub} has no {flag}");
        }
    }
    // The check hook takes the files pre-commit passes, several at once.
    let two = [common::fixture("compile/model.yaml"), common::fixture("compile/model.yaml")];
    let out = common::ttpc()
        .arg("check")
        .args(&two)
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert_eq!(common::text(&out.stdout).matches("is a valid threat model").count(), 2);
}

/// The Dockerfile's instructions, continuation lines joined, comments dropped.
fn dockerfile() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(common::root().join("Dockerfile")).expect("Dockerfile");
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(part) = line.strip_suffix('\\') {
            current.push_str(part);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let (instruction, args) = current.split_once(char::is_whitespace).unwrap_or((&current, ""));
        out.push((instruction.to_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    out
}

#[test]
fn dockerfile_is_multi_stage_non_root_and_copies_the_release_binary() {
    const KNOWN: [&str; 18] = [
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
        "MAINTAINER",
    ];
    let instructions = dockerfile();
    for (i, _) in &instructions {
        assert!(KNOWN.contains(&i.as_str()), "unknown Dockerfile instruction {i}");
    }
    assert_eq!(instructions.first().map(|(i, _)| i.as_str()), Some("FROM"), "starts with FROM");
    let stages: Vec<usize> =
        instructions.iter().enumerate().filter(|(_, (i, _))| i == "FROM").map(|(n, _)| n).collect();
    assert!(stages.len() >= 2, "multi-stage");
    let build_stage = instructions[stages[0]].1.split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        build_stage.get(1).map(|s| s.to_lowercase()),
        Some(String::from("as")),
        "the build stage is named"
    );
    let build_name = build_stage[2];
    let last = &instructions[*stages.last().expect("a stage")..];

    // The final stage: the binary only, from the build stage, run as a non-root user.
    let copies: Vec<&String> =
        last.iter().filter(|(i, _)| i == "COPY" || i == "ADD").map(|(_, a)| a).collect();
    assert_eq!(copies.len(), 1, "the final image copies one thing: {copies:?}");
    let words: Vec<&str> = copies[0].split_whitespace().collect();
    assert_eq!(words[0], format!("--from={build_name}"));
    let user = last
        .iter()
        .rev()
        .find(|(i, _)| i == "USER")
        .map(|(_, a)| a.as_str())
        .expect("a USER in the final stage");
    let uid = user.split(':').next().unwrap_or_default();
    assert!(!["root", "0", ""].contains(&uid), "non-root user: {user}");
    assert!(!last.iter().any(|(i, _)| i == "RUN"), "nothing runs in the final image (distroless)");

    // The copied path is what the build stage's cargo command produces, under its WORKDIR.
    let build = &instructions[stages[0]..stages[1]];
    let workdir = build.iter().rev().find(|(i, _)| i == "WORKDIR").map(|(_, a)| a.as_str()).expect("WORKDIR");
    let cargo = build
        .iter()
        .find(|(i, a)| i == "RUN" && a.contains("cargo build"))
        .map(|(_, a)| a)
        .expect("cargo build");
    assert!(cargo.contains("--release") && cargo.contains("--locked"), "{cargo}");
    let source = words[1];
    let relative = source.strip_prefix(&format!("{workdir}/")).expect("copied from the build folder");
    assert_eq!(relative, "target/release/ttpc");
    let cargo_toml = std::fs::read_to_string(common::root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("name = \"ttpc\"\npath = \"src/main.rs\""), "the binary is called ttpc");

    // The entry point runs the binary it copied: run the same binary (this build's; the release
    // one too when it has been built) as the container would.
    let entry = last.iter().find(|(i, _)| i == "ENTRYPOINT").map(|(_, a)| a.as_str()).expect("ENTRYPOINT");
    let entry: Vec<String> = serde_json::from_str(entry).expect("exec form");
    assert_eq!(entry, [words[2].to_owned()]);
    let release = common::root().join(relative);
    let binaries: Vec<PathBuf> = std::iter::once(PathBuf::from(env!("CARGO_BIN_EXE_ttpc")))
        .chain(release.is_file().then_some(release))
        .collect();
    for binary in binaries {
        let out = Command::new(&binary).arg("--version").output().expect("runs");
        assert!(
            out.status.success() && common::text(&out.stdout).starts_with("ttpc "),
            "{}",
            binary.display()
        );
    }
    let ignore = std::fs::read_to_string(common::root().join(".dockerignore")).expect(".dockerignore");
    assert!(ignore.lines().any(|l| l.trim_end_matches('/') == "target"), "target/ stays out of the context");
}

#[test]
fn completions_for_every_shell_and_bash_syntax() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = common::ttpc().args(["completions", shell]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = common::text(&out.stdout);
        for word in ["compile", "baseline-ref", "sarif"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc().args(["completions", "bash"]).output().expect("runs");
    let file = dir.path().join("ttpc.bash");
    std::fs::write(&file, &out.stdout).expect("write");
    let check = Command::new("bash").arg("-n").arg(&file).output().expect("bash runs");
    assert!(check.status.success(), "bash -n: {}", common::text(&check.stderr));
}

/// `man`, or `None` outside CI with one visible line saying what to install.
fn man() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("man")).find(|p| p.is_file()))
        .unwrap_or_default();
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!in_ci, "CI=true and no man: `apt-get install man-db` (as .ci/run does)");
        let line = "SKIPPED man page rendering: no man found (install man-db)\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    found
}

#[test]
fn man_pages_one_per_command_render_with_man() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc().args(["man", "--dir"]).arg(dir.path()).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let page = |name: &str| dir.path().join(format!("{name}.1"));
    for name in [
        "ttpc",
        "ttpc-compile",
        "ttpc-diff",
        "ttpc-attack",
        "ttpc-attack-fetch",
        "ttpc-completions",
        "ttpc-man",
    ] {
        assert!(page(name).is_file(), "{name}.1");
    }
    assert!(!page("ttpc-help").exists(), "no page for clap's help subcommand");
    let top = common::ttpc().arg("man").output().expect("runs");
    assert_eq!(top.stdout, std::fs::read(page("ttpc")).expect("ttpc.1"), "`ttpc man` prints ttpc.1");

    let Some(man) = man() else { return };
    let out = Command::new(man)
        .arg("-l")
        .arg(page("ttpc-compile"))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man runs");
    let text = common::text(&out.stdout);
    assert!(out.status.success(), "man -l: {}", common::text(&out.stderr));
    assert!(text.contains("ttpc-compile") && text.contains("--baseline-ref"), "{text}");
    assert!(!common::text(&out.stderr).contains("warning"), "{}", common::text(&out.stderr));
}
