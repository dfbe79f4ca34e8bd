//! The Splunk adapters: `savedsearches.conf` (ES correlation searches) and security_content
//! detection YAML, through the public API.

use std::path::{Path, PathBuf};

use ttpc::model::RuleKind;
use ttpc::rules::{DetectionRule, Parsed, Skip, SkipReason, adapter, load};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/splunk")
}

fn parse(kind: RuleKind, relative: &str) -> Result<Parsed, Skip> {
    let path = fixtures().join(relative);
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    adapter(kind).parse(&path, &text)
}

fn conf(relative: &str) -> Parsed {
    parse(RuleKind::SplunkSavedsearches, relative).expect("a savedsearches file")
}

fn content(relative: &str) -> DetectionRule {
    let mut parsed = parse(RuleKind::SplunkContent, relative).expect("a security_content detection");
    assert_eq!(parsed.rules.len(), 1, "one detection per file");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    parsed.rules.remove(0)
}

fn rule<'a>(parsed: &'a Parsed, id: &str) -> &'a DetectionRule {
    parsed.rules.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no rule {id}"))
}

fn ids(rules: &[DetectionRule]) -> Vec<&str> {
    rules.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn adapters_claim_their_extensions() {
    let so = adapter(RuleKind::SplunkSavedsearches);
    let sc = adapter(RuleKind::SplunkContent);
    assert_eq!(so.kind(), RuleKind::SplunkSavedsearches);
    assert_eq!(sc.kind(), RuleKind::SplunkContent);
    assert!(so.accepts(Path::new("local/savedsearches.conf")));
    assert!(so.accepts(Path::new("ES.CONF")));
    assert!(!so.accepts(Path::new("savedsearches.conf.bak")));
    assert!(sc.accepts(Path::new("detections/endpoint/x.yml")));
    assert!(sc.accepts(Path::new("x.YAML")));
    assert!(!sc.accepts(Path::new("x.conf")));
}

#[test]
fn every_stanza_but_default_is_a_saved_search_in_file_order() {
    let parsed = conf("conf/savedsearches.conf");
    assert_eq!(
        ids(&parsed.rules),
        [
            "Endpoint - Encoded PowerShell - Rule",
            "Endpoint - LSASS Access - Rule",
            "Network - Beacon To Rare Domain - Rule",
            "Access - Brute Force Then Success - Rule",
            "Threat - Override Without Search - Rule",
            "Threat - Repeated Keys - Rule",
        ]
    );
    assert!(parsed.rules.iter().all(|r| r.kind == RuleKind::SplunkSavedsearches));
    assert!(parsed.rules.iter().all(|r| r.weight == 1 && r.status.is_none()));
}

#[test]
fn annotated_stanza_gives_label_severity_techniques_and_kill_chain_tags() {
    let parsed = conf("conf/savedsearches.conf");
    let r = rule(&parsed, "Endpoint - Encoded PowerShell - Rule");
    assert_eq!(r.title, "Encoded PowerShell Command Line");
    assert_eq!(r.locator.as_deref(), Some("[Endpoint - Encoded PowerShell - Rule]"));
    assert!(r.enabled);
    assert_eq!(r.level.as_deref(), Some("high"));
    assert_eq!(r.techniques, ["T1059.001", "T1027"]);
    // analytic_story and nist stay out; kill chain phases are recorded, never counted.
    assert_eq!(r.tags, ["Installation"]);
    assert_eq!(
        r.place(),
        format!(
            "{} [Endpoint - Encoded PowerShell - Rule]",
            fixtures().join("conf/savedsearches.conf").display()
        )
    );
}

#[test]
fn disabled_stanza_with_continued_annotations_keeps_its_techniques() {
    let parsed = conf("conf/savedsearches.conf");
    let r = rule(&parsed, "Endpoint - LSASS Access - Rule");
    assert_eq!(r.title, "LSASS Memory Access");
    assert!(!r.enabled, "disabled = TRUE");
    assert_eq!(r.level.as_deref(), Some("critical"));
    // Written across three lines with `\`; the case of `t1055` is kept for normalisation.
    assert_eq!(r.techniques, ["T1003.001", "t1055"]);
    assert_eq!(r.tags, ["Actions on Objectives"]);
    // `[not a stanza, ...]` continues the search; it did not open a stanza.
    assert!(!parsed.rules.iter().any(|r| r.id.starts_with("not a stanza")));
}

#[test]
fn invalid_annotations_json_is_a_warning_and_the_rule_stays() {
    let parsed = conf("conf/savedsearches.conf");
    let r = rule(&parsed, "Network - Beacon To Rare Domain - Rule");
    assert_eq!(r.title, "Beacon to Rare Domain");
    assert!(r.techniques.is_empty());
    assert_eq!(r.level.as_deref(), Some("medium"));
    assert_eq!(
        parsed.warnings,
        [
            "line 24: stanza [Network - Beacon To Rare Domain - Rule] has invalid annotations JSON: \
             line 26 column 70: expected value",
            "line 36: `this line is not a setting` is neither a comment, a [stanza] header nor key = value",
        ]
    );
}

#[test]
fn stanzas_without_annotations_or_search_have_no_techniques() {
    let parsed = conf("conf/savedsearches.conf");
    let brute = rule(&parsed, "Access - Brute Force Then Success - Rule");
    assert_eq!(brute.title, "Access - Brute Force Then Success - Rule", "no label: the name");
    assert!(brute.techniques.is_empty() && brute.tags.is_empty());
    assert_eq!(brute.level.as_deref(), Some("low"));
    assert!(brute.enabled);

    // Only `disabled = 0`: an override of a search defined elsewhere, still counted.
    let override_only = rule(&parsed, "Threat - Override Without Search - Rule");
    assert!(override_only.enabled);
    assert!(override_only.techniques.is_empty());
    // The severity of [default] applies, as Splunk applies it.
    assert_eq!(override_only.level.as_deref(), Some("informational"));
}

#[test]
fn repeated_key_last_wins_and_non_technique_ids_become_tags() {
    let parsed = conf("conf/savedsearches.conf");
    let r = rule(&parsed, "Threat - Repeated Keys - Rule");
    assert_eq!(r.techniques, ["T1547.001"]);
    assert_eq!(r.tags, ["TA0003"]);
    assert_eq!(r.level.as_deref(), Some("informational"));
}

#[test]
fn crlf_file_with_continuation() {
    let parsed = conf("conf/crlf.conf");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(
        ids(&parsed.rules),
        ["Endpoint - Service Created - Rule", "Endpoint - Rundll32 Without Arguments - Rule"]
    );
    let service = &parsed.rules[0];
    assert_eq!(service.title, "New Windows Service");
    assert!(!service.enabled);
    assert_eq!(service.techniques, ["T1543.003", "T1569.002"]);
    assert_eq!(service.level, None);
    let rundll = &parsed.rules[1];
    assert_eq!(rundll.title, "Endpoint - Rundll32 Without Arguments - Rule");
    assert!(rundll.enabled);
    assert_eq!(rundll.level.as_deref(), Some("medium"));
    assert!(rundll.techniques.is_empty());
}

#[test]
fn conf_without_stanzas_is_not_a_rule() {
    let skip = parse(RuleKind::SplunkSavedsearches, "conf/no_stanzas.conf").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "no saved-search [stanza] in the file");
}

#[test]
fn text_that_is_not_conf_syntax_is_not_a_rule() {
    let path = Path::new("nginx.conf");
    let skip = adapter(RuleKind::SplunkSavedsearches)
        .parse(path, "server {\n    listen 80;\n}\n")
        .expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "not a Splunk .conf file: line 1: `server {` is neither a comment, a [stanza] header nor key = value"
    );
    let empty = adapter(RuleKind::SplunkSavedsearches).parse(path, "").expect_err("skipped");
    assert_eq!(empty.reason, SkipReason::NotARule);
}

#[test]
fn other_conf_files_of_an_app_are_not_saved_searches() {
    let skip = parse(RuleKind::SplunkSavedsearches, "conf/macros.conf").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "a .conf file without saved-search settings (`search`, `action.*`, `cron_schedule`)"
    );
    // A file named savedsearches.conf is taken at its word, even with overrides only.
    let parsed = adapter(RuleKind::SplunkSavedsearches)
        .parse(Path::new("local/savedsearches.conf"), "[Endpoint - Old Rule - Rule]\ndisabled = 1\n")
        .expect("overrides");
    assert_eq!(ids(&parsed.rules), ["Endpoint - Old Rule - Rule"]);
    assert!(!parsed.rules[0].enabled);
}

#[test]
fn annotations_that_are_not_an_object_or_list_warn() {
    let text = "[A]\nsearch = x\naction.correlationsearch.annotations = [\"T1105\"]\n\
                [B]\nsearch = y\naction.correlationsearch.annotations = {\"mitre_attack\": [\"T1105\", 7]}\n\
                [C]\nsearch = z\naction.correlationsearch.annotations = {\"mitre_attack\": \"T1021.002\"}\n\
                [D]\nsearch = w\naction.correlationsearch.annotations =\n\
                [E]\nsearch = v\naction.correlationsearch.annotations = {\"mitre_attack\": \\\n  [\"T1105\" \"T1027\"]}\n";
    let parsed = adapter(RuleKind::SplunkSavedsearches).parse(Path::new("es.conf"), text).expect("rules");
    assert_eq!(ids(&parsed.rules), ["A", "B", "C", "D", "E"]);
    assert!(parsed.rules[0].techniques.is_empty());
    assert_eq!(parsed.rules[1].techniques, ["T1105"]);
    assert_eq!(parsed.rules[2].techniques, ["T1021.002"]);
    assert!(parsed.rules[3].techniques.is_empty());
    assert_eq!(
        parsed.warnings,
        [
            "line 1: stanza [A]: the annotations are not a JSON object",
            "line 4: stanza [B]: annotations `mitre_attack` is not a list of technique IDs",
            // The error is on the continuation line: file line and column.
            "line 13: stanza [E] has invalid annotations JSON: line 16 column 12: expected `,` or `]`",
        ]
    );
}

#[test]
fn repeated_and_nameless_stanzas_warn() {
    let text = "[X]\nsearch = a\n[]\nsearch = lost\n[X]\ndisabled = 1\n";
    let parsed = adapter(RuleKind::SplunkSavedsearches).parse(Path::new("es.conf"), text).expect("rules");
    assert_eq!(ids(&parsed.rules), ["X"]);
    assert!(!parsed.rules[0].enabled, "the repeat's settings merged");
    assert_eq!(
        parsed.warnings,
        [
            "line 3: a stanza header without a name",
            "line 5: stanza [X] repeats the one at line 1; their settings are merged",
        ]
    );
}

#[test]
fn deprecated_detection_with_two_techniques() {
    let r = content("content/deprecated_dcsync.yml");
    assert_eq!(r.kind, RuleKind::SplunkContent);
    assert_eq!(r.id, "9a4e7c20-3b1f-4d6e-8f2a-7c5b9e0d1a02");
    assert_eq!(r.title, "Directory Replication Requested By Workstation");
    assert_eq!(r.status.as_deref(), Some("deprecated"));
    assert!(r.enabled);
    assert_eq!(r.level, None);
    assert_eq!(r.locator, None);
    assert_eq!(r.techniques, ["T1003.006", "T1003.003"]);
    assert_eq!(r.tags, ["Actions on Objectives"]);
}

#[test]
fn production_detection_status_is_lower_cased() {
    let r = content("content/encoded_powershell.yml");
    assert_eq!(r.id, "5f0c2a61-8d1e-4b7a-9c3e-2a6d4e8b1f01");
    assert_eq!(r.title, "Encoded PowerShell Command Line");
    assert_eq!(r.status.as_deref(), Some("production"));
    assert_eq!(r.techniques, ["T1059.001", "T1027"]);
    assert!(r.tags.is_empty(), "analytic_story is not an ATT&CK tag");
}

#[test]
fn detection_without_id_takes_the_file_stem_and_a_single_technique() {
    let r = content("content/rundll32_no_id.yml");
    assert_eq!(r.id, "rundll32_no_id");
    assert_eq!(r.title, "Rundll32 Loading From Temp");
    assert_eq!(r.status.as_deref(), Some("experimental"));
    assert_eq!(r.techniques, ["T1218.011"]);
}

#[test]
fn yaml_that_is_not_a_detection_is_not_a_rule() {
    for (file, detail) in [
        ("content/story.yml", "YAML without a `name` and a `search` (not a security_content detection)"),
        ("content/baseline.yml", "a security_content baseline, not a detection"),
    ] {
        let skip = parse(RuleKind::SplunkContent, file).expect_err("skipped");
        assert_eq!(skip.reason, SkipReason::NotARule, "{file}");
        assert_eq!(skip.detail, detail, "{file}");
    }
    let sc = adapter(RuleKind::SplunkContent);
    let sigma = sc
        .parse(Path::new("sigma.yml"), "title: X\ntags: [attack.t1059]\ndetection: {}\n")
        .expect_err("skipped");
    assert_eq!(sigma.reason, SkipReason::NotARule);
    let list = sc.parse(Path::new("list.yml"), "- a\n- b\n").expect_err("skipped");
    assert_eq!(list.detail, "YAML that is not a mapping");
    let empty = sc.parse(Path::new("empty.yml"), "# nothing\n").expect_err("skipped");
    assert_eq!(empty.detail, "an empty file");
}

#[test]
fn invalid_yaml_is_skipped_with_its_position() {
    let skip = parse(RuleKind::SplunkContent, "content/broken.yml").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    // The context naming the unclosed quote stays in the detail.
    assert_eq!(
        skip.detail,
        "line 6 column 1: found unexpected end of stream, while scanning a quoted scalar at line 3 column 9"
    );
    let mistyped = parse(RuleKind::SplunkContent, "content/mistyped.yml").expect_err("skipped");
    assert_eq!(mistyped.reason, SkipReason::InvalidSyntax);
    assert_eq!(mistyped.detail, "line 2 column 3: name: invalid type: sequence, expected text");
}

#[test]
fn load_savedsearches_fixture_folder() {
    let report = load(RuleKind::SplunkSavedsearches, &fixtures().join("conf")).expect("loads");
    assert_eq!(report.files, 5);
    assert_eq!(report.parsed_files, 2);
    assert_eq!(report.rules.len(), 8);
    assert_eq!(report.rules_with_techniques(), 4);
    assert_eq!(report.rules.iter().filter(|r| !r.enabled).count(), 2);
    let skipped: Vec<(&str, SkipReason, &str)> =
        report.skipped.iter().map(|s| (s.path.to_str().unwrap_or(""), s.reason, s.detail.as_str())).collect();
    assert_eq!(
        skipped,
        [
            ("README.md", SkipReason::NotARule, "splunk-savedsearches rules do not use this file extension"),
            (
                "macros.conf",
                SkipReason::NotARule,
                "a .conf file without saved-search settings (`search`, `action.*`, `cron_schedule`)"
            ),
            ("no_stanzas.conf", SkipReason::NotARule, "no saved-search [stanza] in the file"),
        ]
    );
    // Paths relative to the source root; crlf.conf sorts before savedsearches.conf.
    assert_eq!(report.rules[0].path, Path::new("crlf.conf"));
    assert_eq!(report.rules[2].path, Path::new("savedsearches.conf"));
    assert_eq!(report.warnings.len(), 2);
    assert!(report.warnings.iter().all(|w| w.path == Path::new("savedsearches.conf")));
}

#[test]
fn load_security_content_fixture_folder() {
    let report = load(RuleKind::SplunkContent, &fixtures().join("content")).expect("loads");
    assert_eq!(report.files, 8);
    assert_eq!(report.parsed_files, 3);
    assert_eq!(
        ids(&report.rules),
        ["9a4e7c20-3b1f-4d6e-8f2a-7c5b9e0d1a02", "5f0c2a61-8d1e-4b7a-9c3e-2a6d4e8b1f01", "rundll32_no_id",]
    );
    assert!(report.warnings.is_empty());
    let by_reason = report.skipped_by_reason();
    assert_eq!(by_reason.get(&SkipReason::NotARule), Some(&3));
    assert_eq!(by_reason.get(&SkipReason::InvalidSyntax), Some(&2));
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.path.to_str().unwrap_or("")).collect();
    assert_eq!(skipped, ["README.md", "baseline.yml", "broken.yml", "mistyped.yml", "story.yml"]);
}

#[test]
fn sample_inventory_parses_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules/splunk");
    let conf = load(RuleKind::SplunkSavedsearches, &root).expect("loads");
    assert_eq!(conf.parsed_files, 1);
    assert!(conf.warnings.is_empty(), "{:?}", conf.warnings);
    assert_eq!(conf.rules.len(), 12);
    assert_eq!(conf.rules.iter().filter(|r| !r.enabled).count(), 2);
    assert_eq!(conf.rules_with_techniques(), 10);
    assert!(conf.skipped.iter().all(|s| s.path.extension().is_some_and(|e| e == "yml")));

    let content = load(RuleKind::SplunkContent, &root.join("security_content")).expect("loads");
    assert_eq!(content.files, 6);
    assert_eq!(content.parsed_files, 6);
    assert!(content.skipped.is_empty() && content.warnings.is_empty());
    assert_eq!(content.rules.iter().filter(|r| r.status.as_deref() == Some("deprecated")).count(), 1);
}

#[test]
fn wrongly_typed_technique_list_names_its_path() {
    let skip = adapter(RuleKind::SplunkContent)
        .parse(
            Path::new("x.yml"),
            "name: X\nsearch: y\ntags:\n  mitre_attack_id:\n  - T1105\n  - {id: T1027}\n",
        )
        .expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 6 column 5: tags.mitre_attack_id[1]: invalid type: map, expected text");
    let numeric = adapter(RuleKind::SplunkContent)
        .parse(Path::new("x.yml"), "name: X\nid: 1234\nsearch: y\nstatus: null\n")
        .expect("a detection");
    assert_eq!(numeric.rules[0].id, "1234");
    assert_eq!(numeric.rules[0].status, None);
}
