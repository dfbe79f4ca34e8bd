//! The telemetry part of the assessment: which rules could not count and why (blind, hunting,
//! below the counted levels), and what the collected telemetry lets the organisation see (the
//! "visible, not detected" techniques and the quick wins among them).
//!
//! Present only when the model lists `telemetry` or opts into a counting rule that needs it
//! (`require_telemetry`, `count_levels`, `count_hunting: false`, `telemetry_map`): without them
//! the assessment is what it was before, byte for byte.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the model collects and what that means for its rules and techniques.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TelemetryAccount {
    /// The model's `telemetry`, as written.
    pub collected: Vec<String>,
    /// Whether blind rules are left out (`coverage.require_telemetry`).
    pub require_telemetry: bool,
    /// Levels that count (`coverage.count_levels`), lowest first; `None`: every level.
    #[serde(default)]
    pub count_levels: Option<Vec<String>>,
    /// Whether hunting rules count as detection (`coverage.count_hunting`).
    pub count_hunting: bool,
    /// Actor techniques that are gaps although every log source of their ATT&CK analytics is
    /// collected: visible, not detected.
    pub visible_not_detected: usize,
    /// Those gaps, highest priority first: a detection can be written on data already there.
    pub quick_wins: Vec<QuickWin>,
    /// Gaps of the actors with a hunting rule mapped but no counted rule (`T1566.001 Spearphishing
    /// Attachment`): hunting coverage, not detection.
    #[serde(default)]
    pub hunting_only: Vec<String>,
    /// Rules whose declared telemetry is known and not collected, with what to collect.
    pub blind_rules: Vec<BlindRule>,
    /// Declared telemetry ttpc could not map onto a log-source name, per source: those rules
    /// count (nothing is excluded on a guess); a `telemetry_map` entry makes them judged.
    pub unknown: Vec<UnknownTelemetry>,
    /// Per rule source, how many rules each rule of the policy left out.
    pub sources: Vec<SourceExclusions>,
}

/// How much of what ATT&CK's analytics read for a technique the model collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Every log source (or data component) of its analytics is collected.
    Visible,
    /// Some are.
    Partial,
    /// None are.
    NotVisible,
    /// ATT&CK names no analytic or data component for it.
    Unknown,
}

impl Visibility {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Partial => "partly visible",
            Visibility::NotVisible => "not visible",
            Visibility::Unknown => "unknown",
        }
    }
}

/// A gap whose data is already collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuickWin {
    /// Technique ID.
    pub technique: String,
    /// Its name.
    pub name: String,
    /// Its priority score, when it is an actor's gap.
    #[serde(default)]
    pub priority: Option<u32>,
    /// The log sources its analytics read, all collected.
    pub log_sources: Vec<String>,
    /// Rules mapped to it that do not count (blind, hunting, level), by title.
    #[serde(default)]
    pub excluded_rules: Vec<String>,
}

/// A rule that cannot fire on the telemetry collected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct BlindRule {
    /// The source's name.
    pub source: String,
    /// The rule's ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it is.
    pub place: String,
    /// What it declares (`sigma:windows/sysmon`).
    pub declares: Vec<String>,
    /// What to collect for it to fire: any one of these.
    pub collect: Vec<String>,
    /// The techniques it maps to (current IDs).
    pub techniques: Vec<String>,
    /// Whether it is left out of coverage (`require_telemetry`) or only reported.
    pub excluded: bool,
}

/// Declared telemetry that maps to no known log source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct UnknownTelemetry {
    /// The source's name.
    pub source: String,
    /// The declaration (`sigma:windows/bits-client`).
    pub declared: String,
    /// How many rules declare it (and nothing collected besides).
    pub rules: usize,
}

/// What the coverage policy left out of one rule source, reason by reason (a rule left out for
/// two reasons counts under both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceExclusions {
    /// The source's name.
    pub source: String,
    /// Rules found.
    pub rules: usize,
    /// Rules that count.
    pub counted: usize,
    /// Left out by `count_status` (or deprecated/unsupported by default).
    pub status: usize,
    /// Left out as disabled.
    pub disabled: usize,
    /// Left out by `count_levels`.
    pub level: usize,
    /// Hunting rules (left out unless `count_hunting`).
    pub hunting: usize,
    /// Blind: declared telemetry known and not collected (left out under `require_telemetry`).
    pub blind: usize,
    /// Declared telemetry that maps to nothing known (counted).
    pub unknown_telemetry: usize,
    /// No declared telemetry (counted).
    pub undeclared: usize,
}

/// A rule mapped to a technique that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ExcludedRule {
    /// The source's name.
    pub source: String,
    /// The rule's ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it is.
    pub place: String,
    /// Why it does not count: `status deprecated`, `disabled`, `level low`, `hunting`,
    /// `blind: collect WinEventLog:Sysmon`.
    pub reasons: Vec<String>,
}
