//! The CI examples stay in step with the command line: both files are YAML, and every `ttpc`
//! invocation in them uses a subcommand and flags the binary accepts.

use crate::common;

use std::collections::BTreeSet;

fn help(subcommand: &str) -> String {
    let out = common::ttpc().args([subcommand, "--help"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "ttpc {subcommand} --help");
    common::text(&out.stdout)
}

#[test]
fn ci_examples_are_yaml_and_use_real_flags() {
    let mut checked = 0;
    for file in ["examples/github-actions.yml", "examples/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(common::root().join(file)).expect("example");
        let _: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for line in text.lines() {
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
            checked += 1;
        }
    }
    assert!(checked >= 6, "the examples run ttpc compile and diff ({checked} lines)");
}
