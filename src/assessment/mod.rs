//! The `Assessment`: everything one compile of a threat model found, as one serde type.
//!
//! It is the JSON output (`assessment.json`), the context every template renders, and the
//! baseline the next run compares against, so it is plain data: documented fields, no I/O, no
//! references into the knowledge base, lists sorted so that two runs on the same inputs serialise
//! byte for byte the same. Its JSON Schema is `schema/assessment.schema.json`.

mod comparison;
mod controls;
mod drift;
mod emulation;
pub mod fleet;
mod matrix;
mod number;
mod telemetry;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use comparison::*;
pub use controls::*;
pub use drift::*;
pub use emulation::*;
pub use matrix::*;
pub use number::{percent, percent_text, trim_number};
pub use telemetry::*;

/// The result of compiling a threat model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// Version of the assessment format (bumped when fields change meaning).
    pub format: u32,
    /// The model assessed.
    pub model: ModelInfo,
    /// The rules of the game: how coverage was computed. Printed in every report.
    pub semantics: Semantics,
    /// The union of all actors' techniques.
    pub overall: Coverage,
    /// One entry per actor, in model order.
    pub actors: Vec<ActorAssessment>,
    /// Coverage per tactic, in matrix order (every tactic of the matrix).
    pub tactics: Vec<TacticCoverage>,
    /// Every technique the assessment looked at (actor techniques, must-cover and accepted
    /// techniques), by ID.
    pub techniques: Vec<TechniqueAssessment>,
    /// Gaps, highest priority first.
    pub gaps: Vec<String>,
    /// The remediation plan.
    pub plan: Plan,
    /// The model's promises, resolved against ATT&CK: what the verdicts judge.
    #[serde(default)]
    pub targets: Targets,
    /// Target verdicts, in model order.
    pub verdicts: Vec<Verdict>,
    /// Rules per technique over the whole matrix (counted rules only), by ID: the coverage layer.
    pub rule_coverage: Vec<RuleCount>,
    /// The rule sources and what each yielded.
    pub sources: Vec<SourceAccount>,
    /// Rules whose technique IDs are revoked in ATT&CK (counted for the replacement).
    pub stale_mappings: Vec<SourceMapping>,
    /// Rules whose technique IDs belong to another ATT&CK release, translated onto this one
    /// (counted for the translation).
    #[serde(default)]
    pub translated_mappings: Vec<SourceMapping>,
    /// Rules whose technique IDs are deprecated, new in a later release without an equivalent, or
    /// unknown in this ATT&CK version (not counted).
    pub unmapped: Vec<SourceMapping>,
    /// Risk acceptances and their state.
    pub accepted: Vec<Acceptance>,
    /// Adversary emulation: the plan and the results, when the model has a `validation` section.
    pub emulation: Option<Emulation>,
    /// The whole ATT&CK matrix of the model's domain, every cell with its state: what the SVG
    /// heat map and the HTML report draw.
    pub matrix: Vec<MatrixColumn>,
    /// Where file sources and the live sources they are deployed as (`deployed_as`) disagree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
    /// Blind, hunting and level-excluded rules and what the collected telemetry makes visible;
    /// present when the model lists telemetry or uses a policy that needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetryAccount>,
    /// The model's security-control mapping sources and what each contributed (with
    /// `mappings-explorer` sources only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<ControlSource>,
}

/// The current assessment format.
pub const FORMAT: u32 = 1;

/// What was assessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelInfo {
    /// The model's name.
    pub name: String,
    /// Its owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// The assessment date (YYYY-MM-DD).
    #[serde(default)]
    pub assessed: Option<String>,
    /// The model file's name.
    pub file: String,
    /// ATT&CK domain.
    pub domain: String,
    /// ATT&CK version of the data used.
    pub attack_version: String,
    /// ATT&CK major version, as Navigator layers want it.
    pub attack_major: String,
    /// The matrix's name (`Enterprise ATT&CK`).
    pub matrix: String,
}

/// How coverage was computed, stated in every report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Semantics {
    /// Platforms in scope (empty: all).
    pub scope_platforms: Vec<String>,
    /// Rule statuses that count (`None`: all but deprecated and unsupported).
    #[serde(default)]
    pub count_status: Option<Vec<String>>,
    /// Whether disabled rules count.
    pub count_disabled: bool,
    /// Rules needed for strong coverage.
    pub strong_at: u32,
    /// Whether a rule on a parent technique covers its sub-techniques.
    pub parent_covers_subtechniques: bool,
    /// What the "<-- Priority gap" mark of a tactic means in this model (also among the
    /// statements).
    pub priority_gap: String,
    /// The statements themselves, one sentence each, for reports.
    pub statements: Vec<String>,
}

/// Coverage of a set of techniques.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// Techniques assessed: covered + gaps (accepted and out-of-scope ones excluded).
    pub techniques: usize,
    /// Techniques with at least one counted rule.
    pub covered: usize,
    /// Covered techniques with at least `strong_at` rules.
    pub strong: usize,
    /// Covered techniques below `strong_at`.
    pub partial: usize,
    /// Techniques without a counted rule.
    pub gaps: usize,
    /// Techniques whose risk is accepted (and not expired).
    pub accepted: usize,
    /// Techniques that apply to none of the platforms in scope.
    pub out_of_scope: usize,
    /// covered / techniques × 100, one decimal; `None` when nothing is assessed.
    #[serde(default)]
    pub percent: Option<f64>,
    /// Protected, and detected or protected (with `mappings-explorer` sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<Protection>,
}

/// One actor's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActorAssessment {
    /// The `ref` as written in the model.
    pub reference: String,
    /// ATT&CK ID.
    pub id: String,
    /// ATT&CK name.
    pub name: String,
    /// `group`, `campaign` or `software`; for an actor of the model's intelligence
    /// `intrusion-set` or `navigator-layer`; `custom` for the team's own.
    pub kind: String,
    /// Where an actor beyond ATT&CK comes from (`stix intel/unit42 (rancortaurus.json)`, a custom
    /// actor's `source`); also set when an ATT&CK group's profile is joined with intelligence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The model's weight.
    pub weight: u32,
    /// Whether software techniques were included.
    pub via_software: bool,
    /// Coverage of this actor's techniques.
    pub coverage: Coverage,
    /// Techniques in the profile, by ID, with provenance.
    pub techniques: Vec<ActorTechnique>,
}

/// A technique in an actor's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActorTechnique {
    /// Technique ID.
    pub id: String,
    /// Its full name.
    pub name: String,
    /// Where it stands (as in `techniques`).
    pub state: State,
    /// Counted rules covering it.
    pub score: u32,
    /// Where it comes from: `direct`, `campaign C0022`, `software S0002`; from intelligence,
    /// the source, object, report and relationship (`stix: campaign X (report Y) [relationship--…] in f.json`).
    pub via: Vec<String>,
}

/// Coverage of one tactic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TacticCoverage {
    /// Tactic ID (`TA0005`).
    pub id: String,
    /// Shortname (`defense-evasion`).
    pub shortname: String,
    /// Name (`Defense Evasion`).
    pub name: String,
    /// Coverage of the union's techniques in this tactic.
    pub coverage: Coverage,
    /// The line the tactic is measured against: its own target, else the overall target, else
    /// the overall coverage.
    pub threshold: Threshold,
    /// Whether its coverage is below [`Self::threshold`]: the "<-- Priority gap" mark, the bar's
    /// warning colour, and a term of its gaps' priority.
    pub priority_gap: bool,
}

/// What a tactic's coverage is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Threshold {
    /// Where the line comes from.
    pub basis: ThresholdBasis,
    /// The line, in percent (none when the overall coverage has no techniques).
    pub percent: Option<f64>,
}

/// Where a tactic's [`Threshold`] comes from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdBasis {
    /// `targets.tactics` names the tactic.
    TacticTarget,
    /// `targets.overall`, for a tactic without its own target.
    OverallTarget,
    /// No target applies: the overall coverage itself.
    OverallCoverage,
}

impl Threshold {
    /// How the mark reads: `below its 70% target`, `below the 80% overall target`, `below the
    /// overall coverage (52.7%)`.
    pub fn describe(&self) -> String {
        let p = |x: Option<f64>| x.map_or_else(|| String::from("n/a"), trim_number);
        match self.basis {
            ThresholdBasis::TacticTarget => format!("below its {}% target", p(self.percent)),
            ThresholdBasis::OverallTarget => format!("below the {}% overall target", p(self.percent)),
            ThresholdBasis::OverallCoverage => {
                format!("below the overall coverage ({})", crate::assessment::percent_text(self.percent))
            }
        }
    }
}

/// Where a technique stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// At least `strong_at` counted rules.
    Strong,
    /// At least one counted rule, fewer than `strong_at`.
    Partial,
    /// No counted rule.
    Gap,
    /// Not covered; the risk is accepted.
    Accepted,
    /// Applies to none of the platforms in scope.
    OutOfScope,
}

impl State {
    /// Whether the technique counts as covered.
    pub fn is_covered(self) -> bool {
        matches!(self, State::Strong | State::Partial)
    }

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Strong => "strong",
            State::Partial => "partial",
            State::Gap => "gap",
            State::Accepted => "accepted",
            State::OutOfScope => "out of scope",
        }
    }
}

/// One technique of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TechniqueAssessment {
    /// Technique ID.
    pub id: String,
    /// Full name (`Parent: Sub-technique`).
    pub name: String,
    /// Tactic shortnames, matrix order.
    pub tactics: Vec<String>,
    /// Platforms.
    pub platforms: Vec<String>,
    /// Where it stands.
    pub state: State,
    /// Counted rules (the coverage score).
    pub score: u32,
    /// The counted rules.
    pub rules: Vec<RuleRef>,
    /// Names of the actors using it, model order.
    pub actors: Vec<String>,
    /// Sum of the weights of the actors using it.
    pub actor_weight: u32,
    /// Critical and high assets whose platforms it applies to.
    pub assets: Vec<String>,
    /// ATT&CK detection guidance for it.
    pub detection: DetectionGuidance,
    /// Mitigations (`M1026 Privileged Account Management`).
    pub mitigations: Vec<String>,
    /// For a gap: its priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Whether the model lists it under `targets.must_cover`.
    pub must_cover: bool,
    /// What emulation showed, when the model has a `validation` section.
    pub validation: Option<TechniqueValidation>,
    /// Whether the collected telemetry covers what ATT&CK's analytics for it read (with a
    /// telemetry account only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Rules mapped to it that do not count, with the reasons (with a telemetry account only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedRule>,
    /// Security-control mappings on it from the capabilities the model selected, with their
    /// provenance (with `mappings-explorer` sources only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<ControlRef>,
    /// Whether a selected capability protects it: a `protect` mapping scored partial or
    /// significant (with `mappings-explorer` sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    /// Known exploited vulnerabilities the model lists that enable it (CVE IDs, sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposed_by: Vec<String>,
}

/// A rule that covers a technique.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct RuleRef {
    /// The source's name.
    pub source: String,
    /// The rule's ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its file (and stanza/document).
    pub place: String,
    /// How it covers: `direct`, `sub-technique T1003.001`, `parent T1003`.
    pub via: String,
}

/// What ATT&CK says about detecting a technique.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DetectionGuidance {
    /// ATT&CK analytics on the platforms in scope (v18+).
    pub analytics: Vec<String>,
    /// Log sources (v18+) or data components (≤ v17) the detection needs, sorted.
    pub data_sources: Vec<String>,
    /// Those already in the model's `telemetry`.
    pub collected: Vec<String>,
    /// How to detect it, shortened from ATT&CK's analytic text.
    #[serde(default)]
    pub approach: Option<String>,
    /// Effort to build a detection: `low` (all data collected), `medium` (some), `high` (none, or
    /// no ATT&CK guidance).
    pub effort: Effort,
}

/// Effort to close a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// The needed log sources are all collected.
    Low,
    /// Some are.
    Medium,
    /// None are, or ATT&CK gives no guidance.
    #[default]
    High,
}

impl Effort {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::Low => "low",
            Effort::Medium => "medium",
            Effort::High => "high",
        }
    }
}

/// A gap's priority: a score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Priority {
    /// The score (higher first).
    pub score: u32,
    /// 1-based rank among the gaps.
    pub rank: usize,
    /// Each contribution, as a sentence (`used by FIN7, APT38 (weight 5): +50`).
    pub reasons: Vec<String>,
}

/// The remediation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// One entry per horizon, in order.
    pub horizons: Vec<Horizon>,
    /// Gaps beyond the last horizon.
    pub backlog: Vec<String>,
    /// Coverage now and after each horizon.
    pub projection: Vec<Projection>,
    /// Whether the plan reaches `targets.overall`, when the model sets one.
    #[serde(default)]
    pub reach: Option<TargetReach>,
}

/// What the plan does for the overall target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetReach {
    /// `targets.overall`, in percent.
    pub target: f64,
    /// Whether coverage after the last horizon meets it.
    pub reached: bool,
    /// How many of the actors' gaps must be closed, from now, to meet it; `None` when closing
    /// every one would not (accepted and out-of-scope techniques are not counted).
    pub gaps_needed: Option<usize>,
}

/// One horizon of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Horizon {
    /// Days from the assessment.
    pub days: u32,
    /// The gaps to close, highest priority first.
    pub items: Vec<PlanItem>,
}

/// One gap to close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanItem {
    /// Technique ID.
    pub technique: String,
    /// Its name.
    pub name: String,
    /// Priority score.
    pub priority: u32,
    /// Why it sits here.
    pub reasons: Vec<String>,
    /// Log sources or data components needed.
    pub data_sources: Vec<String>,
    /// Effort.
    pub effort: Effort,
    /// How to detect it.
    #[serde(default)]
    pub detection_approach: Option<String>,
    /// Mitigations.
    pub mitigations: Vec<String>,
}

/// Coverage at a point of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Projection {
    /// `now`, or `after 30 days`.
    pub label: String,
    /// Days from the assessment (0 for now).
    pub days: u32,
    /// Gaps closed by then.
    pub closed: usize,
    /// Coverage by then.
    #[serde(default)]
    pub percent: Option<f64>,
}

/// The promises of a model, with actors by their `ref`, tactics by shortname and techniques by
/// their current ID.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Targets {
    /// `targets.overall`: minimum coverage of all actors' techniques together, in percent.
    #[serde(default)]
    pub overall: Option<f64>,
    /// `targets.actors`, in the model's key order.
    #[serde(default)]
    pub actors: Vec<ActorTarget>,
    /// `targets.tactics`, in the model's key order.
    #[serde(default)]
    pub tactics: Vec<TacticTarget>,
    /// `targets.must_cover`: technique IDs.
    #[serde(default)]
    pub must_cover: Vec<String>,
    /// `targets.max_priority_1_gaps`.
    #[serde(default)]
    pub max_priority_1_gaps: Option<u32>,
    /// `targets.validated`: minimum share of covered techniques proven by emulation, in percent.
    #[serde(default)]
    pub validated: Option<f64>,
    /// `targets.no_drop_from_baseline`: the allowed drop in percentage points.
    #[serde(default)]
    pub no_drop_from_baseline: Option<f64>,
    /// `targets.detected_or_protected`: the same promises counting protected techniques.
    #[serde(default, skip_serializing_if = "DetectedOrProtectedTargets::is_empty")]
    pub detected_or_protected: DetectedOrProtectedTargets,
}

/// Promises on "detected or protected".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DetectedOrProtectedTargets {
    /// Over all actors' techniques, in percent.
    #[serde(default)]
    pub overall: Option<f64>,
    /// Per actor, in the model's key order.
    #[serde(default)]
    pub actors: Vec<ActorTarget>,
    /// Per tactic, in the model's key order.
    #[serde(default)]
    pub tactics: Vec<TacticTarget>,
}

impl DetectedOrProtectedTargets {
    /// Whether no such promise is made.
    pub fn is_empty(&self) -> bool {
        self.overall.is_none() && self.actors.is_empty() && self.tactics.is_empty()
    }
}

/// A promised coverage of one actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActorTarget {
    /// The key as written in `targets.actors` (an actor's `ref`).
    pub reference: String,
    /// Percent.
    pub percent: f64,
}

/// A promised coverage of one tactic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TacticTarget {
    /// The tactic's shortname.
    pub tactic: String,
    /// Percent.
    pub percent: f64,
}

/// A target and whether it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    /// What kind of target.
    pub kind: TargetKind,
    /// The target in words (`FIN7 coverage`, `must cover T1003.006`).
    pub target: String,
    /// What was promised (`≥ 75%`).
    pub expected: String,
    /// What was found (`61.2%`).
    pub actual: String,
    /// Whether it holds.
    pub pass: bool,
}

/// Kinds of target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// `targets.overall`.
    Overall,
    /// `targets.actors`.
    Actor,
    /// `targets.tactics`.
    Tactic,
    /// `targets.must_cover`.
    MustCover,
    /// `targets.max_priority_1_gaps`.
    MaxPriority1Gaps,
    /// An acceptance in `accepted`.
    Acceptance,
    /// `targets.validated`.
    Validated,
    /// `targets.no_drop_from_baseline`.
    NoDropFromBaseline,
    /// `targets.detected_or_protected`.
    DetectedOrProtected,
}

/// Rules per technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleCount {
    /// Technique ID.
    pub id: String,
    /// Its tactics (shortnames), matrix order.
    pub tactics: Vec<String>,
    /// Counted rules mapped to it directly.
    pub rules: u32,
}

/// A rule source as the assessment saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceAccount {
    /// Its name.
    pub name: String,
    /// Its format.
    pub kind: String,
    /// Its path as the model writes it.
    pub path: String,
    /// Regular files met.
    pub files: usize,
    /// Files that yielded rules.
    pub parsed_files: usize,
    /// Skipped files per reason.
    pub skipped: Vec<SkipCount>,
    /// Rules found.
    pub rules: usize,
    /// Rules that count under the model's policy.
    pub counted: usize,
    /// Rules naming at least one technique.
    pub with_techniques: usize,
    /// What was read leniently or is wrong in single rules, as `file: line 20: ...` (the file
    /// relative to the source's path): repeated keys, malformed tags, rules without a title.
    pub warnings: Vec<String>,
}

/// Skipped files of one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkipCount {
    /// The reason.
    pub reason: String,
    /// How many files.
    pub files: usize,
}

/// A mapping problem of a rule in a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceMapping {
    /// The source's name.
    pub source: String,
    /// The rule's ID.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// Where the rule is.
    pub place: String,
    /// The ID as written.
    pub written: String,
    /// `stale`, `translated`, `new-in-release`, `deprecated` or `unknown`.
    pub issue: String,
    /// For a stale mapping: the current technique.
    #[serde(default)]
    pub replacement: Option<String>,
    /// For a translated mapping: the pinned release's techniques it counts for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<String>,
    /// For a translated or new ID: the release it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// What happened, in one line (`T1686.003 (ATT&CK 19.0) → T1562.004 (18.1) via T1686`).
    #[serde(default)]
    pub note: String,
}

/// A risk acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Acceptance {
    /// Technique ID.
    pub technique: String,
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub owner: String,
    /// Until when (YYYY-MM-DD).
    pub expires: String,
    /// Whether it has lapsed.
    pub expired: bool,
    /// Whether the technique is covered anyway (the acceptance can be retired).
    pub covered: bool,
}

impl Assessment {
    /// A technique of the assessment by ID.
    pub fn technique(&self, id: &str) -> Option<&TechniqueAssessment> {
        self.techniques.binary_search_by(|t| t.id.as_str().cmp(id)).ok().map(|i| &self.techniques[i])
    }

    /// Whether every verdict holds.
    pub fn all_targets_hold(&self) -> bool {
        self.verdicts.iter().all(|v| v.pass)
    }
}

/// The JSON Schema of the assessment (`schema/assessment.schema.json`), as pretty JSON.
pub fn assessment_schema_text() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(crate::model::standard_formats))
        .into_generator()
        .into_root_schema_for::<Assessment>();
    let mut text = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| unreachable!("a schema always serialises: {e}"));
    text.push('\n');
    text
}
