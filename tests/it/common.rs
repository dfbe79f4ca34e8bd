//! Helpers shared by the integration tests: the `ttpc` command with a clean environment, fixture
//! paths, and the shared corpora (found through `TTPC_SHARED`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under tests/fixtures.
pub fn fixture(relative: &str) -> PathBuf {
    root().join("tests/fixtures").join(relative)
}

/// The mini enterprise bundle, STIX 2.1 flavour.
pub fn mini21() -> PathBuf {
    fixture("attack/mini-enterprise-2.1.json")
}

/// The mini enterprise bundle, STIX 2.0 flavour.
pub fn mini20() -> PathBuf {
    fixture("attack/mini-enterprise-2.0.json")
}

/// `ttpc` with an environment that cannot leak the developer's setup into a test: no attack
/// data from the environment, an empty private cache folder with the index and rule caches off
/// (tests of the caches turn them on), no colour, a fixed width.
pub fn ttpc() -> Command {
    let mut cmd = Command::cargo_bin("ttpc").expect("the ttpc binary is built");
    cmd.env_remove("TTPC_ATTACK_DATA")
        .env_remove("TTPC_ATOMICS")
        .env("TTPC_CACHE", root().join("target/test-empty-cache"))
        .env("TTPC_NO_CACHE", "1")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .current_dir(root());
    cmd
}

/// The shared test data (`TTPC_SHARED`, default `../shared` beside the project root). Panics with
/// instructions when it is missing, so an ignored corpus test never passes vacuously.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("TTPC_SHARED").map(PathBuf::from).unwrap_or_else(|| root().join("../shared"));
    assert!(
        dir.join("attack").is_dir(),
        "the shared corpora are not at {} — set TTPC_SHARED to the folder holding attack/ and corpora/",
        dir.display()
    );
    // Absolute, so paths written into temporary models resolve from anywhere.
    dir.canonicalize().unwrap_or(dir)
}

/// A file of the shared test data.
pub fn shared_file(relative: &str) -> PathBuf {
    let path = shared().join(relative);
    assert!(path.exists(), "{} is missing from the shared corpora", path.display());
    path
}

/// Output of a command as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the process did not panic.
pub fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "ttpc panicked:\n{stderr}");
}

/// Relative path of a fixture as diagnostics print it (tests run from the project root).
pub fn shown(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// Checks a layer against the ATT&CK Navigator layer format as ttpc promises it: required fields,
/// layer 4.5, navigator ≥ 4.9.0, the domain and ATT&CK major version, no empty metadata values, and
/// every technique entry an existing technique with a non-empty tactic it belongs to.
pub fn check_navigator_layer(
    name: &str,
    bytes: &[u8],
    kb: &ttpc::attack::KnowledgeBase,
    domain: &str,
    major: &str,
) {
    let layer: serde_json::Value = serde_json::from_slice(bytes).expect("layer is JSON");
    for key in ["name", "versions", "domain", "techniques", "gradient", "legendItems", "metadata"] {
        assert!(layer.get(key).is_some(), "{name} lacks {key}");
    }
    assert_eq!(layer["versions"]["layer"], "4.5", "{name}");
    assert_eq!(layer["versions"]["attack"], major, "{name}");
    assert_eq!(layer["domain"], domain, "{name}");
    let navigator = layer["versions"]["navigator"].as_str().expect("navigator version");
    let parts: Vec<u32> = navigator.split('.').map(|p| p.parse().expect("number")).collect();
    assert!(parts >= vec![4, 9, 0], "{name}: navigator {navigator} is below 4.9.0");
    for m in layer["metadata"].as_array().expect("list") {
        assert!(!m["value"].as_str().unwrap_or_default().is_empty(), "{name}: empty metadata {m}");
    }
    let techniques = layer["techniques"].as_array().expect("list");
    assert!(!techniques.is_empty(), "{name} has techniques");
    for t in techniques {
        let id = t["techniqueID"].as_str().expect("techniqueID");
        let idx = kb.technique(id).unwrap_or_else(|| panic!("{name}: {id} is not in ATT&CK"));
        let tactic = t["tactic"].as_str().expect("tactic");
        assert!(!tactic.is_empty(), "{name}: {id} with an empty tactic");
        let tactics: Vec<&str> = kb[idx].tactics.iter().map(|x| kb[*x].shortname.as_str()).collect();
        assert!(tactics.contains(&tactic), "{name}: {id} is not in {tactic}");
        for m in t["metadata"].as_array().expect("list") {
            assert!(!m["value"].as_str().unwrap_or_default().is_empty(), "{name}: empty metadata on {id}");
        }
    }
}

/// Analyses and checks a fixture model (path under tests/fixtures) against the mini 2.1 bundle, after text
/// replacements in the model (each must match), as of a date `YYYY-MM-DD`.
pub fn assess_fixture(
    relative: &str,
    replacements: &[(&str, &str)],
    as_of: &str,
) -> ttpc::assessment::Assessment {
    let path = fixture(relative);
    let mut text = std::fs::read_to_string(&path).expect("fixture model");
    for (from, to) in replacements {
        assert!(text.contains(from), "the fixture model contains {from:?}");
        text = text.replace(from, to);
    }
    let model = ttpc::model::load_str(&path, text).expect("valid model");
    let data = ttpc::attack::source::load(Some(&mini21()), &ttpc::pipeline::pin_of(&model)).expect("data");
    let resolved = ttpc::resolve::resolve(model, data).expect("resolves");
    let as_of = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("date");
    let mut assessment = ttpc::analysis::analyse(&resolved, &ttpc::analysis::Options { as_of });
    ttpc::check::check(&mut assessment, None);
    assessment
}

/// The real enterprise 18.1 knowledge base, parsed once for the whole test binary.
pub fn kb18() -> &'static ttpc::attack::KnowledgeBase {
    static KB: std::sync::OnceLock<ttpc::attack::KnowledgeBase> = std::sync::OnceLock::new();
    KB.get_or_init(|| {
        ttpc::attack::KnowledgeBase::load(&shared_file("attack/enterprise-attack-18.1.json"))
            .expect("enterprise 18.1 loads")
    })
}

/// The peak memory ttpc reported under `TTPC_TIMINGS=1` (its `timing: peak memory: N KiB` line),
/// in MiB; `None` where the system does not report it. Measured by the process itself, so it
/// needs neither GNU time nor a quiet machine, and tests running in parallel do not disturb it.
pub fn peak_memory_mib(stderr: &str) -> Option<f64> {
    let line = stderr.lines().rev().find(|l| l.starts_with("timing: peak memory: "))?;
    let kib: f64 = line.trim_start_matches("timing: peak memory: ").trim_end_matches(" KiB").parse().ok()?;
    Some(kib / 1024.0)
}

/// Compiles `model` against the mini 2.1 bundle into `out`, expecting the input to be refused:
/// no panic, exit 2; returns standard error.
pub fn refused_compile(model: &Path, out: &Path, what: &str) -> String {
    let run = ttpc()
        .args(["compile", "--attack-data"])
        .arg(mini21())
        .arg("-o")
        .arg(out)
        .arg(model)
        .output()
        .expect("runs");
    let stderr = text(&run.stderr);
    assert_no_panic(&stderr);
    assert_eq!(run.status.code(), Some(2), "{what}: {stderr}");
    stderr
}
