//! Output injection: a string that reaches an output must stay text of that output. Rule titles,
//! IDs and source names, model strings, Atomic Red Team test names, executors and GUIDs,
//! emulation notes, and ATT&CK names (patched into the mini bundle here) all carry Markdown and
//! HTML markup, YAML types and structure, JSON string syntax, shell commands, spreadsheet formulas
//! and terminal escapes (fixtures in tests/fixtures/injection/). One compile through the CLI, a
//! second one against the first as baseline (for `diff.md`) and `ttpc diff`, then one test per
//! output format.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;
use ttpc::assessment::Assessment;

/// ATT&CK names patched into the mini bundle: (STIX type, external ID or name, hostile name).
const PATCHED_NAMES: &[(&str, &str, &str)] = &[
    ("attack-pattern", "T1055", "=HYPERLINK(\"http://evil.invalid\",\"x\")"),
    // Sub-techniques show as "Parent: Sub", so this one reads `yes: Registry Run Keys…`.
    ("attack-pattern", "T1547", "yes"),
    ("attack-pattern", "T1021", "-2+3 | <b>injected</b>"),
    ("intrusion-set", "G0046", "FIN7 | <img src=x onerror=alert(8)> `a` \u{1b}[31m\n- injected actor"),
    ("x-mitre-tactic", "TA0006", "@tactic \u{1b}[2J\r\n# injected tactic"),
];
/// Log-source names patched into the analytics: (old, new).
const PATCHED_LOG_SOURCES: &[(&str, &str)] =
    &[("NSM:Flow", "null"), ("WinEventLog:Sysmon", "+sysmon\n=1 injected")];

/// What the run left behind.
struct Run {
    /// The head compile's output folder.
    head: PathBuf,
    /// The head compile's stdout (the terminal summary).
    compile_stdout: String,
    /// `ttpc diff BASE HEAD` in text form.
    diff_stdout: String,
    /// The head assessment.
    assessment: Assessment,
}

fn fixture(relative: &str) -> PathBuf {
    common::fixture(&format!("injection/{relative}"))
}

/// The mini bundle with hostile names.
fn hostile_bundle(to: &Path) {
    let mut bundle: Value =
        serde_json::from_slice(&std::fs::read(common::mini21()).expect("mini bundle")).expect("JSON");
    let mut patched = 0;
    for object in bundle["objects"].as_array_mut().expect("objects") {
        let kind = object["type"].as_str().unwrap_or_default().to_owned();
        let id = object["external_references"][0]["external_id"].as_str().unwrap_or_default().to_owned();
        for (k, i, name) in PATCHED_NAMES {
            if kind == *k && id == *i {
                object["name"] = Value::from(*name);
                patched += 1;
            }
        }
        if let Some(refs) = object.get_mut("x_mitre_log_source_references").and_then(Value::as_array_mut) {
            for r in refs {
                for (old, new) in PATCHED_LOG_SOURCES {
                    if r["name"] == *old {
                        r["name"] = Value::from(*new);
                    }
                }
            }
        }
    }
    assert_eq!(patched, PATCHED_NAMES.len(), "every patched object is in the mini bundle");
    std::fs::write(to, serde_json::to_vec(&bundle).expect("JSON")).expect("write bundle");
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = common::root().join("target/test-out/injection");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("output folder");
        let bundle = dir.join("bundle.json");
        hostile_bundle(&bundle);
        let compile = |model: &str, out: &str, baseline: Option<&Path>| {
            let mut cmd = common::ttpc();
            cmd.arg("compile").arg(fixture(model)).args(["--as-of", "2026-03-15", "-o"]).arg(dir.join(out));
            cmd.arg("--attack-data").arg(&bundle);
            if let Some(b) = baseline {
                cmd.arg("--baseline").arg(b);
            }
            let output = cmd.output().expect("runs");
            let stderr = common::text(&output.stderr);
            common::assert_no_panic(&stderr);
            // Targets fail on purpose (exit 1); outputs are written either way.
            assert_eq!(output.status.code(), Some(1), "{model}: {stderr}");
            common::text(&output.stdout)
        };
        compile("base.yaml", "base", None);
        let compile_stdout = compile("model.yaml", "head", Some(&dir.join("base/assessment.json")));
        let diff = common::ttpc()
            .arg("diff")
            .arg(dir.join("base/assessment.json"))
            .arg(dir.join("head/assessment.json"))
            .output()
            .expect("runs");
        common::assert_no_panic(&common::text(&diff.stderr));
        let head = dir.join("head");
        let assessment =
            serde_json::from_slice(&std::fs::read(head.join("assessment.json")).expect("assessment.json"))
                .expect("assessment.json is an Assessment");
        Run { head, compile_stdout, diff_stdout: common::text(&diff.stdout), assessment }
    })
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(run().head.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// A YAML fixture as JSON.
fn yaml_fixture(relative: &str) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(fixture(relative)).expect("fixture")).expect("YAML fixture")
}

/// Every output file under the head folder with one of the extensions, relative paths, sorted.
fn outputs(extensions: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![run().head.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if extensions.iter().any(|e| path.to_string_lossy().ends_with(e)) {
                found.push(path.strip_prefix(&run().head).expect("inside").to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Cells of a table row: pipes not escaped by a backslash.
fn pipes(row: &str) -> usize {
    let mut count = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

/// Checks every table: each row has as many unescaped pipes as its header. Returns the number
/// of rows checked.
fn check_tables(name: &str, text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let delimiter = Regex::new(r"^\|(\s*:?-+:?\s*\|)+$").expect("regex");
    let mut rows = 0;
    let mut i = 0;
    while i + 1 < lines.len() {
        if lines[i].starts_with('|') && delimiter.is_match(lines[i + 1]) {
            let columns = pipes(lines[i]);
            assert_eq!(pipes(lines[i + 1]), columns, "{name}: delimiter row of {:?}", lines[i]);
            let mut j = i + 2;
            while j < lines.len() && lines[j].starts_with('|') {
                assert_eq!(pipes(lines[j]), columns, "{name}: a row lost or gained a column:\n{}", lines[j]);
                assert!(lines[j].trim_end().ends_with('|'), "{name}: a row was cut:\n{}", lines[j]);
                rows += 1;
                j += 1;
            }
            // A row cut by a line break leaves its tail on the next line.
            if let Some(next) = lines.get(j) {
                assert!(next.trim().is_empty(), "{name}: the table is followed by {next:?}");
            }
            i = j;
        } else {
            i += 1;
        }
    }
    rows
}

/// A hostile value at the start of a line must not start a block: after the template's own
/// heading, list or quote marker, the text does not begin with a Markdown block marker or HTML.
fn check_line_starts(name: &str, text: &str) {
    let template_marker = Regex::new(r"^(#{1,6} |- (\*\*)?|\d+\. (\*\*)?|> )").expect("regex");
    let block = Regex::new(r"^([-+*=>#<|]|\d+[.)](\s|$))").expect("regex");
    let own_marker = Regex::new(r"^([-+*>]|#{1,6}|\d+[.)]) injected").expect("regex");
    let summary = Regex::new(r"^<details><summary>[^<>]*</summary>$").expect("regex");
    for line in text.lines().filter(|l| l.contains("injected")) {
        let trimmed = line.trim_start();
        if trimmed.starts_with('|') {
            continue; // a table row: check_tables looks after those
        }
        if trimmed.starts_with("<details>") {
            // The template's one-line HTML block: the value inside holds no tag of its own.
            assert!(summary.is_match(trimmed), "{name}: markup inside the summary:\n{line}");
            continue;
        }
        // No template marker is followed by the fixtures' word "injected": when one is, the marker
        // came from a value.
        assert!(!own_marker.is_match(trimmed), "{name}: a value starts a Markdown block:\n{line}");
        let rest = template_marker.find(trimmed).map_or(trimmed, |m| &trimmed[m.end()..]);
        assert!(!block.is_match(rest), "{name}: a value starts a Markdown block:\n{line}");
    }
}

fn check_markdown(name: &str, text: &str, expected: &[&str]) {
    for needle in expected {
        assert!(text.contains(needle), "{name} lacks {needle:?}: the fixture no longer reaches it");
    }
    let rows = check_tables(name, text);
    assert!(rows > 0, "{name} has tables");
    check_line_starts(name, text);
    let lower = text.to_lowercase();
    for tag in ["<script", "</script", "<img", "<svg", "<b>"] {
        assert!(!lower.contains(tag), "{name} carries raw {tag}");
    }
    for (i, _) in text.match_indices("](javascript:") {
        assert!(text[..i].ends_with('\\'), "{name}: a live javascript: link at byte {i}");
    }
    for c in text.chars() {
        assert!(c == '\n' || !c.is_control(), "{name} carries the control character {c:?}");
        assert!(!matches!(c, '\u{2028}' | '\u{2029}'), "{name} carries a line separator");
    }
}

#[test]
fn markdown_outputs_keep_their_tables_and_carry_no_markup() {
    check_markdown(
        "report.md",
        &read("report.md"),
        &[
            "\\- injected list item \\# injected heading &gt; injected quote \\[x\\](javascript:alert(1))",
            "&lt;script&gt;alert('title')&lt;/script&gt; \\| injected pipe \\`tick\\`",
            "injected asset",
            "\\+ injected stale",
            "1\\. injected ordered",
            "\\=1+1 injected deprecated",
            "&amp;anchor \\*alias",
            "\\=HYPERLINK(",
        ],
    );
    check_markdown(
        "emulation-plan.md",
        &read("emulation-plan.md"),
        &["Benign \\$(touch ttpc-pwned-1) touch ttpc-pwned-2", "injected note", "injected item"],
    );
    check_markdown(
        "diff.md",
        &read("diff.md"),
        &["\\-2+3 \\`csv\\` injected title second line \\| x", "injected actor"],
    );
}

// ---------------------------------------------------------------------------------------------
// YAML

/// yaml-rust2's reading (YAML 1.2, an independent parser) as JSON.
fn yaml_rust2_json(text: &str) -> Value {
    use yaml_rust2::Yaml;
    fn convert(y: &Yaml) -> Value {
        match y {
            Yaml::String(s) => Value::from(s.as_str()),
            Yaml::Integer(i) => Value::from(*i),
            Yaml::Real(r) => Value::from(r.parse::<f64>().expect("real")),
            Yaml::Boolean(b) => Value::from(*b),
            Yaml::Null => Value::Null,
            Yaml::Array(items) => Value::Array(items.iter().map(convert).collect()),
            Yaml::Hash(map) => Value::Object(
                map.iter().map(|(k, v)| (k.as_str().expect("string keys").to_owned(), convert(v))).collect(),
            ),
            other => panic!("unexpected YAML node {other:?}"),
        }
    }
    let docs = yaml_rust2::YamlLoader::load_from_str(text).expect("yaml-rust2 parses it");
    assert_eq!(docs.len(), 1, "one document");
    convert(&docs[0])
}

/// Plain scalars that YAML 1.2 reads as strings but a YAML 1.1 reader (PyYAML, which Caldera
/// uses) would read as a boolean, number, date, null, merge key or value key.
fn yaml_1_1_retyped(text: &str) -> Vec<String> {
    use yaml_rust2::parser::{Event, Parser};
    use yaml_rust2::scanner::TScalarStyle;
    let core_1_2 = Regex::new(concat!(
        r"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",
        r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
    ))
    .expect("regex");
    let implicit_1_1 = Regex::new(concat!(
        r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
        r"|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+",
        r"|[-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9_]+([eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
        r"|~|null|Null|NULL|<<|=",
        r"|[0-9]{4}-[0-9]{2}-[0-9]{2}",
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$"
    ))
    .expect("regex");
    let mut parser = Parser::new_from_str(text);
    let mut found = Vec::new();
    loop {
        match parser.next_token().expect("parses").0 {
            Event::StreamEnd => break,
            Event::Scalar(value, TScalarStyle::Plain, _, None)
                if !core_1_2.is_match(&value) && implicit_1_1.is_match(&value) =>
            {
                found.push(value)
            }
            _ => {}
        }
    }
    found
}

fn check_yaml(name: &str, text: &str) -> Value {
    let serde: Value = serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{name} parses: {e}"));
    assert_eq!(yaml_rust2_json(text), serde, "{name}: two YAML readers disagree on what it says");
    let retyped = yaml_1_1_retyped(text);
    assert!(retyped.is_empty(), "{name}: YAML 1.1 readers would retype {retyped:?}");
    for c in text.chars() {
        assert!(c == '\n' || !c.is_control(), "{name} carries the raw control character {c:?}");
        assert!(!matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}'), "{name} carries a raw line separator");
    }
    serde
}

#[test]
fn yaml_outputs_read_back_the_same_for_yaml_1_1_and_1_2_readers() {
    let a = &run().assessment;

    // The plan reads back as exactly the document built from the assessment: every string
    // identical, every key and list where it was.
    let text = read("remediation-plan.yaml");
    check_yaml("remediation-plan.yaml", &text);
    let plan: ttpc::emit::plan::PlanDocument = serde_yaml::from_str(&text).expect("plan");
    assert_eq!(plan, ttpc::emit::plan::document(a), "the plan reads back unchanged");
    let model: Value = yaml_fixture("model.yaml");
    assert_eq!(plan.threat_model_remediation_plan.model, model["name"].as_str().expect("name"));
    assert_eq!(plan.threat_model_remediation_plan.assessed_date.as_deref(), Some("2026-03-15"));
    assert!(
        plan.threat_model_remediation_plan
            .lists
            .values()
            .flatten()
            .any(|g| g.name == "=HYPERLINK(\"http://evil.invalid\",\"x\")")
    );

    // Each Caldera profile keeps Caldera's keys only, and every ability id is an md5 hex digest
    // whatever the test's name or GUID held.
    let emulation = a.emulation.as_ref().expect("emulation");
    let mut checked = 0;
    for actor in &emulation.actors {
        let file = format!("emulation/{}.caldera.yml", ttpc::emit::layers::slug(&actor.name));
        let doc = check_yaml(&file, &read(&file));
        let keys: Vec<&String> = doc.as_object().expect("mapping").keys().collect();
        let mut expected_keys = ["atomic_ordering", "description", "id", "name", "objective", "tags"];
        expected_keys.sort();
        assert_eq!(keys, expected_keys, "{file}");
        let ids: Vec<String> = actor
            .steps
            .iter()
            .flat_map(|s| s.tests.iter().filter_map(|t| t.caldera_ability.clone()))
            .fold(Vec::new(), |mut v, id| {
                if !v.contains(&id) {
                    v.push(id);
                }
                v
            });
        assert_eq!(doc["atomic_ordering"], serde_json::json!(ids), "{file}");
        for id in &ids {
            assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{file}: {id}");
        }
        assert_eq!(doc["name"], format!("{} ({}) — {}", actor.name, actor.id, a.model.name), "{file}");
        checked += ids.len();
    }
    assert!(checked > 20, "the fixture's hostile tests reached the profiles");
}

/// Issue 15: a library whose tests carry no usable GUID (here every GUID is a YAML or shell
/// payload) gets no script: exit 2, and nothing of the payloads is written.
#[test]
fn a_library_with_hostile_guids_gets_no_script() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .arg("compile")
        .arg(fixture("base.yaml"))
        .args(["--as-of", "2026-03-15", "--allow-outside", "--atomics"])
        .arg(fixture("atomics-bad-guids"))
        .arg("-o")
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    let stderr = common::text(&out.stderr);
    common::assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ttpc::emulation::test_without_guid"), "{stderr}");
    assert!(!dir.path().join("emulation").exists(), "no script is written");
}

/// The HTML report's embedded data is written by serde straight from the assessment
/// (`emit::page`), not by the template's `tojson`; both must be the same text, hostile strings
/// (`</script>`, quotes, control characters) included, and the page must carry it and the
/// nonce derived from it.
#[test]
fn the_html_reports_data_is_the_text_tojson_writes() {
    use ttpc::emit::report::{self, Escape};
    let a = &run().assessment;
    let tojson = report::render_in(
        "data",
        r#"{{ {"techniques": techniques, "actors": actors | map(attribute="name") | list} | tojson }}"#,
        &report::context(a),
        Escape::Html,
    )
    .expect("renders");
    let page = ttpc::emit::page::PageData::of(a);
    assert_eq!(format!("{}\n", page.json), tojson);
    assert!(page.json.contains("\\u003c/script\\u003e"), "the hostile title is in the data, escaped");
    let html = read("report.html");
    assert!(html.contains(&format!("id=\"ttpc-data\">{}</script>", page.json)));
    assert!(
        html.contains(&format!("'nonce-{}'", page.nonce))
            && html.contains(&format!("<script nonce=\"{}\">", page.nonce))
    );
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_outputs_round_trip_hostile_strings() {
    let a = &run().assessment;
    let text = read("assessment.json");
    assert_eq!(ttpc::emit::json(a), text, "assessment.json re-serialises byte for byte");
    // JSON forbids raw U+0000–U+001F in strings (C1 controls and U+2028/2029 may stay raw).
    assert!(
        !text.chars().any(|c| c < ' ' && c != '\n'),
        "assessment.json carries a raw C0 control character"
    );

    let model = yaml_fixture("model.yaml");
    assert_eq!(a.model.name, model["name"].as_str().expect("name"));
    assert_eq!(a.model.description.as_deref(), model["description"].as_str());
    assert_eq!(a.model.owner.as_deref(), model["owner"].as_str());
    // Rule titles with control characters, </script>, U+2028/2029, a lone quote and a backslash.
    let json_title = yaml_fixture("sigma/json_title.yml")["title"].as_str().expect("title").to_owned();
    for hazard in ["\u{1}", "\u{1b}", "\r", "\u{2028}", "\u{2029}", "\"", "\\", "</script>"] {
        assert!(json_title.contains(hazard), "the fixture's title holds {hazard:?}");
    }
    let titles: Vec<&str> =
        a.technique("T1059.001").expect("T1059.001").rules.iter().map(|r| r.title.as_str()).collect();
    for file in ["sigma/markdown_title.yml", "sigma/json_title.yml"] {
        let title = yaml_fixture(file)["title"].as_str().expect("title").to_owned();
        assert!(titles.contains(&title.as_str()), "{file}: title {title:?} not in {titles:?}");
    }
    let atomics = yaml_fixture("atomics/T1059.001/T1059.001.yaml");
    let names: Vec<&str> = a
        .emulation
        .as_ref()
        .expect("emulation")
        .actors
        .iter()
        .flat_map(|x| x.steps.iter())
        .flat_map(|s| s.tests.iter().map(|t| t.name.as_str()))
        .collect();
    for test in atomics["atomic_tests"].as_array().expect("tests") {
        let name = test["name"].as_str().expect("name");
        assert!(names.contains(&name), "test name {name:?} did not come back");
    }

    // The layers carry the same strings, verbatim, inside well-formed JSON.
    let layers = outputs(&[".json"]);
    assert!(layers.iter().any(|l| l.starts_with("layers/")));
    for file in &layers {
        let raw = read(file);
        let _: Value = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!raw.chars().any(|c| c < ' ' && c != '\n'), "{file} carries a raw C0 control character");
    }
    let gaps: Value = serde_json::from_str(&read("layers/gaps.json")).expect("gaps layer");
    let comment = gaps["techniques"]
        .as_array()
        .expect("techniques")
        .iter()
        .find(|t| t["techniqueID"] == "T1059.001")
        .and_then(|t| t["comment"].as_str())
        .expect("T1059.001 has a comment");
    assert!(comment.contains(&json_title), "the gaps layer's comment keeps the title verbatim: {comment:?}");
    let fin7 = PATCHED_NAMES[3].2;
    let actor_layer = format!("layers/actor-{}.json", ttpc::emit::layers::slug(fin7));
    let layer: Value = serde_json::from_str(&read(&actor_layer)).expect("actor layer");
    // The name fits an Excel sheet title; the full title, verbatim, opens the description.
    let full = format!("{fin7} (G0046) — TTP profile");
    assert_eq!(layer["name"], ttpc::emit::layers::sheet_title(&full), "{actor_layer}");
    assert!(layer["description"].as_str().is_some_and(|d| d.starts_with(&full)), "{actor_layer}");
    assert_eq!(layer["metadata"][0]["value"], a.model.name, "{actor_layer}");
}

// ---------------------------------------------------------------------------------------------
// Emulation scripts

/// Splits on every character some shell or editor takes for a line break.
fn script_lines(text: &str) -> Vec<&str> {
    text.split(['\n', '\r', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{2029}']).collect()
}

#[test]
fn emulation_scripts_never_run_a_test_name() {
    // ttpc's own lines: the fixed preamble of both scripts, the quoted library path, and
    // `Invoke-AtomicTest` with a technique ID and GUIDs only.
    const GUID: &str = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    let fixed = [
        "#!/usr/bin/env bash",
        "set -u",
        "param(",
        ")",
        "[string]$Module = 'invoke-atomicredteam'",
        "$ErrorActionPreference = 'Continue'",
        "if (-not $PathToAtomicsFolder -or -not (Test-Path -LiteralPath $PathToAtomicsFolder -PathType Container)) {",
        "Write-Error \"No Atomic Red Team library at '$PathToAtomicsFolder': pass -PathToAtomicsFolder; nothing was run.\"",
        "exit 2",
        "}",
        "Import-Module $Module -ErrorAction Stop",
        "if [ -n \"${TTPC_ATOMICS_FOLDER:-}\" ]; then atomics=\"$TTPC_ATOMICS_FOLDER\"; fi",
        "if [ -z \"$atomics\" ] || [ ! -d \"$atomics\" ]; then",
        "echo \"No Atomic Red Team library at '$atomics': set TTPC_ATOMICS_FOLDER; nothing was run.\" >&2",
        "fi",
        "export TTPC_ATOMICS_FOLDER=\"$atomics\"",
        "export TTPC_ATOMIC_MODULE=\"${TTPC_ATOMIC_MODULE:-invoke-atomicredteam}\"",
    ];
    let allowed = Regex::new(&format!(
        concat!(
            r"^(\[string\]\$PathToAtomicsFolder = '([^'‘’‚‛]|'')*',|atomics='[^']*'",
            r"|Invoke-AtomicTest T\d{{4}}(\.\d{{3}})? -TestGuids {g}(,{g})* -PathToAtomicsFolder \$PathToAtomicsFolder( -GetPrereqs)?",
            r"|pwsh -NoProfile -Command 'Import-Module \$env:TTPC_ATOMIC_MODULE -ErrorAction Stop; Invoke-AtomicTest T\d{{4}}(\.\d{{3}})? -TestGuids {g}(,{g})* -PathToAtomicsFolder \$env:TTPC_ATOMICS_FOLDER( -GetPrereqs)?')$"
        ),
        g = GUID
    ))
    .expect("regex");
    let scripts = outputs(&[".sh", ".ps1"]);
    assert_eq!(scripts.len(), 6, "{scripts:?}");
    let mut pwned_comments = 0;
    for file in &scripts {
        let text = read(file);
        for line in script_lines(&text) {
            let code = line.trim();
            if code.is_empty() || code.starts_with('#') {
                pwned_comments += usize::from(code.contains("pwned"));
                continue;
            }
            assert!(
                fixed.contains(&code) || allowed.is_match(code),
                "{file}: a line that is neither a comment nor ttpc's own:\n{line}"
            );
        }
    }
    assert!(pwned_comments >= 4, "the hostile test names reached the scripts, as comments");
}

/// The shell scripts, run for real with a stub `pwsh`: nothing but `Invoke-AtomicTest` reaches it
/// and no payload of a test name runs.
#[cfg(unix)]
#[test]
fn shell_scripts_run_only_invoke_atomic_test() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().expect("temp");
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let log = work.path().join("pwsh.log");
    let stub = bin.join("pwsh");
    std::fs::write(&stub, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$PWSH_LOG\"\n").expect("stub");
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let guid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    let invoked = Regex::new(&format!(
        r"^-NoProfile -Command Import-Module \$env:TTPC_ATOMIC_MODULE -ErrorAction Stop; Invoke-AtomicTest T\d{{4}}(\.\d{{3}})? -TestGuids {guid}(,{guid})* -PathToAtomicsFolder \$env:TTPC_ATOMICS_FOLDER( -GetPrereqs)?$"
    ))
    .expect("regex");
    for file in outputs(&[".sh"]) {
        let status = std::process::Command::new("bash")
            .arg(run().head.join(&file))
            .current_dir(work.path())
            .env("PATH", &path)
            .env("PWSH_LOG", &log)
            .env("TTPC_ATOMICS_FOLDER", fixture("atomics"))
            .status()
            .expect("bash runs");
        assert!(status.success(), "{file} exits 0");
    }
    let pwned: Vec<String> = std::fs::read_dir(work.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.contains("pwned"))
        .collect();
    assert!(pwned.is_empty(), "a test name ran: {pwned:?}");
    let calls = std::fs::read_to_string(&log).expect("pwsh was called");
    for call in calls.lines() {
        assert!(invoked.is_match(call), "pwsh got {call:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Control characters and line breaks as gaps.csv writes them: spaces.
fn flat(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') { ' ' } else { c })
        .collect()
}

fn is_formula_start(cell: &str) -> bool {
    cell.starts_with(['\t', '\r']) || cell.trim_start().starts_with(['=', '+', '-', '@'])
}

#[test]
fn gaps_csv_cells_cannot_be_formulas_and_read_back() {
    let a = &run().assessment;
    let text = read("gaps.csv");
    assert!(text.ends_with('\n') && !text.contains('\r'), "rows end in \\n");
    assert_eq!(text.lines().count(), a.gaps.len() + 1, "one line per gap, plus the header");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid CSV")).collect();
    assert_eq!(rows[0].iter().collect::<Vec<_>>(), ttpc::emit::spreadsheet::COLUMNS);
    let mut guarded = 0;
    for (row, id) in rows[1..].iter().zip(&a.gaps) {
        assert_eq!(row.len(), ttpc::emit::spreadsheet::COLUMNS.len(), "{row:?}");
        for cell in row {
            assert!(!is_formula_start(cell), "an unguarded formula cell: {cell:?}");
        }
        // Taking the guard off gives back the assessment's values.
        let mut unguard = |cell: &str| match cell.strip_prefix('\'') {
            Some(rest) if is_formula_start(rest) => {
                guarded += 1;
                rest.to_owned()
            }
            _ => cell.to_owned(),
        };
        let t = a.technique(id).expect("gap");
        let priority = t.priority.as_ref().expect("priority");
        let tactic =
            |s: &String| a.tactics.iter().find(|x| &x.shortname == s).map_or(s.clone(), |x| x.name.clone());
        assert_eq!(unguard(&row[0]), priority.rank.to_string());
        assert_eq!(unguard(&row[1]), t.id);
        assert_eq!(unguard(&row[2]), flat(&t.name));
        assert_eq!(unguard(&row[3]), flat(&t.tactics.iter().map(tactic).collect::<Vec<_>>().join("; ")));
        assert_eq!(unguard(&row[4]), priority.score.to_string());
        assert_eq!(unguard(&row[7]), flat(&t.actors.join("; ")));
        assert_eq!(unguard(&row[10]), flat(&t.detection.data_sources.join("; ")));
        assert_eq!(unguard(&row[12]), flat(&priority.reasons.join(" | ")));
    }
    assert_eq!(rows.len(), a.gaps.len() + 1);
    assert!(guarded >= 3, "the hostile names reached gaps.csv and were guarded ({guarded})");
    assert!(text.contains("'=HYPERLINK(\"\"http://evil.invalid\"\",\"\"x\"\")"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Terminal

#[test]
fn terminal_output_shows_control_characters_instead_of_obeying_them() {
    for (what, out) in [("compile", &run().compile_stdout), ("diff", &run().diff_stdout)] {
        assert!(out.contains("injected"), "{what}: the hostile names reached the terminal:\n{out}");
        for c in out.chars() {
            assert!(c == '\n' || !c.is_control(), "{what} printed the control character {c:?}:\n{out}");
        }
        assert!(out.contains('␛'), "{what}: ESC is shown as ␛:\n{out}");
    }
    assert!(run().compile_stdout.contains("THREAT MODEL ASSESSMENT — Injected bank"));
}

/// Issue 15: report.md rendered by a CommonMark renderer (pulldown-cmark) shows every actor's
/// name as written, both in its heading (Markdown: backslash escapes) and in the `<summary>` of
/// its technique list (raw HTML: entities, where a `\$` would show as typed).
#[test]
fn report_md_shows_actor_names_as_written_in_a_commonmark_renderer() {
    let a = &run().assessment;
    let html = {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(&read("report.md")));
        out
    };
    // What a browser shows of a fragment: tags dropped, the entities ttpc and the renderer write
    // decoded.
    let visible = |fragment: &str| {
        let tags = Regex::new(r"<[^>]*>").expect("regex");
        tags.replace_all(fragment, "")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let summaries: Vec<String> = Regex::new(r"(?s)<summary>(.*?)</summary>")
        .expect("regex")
        .captures_iter(&html)
        .map(|c| visible(&c[1]))
        .collect();
    let headings: Vec<String> = Regex::new(r"(?s)<h3>(.*?)</h3>")
        .expect("regex")
        .captures_iter(&html)
        .map(|c| visible(&c[1]))
        .collect();
    // Control characters are dropped or shown as spaces; runs of spaces count as one.
    let words = |text: &str| flat(text).split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(summaries.len(), a.actors.len(), "{html}");
    for (actor, summary) in a.actors.iter().zip(&summaries) {
        assert_eq!(summary, &format!("Techniques of {}", flat(&actor.name)));
        let name = words(&actor.name.replace('\u{1b}', ""));
        assert!(
            headings.iter().any(|h| words(h).starts_with(&format!("{name} ({})", actor.id))),
            "{:?} not among {headings:?}",
            actor.name
        );
    }
    assert!(
        a.actors.iter().any(|x| x.name.contains(['$', '*', '<', '&', '\\'])),
        "hostile names were tested"
    );
}
