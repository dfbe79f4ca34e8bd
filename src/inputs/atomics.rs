//! The Atomic Red Team library: one `atomics/T*/T*.yaml` per technique (`attack_technique`,
//! `display_name`, `atomic_tests` with `name`, `auto_generated_guid`, `supported_platforms`,
//! `executor` and `dependencies`). Every file under the folder is accounted for; index files,
//! CSVs and layers beside the technique files are skipped as such.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Skip;
use super::scalar::{Scalar, Scalars};
use super::walk::{SkippedFile, SourceError, walk};

/// One technique's tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtomicTechnique {
    /// `attack_technique` as written.
    pub technique: String,
    /// `display_name`.
    pub display_name: String,
    /// The tests, in file order.
    pub tests: Vec<AtomicTest>,
    /// The file, relative to the atomics folder.
    pub path: PathBuf,
    /// sha256 of the file's bytes (for the library's digest).
    pub sha256: String,
    /// What was read leniently, e.g. `line 9: duplicate key `name` (also on line 4); ...`.
    pub warnings: Vec<String>,
}

/// One atomic test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtomicTest {
    /// Its number in the file, from 1 (what `Invoke-AtomicTest -TestNumbers` takes).
    pub number: usize,
    /// Its name.
    pub name: String,
    /// `auto_generated_guid`.
    pub guid: Option<String>,
    /// `supported_platforms`, as Atomic Red Team names them (`windows`, `iaas:aws`, ...).
    pub platforms: Vec<String>,
    /// `executor.name` (`powershell`, `command_prompt`, `sh`, `bash`, `manual`).
    pub executor: String,
    /// `executor.elevation_required`.
    pub elevation_required: bool,
    /// Whether it has `dependencies` (run `-GetPrereqs` first).
    pub has_prerequisites: bool,
    /// The id Caldera's atomic plugin gives the ability it imports from this test (see
    /// [`super::caldera_id`]); `None` when it imports none or the id is uncertain.
    pub caldera_ability: Option<String>,
}

/// What an atomics folder yielded.
#[derive(Debug, Clone)]
pub struct AtomicsReport {
    /// The folder as the model names it.
    pub path: PathBuf,
    /// Regular files met.
    pub files: usize,
    /// Technique files parsed.
    pub parsed_files: usize,
    /// Files skipped, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// The techniques, in file order.
    pub techniques: Vec<AtomicTechnique>,
    /// The git commit of the clone the folder belongs to (`atomics/../.git`), when it is one.
    pub commit: Option<String>,
    /// sha256 over the technique files (`sha256  path` lines, sorted by path): which version of
    /// the library the plan was made from, clone or not.
    pub digest: String,
}

impl AtomicsReport {
    /// The tests for a technique ID (any case).
    pub fn tests_for(&self, id: &str) -> &[AtomicTest] {
        self.techniques
            .iter()
            .find(|t| t.technique.eq_ignore_ascii_case(id))
            .map(|t| t.tests.as_slice())
            .unwrap_or(&[])
    }
}

#[derive(Debug, Deserialize)]
struct FileDoc {
    #[serde(default)]
    attack_technique: Option<Scalars>,
    #[serde(default)]
    display_name: Option<Scalar>,
    #[serde(default)]
    atomic_tests: Option<Vec<TestDoc>>,
}

#[derive(Debug, Deserialize)]
struct TestDoc {
    #[serde(default)]
    name: Option<Scalar>,
    #[serde(default)]
    auto_generated_guid: Option<Scalar>,
    #[serde(default)]
    supported_platforms: Option<Scalars>,
    #[serde(default)]
    executor: Option<ExecutorDoc>,
    #[serde(default)]
    dependencies: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Debug, Deserialize)]
struct ExecutorDoc {
    #[serde(default)]
    name: Option<Scalar>,
    #[serde(default)]
    elevation_required: Option<Scalar>,
}

/// Whether a file is a technique file: `T1234.yaml` or `T1234.001.yaml`.
fn is_technique_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml"));
    stem.is_some_and(super::looks_like_technique)
}

/// Loads an atomics folder (or one technique file).
pub fn load_atomics(path: &Path) -> Result<AtomicsReport, SourceError> {
    let walked = walk(
        path,
        |file| {
            (!is_technique_file(file)).then(|| Skip::not_a_rule("not an atomic technique file (T*/T*.yaml)"))
        },
        |_, text| parse(text),
    )?;
    let mut report = AtomicsReport {
        path: path.to_owned(),
        files: walked.files,
        parsed_files: walked.parsed.len(),
        skipped: walked.skipped,
        techniques: Vec::new(),
        commit: git_commit(path),
        digest: String::new(),
    };
    for (relative, mut technique) in walked.parsed {
        technique.path = relative;
        report.techniques.push(technique);
    }
    let mut lines: Vec<String> = report
        .techniques
        .iter()
        .map(|t| format!("{}  {}\n", t.sha256, t.path.to_string_lossy().replace('\\', "/")))
        .collect();
    lines.sort();
    report.digest = crate::io::sha256_hex(lines.concat().as_bytes());
    Ok(report)
}

/// Parses one technique file.
pub fn parse(text: &str) -> Result<AtomicTechnique, Skip> {
    super::text::yaml_guard(text)?;
    let original = text;
    let (text, warnings) = crate::yaml::lenient(text);
    let text = text.as_ref();
    let doc: FileDoc = serde_yaml::from_str(text).map_err(|e| Skip::syntax(super::text::yaml_error(&e)))?;
    let technique = doc
        .attack_technique
        .and_then(|t| t.0.into_iter().map(|s| s.trim().to_owned()).find(|s| !s.is_empty()))
        .ok_or_else(|| Skip::not_a_rule("YAML without `attack_technique`"))?;
    let caldera = super::caldera_id::ability_ids(text);
    let tests = doc
        .atomic_tests
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let executor = t.executor.as_ref();
            AtomicTest {
                number: i + 1,
                name: t.name.as_ref().and_then(|n| n.text()).unwrap_or("(unnamed test)").to_owned(),
                guid: t.auto_generated_guid.as_ref().and_then(|g| g.text()).map(str::to_owned),
                platforms: t
                    .supported_platforms
                    .map(|p| p.0.into_iter().map(|s| s.trim().to_ascii_lowercase()).collect())
                    .unwrap_or_default(),
                executor: executor
                    .and_then(|e| e.name.as_ref())
                    .and_then(|n| n.text())
                    .unwrap_or("manual")
                    .to_owned(),
                elevation_required: executor
                    .and_then(|e| e.elevation_required.as_ref())
                    .and_then(|v| v.text())
                    .is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes")),
                has_prerequisites: t.dependencies.is_some_and(|d| !d.is_empty()),
                caldera_ability: caldera.get(i).cloned().flatten(),
            }
        })
        .collect();
    Ok(AtomicTechnique {
        technique,
        display_name: doc.display_name.as_ref().and_then(|d| d.text()).unwrap_or_default().to_owned(),
        tests,
        path: PathBuf::new(),
        sha256: crate::io::sha256_hex(original.as_bytes()),
        warnings,
    })
}

/// The commit checked out in the clone holding an `atomics` folder: `atomics/../.git/HEAD`,
/// followed through a ref (loose or packed). Only the folder's own parent is looked at, so a
/// library copied into another repository does not take that repository's commit.
fn git_commit(atomics: &Path) -> Option<String> {
    let git = atomics.parent()?.join(".git");
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let commit = match head.strip_prefix("ref: ") {
        None => head.to_owned(),
        Some(name) => match std::fs::read_to_string(git.join(name)) {
            Ok(id) => id.trim().to_owned(),
            Err(_) => std::fs::read_to_string(git.join("packed-refs"))
                .ok()?
                .lines()
                .find_map(|l| l.strip_suffix(name).map(|id| id.trim().to_owned()))?,
        },
    };
    (commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())).then_some(commit)
}

/// The Atomic Red Team platform names (`supported_platforms`) an ATT&CK platform stands for.
pub fn atomic_platforms(attack_platform: &str) -> &'static [&'static str] {
    match attack_platform.to_ascii_lowercase().as_str() {
        "windows" => &["windows"],
        "linux" => &["linux"],
        "macos" => &["macos"],
        "iaas" => &["iaas", "iaas:aws", "iaas:azure", "iaas:gcp"],
        "identity provider" => &["azure-ad"],
        "office suite" | "office 365" => &["office-365"],
        "saas" => &["google-workspace", "office-365"],
        "containers" => &["containers"],
        "esxi" => &["esxi"],
        _ => &[],
    }
}
