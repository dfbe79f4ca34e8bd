//! Validation by adversary emulation: the plan per actor (Atomic Red Team tests in kill-chain
//! order), the results fed back, and what they prove about coverage.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SkipCount;

/// What emulation showed for a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ValidationState {
    /// Its tests ran and were detected.
    Validated,
    /// Its tests ran and nothing fired: mapped rules that did not work.
    Failed,
    /// Its tests ran and were detected in part.
    Partial,
    /// No result.
    Untested,
    /// Only results older than `validation.max_age_days`.
    Stale,
}

impl ValidationState {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationState::Validated => "validated",
            ValidationState::Failed => "failed validation",
            ValidationState::Partial => "partially validated",
            ValidationState::Untested => "untested",
            ValidationState::Stale => "stale results",
        }
    }
}

/// Emulation of one technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TechniqueValidation {
    /// The verdict of the recent results.
    pub state: ValidationState,
    /// Atomic tests available for it on the platforms in scope.
    pub atomic_tests: usize,
    /// Its results, newest first.
    pub results: Vec<ResultRef>,
}

/// One emulation result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResultRef {
    /// Test number or name, as recorded.
    pub test: Option<String>,
    /// Test GUID, as recorded.
    pub guid: Option<String>,
    /// When it ran (YYYY-MM-DD).
    pub date: String,
    /// What happened.
    pub detected: Detected,
    /// Notes.
    pub notes: String,
    /// Whether it is older than `validation.max_age_days`.
    pub stale: bool,
}

/// The emulation exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Emulation {
    /// The Atomic Red Team folder, when the model names one.
    pub atomics: Option<AtomicsAccount>,
    /// The results file, when the model names one.
    pub results: Option<String>,
    /// Results older than this are stale.
    pub max_age_days: u32,
    /// Validation in numbers.
    pub summary: ValidationSummary,
    /// One plan per actor, model order.
    pub actors: Vec<ActorEmulation>,
    /// Results that could not be used (unreadable rows, techniques the model does not contain).
    pub warnings: Vec<String>,
}

/// The atomics folder as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AtomicsAccount {
    /// Its path as the model writes it.
    pub path: String,
    /// Regular files met.
    pub files: usize,
    /// Technique files parsed.
    pub parsed_files: usize,
    /// Skipped files per reason.
    pub skipped: Vec<SkipCount>,
    /// Techniques with tests.
    pub techniques: usize,
    /// Tests in all.
    pub tests: usize,
    /// The git commit of the clone the folder belongs to, when it is one.
    #[serde(default)]
    pub commit: Option<String>,
    /// sha256 over the technique files: the version of the library the plan was made from.
    #[serde(default)]
    pub digest: String,
}

/// Validation in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ValidationSummary {
    /// Techniques covered on paper (covered, plus those that failed validation).
    pub covered_on_paper: usize,
    /// Of those, validated.
    pub validated: usize,
    /// Of those, failed.
    pub failed: usize,
    /// Of those, partially validated.
    pub partial: usize,
    /// Of those, with only stale results.
    pub stale: usize,
    /// Of those, untested.
    pub untested: usize,
    /// validated / covered on paper × 100, one decimal.
    pub percent: Option<f64>,
}

/// One actor's emulation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActorEmulation {
    /// The `ref` as written.
    pub reference: String,
    /// ATT&CK ID.
    pub id: String,
    /// ATT&CK name.
    pub name: String,
    /// Its in-scope techniques in kill-chain order.
    pub steps: Vec<EmulationStep>,
}

/// One technique of an emulation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EmulationStep {
    /// Technique ID.
    pub technique: String,
    /// Its name.
    pub name: String,
    /// The tactic it is exercised under (its first in matrix order).
    pub tactic: String,
    /// Whether it is covered today: the test validates a covered technique, else it exercises a gap.
    pub covered: bool,
    /// The atomic tests for it on the platforms in scope (none: "no atomic test").
    pub tests: Vec<AtomicTest>,
}

/// Whether the emulated technique was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Detected {
    /// An alert fired.
    Yes,
    /// Nothing fired.
    No,
    /// Something fired, but not enough (telemetry only, low fidelity, late).
    Partial,
}

/// One atomic test of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// The ability id Caldera's atomic plugin gives the test (`md5(json.dumps(test))`), when it
    /// imports one.
    #[serde(default)]
    pub caldera_ability: Option<String>,
}
