//! Corpus test: the financial-services model's actors against real ATT&CK 18.1 with all of
//! SigmaHQ as the rule source. The union coverage must equal an independent computation done
//! here from the raw STIX JSON and a plain scan of the rule files.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;
use sha2::{Digest, Sha256};

const SCOPE: [&str; 6] = ["Windows", "Linux", "macOS", "IaaS", "Identity Provider", "Office Suite"];
const COUNTED: [&str; 3] = ["stable", "test", "production"];

fn model_text(sigmahq: &std::path::Path) -> String {
    format!(
        r#"ttpc: 1
name: Financial Services Division (SigmaHQ)
assessed: 2026-03-15
attack: {{domain: enterprise-attack, version: "18.1"}}
scope:
  platforms: [{scope}]
actors:
  - {{ref: FIN7, weight: 3}}
  - {{ref: G0082, weight: 2}}
  - {{ref: Lazarus Group, via_software: true}}
rules:
  - {{kind: sigma, path: "{path}", name: SigmaHQ}}
coverage: {{count_status: [stable, test, production], strong_at: 2, parent_covers_subtechniques: false}}
accepted:
  - {{technique: T1200, reason: physical controls, owner: ciso, expires: 2027-01-31}}
"#,
        scope = SCOPE.join(", "),
        path = sigmahq.display()
    )
}

fn attack_id(o: &Value) -> Option<String> {
    o["external_references"]
        .as_array()?
        .iter()
        .find(|r| r["source_name"] == "mitre-attack")
        .and_then(|r| r["external_id"].as_str())
        .map(str::to_owned)
}

fn active(o: &Value) -> bool {
    !o["revoked"].as_bool().unwrap_or(false) && !o["x_mitre_deprecated"].as_bool().unwrap_or(false)
}

/// Techniques of the three actors (IDs), computed from the raw bundle.
fn union_from_raw(raw: &Value) -> BTreeSet<String> {
    let objects = raw["objects"].as_array().expect("objects");
    let by_id: HashMap<&str, &Value> = objects.iter().filter_map(|o| Some((o["id"].as_str()?, o))).collect();
    let rels: Vec<(&str, &str, &str)> = objects
        .iter()
        .filter(|o| o["type"] == "relationship" && active(o))
        .filter_map(|o| {
            Some((o["relationship_type"].as_str()?, o["source_ref"].as_str()?, o["target_ref"].as_str()?))
        })
        .collect();
    let group = |gid: &str| -> &str {
        objects
            .iter()
            .find(|o| o["type"] == "intrusion-set" && attack_id(o).as_deref() == Some(gid))
            .and_then(|o| o["id"].as_str())
            .expect("group present")
    };
    let uses = |source: &str, kind: &str| -> Vec<&str> {
        rels.iter()
            .filter(|(r, s, t)| *r == "uses" && *s == source && t.starts_with(kind))
            .filter(|(_, _, t)| by_id.get(t).is_some_and(|o| active(o)))
            .map(|(_, _, t)| *t)
            .collect()
    };
    let mut union = BTreeSet::new();
    for (gid, via_software) in [("G0046", false), ("G0082", false), ("G0032", true)] {
        let g = group(gid);
        let campaigns: Vec<&str> = rels
            .iter()
            .filter(|(r, _, t)| *r == "attributed-to" && *t == g)
            .map(|(_, s, _)| *s)
            .filter(|c| by_id.get(c).is_some_and(|o| active(o)))
            .collect();
        let mut sources = vec![g];
        sources.extend(&campaigns);
        let mut techniques: Vec<&str> = sources.iter().flat_map(|s| uses(s, "attack-pattern--")).collect();
        if via_software {
            for s in &sources {
                for sw in uses(s, "malware--").into_iter().chain(uses(s, "tool--")) {
                    techniques.extend(uses(sw, "attack-pattern--"));
                }
            }
        }
        for t in techniques {
            if let Some(id) = by_id.get(t).and_then(|o| attack_id(o)) {
                union.insert(id);
            }
        }
    }
    union
}

#[test]
#[ignore = "needs the shared corpora"]
fn financial_model_with_all_sigmahq_matches_an_independent_computation() {
    let bundle = common::shared_file("attack/enterprise-attack-18.1.json");
    let sigmahq = common::shared_file("corpora/sigmahq");
    let raw: Value = serde_json::from_slice(&std::fs::read(&bundle).expect("read")).expect("JSON");
    let objects = raw["objects"].as_array().expect("objects");
    let platforms: BTreeMap<String, Vec<String>> = objects
        .iter()
        .filter(|o| o["type"] == "attack-pattern" && active(o))
        .filter_map(|o| {
            let list = o["x_mitre_platforms"]
                .as_array()?
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            Some((attack_id(o)?, list))
        })
        .collect();

    // Rules: a plain scan of every file's status and technique tags.
    let tag =
        Regex::new(r"(?im)^\s*-\s*['\x22]?attack\.(t\d{4}(?:\.\d{3})?)['\x22]?\s*(?:#.*)?$").expect("regex");
    let status = Regex::new(r"(?m)^status:\s*(\w+)").expect("regex");
    let mut ruled: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<PathBuf> = vec![sigmahq.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "yml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("UTF-8");
            let counted = status.captures(&text).is_some_and(|c| COUNTED.contains(&&c[1]));
            if counted {
                for c in tag.captures_iter(&text) {
                    ruled.insert(c[1].to_ascii_uppercase());
                }
            }
        }
    }

    // SigmaHQ tags ATT&CK 19.0 IDs; on an 18.1 model each counts for the 18.1 techniques it
    // revoked (RELEASES.md's table, the test's own copy), a new sub-technique through its parent.
    let new_in_19_with_18_parent = ["T1027.018"];
    let mut inverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (old, new, _) in crate::releases::V19_MOVES {
        inverse.entry(new).or_default().push(old);
    }
    for tag in ruled.clone() {
        if platforms.contains_key(&tag) {
            continue;
        }
        let parent = tag.split('.').next().unwrap_or_default();
        // A new parent whose sub-techniques revoked techniques stands for all of them.
        let through_subs: Vec<&str> = inverse
            .iter()
            .filter(|(new, _)| !tag.contains('.') && new.starts_with(&format!("{tag}.")))
            .flat_map(|(_, olds)| olds.iter().copied())
            .collect();
        let olds = inverse
            .get(tag.as_str())
            .or_else(|| (!through_subs.is_empty()).then_some(&through_subs))
            .or_else(|| inverse.get(parent));
        match olds {
            Some(olds) => ruled.extend(olds.iter().map(|o| o.to_string())),
            None if new_in_19_with_18_parent.contains(&tag.as_str()) => {
                ruled.insert(parent.to_owned());
            }
            None => {}
        }
    }

    let union = union_from_raw(&raw);
    let in_scope =
        |id: &str| platforms.get(id).is_some_and(|p| p.iter().any(|x| SCOPE.contains(&x.as_str())));
    let covered = |id: &str| {
        ruled.contains(id) || (!id.contains('.') && ruled.iter().any(|r| r.starts_with(&format!("{id}."))))
    };
    let (mut c, mut gaps, mut accepted, mut out) = (0, 0, 0, 0);
    for id in &union {
        if !in_scope(id) {
            out += 1;
        } else if covered(id) {
            c += 1;
        } else if id == "T1200" {
            accepted += 1;
        } else {
            gaps += 1;
        }
    }
    let expected_percent = (c as f64 * 1000.0 / (c + gaps) as f64).round() / 10.0;

    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("financial-sigmahq.yaml");
    std::fs::write(&model, model_text(&sigmahq)).expect("write model");
    // The model lives in a temporary folder and names the shared corpus: outside by design.
    let output = common::ttpc()
        .args(["compile", "--allow-outside", "--format", "json", "--as-of", "2026-03-15", "-o"])
        .arg(dir.path().join("out"))
        .arg(&model)
        .arg("--attack-data")
        .arg(&bundle)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", common::text(&output.stderr));
    let a: ttpc::assessment::Assessment = serde_json::from_slice(&output.stdout).expect("assessment");
    let o = &a.overall;
    println!(
        "union {} techniques: covered {c}, gaps {gaps}, accepted {accepted}, out of scope {out}",
        union.len()
    );
    assert_eq!((o.covered, o.gaps, o.accepted, o.out_of_scope), (c, gaps, accepted, out));
    assert_eq!(o.percent, Some(expected_percent));
    assert!(o.covered > 100, "SigmaHQ covers most of these actors' techniques");
    assert_eq!(a.sources[0].rules, 3754);
}

#[test]
#[ignore = "needs the shared corpora"]
fn every_shipped_model_compiles_with_every_output_and_its_targets_hold() {
    for (model, bundle, domain) in [
        ("financial-services", "enterprise-attack-18.1", "enterprise-attack"),
        ("cloud-migration", "enterprise-attack-18.1", "enterprise-attack"),
        ("purple-team", "enterprise-attack-18.1", "enterprise-attack"),
        ("electric-utility", "ics-attack-18.1", "ics-attack"),
    ] {
        let dir = tempfile::tempdir().expect("temp");
        let output = common::ttpc()
            .args(["compile", &format!("models/{model}.yaml"), "--as-of", "2026-06-01", "-o"])
            .arg(dir.path())
            .arg("--attack-data")
            .arg(common::shared_file(&format!("attack/{bundle}.json")))
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{model}: {}", common::text(&output.stderr));
        for file in [
            "assessment.json",
            "report.md",
            "remediation-plan.yaml",
            "layers/coverage.json",
            "layers/gaps.json",
            "layers/all-actors.json",
        ] {
            assert!(dir.path().join(file).is_file(), "{model} wrote no {file}");
        }
        let layer: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("layers/gaps.json")).expect("layer"))
                .expect("JSON");
        assert_eq!(layer["domain"], domain, "{model}");
        assert_eq!(layer["versions"]["attack"], "18", "{model}");
        let a: ttpc::assessment::Assessment =
            serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("json"))
                .expect("assessment");
        assert!(a.overall.covered > 0 && a.overall.gaps > 0, "{model}: a meaningful, non-trivial result");
        assert!(a.sources.iter().all(|s| s.rules > 0), "{model}: every rule source yields rules");
    }
}

#[test]
#[ignore = "needs the shared corpora"]
fn the_example_repository_compiles_to_its_expected_outputs() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", "examples/repo/threat-model.yaml", "--as-of", "2026-03-15", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::shared_file("attack/enterprise-attack-18.1.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let expected = common::root().join("examples/repo/expected");
    let regenerate = "if the change is intended, regenerate with examples/repo/regenerate-expected.sh";

    // Every output is pinned by its sha256 (those quoting ATT&CK's prose are not committed).
    let sums = std::fs::read_to_string(expected.join("SHA256SUMS")).expect("SHA256SUMS");
    let mut pinned = BTreeSet::new();
    for line in sums.lines() {
        let (sum, file) = line.split_once("  ").expect("sha256sum format");
        let written = std::fs::read(dir.path().join(file))
            .unwrap_or_else(|_| panic!("compile no longer writes {file}"));
        assert_eq!(
            hex(&Sha256::digest(&written)),
            sum,
            "{file} differs from what compile writes now; {regenerate}"
        );
        pinned.insert(file.to_owned());
    }
    let mut outputs = BTreeSet::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir.path()).expect("inside");
                outputs.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert_eq!(pinned, outputs, "SHA256SUMS pins every output; {regenerate}");

    // The files kept for people to look at are the current ones.
    for file in
        ["matrix.svg", "gaps.csv", "layers/coverage.json", "layers/gaps.json", "layers/actor-fin7.json"]
    {
        let kept =
            std::fs::read(expected.join(file)).unwrap_or_else(|_| panic!("expected/{file} is committed"));
        assert!(
            kept == std::fs::read(dir.path().join(file)).expect("written"),
            "expected/{file} is stale; {regenerate}"
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
