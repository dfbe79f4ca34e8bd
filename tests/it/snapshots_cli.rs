//! Rendered diagnostics, snapshotted (insta): how a user sees a model with many problems, and the
//! `--help` text. Review changes with `cargo insta review` or `INSTA_UPDATE=always cargo test`.

use crate::common;

#[test]
fn all_problems_of_a_model_are_reported_together() {
    let out = common::ttpc()
        .args(["check", "tests/fixtures/models/many-problems.yaml", "--attack-data"])
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(common::text(&out.stderr));
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let out = common::ttpc().arg("--help").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(common::text(&out.stdout));
}
