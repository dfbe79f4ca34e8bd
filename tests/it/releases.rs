//! Content from other ATT&CK releases: rules tagged for 19.0 on an 18.1 model (and the reverse),
//! tactic splits, a bundle that contradicts the pin, newer releases in the cache, and
//! `ttpc migrate`. The mini bundles are the hand-written pair of
//! `tests/fixtures/attack/gen_releases.py`; the corpus tests use the real 18.1 bundle and SigmaHQ,
//! and for `migrate` on real actors a v19-shaped stand-in derived here from the 18.1 bundle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{self, text, ttpc};
use ttpc::assessment::{Assessment, State};

/// The 18.x → 19.0 Enterprise revocations (old → the ID that revoked it, its name), from
/// `../shared/attack/RELEASES.md`: the test's own copy of the facts, so the corpus test checks
/// ttpc's table rather than reusing it.
pub const V19_MOVES: &[(&str, &str, &str)] = &[
    ("T1070.001", "T1685.005", "Clear Windows Event Logs"),
    ("T1070.002", "T1685.006", "Clear Linux or Mac System Logs"),
    ("T1562", "T1685", "Disable or Modify Tools"),
    ("T1562.001", "T1685", "Disable or Modify Tools"),
    ("T1562.002", "T1685.001", "Disable or Modify Windows Event Log"),
    ("T1562.003", "T1690", "Prevent Command History Logging"),
    ("T1562.004", "T1686", "Disable or Modify System Firewall"),
    ("T1562.006", "T1685", "Disable or Modify Tools"),
    ("T1562.007", "T1686.001", "Cloud Firewall"),
    ("T1562.008", "T1685.002", "Disable or Modify Cloud Log"),
    ("T1562.009", "T1688", "Safe Mode Boot"),
    ("T1562.010", "T1689", "Downgrade Attack"),
    ("T1562.011", "T1685.003", "Modify or Spoof Tool UI"),
    ("T1562.012", "T1685.004", "Disable or Modify Linux Audit System Log"),
    ("T1562.013", "T1686.002", "Network Device Firewall"),
    ("T1656", "T1684.001", "Impersonation"),
    ("T1672", "T1684.002", "Email Spoofing"),
];

fn mini(version: &str) -> PathBuf {
    common::fixture(&format!("attack/mini-release-{version}.json"))
}

fn run(args: &[&str], cwd: &Path, cache: Option<&Path>) -> (i32, String, String) {
    let mut cmd = ttpc();
    cmd.args(args).current_dir(cwd);
    if let Some(cache) = cache {
        cmd.env("TTPC_CACHE", cache);
    }
    let out = cmd.output().expect("runs");
    let stderr = text(&out.stderr);
    common::assert_no_panic(&stderr);
    (out.status.code().expect("exit code"), text(&out.stdout), stderr)
}

/// `ttpc check MODEL` in `repo` against a mini bundle of the pair.
fn check(repo: &Path, model: &str, version: &str) -> (i32, String, String) {
    run(&["check", model, "--attack-data", mini(version).to_str().expect("UTF-8")], repo, None)
}

/// A copy of `tests/fixtures/releases` (model and rules) in a temporary repository.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    let from = common::fixture("releases");
    std::fs::create_dir(dir.path().join("rules")).expect("rules");
    for entry in std::fs::read_dir(from.join("rules")).expect("rules") {
        let p = entry.expect("entry").path();
        std::fs::copy(&p, dir.path().join("rules").join(p.file_name().expect("name"))).expect("copy");
    }
    for name in ["model-18.yaml", "model-19-defense-evasion.yaml"] {
        std::fs::copy(from.join(name), dir.path().join(name)).expect("copy");
    }
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    dir
}

/// A cache holding these bundles as `attack/enterprise-attack-<version>.json`.
fn cache_with(bundles: &[(&str, &Path)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir(dir.path().join("attack")).expect("attack");
    for (version, path) in bundles {
        std::fs::copy(path, dir.path().join(format!("attack/enterprise-attack-{version}.json")))
            .expect("copy");
    }
    dir
}

fn compile(repo: &Path, model: &str, bundle: &Path) -> (i32, Assessment, String) {
    let out = repo.join("out");
    let (code, _, stderr) = run(
        &[
            "compile",
            model,
            "--attack-data",
            bundle.to_str().expect("UTF-8"),
            "--as-of",
            "2026-06-01",
            "-o",
            out.to_str().expect("UTF-8"),
        ],
        repo,
        None,
    );
    let json =
        std::fs::read(out.join("assessment.json")).unwrap_or_else(|_| panic!("no assessment: {stderr}"));
    (code, serde_json::from_slice(&json).expect("assessment"), stderr)
}

/// The fixture model pinned to 19.0 by hand: the tactic target and the acceptance in 19.0 terms.
fn model_19(repo: &Path) -> String {
    std::fs::read_to_string(repo.join("model-18.yaml"))
        .expect("model")
        .replace("version: \"18.1\"", "version: \"19.0\"")
        .replace("defense-evasion: 60%", "stealth: 60%")
        .replace("{technique: T1070.001,", "{technique: T1685.005,")
}

fn state(a: &Assessment, id: &str) -> Option<State> {
    a.techniques.iter().find(|t| t.id == id).map(|t| t.state)
}

#[test]
fn rules_tagged_for_19_count_on_an_18_model_and_say_so() {
    let repo = repo();
    let (code, a, stderr) = compile(repo.path(), "model-18.yaml", &mini("18.1"));
    assert!(code == 0 || code == 1, "{stderr}");
    // T1685 stands for T1562, T1562.001 and T1562.006; T1686.003 for T1562.004 through T1686.
    for id in ["T1562.001", "T1562.004"] {
        assert!(
            matches!(state(&a, id), Some(State::Partial | State::Strong)),
            "{id} is covered by a v19 rule: {:?}",
            state(&a, id)
        );
    }
    let notes: BTreeSet<&str> = a.translated_mappings.iter().map(|m| m.note.as_str()).collect();
    assert!(notes.contains("T1686.003 (ATT&CK 19.0) → T1562.004 (18.1) via T1686"), "{notes:?}");
    assert!(
        notes.contains(
            "T1685 (ATT&CK 19.0) → T1562, T1562.001, T1562.006 (18.1) (one ID for 3 techniques of 18.1)"
        ),
        "{notes:?}"
    );
    assert!(
        notes.contains("T1027.018 (ATT&CK 19.0) → T1027 (18.1) (a sub-technique new in 19.0)"),
        "{notes:?}"
    );
    let t1685 =
        a.translated_mappings.iter().find(|m| m.written.eq_ignore_ascii_case("t1685")).expect("T1685");
    assert_eq!(t1685.replacements, ["T1562", "T1562.001", "T1562.006"]);
    assert_eq!(t1685.issue, "translated");
    assert_eq!(t1685.release.as_deref(), Some("19.0"));
    // T1682 is new in 19.0 with no predecessor: said so, not "unknown".
    let t1682 = a.unmapped.iter().find(|m| m.written.eq_ignore_ascii_case("t1682")).expect("T1682");
    assert_eq!(t1682.issue, "new-in-release");
    assert_eq!(t1682.note, "T1682: new in ATT&CK 19.0, no equivalent in 18.1");
    assert!(a.unmapped.iter().all(|m| m.issue != "unknown"), "{:?}", a.unmapped);
    // The report says it where the figures are read.
    let report = std::fs::read_to_string(repo.path().join("out/report.md")).expect("report");
    assert!(report.contains("### Rule mappings translated from another ATT&CK release"));
    // (`&` is an entity in the Markdown report, as everywhere in it.)
    assert!(report.contains("| T1686.003 (ATT&amp;CK 19.0) → T1562.004 (18.1) via T1686 | 1 |"), "{report}");

    // `ttpc rules` and `ttpc check` account for them too.
    let (code, stdout, _) = run(
        &["rules", "rules", "--kind", "sigma", "--attack-data", mini("18.1").to_str().expect("UTF-8")],
        repo.path(),
        None,
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("translated mappings    3"), "{stdout}");
    assert!(stdout.contains("T1682  new in ATT&CK 19.0, no equivalent in this release"), "{stdout}");
    let (code, stdout, _) = check(repo.path(), "model-18.yaml", "18.1");
    assert_eq!(code, 0);
    assert!(stdout.contains("3 translated from another release, 1 unmapped ID"), "{stdout}");
}

#[test]
fn an_18_id_on_a_19_model_counts_for_its_replacement() {
    let repo = repo();
    let model = model_19(repo.path()).replace("T1562.006", "T1003");
    std::fs::write(repo.path().join("model-19.yaml"), model).expect("write");
    let (code, a, stderr) = compile(repo.path(), "model-19.yaml", &mini("19.0"));
    assert!(code == 0 || code == 1, "{stderr}");
    let stale = a.stale_mappings.iter().find(|m| m.written.eq_ignore_ascii_case("t1070.001")).expect("stale");
    assert_eq!(stale.replacement.as_deref(), Some("T1685.005"));
    // must_cover T1562.001 is revoked in 19.0: a warning at its line, the verdict on T1685.
    assert!(stderr.contains("T1562.001 is revoked in ATT&CK; using its replacement T1685"), "{stderr}");
    assert!(a.targets.must_cover.contains(&String::from("T1685")));
    // Tags new in 19.0 are direct on a 19.0 model.
    assert!(a.translated_mappings.is_empty(), "{:?}", a.translated_mappings);
    let order: Vec<&str> = a.tactics.iter().map(|t| t.shortname.as_str()).collect();
    assert_eq!(order, ["execution", "stealth", "defense-impairment", "credential-access"]);
}

#[test]
fn a_tactic_split_by_the_pinned_release_is_an_error_naming_its_successors() {
    let repo = repo();
    let (code, _, stderr) = check(repo.path(), "model-19-defense-evasion.yaml", "19.0");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ttpc::model::split_tactic"), "{stderr}");
    assert!(
        stderr.contains("it was split into `stealth` (TA0005) and `defense-impairment` (TA0112)"),
        "{stderr}"
    );
    assert!(stderr.contains("model-19-defense-evasion.yaml:20:5"), "points at the key: {stderr}");

    // The other way: `stealth` on 18.1 names what to write there.
    let model = std::fs::read_to_string(repo.path().join("model-18.yaml"))
        .expect("model")
        .replace("defense-evasion: 60%", "stealth: 60%");
    std::fs::write(repo.path().join("stealth-18.yaml"), model).expect("write");
    let (code, _, stderr) = check(repo.path(), "stealth-18.yaml", "18.1");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ttpc::model::later_tactic"), "{stderr}");
    assert!(stderr.contains("this release still has `defense-evasion` (TA0005)"), "{stderr}");
}

#[test]
fn must_cover_ids_of_a_later_release_are_translated_with_a_warning() {
    let repo = repo();
    let model = std::fs::read_to_string(repo.path().join("model-18.yaml"))
        .expect("model")
        .replace("- T1562.006", "- T1686.003")
        .replace("- T1003", "- T1683");
    std::fs::write(repo.path().join("later.yaml"), model).expect("write");
    let (code, _, stderr) = check(repo.path(), "later.yaml", "18.1");
    // T1683 is new in 19.0 with no equivalent: an error at its line, beside the translation.
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("T1683 is new in ATT&CK 19.0 and has no equivalent in this release"), "{stderr}");
    let model =
        std::fs::read_to_string(repo.path().join("later.yaml")).expect("model").replace("- T1683", "- T1003");
    std::fs::write(repo.path().join("later.yaml"), model).expect("write");
    let (code, _, stderr) = check(repo.path(), "later.yaml", "18.1");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ttpc::model::translated_technique"), "{stderr}");
    assert!(
        stderr.contains("T1686.003 is an ID of ATT&CK 19.0; in this release it stands for T1562.004 (through its parent T1686)"),
        "{stderr}"
    );
}

#[test]
fn a_bundle_that_declares_another_release_than_the_pin_is_refused() {
    let repo = repo();
    let (code, _, stderr) = check(repo.path(), "model-18.yaml", "19.0");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ttpc::attack::version_mismatch"), "{stderr}");
    assert!(stderr.contains("the model pins ATT&CK 18.1, but"), "{stderr}");
    assert!(stderr.contains("declares itself ATT&CK 19.0"), "{stderr}");
}

/// A "20.0" release made from the mini 19.0 bundle: T1699 revokes T1685.005.
fn mini_20(dir: &Path) -> PathBuf {
    let mut bundle: Value =
        serde_json::from_slice(&std::fs::read(mini("19.0")).expect("read")).expect("JSON");
    let objects = bundle["objects"].as_array_mut().expect("objects");
    let old = objects
        .iter()
        .find(|o| o["type"] == "attack-pattern" && o["external_references"][0]["external_id"] == "T1685.005")
        .expect("T1685.005")
        .clone();
    let mut new = old.clone();
    new["id"] = json!("attack-pattern--00000000-0000-4000-8000-000000000699");
    new["name"] = json!("Clear Event Logs");
    new["external_references"][0]["external_id"] = json!("T1699");
    new["x_mitre_is_subtechnique"] = json!(false);
    let mut revoked_by =
        objects.iter().find(|o| o["type"] == "relationship").expect("a relationship").clone();
    revoked_by["id"] = json!("relationship--00000000-0000-4000-8000-000000000699");
    revoked_by["relationship_type"] = json!("revoked-by");
    revoked_by["source_ref"] = old["id"].clone();
    revoked_by["target_ref"] = new["id"].clone();
    for o in objects.iter_mut() {
        if o["id"] == old["id"] {
            o["revoked"] = json!(true);
        }
        if o["type"] == "x-mitre-collection" {
            o["x_mitre_version"] = json!("20.0");
        }
    }
    objects.push(new);
    objects.push(revoked_by);
    let path = dir.join("mini-20.json");
    std::fs::write(&path, serde_json::to_vec(&bundle).expect("JSON")).expect("write");
    path
}

#[test]
fn a_newer_release_in_the_cache_teaches_translation_the_day_it_is_fetched() {
    let repo = repo();
    std::fs::write(
        repo.path().join("rules/v20.yml"),
        "title: Logs cleared (v20 tag)\nid: 7a1c0000-0000-4000-8000-000000000020\nstatus: stable\ntags: [attack.t1699]\nlogsource: {product: windows}\ndetection: {sel: {EventID: 1102}, condition: sel}\n",
    )
    .expect("rule");
    let scratch = tempfile::tempdir().expect("temp");
    let v20 = mini_20(scratch.path());
    let bundle = mini("18.1");
    let args = ["rules", "rules", "--kind", "sigma", "--attack-data", bundle.to_str().expect("UTF-8")];
    // Without 20.0 at hand, T1699 is unknown.
    let (_, stdout, _) = run(&args, repo.path(), None);
    assert!(stdout.contains("T1699  not in this ATT&CK version"), "{stdout}");
    // With 20.0 in the cache, T1699 → T1685.005 (20.0) → T1070.001 (19.0's move, built in).
    let cache = cache_with(&[("18.1", &bundle), ("20.0", &v20)]);
    let (code, stdout, stderr) = run(&args, repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("T1699 (ATT&CK 20.0) → T1070.001 (18.1)"), "{stdout}");
}

#[test]
fn migrate_moves_a_model_to_19_keeping_comments_and_it_checks_there() {
    let repo = repo();
    let cache = cache_with(&[("18.1", &mini("18.1")), ("19.0", &mini("19.0"))]);
    let args = ["migrate", "model-18.yaml", "--to", "19.0", "--as-of", "2026-06-01"];
    let (code, stdout, stderr) = run(&args, repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    let original = std::fs::read_to_string(repo.path().join("model-18.yaml")).expect("model");
    for comment in [
        "# the annual assessment's pin",
        "# promised to the board",
        "# the IdP team owns this one",
        "# tamper protection alerts",
    ] {
        assert!(stdout.contains(comment), "{comment} kept:\n{stdout}");
    }
    assert!(stdout.contains("attack: {domain: enterprise-attack, version: \"19.0\"}"), "{stdout}");
    assert!(
        stdout.contains("    stealth: 60%   # promised to the board\n    defense-impairment: 60%\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    - T1685   # tamper protection alerts\n    - T1003\n"),
        "T1562.006 merged into T1685: {stdout}"
    );
    assert!(stdout.contains("{technique: T1685.005, reason"), "{stdout}");
    assert!(!stdout.contains("T1562"), "{stdout}");
    // Lines not touched are byte for byte the same.
    assert_eq!(stdout.lines().take(5).collect::<Vec<_>>(), original.lines().take(5).collect::<Vec<_>>());
    // The account.
    assert!(stderr.contains("Moving model-18.yaml from ATT&CK 18.1 to 19.0"), "{stderr}");
    assert!(
        stderr.contains("renamed: T1070.001 → T1685.005, T1562.001 → T1685, T1562.004 → T1686"),
        "{stderr}"
    );
    assert!(stderr.contains("defense-evasion 60% → stealth "), "{stderr}");
    assert!(stderr.contains("Rule tags: translated from another release 3 → 0"), "{stderr}");
    // The migrated model checks on 19.0.
    std::fs::write(repo.path().join("migrated.yaml"), &stdout).expect("write");
    let (code, _, stderr) = run(&["check", "migrated.yaml"], repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    // --write: the same text, in place.
    let (code, _, stderr) =
        run(&["migrate", "model-18.yaml", "--to", "19.0", "--write"], repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(repo.path().join("model-18.yaml")).expect("model"), stdout);
}

#[test]
fn migrate_refuses_or_explains_bad_requests() {
    let repo = repo();
    let cache = cache_with(&[("18.1", &mini("18.1")), ("19.0", &mini("19.0"))]);
    // A release not in the cache: the command that gets it.
    let (code, stdout, stderr) =
        run(&["migrate", "model-18.yaml", "--to", "20.0"], repo.path(), Some(cache.path()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("ATT&CK enterprise-attack 20.0 is not in the cache"), "{stderr}");
    assert!(stderr.contains("ttpc attack fetch --domain enterprise-attack --version 20.0"), "{stderr}");
    // The release it already pins: nothing to do, the model unchanged.
    let (code, stdout, stderr) =
        run(&["migrate", "model-18.yaml", "--to", "18.1"], repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("already pins ATT&CK 18.1: nothing to do"), "{stderr}");
    assert_eq!(stdout, std::fs::read_to_string(repo.path().join("model-18.yaml")).expect("model"));
    // A model that does not check on its own release: its problems first.
    let broken = std::fs::read_to_string(repo.path().join("model-18.yaml"))
        .expect("model")
        .replace("Mini Impairer", "Mini Impairr");
    std::fs::write(repo.path().join("broken.yaml"), broken).expect("write");
    let (code, _, stderr) = run(&["migrate", "broken.yaml", "--to", "19.0"], repo.path(), Some(cache.path()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Mini Impairr"), "{stderr}");
    assert!(!stderr.contains("Moving"), "{stderr}");
    // Back to an older release: allowed, with what is lost or merged listed.
    let (_, migrated, _) =
        run(&["migrate", "model-18.yaml", "--to", "19.0"], repo.path(), Some(cache.path()));
    std::fs::write(repo.path().join("model-19.yaml"), migrated).expect("write");
    let (code, back, stderr) =
        run(&["migrate", "model-19.yaml", "--to", "18.1"], repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
    assert!(back.contains("    defense-evasion: 60%   # promised to the board\n"), "{back}");
    assert!(!back.contains("defense-impairment"), "{back}");
    assert!(stderr.contains("`defense-impairment` merges into `defense-evasion`"), "{stderr}");
    // One 19.0 ID standing for three 18.1 techniques becomes three entries.
    assert!(
        back.contains("    - T1562   # tamper protection alerts\n    - T1562.001\n    - T1562.006\n"),
        "{back}"
    );
    assert!(
        stderr.contains("targets.must_cover: T1685 → targets.must_cover: T1562, T1562.001, T1562.006"),
        "{stderr}"
    );
    std::fs::write(repo.path().join("back.yaml"), &back).expect("write");
    let (code, _, stderr) = run(&["check", "back.yaml"], repo.path(), Some(cache.path()));
    assert_eq!(code, 0, "{stderr}");
}

/// A v19-shaped stand-in derived from a v18 bundle by applying RELEASES.md's moves: TA0005
/// renamed Stealth, TA0112 Defense Impairment added after it, every revoked technique replaced by
/// a new object (`revoked-by` relationship, `uses` moved to it), T1686.003 new, Defense Evasion's
/// other techniques under Stealth. It is not MITRE's v19 (no such bundle can be downloaded here):
/// which tactic each new technique sits in beyond the T1562 family is a guess.
pub fn v19_stand_in(v18: &Value) -> Value {
    let mut bundle = v18.clone();
    let objects = bundle["objects"].as_array_mut().expect("objects");
    let ext = |o: &Value| -> Option<String> {
        o["external_references"].as_array()?.iter().find(|r| r["source_name"] == "mitre-attack")?["external_id"]
            .as_str()
            .map(str::to_owned)
    };
    let mut counter = 0u32;
    let mut fresh = |kind: &str| {
        counter += 1;
        format!("{kind}--00000000-0000-4000-8000-{counter:012}")
    };
    let template_rel = objects.iter().find(|o| o["type"] == "relationship").expect("relationships").clone();
    let relationship = |id: String, kind: &str, source: &Value, target: &Value| {
        let mut r = template_rel.clone();
        r["id"] = json!(id);
        r["relationship_type"] = json!(kind);
        r["source_ref"] = source.clone();
        r["target_ref"] = target.clone();
        r["revoked"] = json!(false);
        r["x_mitre_deprecated"] = json!(false);
        r
    };
    let mut added = Vec::new();
    // Tactics.
    let mut stealth_id = Value::Null;
    let mut impairment = Value::Null;
    for o in objects.iter_mut() {
        if o["type"] == "x-mitre-tactic" && ext(o).as_deref() == Some("TA0005") {
            o["name"] = json!("Stealth");
            o["x_mitre_shortname"] = json!("stealth");
            stealth_id = o["id"].clone();
            let mut new = o.clone();
            new["id"] = json!(fresh("x-mitre-tactic"));
            new["name"] = json!("Defense Impairment");
            new["x_mitre_shortname"] = json!("defense-impairment");
            new["external_references"] = json!([{"source_name": "mitre-attack", "external_id": "TA0112"}]);
            impairment = new.clone();
        }
    }
    for o in objects.iter_mut() {
        if o["type"] == "x-mitre-matrix" {
            let refs = o["tactic_refs"].as_array_mut().expect("tactic_refs");
            let at = refs.iter().position(|r| *r == stealth_id).expect("TA0005 in the matrix");
            refs.insert(at + 1, impairment["id"].clone());
        }
        if o["type"] == "attack-pattern" {
            for phase in o["kill_chain_phases"].as_array_mut().into_iter().flatten() {
                if phase["phase_name"] == "defense-evasion" {
                    phase["phase_name"] = json!("stealth");
                }
            }
        }
    }
    added.push(impairment);
    // Techniques: one new object per new ID, the old ones revoked by it.
    let mut new_ids: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    let by_ext: std::collections::HashMap<String, Value> = objects
        .iter()
        .filter(|o| o["type"] == "attack-pattern")
        .filter_map(|o| Some((ext(o)?, o.clone())))
        .collect();
    let mut revoked = std::collections::HashMap::new();
    for (old, new, name) in V19_MOVES.iter().map(|(o, n, name)| (Some(*o), *n, *name)).chain([(
        None,
        "T1686.003",
        "Windows Host Firewall",
    )]) {
        let Some(template) = old.and_then(|o| by_ext.get(o)).or_else(|| by_ext.get("T1562.004")) else {
            continue;
        };
        let object = new_ids.entry(new.to_owned()).or_insert_with(|| {
            let mut t = template.clone();
            t["id"] = json!(fresh("attack-pattern"));
            t["name"] = json!(name);
            t["external_references"] = json!([{"source_name": "mitre-attack", "external_id": new}]);
            t["x_mitre_is_subtechnique"] = json!(new.contains('.'));
            t["revoked"] = json!(false);
            let tactic = if new.starts_with("T1684") { "stealth" } else { "defense-impairment" };
            t["kill_chain_phases"] = json!([{"kill_chain_name": "mitre-attack", "phase_name": tactic}]);
            t
        });
        if let Some(old) = old.and_then(|o| by_ext.get(o)) {
            revoked.insert(old["id"].as_str().expect("id").to_owned(), object["id"].clone());
        }
    }
    for (id, object) in &new_ids {
        if let Some((parent, _)) = id.split_once('.')
            && let Some(p) = new_ids.get(parent)
        {
            added.push(relationship(fresh("relationship"), "subtechnique-of", &object["id"], &p["id"]));
        }
    }
    for o in objects.iter_mut() {
        let id = o["id"].as_str().unwrap_or_default().to_owned();
        if revoked.contains_key(&id) {
            o["revoked"] = json!(true);
        }
        if o["type"] == "relationship"
            && o["relationship_type"] == "uses"
            && let Some(new) = o["target_ref"].as_str().and_then(|t| revoked.get(t))
        {
            o["target_ref"] = new.clone();
        }
        if o["type"] == "relationship"
            && o["relationship_type"] == "subtechnique-of"
            && o["source_ref"].as_str().is_some_and(|s| revoked.contains_key(s))
        {
            o["revoked"] = json!(true);
        }
    }
    for (old, new) in &revoked {
        added.push(relationship(fresh("relationship"), "revoked-by", &json!(old), new));
    }
    added.extend(new_ids.into_values());
    objects.extend(added);
    bundle
}

#[test]
#[ignore = "needs the shared corpora"]
fn sigmahq_v19_tags_count_on_the_18_1_model() {
    let sigmahq = common::shared_file("corpora/sigmahq/rules");
    let bundle = common::shared_file("attack/enterprise-attack-18.1.json");
    let dir = tempfile::tempdir().expect("temp");
    let model = dir.path().join("model.yaml");
    std::fs::write(
        &model,
        format!(
            "ttpc: 1\nname: v19 content on 18.1\nassessed: \"2026-06-01\"\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\nactors:\n  - {{ref: FIN7}}\n  - {{ref: APT38}}\n  - {{ref: Lazarus Group}}\nrules:\n  - {{kind: sigma, path: \"{}\", name: SigmaHQ}}\ncoverage: {{count_status: [stable, test, experimental], parent_covers_subtechniques: false}}\n",
            sigmahq.display()
        ),
    )
    .expect("model");
    let out = dir.path().join("out");
    let (code, _, stderr) = run(
        &[
            "compile",
            "--allow-outside",
            model.to_str().expect("UTF-8"),
            "--attack-data",
            bundle.to_str().expect("UTF-8"),
            "--as-of",
            "2026-06-01",
            "-o",
            out.to_str().expect("UTF-8"),
        ],
        dir.path(),
        None,
    );
    assert!(code == 0 || code == 1, "{stderr}");
    let a: Assessment =
        serde_json::from_slice(&std::fs::read(out.join("assessment.json")).expect("assessment"))
            .expect("JSON");
    let translated_to: BTreeSet<&str> =
        a.translated_mappings.iter().flat_map(|m| m.replacements.iter().map(String::as_str)).collect();
    for id in ["T1562.001", "T1562.003", "T1562.004", "T1562.013", "T1070.001"] {
        assert!(translated_to.contains(id), "{id} is reached by a translated v19 tag");
        if let Some(s) = state(&a, id) {
            assert!(matches!(s, State::Partial | State::Strong), "{id} counts the v19-tagged rules: {s:?}");
        }
    }
    // At least one of them is in these actors' profiles, so the fix shows in the coverage.
    assert!(
        ["T1562.001", "T1562.004", "T1070.001"].iter().any(|id| state(&a, id).is_some()),
        "the actors use the Impair Defenses family"
    );
    let table: BTreeSet<&str> = V19_MOVES.iter().flat_map(|(o, n, _)| [*o, *n]).collect();
    for m in &a.unmapped {
        assert!(
            !(m.issue == "unknown" && table.contains(m.written.to_ascii_uppercase().as_str())),
            "{} reported unknown",
            m.written
        );
    }
    assert!(!a.translated_mappings.is_empty());
}

#[test]
#[ignore = "needs the shared corpora"]
fn migrate_the_financial_model_to_a_v19_stand_in_and_every_tactic_output_has_15_tactics() {
    let v18: Value = serde_json::from_slice(
        &std::fs::read(common::shared_file("attack/enterprise-attack-18.1.json")).expect("read"),
    )
    .expect("JSON");
    let scratch = tempfile::tempdir().expect("temp");
    let v19 = scratch.path().join("v19.json");
    std::fs::write(&v19, serde_json::to_vec(&v19_stand_in(&v18)).expect("JSON")).expect("write");
    let cache =
        cache_with(&[("18.1", &common::shared_file("attack/enterprise-attack-18.1.json")), ("19.0", &v19)]);
    // A copy of the repository's models/ and examples/ (the model names files in both).
    let repo = tempfile::tempdir().expect("temp");
    for folder in ["models", "examples"] {
        copy_tree(&common::root().join(folder), &repo.path().join(folder));
    }
    std::fs::create_dir(repo.path().join(".git")).expect("root");
    let (code, migrated, stderr) = run(
        &["migrate", "models/financial-services.yaml", "--to", "19.0", "--as-of", "2026-06-01"],
        repo.path(),
        Some(cache.path()),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(migrated.contains("tactics: {stealth: 40%, defense-impairment: 40%}"), "{migrated}");
    assert!(migrated.contains("- {ref: G0082, weight: 2}          # APT38"), "comments kept");
    assert!(stderr.contains("Actors (techniques before → after)"), "{stderr}");
    std::fs::write(repo.path().join("models/financial-19.yaml"), &migrated).expect("write");
    let out = repo.path().join("out19");
    let (code, _, stderr) = run(
        &["compile", "models/financial-19.yaml", "--as-of", "2026-06-01", "-o", out.to_str().expect("UTF-8")],
        repo.path(),
        Some(cache.path()),
    );
    assert!(code == 0 || code == 1, "{stderr}");
    let a: Assessment =
        serde_json::from_slice(&std::fs::read(out.join("assessment.json")).expect("assessment"))
            .expect("JSON");
    let order: Vec<&str> = a.tactics.iter().map(|t| t.shortname.as_str()).collect();
    assert_eq!(
        order,
        [
            "reconnaissance",
            "resource-development",
            "initial-access",
            "execution",
            "persistence",
            "privilege-escalation",
            "stealth",
            "defense-impairment",
            "credential-access",
            "discovery",
            "lateral-movement",
            "collection",
            "command-and-control",
            "exfiltration",
            "impact"
        ]
    );
    let report = std::fs::read_to_string(out.join("report.md")).expect("report");
    let svg = std::fs::read_to_string(out.join("matrix.svg")).unwrap_or_default();
    for name in ["Stealth", "Defense Impairment"] {
        assert!(report.contains(name), "report.md names {name}");
        if !svg.is_empty() {
            assert!(
                svg.contains(name) || svg.contains(&name.replace(' ', "&#32;")),
                "matrix.svg names {name}"
            );
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("dir") {
        let p = entry.expect("entry").path();
        let target = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

#[test]
#[ignore = "needs the shared corpora"]
fn ics_19_ids_translate_onto_ics_18_1() {
    use ttpc::attack::Domain;
    use ttpc::attack::releases::Foreign;
    use ttpc::attack::source::{Pin, load};
    let pin = Pin { domain: Some(Domain::IcsAttack), version: Some(String::from("18.1")) };
    let data = load(Some(&common::shared_file("attack/ics-attack-18.1.json")), &pin).expect("ICS 18.1");
    let kb = &data.kb;
    let ids = |written: &str| match kb.translate(written) {
        Some(Foreign::Translated { techniques, .. }) => {
            techniques.iter().map(|t| kb[*t].id.clone()).collect::<Vec<_>>()
        }
        other => panic!("{written}: {other:?}"),
    };
    assert_eq!(ids("T1691.001"), ["T0803"]);
    assert_eq!(ids("T1693.002"), ["T0839"]);
    // A new parent stands for everything its sub-techniques revoked.
    assert_eq!(ids("T1694"), ["T0812", "T0891"]);
    // A sub-technique 19.0 gave an existing technique counts for that technique.
    assert_eq!(ids("T0843.001"), ["T0843"]);
}

#[test]
fn technique_lookup_of_a_later_release_id_says_what_it_stands_for() {
    let bundle = mini("18.1");
    let (code, _, stderr) =
        run(&["technique", "t1686", "--attack-data", bundle.to_str().expect("UTF-8")], &common::root(), None);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("T1686 is an ID of ATT&CK 19.0; here it stands for T1562.004 Impair Defenses: Disable or Modify System Firewall"),
        "{stderr}"
    );
}

#[test]
fn acceptances_no_actor_uses_and_sources_mostly_excluded_get_a_note() {
    let repo = repo();
    let model = std::fs::read_to_string(repo.path().join("model-18.yaml"))
        .expect("model")
        .replace("{technique: T1070.001,", "{technique: T1070,")
        .replace(
            "coverage: {parent_covers_subtechniques: false}",
            "coverage: {count_status: [experimental], parent_covers_subtechniques: false}",
        );
    std::fs::write(repo.path().join("notes.yaml"), model).expect("write");
    let (code, _, stderr) = check(repo.path(), "notes.yaml", "18.1");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ttpc::model::unused_acceptance"), "{stderr}");
    assert!(
        stderr
            .contains("no actor of this model uses T1070 Indicator Removal; accepting it changes no figure"),
        "{stderr}"
    );
    assert!(stderr.contains("ttpc::rules::mostly_excluded"), "{stderr}");
    assert!(
        stderr
            .contains("5 of 5 rules of Sigma v19 do not count under the coverage policy (stable 3, test 2)"),
        "{stderr}"
    );
}

#[test]
fn must_cover_entries_that_name_one_technique_give_one_verdict() {
    let repo = repo();
    let model = model_19(repo.path()).replace("- T1562.006", "- T1685");
    std::fs::write(repo.path().join("twice.yaml"), model).expect("write");
    let (_, a, stderr) = compile(repo.path(), "twice.yaml", &mini("19.0"));
    // T1562.001 (revoked by T1685) and T1685 itself: one promise, one verdict.
    assert_eq!(a.targets.must_cover.iter().filter(|id| *id == "T1685").count(), 1, "{stderr}");
    let verdicts = a.verdicts.iter().filter(|v| v.target.starts_with("must cover T1685 ")).count();
    assert_eq!(verdicts, 1, "{:?}", a.verdicts.iter().map(|v| &v.target).collect::<Vec<_>>());
}
