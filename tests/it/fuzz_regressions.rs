//! Replays fuzzing inputs on stable Rust: every past finding in `tests/fixtures/fuzz/<target>/`
//! and every seed fixture `fuzz/seed.sh` feeds the fuzzer, each through the very function its
//! cargo-fuzz target calls (`ttpc::fuzzing`). An `Err` is a fine answer; a panic is a regression.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ttpc::fuzzing::{Outcome, TARGETS};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under a file or folder, sorted (a missing path yields none).
fn files(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if path.is_file() {
        out.push(path.to_owned());
    } else if path.is_dir() {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let entry = entry.unwrap_or_else(|e| panic!("walking {}: {e}", path.display()));
            if entry.file_type().is_file() {
                out.push(entry.into_path());
            }
        }
    }
    out
}

/// The repository's own seed fixtures per target, as `fuzz/seed.sh` copies them (never
/// `../shared`). Extensions filter the folders that mix formats.
fn seeds(target: &str) -> Vec<PathBuf> {
    let fx = "tests/fixtures";
    let (paths, extensions): (Vec<String>, &[&str]) = match target {
        "model" => (
            vec![
                format!("{fx}/models"),
                format!("{fx}/compile/model.yaml"),
                format!("{fx}/emulation/model.yaml"),
                "models".into(),
                "examples/repo/threat-model.yaml".into(),
            ],
            &["yaml"],
        ),
        "stix" => (vec![format!("{fx}/attack")], &["json"]),
        "rules_sigma" => (
            vec![
                format!("{fx}/rules/sigma"),
                format!("{fx}/rules/hostile"),
                format!("{fx}/compile/rules"),
                "examples/rules/ics-sigma".into(),
                "examples/repo/detections/sigma".into(),
            ],
            &[],
        ),
        "rules_splunk_conf" => {
            (vec![format!("{fx}/rules/splunk/conf"), "examples/repo/detections/splunk".into()], &["conf"])
        }
        "rules_splunk_content" => {
            (vec![format!("{fx}/rules/splunk/content"), "examples/repo/detections/splunk".into()], &["yml"])
        }
        "rules_elastic" => (vec![format!("{fx}/rules/elastic"), "examples/rules/elastic".into()], &[]),
        "rules_sentinel" => (vec![format!("{fx}/rules/sentinel"), "examples/rules/sentinel".into()], &[]),
        "rules_csv" => (
            vec![
                format!("{fx}/rules/csv"),
                "examples/rules/edr-vendor.csv".into(),
                "examples/repo/detections/edr.csv".into(),
            ],
            &[],
        ),
        "rules_navigator" => (vec![format!("{fx}/rules/navigator")], &[]),
        "rules_mappings" => (vec![format!("{fx}/controls"), "examples/controls".into()], &["json"]),
        "atomics" => (vec![format!("{fx}/atomics"), "examples/atomics".into()], &["yaml"]),
        "results" => (
            vec![
                format!("{fx}/emulation/results.csv"),
                "examples/emulation/results.csv".into(),
                format!("{fx}/rules/csv"),
            ],
            &[],
        ),
        other => panic!("no seeds listed for fuzz target `{other}`; add it here and to fuzz/seed.sh"),
    };
    paths
        .iter()
        .flat_map(|p| files(&root().join(p)))
        .filter(|f| {
            extensions.is_empty()
                || f.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e))
        })
        .collect()
}

/// Runs one input, turning a panic into an `Err` naming the file.
fn replay(run: fn(&[u8]) -> Outcome, file: &Path) -> Result<Outcome, String> {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    std::panic::catch_unwind(|| run(&data)).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string panic)");
        format!("{}: panicked: {message}", file.display())
    })
}

#[derive(Default, Debug)]
struct Tally {
    replayed: usize,
    accepted: usize,
    rejected: usize,
    not_text: usize,
}

fn replay_all(run: fn(&[u8]) -> Outcome, inputs: &[PathBuf], failures: &mut Vec<String>) -> Tally {
    let mut tally = Tally::default();
    for file in inputs {
        match replay(run, file) {
            Ok(outcome) => {
                tally.replayed += 1;
                match outcome {
                    Outcome::Accepted => tally.accepted += 1,
                    Outcome::Rejected => tally.rejected += 1,
                    Outcome::NotText => tally.not_text += 1,
                }
            }
            Err(failure) => failures.push(failure),
        }
    }
    tally
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        let source = root().join(format!("fuzz/fuzz_targets/{name}.rs"));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("fuzz target `{name}` has no {}: {e}", source.display()));
        assert!(
            text.contains(&format!("ttpc::fuzzing::{name}(")),
            "{} must call ttpc::fuzzing::{name}",
            source.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] for `{name}`"
        );
    }
    let binaries = std::fs::read_dir(root().join("fuzz/fuzz_targets")).expect("fuzz/fuzz_targets").count();
    assert_eq!(binaries, TARGETS.len(), "fuzz/fuzz_targets holds a target ttpc::fuzzing::TARGETS lacks");
}

/// Every past finding, replayed. A folder per target that found something; each must be a known
/// target and hold at least one input.
#[test]
fn past_findings_do_not_panic() {
    let dir = root().join("tests/fixtures/fuzz");
    let mut failures = Vec::new();
    let mut replayed = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let run = TARGETS
            .iter()
            .find(|(target, _)| *target == name)
            .map(|(_, run)| *run)
            .unwrap_or_else(|| panic!("{} is not named after a fuzz target", path.display()));
        let inputs = files(&path);
        assert!(!inputs.is_empty(), "{} holds no regression input", path.display());
        let tally = replay_all(run, &inputs, &mut failures);
        replayed.insert(name, (inputs.len(), tally));
    }
    assert!(failures.is_empty(), "past fuzzing findings panic again:\n{}", failures.join("\n"));
    assert!(!replayed.is_empty(), "no regression folders under {}", dir.display());
    for (name, (count, tally)) in &replayed {
        assert_eq!(tally.replayed, *count, "{name}: not every finding was replayed: {tally:?}");
    }
}

/// Every seed fixture, replayed: none panics, each target gets inputs, and each target's seeds
/// include one its parser accepts (else the harness never reaches the parser's happy path).
#[test]
fn seed_fixtures_do_not_panic() {
    let mut failures = Vec::new();
    for (name, run) in TARGETS {
        let inputs = seeds(name);
        assert!(!inputs.is_empty(), "no seed fixtures found for fuzz target `{name}`");
        let tally = replay_all(*run, &inputs, &mut failures);
        assert!(tally.replayed > 0, "{name}: nothing replayed");
        assert!(tally.accepted > 0, "{name}: no seed fixture is accepted: {tally:?}");
    }
    assert!(failures.is_empty(), "seed fixtures panic:\n{}", failures.join("\n"));
}

/// `n` distinct technique IDs (`T1000.000`, `T1000.001`, ...).
fn technique_ids(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| format!("T{}.{:03}", 1000 + i / 1000, i % 1000))
}

/// Inputs listing tens of thousands of techniques and tags in one rule. Each adapter deduplicated
/// them one by one against all before (n²/2 comparisons; a 2 MB Sigma rule took over a minute),
/// too slow to show in 4 KB fuzzing inputs but a hang on a hostile pull request. Linear now:
/// each of these takes well under a second even unoptimised.
#[test]
fn long_technique_and_tag_lists_parse_in_linear_time() {
    use ttpc::model::RuleKind;
    let n = 40_000;
    let quoted = |items: &[String]| items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let ids: Vec<String> = technique_ids(n).collect();
    let tags: Vec<String> = (0..n).map(|i| format!("tag{i}")).collect();
    // (kind, file name, text, techniques expected, tags expected); every list is listed twice
    // where the format allows, so deduplication is exercised too.
    let cases: Vec<(RuleKind, &str, String, usize, usize)> = vec![
        (
            RuleKind::Sigma,
            "r.yml",
            format!(
                "title: t\nid: x\nlogsource: {{product: p}}\ndetection: {{s: {{a: 1}}, condition: s}}\ntags:\n{}{}",
                ids.iter().chain(&ids).map(|t| format!("  - attack.{t}\n")).collect::<String>(),
                tags.iter().chain(&tags).map(|t| format!("  - attack.{t}\n")).collect::<String>(),
            ),
            n,
            n,
        ),
        (
            RuleKind::SplunkContent,
            "r.yml",
            format!(
                "name: n\nid: x\nsearch: s\ntags:\n  mitre_attack_id: [{}, {}]\n  kill_chain_phases: [{}]\n",
                quoted(&ids),
                quoted(&ids),
                quoted(&tags)
            ),
            n,
            n,
        ),
        (
            RuleKind::SplunkSavedsearches,
            "savedsearches.conf",
            format!(
                "[r]\nsearch = s\naction.correlationsearch.enabled = 1\n\
                 action.correlationsearch.annotations = {{\"mitre_attack\": [{}, {}], \"kill_chain_phases\": [{}]}}\n",
                quoted(&ids),
                quoted(&ids),
                quoted(&tags)
            ),
            n,
            n,
        ),
        (
            RuleKind::Elastic,
            "r.toml",
            format!(
                "[rule]\nname = \"n\"\nrule_id = \"x\"\n{}",
                ids.iter()
                    .zip(&tags)
                    .map(|(t, g)| {
                        format!(
                            "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[rule.threat.tactic]\nname = \"{g}\"\n\
                             [[rule.threat.technique]]\nid = \"{t}\"\n"
                        )
                    })
                    .collect::<String>()
            ),
            n,
            n,
        ),
        (
            RuleKind::Sentinel,
            "r.yaml",
            format!(
                "id: x\nname: n\nkind: Scheduled\nquery: q\ntactics: [{}]\nrelevantTechniques: [{}, {}]\n",
                quoted(&tags),
                quoted(&ids),
                quoted(&ids)
            ),
            n,
            n,
        ),
        (
            RuleKind::Csv,
            "r.csv",
            format!("id,title,techniques\nx,t,\"{} {} {}\"\n", ids.join(";"), ids.join(","), tags.join(";")),
            n,
            n,
        ),
        (
            RuleKind::NavigatorLayer,
            "r.json",
            format!(
                "{{\"name\": \"n\", \"domain\": \"enterprise-attack\", \"techniques\": [{}]}}",
                tags.iter()
                    .chain(&tags)
                    .map(|g| format!("{{\"techniqueID\": \"T1059\", \"tactic\": \"{g}\", \"score\": 1}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            1,
            n,
        ),
    ];
    for (kind, file, text, techniques, tag_count) in cases {
        let parsed = ttpc::rules::adapter(kind)
            .parse(Path::new(file), &text)
            .unwrap_or_else(|skip| panic!("{kind:?}: the long-list input was skipped: {skip:?}"));
        let [rule] = parsed.rules.as_slice() else {
            panic!("{kind:?}: expected one rule, got {}: {:?}", parsed.rules.len(), parsed.warnings)
        };
        assert_eq!(rule.techniques.len(), techniques, "{kind:?}: techniques");
        assert_eq!(rule.tags.len(), tag_count, "{kind:?}: tags");
        // Quadratic took tens of seconds here, linear milliseconds: a regression shows as this
        // test hanging (and in `bench/hostile.sh`), never as a timing assertion that fails on a
        // loaded machine.
    }
}
