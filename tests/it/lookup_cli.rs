//! `ttpc actors` and `ttpc technique` through the binary, on the fixture bundle.

use crate::common;

use crate::common::{mini20, mini21, text, ttpc};

fn run(args: &[&str], bundle: &std::path::Path) -> (i32, String, String) {
    let out = ttpc().args(args).arg("--attack-data").arg(bundle).output().expect("runs");
    let stderr = text(&out.stderr);
    common::assert_no_panic(&stderr);
    (out.status.code().expect("exit code"), text(&out.stdout), stderr)
}

#[test]
fn actors_lists_active_groups_with_aliases_and_counts() {
    let (code, stdout, _) = run(&["actors"], &mini21());
    assert_eq!(code, 0);
    let fin7 = stdout.lines().find(|l| l.starts_with("G0046")).expect("FIN7 listed");
    // 5 direct + 2 via its campaign.
    assert!(fin7.contains("FIN7") && fin7.split_whitespace().nth(2) == Some("7"), "{fin7}");
    assert!(fin7.contains("Carbon Spider"), "{fin7}");
    assert!(!stdout.contains("G9003"), "revoked groups are hidden by default:\n{stdout}");
    assert!(stdout.contains("5 shown"), "{stdout}");
}

#[test]
fn actors_search_matches_aliases_in_any_case() {
    let (code, stdout, _) = run(&["actors", "--search", "hidden cobra"], &mini21());
    assert_eq!(code, 0);
    assert!(stdout.contains("G0032") && stdout.contains("1 shown"), "{stdout}");
}

#[test]
fn actors_all_includes_revoked_and_deprecated() {
    let (_, stdout, _) = run(&["actors", "--all"], &mini21());
    assert!(
        stdout.contains("Old Group (revoked)") && stdout.contains("Retired Group (deprecated)"),
        "{stdout}"
    );
}

#[test]
fn actors_json_has_documented_keys() {
    let (code, stdout, _) = run(&["actors", "--kind", "software", "--format", "json"], &mini21());
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let carbanak = rows.as_array().expect("list").iter().find(|r| r["id"] == "S0001").expect("S0001");
    assert_eq!(carbanak["name"], "Carbanak");
    assert_eq!(carbanak["techniques"], 2);
    assert_eq!(carbanak["aliases"], serde_json::json!(["Anunak"]));
}

#[test]
fn technique_shows_tactics_groups_detection_and_mitigations() {
    let (code, stdout, _) = run(&["technique", "t1003.006"], &mini21());
    assert_eq!(code, 0);
    assert!(stdout.starts_with("T1003.006 OS Credential Dumping: DCSync\n"), "{stdout}");
    assert!(stdout.contains("tactics: Credential Access"), "{stdout}");
    assert!(stdout.contains("platforms: Windows"), "{stdout}");
    assert!(stdout.contains("parent: T1003 OS Credential Dumping"), "{stdout}");
    assert!(stdout.contains("mitigations: M1026 Privileged Account Management"), "{stdout}");
    assert!(stdout.contains("DET0003"), "{stdout}");
    assert!(stdout.contains("WinEventLog:Security (EventCode=4662)"), "{stdout}");
}

#[test]
fn technique_on_v17_data_lists_data_components() {
    let (code, stdout, _) = run(&["technique", "T1003.006"], &mini20());
    assert_eq!(code, 0);
    assert!(
        stdout.contains("data components (ATT&CK ≤ v17): Active Directory: Active Directory Object Access"),
        "{stdout}"
    );
}

#[test]
fn technique_json_names_the_replacement_of_a_revoked_technique() {
    let (code, stdout, _) = run(&["technique", "T1547.011", "--format", "json"], &mini21());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["revoked_by"], "T1547 Boot or Logon Autostart Execution");
}

#[test]
fn unknown_technique_exits_2_with_suggestions() {
    let (code, _, stderr) = run(&["technique", "T1059.009"], &mini21());
    assert_eq!(code, 2);
    assert!(stderr.contains("no technique T1059.009 in ATT&CK enterprise-attack"), "{stderr}");
    assert!(stderr.contains("did you mean T1059"), "{stderr}");
}
