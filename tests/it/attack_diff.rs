//! `ttpc attack diff` on two hand-made releases of the mini bundle (see
//! tests/fixtures/attack/gen_older.py for every difference between them).

use crate::common;

fn diff_json() -> serde_json::Value {
    let out = common::ttpc()
        .args(["attack", "diff", "tests/fixtures/models/with-rules.yaml", "--format", "json", "--from-data"])
        .arg(common::fixture("attack/mini-enterprise-older-2.1.json"))
        .arg("--to-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array().expect("list").iter().map(|x| x["id"].as_str().unwrap_or_default().to_owned()).collect()
}

#[test]
fn every_kind_of_change_is_reported() {
    let v = diff_json();
    let c = &v["changes"];
    assert_eq!(ids(&c["added"]), ["T1537"]);
    assert_eq!(ids(&c["revoked"]), ["T1547.011"]);
    assert_eq!(c["revoked"][0]["replaced_by"]["id"], "T1547");
    assert_eq!(ids(&c["deprecated"]), ["T1064"]);
    assert_eq!(c["renamed"][0]["from"], "Command and Scripting Interpreter: Bash");
    assert_eq!(c["renamed"][0]["to"], "Command and Scripting Interpreter: Unix Shell");
    assert_eq!(c["moved"][0]["id"], "T1055");
    assert_eq!(c["moved"][0]["to"], serde_json::json!(["defense-evasion", "privilege-escalation"]));
    assert_eq!(ids(&c["removed"]), ["T1999"]);
}

#[test]
fn the_model_sees_what_its_actors_gained_and_lost_and_which_rules_to_update() {
    let v = diff_json();
    let fin7 = &v["model"]["actors"][0];
    assert_eq!(fin7["id"], "G0046");
    assert_eq!(ids(&fin7["gained"]), ["T1566.001"]);
    assert_eq!(ids(&fin7["lost"]), ["T1064", "T1200", "T1547.011"]);
    let rules: Vec<(String, String, Option<String>)> = v["model"]["rules"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["written"].as_str().unwrap_or_default().to_owned(),
                r["issue"].as_str().unwrap_or_default().to_owned(),
                r["use_instead"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("t1064".to_owned(), "deprecated".to_owned(), None),
            ("t1547.011".to_owned(), "revoked".to_owned(), Some("T1547".to_owned()))
        ]
    );
}

#[test]
fn without_two_releases_the_error_says_what_to_pass() {
    let out =
        common::ttpc().args(["attack", "diff", "--to-data"]).arg(common::mini21()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(common::text(&out.stderr).contains("pass --from VERSION (from the cache) or --from-data FILE"));
}
