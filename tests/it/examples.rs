//! The CI examples stay in step with the command line: both files are YAML, and every `ttpc`
//! invocation in them uses a subcommand and flags the binary accepts, and compiles against the
//! base with `--baseline-ref`.

use crate::common;

use std::collections::BTreeSet;

fn help(subcommand: &str) -> String {
    let out = common::ttpc().args([subcommand, "--help"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "ttpc {subcommand} --help");
    common::text(&out.stdout)
}

/// Every string of a YAML document (the `run:` and `script:` entries among them).
fn strings(value: &serde_yaml::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::String(s) => out.push(s.clone()),
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| strings(v, out)),
        serde_yaml::Value::Mapping(map) => map.values().for_each(|v| strings(v, out)),
        serde_yaml::Value::Tagged(t) => strings(&t.value, out),
        _ => {}
    }
}

#[test]
fn ci_examples_are_yaml_and_use_real_flags() {
    let mut checked = 0;
    for file in ["examples/github-actions.yml", "examples/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(common::root().join(file)).expect("example");
        let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        // Commands as the shell sees them: YAML folding applied, continuation lines joined.
        let mut commands = Vec::new();
        strings(&value, &mut commands);
        let mut baseline_ref = false;
        for command in commands.iter().map(|c| c.replace("\\\n", " ")) {
            for line in command.lines() {
                let Some(start) = line.find("ttpc ") else { continue };
                let words: Vec<&str> = line[start..].split_whitespace().collect();
                let Some(subcommand) =
                    words.get(1).filter(|w| ["compile", "diff", "check", "attack"].contains(w))
                else {
                    continue;
                };
                let help = help(subcommand);
                let flags: BTreeSet<&str> = words.iter().filter(|w| w.starts_with("--")).copied().collect();
                for flag in flags {
                    assert!(help.contains(flag), "{file}: `ttpc {subcommand}` has no {flag}");
                }
                baseline_ref |= words.contains(&"--baseline-ref");
                checked += 1;
            }
        }
        assert!(baseline_ref, "{file} compiles against the base with --baseline-ref");
    }
    assert!(checked >= 2, "the examples run ttpc compile ({checked} commands)");
}
