//! The third-party tools the outputs are checked with, set up once and cached under
//! `target/test-tools/`: a Python virtual environment (mitreattack-python, PyYAML) and a Node
//! folder (ajv, ajv-formats). `.ci/run` installs the system packages they need (python3-venv,
//! nodejs, npm) the way it installs Chromium.
//!
//! As with the browser test: when python3, its venv module, node or npm is missing, or the
//! package registry cannot be reached, the test prints one line to stderr saying what to install
//! and passes — except under `CI=true`, where it fails.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use crate::common;

/// Serialises the set-up of one tool folder between the tests that use it.
static SETUP: Mutex<()> = Mutex::new(());

fn tools_dir() -> PathBuf {
    common::root().join("target/test-tools")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (one visible line) or, under `CI=true`, fails.
fn skip(test: &str, why: &str) {
    assert!(!in_ci(), "CI=true and {test} cannot run: {why}");
    let line = format!("SKIPPED {test}: {why}\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().is_ok_and(|o| o.status.success())
}

/// A Python interpreter of a virtual environment holding `packages` (pip requirement strings),
/// created and cached under `target/test-tools/<name>/`; `None` when it cannot be set up here.
pub fn python(test: &str, name: &str, packages: &[&str]) -> Option<PathBuf> {
    let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let venv = tools_dir().join(name);
    let python = venv.join("bin/python");
    let stamp = venv.join("ttpc-installed.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.is_file() {
        return Some(python);
    }
    if !runs("python3", &["-c", "import venv, ensurepip"]) {
        skip(test, "no python3 with venv and ensurepip: install python3 and python3-venv");
        return None;
    }
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::create_dir_all(tools_dir()).expect("target/test-tools");
    if !runs("python3", &["-m", "venv", &venv.to_string_lossy()]) {
        skip(test, "`python3 -m venv` failed: install python3-venv");
        return None;
    }
    let out = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .args(packages)
        .output()
        .expect("pip runs");
    if !out.status.success() {
        skip(
            test,
            &format!(
                "pip could not install {} (is PyPI reachable?): install them into {}",
                packages.join(" "),
                venv.display()
            ),
        );
        let _ = std::fs::remove_dir_all(&venv);
        return None;
    }
    std::fs::write(&stamp, wanted).expect("stamp");
    Some(python)
}

/// A folder whose `node_modules` holds `packages` (npm specs), cached under
/// `target/test-tools/<name>/`, and the `node` to run scripts there with.
pub fn node(test: &str, name: &str, packages: &[&str]) -> Option<PathBuf> {
    let _guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools_dir().join(name);
    let stamp = dir.join("ttpc-installed.txt");
    let wanted = packages.join("\n");
    if !runs("node", &["--version"]) || !runs("npm", &["--version"]) {
        skip(test, "no node or npm: install nodejs and npm");
        return None;
    }
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Some(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tool folder");
    std::fs::write(dir.join("package.json"), "{\"private\": true}\n").expect("package.json");
    let out = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund"])
        .args(packages)
        .current_dir(&dir)
        .output()
        .expect("npm runs");
    if !out.status.success() {
        skip(test, &format!("npm could not install {} (is the npm registry reachable?)", packages.join(" ")));
        let _ = std::fs::remove_dir_all(&dir);
        return None;
    }
    std::fs::write(&stamp, wanted).expect("stamp");
    Some(dir)
}

/// Runs a program; panics with its output when it fails, else returns its stdout.
pub fn run(mut command: Command) -> String {
    let out = command.output().expect("runs");
    let stdout = common::text(&out.stdout);
    let stderr = common::text(&out.stderr);
    assert!(out.status.success(), "{command:?} failed:\n{stdout}\n{stderr}");
    stdout
}
