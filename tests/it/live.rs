//! Issue 19: live rule sources (`splunk-api`, `elastic-api`, `sentinel-api`) against loopback
//! doubles of the vendors' REST APIs: paging, enabled rules, every error case, the credential
//! never written anywhere, snapshots and `--offline`, and the drift between git and deployed.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use super::common::{mini21, text, ttpc};
use super::live_double::{Double, Reply, Rule, elastic, many, sentinel, splunk};

/// The credential every double expects; no output may contain it.
const TOKEN: &str = "s3cr3t-T0KEN-issue19-xyzzy";
const TOKEN_ENV: &str = "TTPC_TEST_LIVE_TOKEN";
const WORKSPACE: &str =
    "/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/sec";

/// A model in a temporary folder, its rule sources as given.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(rules: &str) -> Setup {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let model = format!(
            "ttpc: 1\nname: Live bank\nassessed: \"2026-03-15\"\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\nactors:\n  - {{ref: FIN7}}\n  - {{ref: APT38}}\n  - {{ref: Lazarus Group}}\nrules:\n{rules}"
        );
        std::fs::write(dir.path().join("model.yaml"), model).expect("the model written");
        Setup { dir }
    }

    fn file(&self, relative: &str, text: &str) {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, text).expect("written");
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn compile(&self, token: bool, extra: &[&str]) -> Output {
        let mut cmd = ttpc();
        cmd.arg("compile")
            .arg(self.dir.path().join("model.yaml"))
            .arg("--attack-data")
            .arg(mini21())
            .args(["--as-of", "2026-03-15", "-o"])
            .arg(self.out())
            .args(extra);
        if token {
            cmd.env(TOKEN_ENV, TOKEN);
        } else {
            cmd.env_remove(TOKEN_ENV);
        }
        cmd.output().expect("ttpc runs")
    }

    fn assessment(&self) -> Value {
        let text = std::fs::read_to_string(self.out().join("assessment.json")).expect("assessment.json");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Asserts that no file under the folder, nor stdout or stderr, holds the credential.
    fn assert_no_token(&self, output: &Output) {
        assert!(!text(&output.stdout).contains(TOKEN), "the token is on stdout");
        assert!(!text(&output.stderr).contains(TOKEN), "the token is on stderr");
        for entry in walkdir(self.dir.path()) {
            let bytes = std::fs::read(&entry).expect("readable");
            assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "the token is in {}", entry.display());
        }
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn source(setup: &Setup, name: &str) -> Value {
    let a = setup.assessment();
    a["sources"].as_array().expect("sources").iter().find(|s| s["name"] == name).cloned().expect("the source")
}

fn splunk_source(url: &str, extra: &str) -> String {
    format!("  - {{kind: splunk-api, name: splunk-live, url: \"{url}\", token_env: {TOKEN_ENV}{extra}}}\n")
}

fn exit(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

/// Techniques FIN7 uses in the mini bundle, for rules that count.
const TECHNIQUES: [&str; 3] = ["T1059.001", "T1003", "T1566.001"];

#[test]
fn splunk_api_reads_every_page_and_counts_enabled_rules() {
    let rules = many(250, 5, &TECHNIQUES);
    let enabled = rules.iter().filter(|r| r.enabled).count();
    let served = rules.clone();
    let double = Double::start(move |r, _, _| splunk(&served, r));
    let setup = Setup::new(&splunk_source(&double.url, ", app: SA-ThreatIntelligence"));
    let output = setup.compile(true, &[]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));

    let s = source(&setup, "splunk-live");
    assert_eq!(s["kind"], "splunk-api");
    assert_eq!(s["rules"], 250);
    assert_eq!(s["counted"], enabled as u64, "only enabled saved searches count");
    assert_eq!(enabled, 200);
    let seen = double.seen();
    let mut offsets: Vec<String> = seen.iter().filter_map(|r| r.param("offset")).collect();
    offsets.sort();
    assert_eq!(offsets, ["0", "100", "200"], "three pages of 100");
    assert!(seen.iter().all(|r| r.path() == "/servicesNS/-/SA-ThreatIntelligence/saved/searches"));
    assert!(seen.iter().all(|r| r.param("output_mode").as_deref() == Some("json")));
    assert!(seen.iter().all(|r| r.auth.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    // T1059.001 is used by FIN7 and mapped by enabled rules: covered.
    let a = setup.assessment();
    let t = a["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .find(|t| t["id"] == "T1059.001")
        .expect("T1059.001");
    assert_ne!(t["state"], "gap");
    assert!(setup.out().join("snapshots/splunk-live.json").is_file(), "the pull is kept");
    setup.assert_no_token(&output);
}

#[test]
fn elastic_api_reads_a_space_page_by_page() {
    let rules = many(130, 4, &TECHNIQUES);
    let enabled = rules.iter().filter(|r| r.enabled).count();
    let served = rules.clone();
    let double = Double::start(move |r, _, _| elastic(&served, r));
    let setup = Setup::new(&format!(
        "  - {{kind: elastic-api, name: kibana, url: \"{}\", token_env: {TOKEN_ENV}, space: secops}}\n",
        double.url
    ));
    let output = setup.compile(true, &[]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    let s = source(&setup, "kibana");
    assert_eq!(s["rules"], 130);
    assert_eq!(s["counted"], enabled as u64);
    let seen = double.seen();
    let mut pages: Vec<String> = seen.iter().filter_map(|r| r.param("page")).collect();
    pages.sort();
    assert_eq!(pages, ["1", "2"]);
    assert!(seen.iter().all(|r| r.path() == "/s/secops/api/detection_engine/rules/_find"));
    assert!(seen.iter().all(|r| r.auth.as_deref() == Some(&format!("ApiKey {TOKEN}") as &str)));
    setup.assert_no_token(&output);
}

#[test]
fn sentinel_api_follows_next_link() {
    let rules = many(45, 3, &TECHNIQUES);
    let enabled = rules.iter().filter(|r| r.enabled).count();
    let served = rules.clone();
    let double = Double::start(move |r, _, base| sentinel(&served, r, base, 20));
    let setup = Setup::new(&format!(
        "  - {{kind: sentinel-api, name: sentinel, url: \"{}\", token_env: {TOKEN_ENV}, workspace: \"{WORKSPACE}\"}}\n",
        double.url
    ));
    let output = setup.compile(true, &[]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    let s = source(&setup, "sentinel");
    assert_eq!(s["rules"], 45);
    assert_eq!(s["counted"], enabled as u64);
    let seen = double.seen();
    assert_eq!(seen.len(), 3, "three pages linked by nextLink");
    assert!(
        seen.iter()
            .all(|r| r.path() == format!("{WORKSPACE}/providers/Microsoft.SecurityInsights/alertRules"))
    );
    assert!(seen.iter().all(|r| r.param("api-version").as_deref() == Some("2024-03-01")));
    assert!(seen.iter().all(|r| r.auth.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    setup.assert_no_token(&output);
}

#[test]
fn offline_compiles_the_same_assessment_from_the_snapshot() {
    let served = many(120, 3, &TECHNIQUES);
    let double = Double::start(move |r, _, _| splunk(&served, r));
    let setup = Setup::new(&splunk_source(&double.url, ""));
    let online = setup.compile(true, &[]);
    assert!(matches!(exit(&online), 0 | 1), "{}", text(&online.stderr));
    let first = std::fs::read(setup.out().join("assessment.json")).expect("assessment.json");
    let report = std::fs::read(setup.out().join("report.md")).expect("report.md");
    let requests = double.seen().len();

    // No credential, and the double must not be asked again.
    let offline = setup.compile(false, &["--offline"]);
    assert_eq!(exit(&offline), exit(&online), "{}", text(&offline.stderr));
    assert_eq!(double.seen().len(), requests, "--offline reads no API");
    let second = std::fs::read(setup.out().join("assessment.json")).expect("assessment.json");
    assert!(first == second, "the same assessment, byte for byte");
    assert_eq!(report, std::fs::read(setup.out().join("report.md")).expect("report.md"));
    let stderr = text(&offline.stderr);
    assert!(stderr.contains("compiled from its snapshot of"), "{stderr}");
    assert!(stderr.contains("old"), "says how old: {stderr}");
    // The snapshot stays in the output folder for the next --offline run.
    assert!(setup.out().join("snapshots/splunk-live.json").is_file());
    setup.assert_no_token(&offline);
}

#[test]
fn a_snapshot_the_model_names_is_kept_there_and_checked() {
    let served = many(10, 3, &TECHNIQUES);
    let double = Double::start(move |r, _, _| splunk(&served, r));
    let setup = Setup::new(&splunk_source(&double.url, ", snapshot: state/splunk.json"));
    let online = setup.compile(true, &[]);
    assert!(matches!(exit(&online), 0 | 1), "{}", text(&online.stderr));
    let path = setup.dir.path().join("state/splunk.json");
    let snapshot: Value = serde_json::from_slice(&std::fs::read(&path).expect("the snapshot")).expect("JSON");
    assert_eq!(snapshot["kind"], "splunk-api");
    assert!(snapshot["url"].as_str().is_some_and(|u| u.ends_with("/servicesNS/-/-/saved/searches")));
    assert_eq!(snapshot["sha256"].as_str().map(str::len), Some(64));
    assert!(snapshot["taken"].as_str().is_some());
    assert_eq!(snapshot["content"]["rules"].as_array().map(Vec::len), Some(10));
    assert!(!setup.out().join("snapshots").exists(), "not also in the output folder");

    // An edited snapshot is refused.
    let edited = std::fs::read_to_string(&path).expect("text").replace("Rule 1\"", "Rule one\"");
    std::fs::write(&path, edited).expect("written");
    let offline = setup.compile(false, &["--offline"]);
    assert_eq!(exit(&offline), 2);
    assert!(text(&offline.stderr).contains("sha256 does not match"), "{}", text(&offline.stderr));
}

#[test]
fn without_the_credential_a_compile_fails_unless_offline() {
    let double = Double::start(|_, _, _| Reply::status(500));
    let setup = Setup::new(&splunk_source(&double.url, ""));
    let output = setup.compile(false, &[]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("${TOKEN_ENV} is not set")), "{stderr}");
    assert!(stderr.contains("--offline"), "{stderr}");
    assert!(double.seen().is_empty(), "nothing sent without a credential");
    // --offline without an earlier pull says so.
    let offline = setup.compile(false, &["--offline"]);
    assert_eq!(exit(&offline), 2);
    assert!(text(&offline.stderr).contains("there is no snapshot"), "{}", text(&offline.stderr));
}

/// Compiles a splunk-api source against a double answering `route`; returns the output.
fn against(
    route: impl Fn(&super::live_double::Seen, usize, &str) -> Reply + Send + Sync + 'static,
    extra: &str,
) -> (Setup, Output, Double) {
    let double = Double::start(route);
    let setup = Setup::new(&splunk_source(&double.url, extra));
    let output = setup.compile(true, &[]);
    setup.assert_no_token(&output);
    (setup, output, double)
}

#[test]
fn status_401_403_404_are_clear_errors_without_retry() {
    for (status, says) in
        [(401, "did not accept the credential"), (403, "lacks a permission"), (404, "check `url`")]
    {
        let (_setup, output, double) = against(move |_, _, _| Reply::status(status), "");
        assert_eq!(exit(&output), 2, "{status}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&format!("answered {status}")), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(stderr.contains(TOKEN_ENV) || status == 404, "names the variable: {stderr}");
        assert_eq!(double.seen().len(), 1, "{status} is not retried");
    }
}

#[test]
fn status_429_is_retried_after_retry_after() {
    let served = many(20, 3, &TECHNIQUES);
    let (setup, output, double) =
        against(move |r, n, _| if n == 0 { Reply::too_many(1) } else { splunk(&served, r) }, "");
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    assert_eq!(double.seen().len(), 2, "asked again after 429");
    assert_eq!(source(&setup, "splunk-live")["rules"], 20);
}

#[test]
fn status_500_then_success_is_retried() {
    let served = many(20, 3, &TECHNIQUES);
    let (setup, output, double) =
        against(move |r, n, _| if n < 2 { Reply::status(500) } else { splunk(&served, r) }, "");
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    assert_eq!(double.seen().len(), 3);
    assert_eq!(source(&setup, "splunk-live")["rules"], 20);
}

#[test]
fn status_500_every_time_gives_up_after_the_retries() {
    let (_setup, output, double) = against(|_, _, _| Reply::status(503), "");
    assert_eq!(exit(&output), 2);
    assert_eq!(double.seen().len(), 4, "the first request and three retries");
    assert!(text(&output.stderr).contains("answered 503"), "{}", text(&output.stderr));
}

#[test]
fn a_response_slower_than_the_timeout_fails_clearly() {
    let served = many(5, 3, &TECHNIQUES);
    let (_setup, output, double) = against(
        move |r, _, _| Reply::Late(Duration::from_secs(3), Box::new(splunk(&served, r))),
        ", timeout_seconds: 1",
    );
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no answer within the timeout"), "{stderr}");
    assert!(stderr.contains("timeout_seconds"), "{stderr}");
    assert_eq!(double.seen().len(), 4, "retried, then given up");
}

#[test]
fn truncated_json_is_an_error_not_a_partial_pull() {
    let served = many(150, 3, &TECHNIQUES);
    let (_setup, output, _double) = against(
        move |r, _, _| {
            let page = super::live_double::splunk_page(
                &served,
                r.param("offset").and_then(|o| o.parse().ok()).unwrap_or(0),
                100,
            )
            .to_string();
            if r.param("offset").as_deref() == Some("100") {
                Reply::Body {
                    status: 200,
                    headers: Vec::new(),
                    body: page.as_bytes()[..page.len() / 2].to_vec(),
                }
            } else {
                Reply::json(&serde_json::from_str(&page).expect("JSON"))
            }
        },
        "",
    );
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("did not answer with the documented JSON"), "{stderr}");
}

#[test]
fn a_body_cut_off_by_the_connection_is_an_error() {
    let (_setup, output, double) = against(
        |_, _, _| {
            Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"entry\": [".to_vec())
        },
        "",
    );
    assert_eq!(exit(&output), 2);
    assert!(text(&output.stderr).contains("broke off"), "{}", text(&output.stderr));
    assert_eq!(double.seen().len(), 4, "a broken body is worth retrying");
}

#[test]
fn a_body_over_the_size_limit_is_refused() {
    let served = many(300, 3, &TECHNIQUES);
    let double = Double::start(move |r, _, _| splunk(&served, r));
    let setup = Setup::new(&splunk_source(&double.url, ""));
    let output = setup.compile(true, &["--max-file-size", "16 KiB"]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("more than 16.0 KiB in one response"), "{stderr}");
    assert!(stderr.contains("--max-file-size"), "{stderr}");
}

#[test]
fn more_pages_than_max_pages_is_an_error() {
    let served = many(350, 3, &TECHNIQUES);
    let (_setup, output, double) = against(move |r, _, _| splunk(&served, r), ", max_pages: 3");
    assert_eq!(exit(&output), 2);
    assert!(text(&output.stderr).contains("more than max_pages (3)"), "{}", text(&output.stderr));
    assert_eq!(double.seen().len(), 1, "stopped after the first page said how many");
}

#[test]
fn a_next_link_loop_is_detected() {
    let rules = many(5, 3, &TECHNIQUES);
    let double = Double::start(move |r, _, base| {
        // Every page links to page 1 again.
        let link = format!("{base}{}?api-version=2024-03-01&$skipToken=1", r.path());
        Reply::json(&super::live_double::sentinel_page(&rules, Some(link)))
    });
    let setup = Setup::new(&format!(
        "  - {{kind: sentinel-api, name: sentinel, url: \"{}\", token_env: {TOKEN_ENV}, workspace: \"{WORKSPACE}\"}}\n",
        double.url
    ));
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    assert!(text(&output.stderr).contains("leads back to a page already read"), "{}", text(&output.stderr));
    assert_eq!(double.seen().len(), 2);
    setup.assert_no_token(&output);
}

#[test]
fn a_next_link_to_another_address_does_not_get_the_credential() {
    let rules = many(5, 3, &TECHNIQUES);
    let double = Double::start(move |_, _, _| {
        Reply::json(&super::live_double::sentinel_page(
            &rules,
            Some(String::from("http://127.0.0.2:9/steal")),
        ))
    });
    let setup = Setup::new(&format!(
        "  - {{kind: sentinel-api, name: sentinel, url: \"{}\", token_env: {TOKEN_ENV}, workspace: \"{WORKSPACE}\"}}\n",
        double.url
    ));
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    assert!(
        text(&output.stderr).contains("only sent to the source's own address"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    // A documentation address (TEST-NET-1): refused before any connection is tried.
    let setup = Setup::new(&splunk_source("http://192.0.2.10:8089", ""));
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    setup.assert_no_token(&output);
}

#[test]
fn fields_of_another_kind_are_errors() {
    let setup = Setup::new(&format!(
        "  - {{kind: sigma, path: rules, url: \"https://x\"}}\n  - {{kind: elastic-api, url: \"https://k\", token_env: {TOKEN_ENV}, app: search}}\n"
    ));
    setup.file("rules/r.yml", "title: t\nid: 1\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\ntags: [attack.t1059.001]\n");
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("`url` does not apply to a sigma source"), "{stderr}");
    assert!(stderr.contains("`app` does not apply to a elastic-api source"), "{stderr}");
}

#[test]
fn a_live_source_needs_its_url_and_variable() {
    let setup = Setup::new("  - {kind: splunk-api, name: s}\n");
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("url"), "{stderr}");
    assert!(stderr.contains("token_env"), "{stderr}");
}

/// The git side of the drift fixture: savedsearches.conf in the repository.
const GIT_SIDE: &str = "tests/fixtures/live/drift/savedsearches.conf";

#[test]
fn drift_lists_each_kind_of_disagreement_in_report_json_and_comment() {
    // Deployed: A as in git; B disabled; C mapped to another technique; X only in the console.
    // D is in git only.
    let deployed = vec![
        Rule::new("Encoded PowerShell", "Encoded PowerShell", true, &["T1059.001"]),
        Rule::new("LSASS Access", "LSASS Access", false, &["T1003.001"]),
        Rule::new("Phishing Attachment", "Phishing Attachment", true, &["T1566"]),
        Rule::new("Console Hotfix", "Console Hotfix", true, &["T1078"]),
    ];
    let double = Double::start(move |r, _, _| splunk(&deployed, r));
    let conf = std::fs::read_to_string(super::common::root().join(GIT_SIDE)).expect("the git side");
    let setup = Setup::new(&format!(
        "  - {{kind: splunk-savedsearches, path: git/savedsearches.conf, name: splunk-git, deployed_as: splunk-live}}\n{}",
        splunk_source(&double.url, "")
    ));
    setup.file("git/savedsearches.conf", &conf);
    let first = setup.compile(true, &[]);
    assert!(matches!(exit(&first), 0 | 1), "{}", text(&first.stderr));
    // Compiled again against the first run: the pull-request comment (diff.md) is written.
    let base = setup.dir.path().join("base.json");
    std::fs::copy(setup.out().join("assessment.json"), &base).expect("copied");
    let output = setup.compile(true, &["--baseline", base.to_str().expect("UTF-8")]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));

    let a = setup.assessment();
    let drift = &a["drift"][0];
    assert_eq!(drift["source"], "splunk-git");
    assert_eq!(drift["deployed_as"], "splunk-live");
    assert_eq!(drift["counted"], "deployed");
    let ids = |key: &str| -> Vec<String> {
        drift[key].as_array().expect(key).iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect()
    };
    assert_eq!(ids("not_deployed"), ["Credential Dump Tool"]);
    assert_eq!(ids("disabled"), ["LSASS Access"]);
    assert_eq!(ids("not_in_git"), ["Console Hotfix"]);
    assert_eq!(ids("mapped_differently"), ["Phishing Attachment"]);
    assert_eq!(drift["mapped_differently"][0]["git"], serde_json::json!(["T1566.001"]));
    assert_eq!(drift["mapped_differently"][0]["deployed"], serde_json::json!(["T1566"]));
    // Coverage from what is deployed and enabled: the git side counts nothing.
    assert_eq!(source(&setup, "splunk-git")["counted"], 0);
    assert_eq!(source(&setup, "splunk-live")["counted"], 3);

    let report = std::fs::read_to_string(setup.out().join("report.md")).expect("report.md");
    let comment = std::fs::read_to_string(setup.out().join("diff.md")).expect("diff.md");
    let html = std::fs::read_to_string(setup.out().join("report.html")).expect("report.html");
    for (name, text) in [("report.md", &report), ("diff.md", &comment), ("report.html", &html)] {
        for heading in
            ["In git, not deployed", "Deployed but disabled", "Deployed, not in git", "Mapped differently"]
        {
            assert!(text.contains(heading), "{name} lacks {heading}");
        }
        for id in ["Credential Dump Tool", "LSASS Access", "Console Hotfix", "Phishing Attachment"] {
            assert!(text.contains(id), "{name} lacks {id}");
        }
    }
    setup.assert_no_token(&output);
}

#[test]
fn drift_counting_git_leaves_the_live_side_uncounted() {
    let deployed = vec![Rule::new("Encoded PowerShell", "Encoded PowerShell", true, &["T1059.001"])];
    let double = Double::start(move |r, _, _| splunk(&deployed, r));
    let conf = std::fs::read_to_string(super::common::root().join(GIT_SIDE)).expect("the git side");
    let setup = Setup::new(&format!(
        "  - {{kind: splunk-savedsearches, path: git/savedsearches.conf, name: splunk-git, deployed_as: splunk-live}}\n{}coverage: {{count_paired: git}}\n",
        splunk_source(&double.url, "")
    ));
    setup.file("git/savedsearches.conf", &conf);
    let output = setup.compile(true, &[]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    assert_eq!(source(&setup, "splunk-live")["counted"], 0);
    assert_eq!(source(&setup, "splunk-git")["counted"], 4, "the enabled rules in git");
    assert_eq!(setup.assessment()["drift"][0]["counted"], "git");
}

#[test]
fn deployed_as_must_name_a_live_source() {
    let setup =
        Setup::new("  - {kind: splunk-savedsearches, path: git/savedsearches.conf, deployed_as: nowhere}\n");
    setup.file("git/savedsearches.conf", "[A]\nsearch = x\n");
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    assert!(
        text(&output.stderr).contains("`deployed_as: nowhere` names no live source"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_ca_file_without_certificates_is_a_clear_error() {
    let double = Double::start(|_, _, _| Reply::status(500));
    let setup = Setup::new(&splunk_source(&double.url, ", ca_file: certs/ca.pem"));
    setup.file("certs/ca.pem", "not a certificate\n");
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    assert!(
        text(&output.stderr).contains("the ca_file holds no PEM certificate"),
        "{}",
        text(&output.stderr)
    );
    assert!(double.seen().is_empty(), "nothing sent with a broken TLS setup");
}

#[test]
fn loopback_is_the_only_plain_http() {
    use ttpc::rules::live::client::check_scheme;
    let check = |url: &str| check_scheme(&reqwest::Url::parse(url).expect("a URL"));
    for allowed in [
        "http://127.0.0.1:8089",
        "http://127.9.9.9",
        "http://[::1]:5601",
        "http://localhost:8089",
        "https://splunk.example:8089",
    ] {
        assert!(check(allowed).is_ok(), "{allowed}");
    }
    for refused in
        ["http://10.0.0.5:8089", "http://splunk.example", "http://[2001:db8::1]", "ftp://127.0.0.1"]
    {
        assert!(check(refused).is_err(), "{refused}");
    }
}

#[test]
fn https_with_a_ca_file_reaches_a_self_signed_siem() {
    let served = many(30, 3, &TECHNIQUES);
    let double = Double::start_tls(move |r, _, _| splunk(&served, r));
    let setup = Setup::new(&splunk_source(&double.url, ", ca_file: certs/ca.pem"));
    let ca = std::fs::read_to_string(super::common::fixture("live/tls/ca.pem")).expect("the test CA");
    setup.file("certs/ca.pem", &ca);
    let output = setup.compile(true, &[]);
    assert!(matches!(exit(&output), 0 | 1), "{}", text(&output.stderr));
    assert_eq!(source(&setup, "splunk-live")["rules"], 30);
    assert!(double.seen().iter().all(|r| r.auth.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    setup.assert_no_token(&output);
}

#[test]
fn https_without_the_ca_file_is_refused_by_the_certificate_check() {
    let double = Double::start_tls(|_, _, _| Reply::status(500));
    let setup = Setup::new(&splunk_source(&double.url, ""));
    let output = setup.compile(true, &[]);
    assert_eq!(exit(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("could not connect"), "{stderr}");
    assert!(double.seen().is_empty(), "no request crosses an unverified connection");
    setup.assert_no_token(&output);
}
