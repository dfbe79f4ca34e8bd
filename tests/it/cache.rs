//! The caches: the knowledge-base index and the rule-source cache are rebuilt, never trusted,
//! when the bundle or a rule file changed, when the cache file is corrupt, and when another ttpc
//! version wrote it. Plus batch compiles sharing them.

use crate::common;

use std::path::Path;

use crate::common::{mini20, mini21, text, ttpc};
use ttpc::model::RuleKind;

fn technique_json(cache: &Path, bundle: &Path) -> serde_json::Value {
    let out = ttpc()
        .env_remove("TTPC_NO_CACHE")
        .env("TTPC_CACHE", cache)
        .args(["technique", "T1003.006", "--format", "json", "--attack-data"])
        .arg(bundle)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn kb_files(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(cache.join("kb"))
        .expect("kb cache folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_index_cache_is_used_and_follows_a_changed_bundle() {
    let cache = tempfile::tempdir().expect("temp");
    let dir = tempfile::tempdir().expect("temp");
    let bundle = dir.path().join("bundle.json");
    std::fs::copy(mini21(), &bundle).expect("copy");
    let cold = technique_json(cache.path(), &bundle);
    assert_eq!(kb_files(cache.path()).len(), 1, "the index is cached");
    assert_eq!(technique_json(cache.path(), &bundle), cold, "a warm run answers the same");
    assert_eq!(cold["detection_strategies"][0]["id"], "DET0003");

    // Same path, other content: the v17-style bundle has data components instead.
    std::fs::copy(mini20(), &bundle).expect("overwrite");
    let changed = technique_json(cache.path(), &bundle);
    assert_eq!(changed["detection_strategies"], serde_json::json!([]));
    assert_eq!(changed["data_components"][0], "Active Directory: Active Directory Object Access");
    assert_eq!(kb_files(cache.path()).len(), 2, "one index per bundle content");
}

#[test]
fn a_corrupt_or_foreign_index_is_ignored_and_rebuilt() {
    let cache = tempfile::tempdir().expect("temp");
    let expected = technique_json(cache.path(), &mini21());
    let file = kb_files(cache.path()).pop().expect("cached index");
    let intact = std::fs::read(&file).expect("read");
    // The index is read back as it was written: a second run leaves it as it is.
    assert_eq!(technique_json(cache.path(), &mini21()), expected);
    assert_eq!(std::fs::read(&file).expect("read"), intact);

    // Flip bytes in the payload: the answer is the same, and the index is rebuilt.
    let mut bytes = intact.clone();
    let n = bytes.len();
    for b in &mut bytes[n - 64..] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).expect("corrupt");
    assert_eq!(technique_json(cache.path(), &mini21()), expected);
    assert_eq!(std::fs::read(&file).expect("read"), intact, "corruption is detected and the index rebuilt");

    // A file of another build at the same place is not trusted either.
    std::fs::write(&file, with_version(&intact, "9.9.9")).expect("write foreign");
    assert_eq!(technique_json(cache.path(), &mini21()), expected);
    assert_eq!(std::fs::read(&file).expect("read"), intact, "another build's index is rebuilt");

    // Truncated to nothing.
    std::fs::write(&file, b"").expect("truncate");
    assert_eq!(technique_json(cache.path(), &mini21()), expected);
    assert_eq!(std::fs::read(&file).expect("read"), intact);
}

/// A cache file as another build of ttpc would have written it: the same bytes with another
/// build in the header (magic, then a length-prefixed build: the version and the executable's
/// stamp).
fn with_version(bytes: &[u8], version: &str) -> Vec<u8> {
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let build = String::from_utf8_lossy(&bytes[10..10 + len]);
    assert!(
        build.starts_with(concat!(env!("CARGO_PKG_VERSION"), "+")),
        "the header carries the build: {build}"
    );
    let mut out = bytes[..8].to_vec();
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(&bytes[10 + len..]);
    out
}

fn copy_rules(to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(common::fixture("compile/rules")).expect("dir").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

fn load(root: &Path, source: &Path) -> (ttpc::rules::SourceReport, ttpc::cache::files::CacheStats) {
    ttpc::rules::source::load_with(RuleKind::Sigma, source, Some(root)).expect("loads")
}

#[test]
fn the_rule_cache_reparses_only_what_changed() {
    let cache = tempfile::tempdir().expect("temp");
    let dir = tempfile::tempdir().expect("temp");
    let source = dir.path().join("rules");
    copy_rules(&source);
    let (cold, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.reused), (7, 0));
    let (warm, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.reused), (0, 7));
    assert_eq!(warm.rules, cold.rules, "the cache gives back exactly what parsing gave");

    // A pull request edits one rule.
    let edited = source.join("r4.yml");
    let text = std::fs::read_to_string(&edited).expect("read").replace("attack.t1021", "attack.t1021.002");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&edited, text).expect("edit");
    let (after, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.reused), (1, 6));
    let r4 = after.rules.iter().find(|r| r.id == "compile-r4").expect("r4");
    assert_eq!(r4.techniques, ["t1021.002"]);

    // A checkout touches a file without changing it: its content hash decides.
    let touched = std::fs::File::options().append(true).open(source.join("r1.yml")).expect("open");
    touched.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).expect("touch");
    let (_, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.rehashed, stats.reused), (0, 1, 6));

    // A deleted rule disappears, and the cache file is rewritten without it.
    std::fs::remove_file(source.join("r7.yml")).expect("rm");
    let (gone, _) = load(cache.path(), &source);
    assert_eq!(gone.rules.len(), 6);
    let (_, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.reused), (0, 6));
}

#[test]
fn a_corrupt_or_foreign_rule_cache_is_ignored() {
    let cache = tempfile::tempdir().expect("temp");
    let dir = tempfile::tempdir().expect("temp");
    let source = dir.path().join("rules");
    copy_rules(&source);
    let (cold, _) = load(cache.path(), &source);
    let (file, _) = ttpc::cache::files::location(cache.path(), "sigma", &source);
    assert!(file.is_file());

    std::fs::write(&file, b"\xff\xfe not postcard").expect("corrupt");
    let (after, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, after.rules == cold.rules), (7, true));

    // Another ttpc version's cache (same layout, other version string) is not used.
    let (_, stats) = load(cache.path(), &source);
    assert_eq!((stats.parsed, stats.reused), (0, 7), "the corrupt file was rewritten");
    let foreign = with_version(&std::fs::read(&file).expect("read"), "9.9.9");
    std::fs::write(&file, foreign).expect("write");
    let (_, stats) = load(cache.path(), &source);
    assert_eq!(stats.parsed, 7);
}

#[test]
fn a_batch_compiles_every_model_and_exits_with_the_worst_code() {
    let out = tempfile::tempdir().expect("temp");
    let cache = tempfile::tempdir().expect("temp");
    let output = ttpc()
        .env_remove("TTPC_NO_CACHE")
        .env("TTPC_CACHE", cache.path())
        .args([
            "compile",
            "tests/fixtures/models/mini.yaml",
            "tests/fixtures/compile/model.yaml",
            "tests/fixtures/models/with-rules.yaml",
        ])
        .args(["--as-of", "2026-03-15", "-o"])
        .arg(out.path())
        .arg("--attack-data")
        .arg(mini21())
        .output()
        .expect("runs");
    let stdout = text(&output.stdout);
    // model.yaml fails its targets (exit 1); the others hold.
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("✗ tests/fixtures/compile/model.yaml: coverage 36.4% (4/11)"), "{stdout}");
    assert!(stdout.contains("✓ tests/fixtures/models/with-rules.yaml"), "{stdout}");
    for name in ["mini", "model", "with-rules"] {
        assert!(out.path().join(name).join("assessment.json").is_file(), "{name} written");
    }
    // The same model compiled alone writes the same assessment.
    let single = tempfile::tempdir().expect("temp");
    ttpc()
        .env_remove("TTPC_NO_CACHE")
        .env("TTPC_CACHE", cache.path())
        .args(["compile", "tests/fixtures/compile/model.yaml", "--as-of", "2026-03-15", "-o"])
        .arg(single.path())
        .arg("--attack-data")
        .arg(mini21())
        .output()
        .expect("runs");
    assert_eq!(
        std::fs::read(single.path().join("assessment.json")).expect("single"),
        std::fs::read(out.path().join("model/assessment.json")).expect("batch")
    );
}
