//! The threat-model language: the Rust types a model file deserialises into, with the JSON Schema
//! derived from them (`ttpc schema`, `schema/threat-model.schema.json`).
//!
//! These are plain data with documented fields and no I/O; every doc comment here becomes a
//! `description` in the schema, which editors show as hover help. Defaults live here too, so the
//! schema, the loader and the README agree on them.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::attack::Domain;

/// A threat model: who attacks us, what we defend, where our detections live and what coverage we
/// promise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ttpc threat model")]
pub struct ThreatModel {
    /// The JSON Schema an editor should use for this file (ignored by ttpc).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of the model language. Always 1.
    pub ttpc: LanguageVersion,
    /// What the model is about, e.g. `Financial Services Division`.
    pub name: String,
    /// Who owns the model (a team or an address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free text shown at the top of the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The date of the assessment (YYYY-MM-DD). It is the only date written into outputs. Quote
    /// it (`"2026-03-15"`): YAML 1.1 readers (PyYAML, js-yaml, ajv-cli) load a bare date as a date,
    /// not the string this schema expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed: Option<NaiveDate>,
    /// Which ATT&CK data the model is compiled against.
    pub attack: AttackPin,
    /// What is in scope.
    #[serde(default)]
    pub scope: Scope,
    /// The threat actors: ATT&CK groups, campaigns or software, by ID, name or alias; actors of
    /// the model's `intelligence`; or the team's own, with their techniques listed.
    #[schemars(length(min = 1))]
    pub actors: Vec<ActorRef>,
    /// The team's own intelligence: vendor STIX bundles, the MISP galaxy's actor names, Navigator
    /// layers a CTI team annotated. Their actors can be named in `actors` like ATT&CK's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intelligence: Vec<IntelSource>,
    /// The assets defended; their platforms and criticality weigh gap priorities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Asset>,
    /// Log sources collected today, as ATT&CK names them (e.g. `WinEventLog:Security`). Gaps whose
    /// ATT&CK analytics read only these are quick wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub telemetry: Vec<String>,
    /// Extends or overrides the built-in mapping from what rules declare (`sigma:windows/sysmon`,
    /// `index:logs-endpoint.*`, `splunk:Sysmon EventID 1`, `sentinel:SecurityEvent`,
    /// `sourcetype:...`, `integration:...`) onto log-source names; a key may use `*`, and a rule
    /// whose declaration matches fires when any one of the listed names is collected. An entry
    /// here wins over a built-in one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub telemetry_map: BTreeMap<String, Vec<String>>,
    /// Where the detection rules live.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSource>,
    /// How rules count towards coverage.
    #[serde(default)]
    pub coverage: CoveragePolicy,
    /// Techniques the organisation accepts not to detect, each with a reason, an owner and an
    /// expiry date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<AcceptedRisk>,
    /// The coverage the model promises; a broken target fails `ttpc compile` (exit 1).
    #[serde(default)]
    pub targets: Targets,
    /// How the remediation plan is laid out.
    #[serde(default)]
    pub remediation: RemediationPolicy,
    /// What else weighs gap priority (opt-in): technique weights such as CTID's Top ATT&CK
    /// Techniques or the team's own CSV.
    #[serde(default, skip_serializing_if = "PriorityPolicy::is_empty")]
    pub priority: PriorityPolicy,
    /// Adversary emulation: Atomic Red Team tests and their results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
    /// Where outputs go.
    #[serde(default)]
    pub outputs: Outputs,
}

/// The model language version. Only `1` exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageVersion;

impl Serialize for LanguageVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(1)
    }
}

impl<'de> Deserialize<'de> for LanguageVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u64::deserialize(d)? {
            1 => Ok(LanguageVersion),
            other => Err(serde::de::Error::custom(format!(
                "ttpc model language version {other} is not supported (this ttpc reads version 1)"
            ))),
        }
    }
}

impl JsonSchema for LanguageVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LanguageVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "Version of the model language. Always 1.", "const": 1 })
    }
}

/// The ATT&CK domain and release a model is compiled against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttackPin {
    /// `enterprise-attack`, `ics-attack` or `mobile-attack`.
    pub domain: Domain,
    /// The ATT&CK release, as a string: `"18.1"`.
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?$"))]
    pub version: String,
}

/// What is in scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// ATT&CK platforms in scope (`Windows`, `Linux`, `macOS`, `IaaS`, ...). An actor technique that
    /// applies to none of them is out of scope. Empty: every platform.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

/// A threat actor the model cares about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorRef {
    /// An ATT&CK group, campaign or software: ID (`G0046`), name (`FIN7`) or alias (`Carbon
    /// Spider`), in any case.
    #[serde(rename = "ref")]
    pub reference: String,
    /// How much this actor matters relative to the others (default 1). Weighs gap priority.
    #[serde(default = "default_weight")]
    #[schemars(range(min = 0, max = 100))]
    pub weight: u32,
    /// Also count techniques of the software the group uses (default false).
    #[serde(default)]
    pub via_software: bool,
    /// The team's own actor (an incident, a cluster ATT&CK does not profile): the techniques it
    /// is known to use. With it, `ref` is the actor's name and is not looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub techniques: Option<Vec<TechniqueId>>,
    /// Where a custom actor's techniques come from (`IR report 2026-031`); shown as provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When `ref` names both an ATT&CK group and an actor of the model's `intelligence`: which
    /// profile to use (default: the one `ref` names first, ATT&CK's names before intelligence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileChoice>,
}

/// Which profile an actor known to both ATT&CK and the model's intelligence takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileChoice {
    /// ATT&CK's group profile.
    Attack,
    /// The intelligence source's profile.
    Intelligence,
    /// Both, each technique with its provenance.
    Union,
}

/// The format of an intelligence source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IntelKind {
    /// STIX 2.0 or 2.1 bundles (a `.json` file or a folder of them): each intrusion set is an
    /// actor.
    Stix,
    /// A MISP galaxy cluster of threat actors (`threat-actor.json`): names and synonyms that
    /// resolve to the ATT&CK groups they are linked to (`similar`).
    MispGalaxy,
    /// An ATT&CK Navigator layer as one actor: the techniques it scores.
    NavigatorLayer,
}

impl IntelKind {
    /// The word used in the model file.
    pub fn as_str(self) -> &'static str {
        match self {
            IntelKind::Stix => "stix",
            IntelKind::MispGalaxy => "misp-galaxy",
            IntelKind::NavigatorLayer => "navigator-layer",
        }
    }
}

impl fmt::Display for IntelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source of actors beyond ATT&CK's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelSource {
    /// The format.
    pub kind: IntelKind,
    /// A file or folder, relative to the model file.
    pub path: String,
    /// `navigator-layer`: the actor's name (default: the layer's `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `navigator-layer`: the lowest score that counts a technique as used. Without it, every
    /// enabled entry with a score above 0, or annotated without a score, counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
}

fn default_weight() -> u32 {
    1
}

/// How critical an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Loss stops the business.
    Critical,
    /// Loss hurts the business badly.
    High,
    /// Loss is a nuisance.
    Medium,
    /// Loss hardly matters.
    Low,
}

impl Criticality {
    /// The word used in the model file.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }
}

/// An asset defended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// Its name, e.g. `Domain controllers`.
    pub name: String,
    /// How critical it is.
    pub criticality: Criticality,
    /// The ATT&CK platforms it runs on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

/// The format of a rule source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// Sigma rules: a `.yml` file or a folder of them.
    Sigma,
    /// A Splunk `savedsearches.conf` (ES correlation searches).
    SplunkSavedsearches,
    /// Splunk security_content detection YAML.
    SplunkContent,
    /// Elastic detection-rules TOML, or a Kibana rule export (NDJSON).
    Elastic,
    /// Microsoft Sentinel analytic rules (YAML) or ARM-template exports (JSON).
    Sentinel,
    /// A CSV inventory: `id,title,techniques,status,enabled`.
    Csv,
    /// An ATT&CK Navigator layer used as coverage (score = rule count).
    NavigatorLayer,
    /// Security-control mappings in the Center for Threat-Informed Defense's Mappings Explorer
    /// format (AWS, Azure, Microsoft 365 capabilities, NIST SP 800-53 controls, CISA KEV CVEs):
    /// `detect` mappings of the `capabilities` the team runs count as rules, the rest is evidence
    /// (protected, respond, mitigated, exposed).
    MappingsExplorer,
    /// Live: Splunk saved searches over the REST API (`url`, `token_env`, optional `app`).
    SplunkApi,
    /// Live: Kibana detection rules over the REST API (`url`, `token_env`, optional `space`).
    ElasticApi,
    /// Live: Microsoft Sentinel analytic rules over Azure Resource Manager (`workspace`,
    /// `token_env`, optional `url` for the management endpoint).
    SentinelApi,
}

impl RuleKind {
    /// Every kind read from files, in documentation order (the live kinds are in [`RuleKind::LIVE`]).
    pub const ALL: [RuleKind; 8] = [
        RuleKind::Sigma,
        RuleKind::SplunkSavedsearches,
        RuleKind::SplunkContent,
        RuleKind::Elastic,
        RuleKind::Sentinel,
        RuleKind::Csv,
        RuleKind::NavigatorLayer,
        RuleKind::MappingsExplorer,
    ];

    /// The word used in the model file.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Sigma => "sigma",
            RuleKind::SplunkSavedsearches => "splunk-savedsearches",
            RuleKind::SplunkContent => "splunk-content",
            RuleKind::Elastic => "elastic",
            RuleKind::Sentinel => "sentinel",
            RuleKind::Csv => "csv",
            RuleKind::NavigatorLayer => "navigator-layer",
            RuleKind::MappingsExplorer => "mappings-explorer",
            RuleKind::SplunkApi => "splunk-api",
            RuleKind::ElasticApi => "elastic-api",
            RuleKind::SentinelApi => "sentinel-api",
        }
    }

    /// The kinds read from a product's REST API rather than from files.
    pub const LIVE: [RuleKind; 3] = [RuleKind::SplunkApi, RuleKind::ElasticApi, RuleKind::SentinelApi];

    /// Whether the kind is read from a product's REST API.
    pub fn is_live(self) -> bool {
        RuleKind::LIVE.contains(&self)
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place detection rules come from: files (`path`), or a live product read over its REST API
/// (`url`, `token_env`, ...). See the README, "Live sources".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = rule_source_requirements)]
pub struct RuleSource {
    /// The format (or, for `splunk-api`, `elastic-api` and `sentinel-api`, the product read live).
    pub kind: RuleKind,
    /// A file or folder, relative to the model file (file kinds only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// A name for the source in reports (default: the path, or the URL of a live source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the source may yield no rules (a folder kept for rules to come). Without it, a
    /// source whose files are all "not a rule" of its `kind` is an error: usually a wrong `kind`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_empty: bool,
    /// File sources: the `name` of a live source holding the same detections as deployed. The
    /// report then lists the drift between the two (see `coverage.count_paired`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_as: Option<String>,
    /// Live sources: the API's base URL (`https://splunk.example:8089`,
    /// `https://kibana.example:5601`; for `sentinel-api` the management endpoint, default
    /// `https://management.azure.com`). Plain `http://` only to a loopback address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Live sources: the environment variable holding the credential (a Splunk bearer token, a
    /// Kibana API key, an Azure access token). Never the credential itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub token_env: Option<String>,
    /// Live sources: a PEM file of certificate authorities trusted besides the system's, relative
    /// to the model file (for a SIEM with a self-signed certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// `splunk-api`: the app whose saved searches are read (default `-`: every app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// `elastic-api`: the Kibana space (default: the default space).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// `sentinel-api`: the Log Analytics workspace's resource ID
    /// (`/subscriptions/…/resourceGroups/…/providers/Microsoft.OperationalInsights/workspaces/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// `sentinel-api`: the `api-version` of the SecurityInsights API (default `2024-03-01`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Live sources: where the snapshot of each pull is kept, relative to the model file
    /// (default: `snapshots/<name>.json` in the output folder). `--offline` compiles from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Live sources: seconds one request may take before it is retried (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3600))]
    pub timeout_seconds: Option<u32>,
    /// Live sources: most pages read in one pull (default 1000; more is an error, never a
    /// silently partial pull).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_pages: Option<u32>,
    /// `mappings-explorer`: the capabilities (or controls, or CVEs) the team runs or has, by the
    /// file's `capability_id` or `capability_group`: a list, a CSV (`{path, column}`), or `all`.
    /// Only these count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
}

/// The capabilities of a `mappings-explorer` source the team runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Capabilities {
    /// `all`: every capability of the file (said explicitly, never a default).
    All(AllCapabilities),
    /// Capability IDs or groups as the file writes them (`amazon_guardduty`, `AC-2`,
    /// `m365-defender`); each must be in the file.
    List(Vec<String>),
    /// A CSV of them (an inventory, a scanner's findings), relative to the model file; entries
    /// the file does not map are reported, not errors.
    File(CapabilityFile),
}

/// The word `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AllCapabilities {
    /// Every capability of the file.
    All,
}

/// A CSV listing capabilities, controls or CVEs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityFile {
    /// The CSV, relative to the model file.
    pub path: String,
    /// The column to read (default: the first column named `capability`, `capability_id`,
    /// `control`, `control_id`, `cve`, `cve_id` or `id`, any case; or the only column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// The fields each kind of source needs: `path` for files, `url` (or `workspace`) and `token_env`
/// for live products.
fn rule_source_requirements(schema: &mut Schema) {
    let files: Vec<&str> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
    schema.insert(
        String::from("allOf"),
        serde_json::json!([
            { "if": { "properties": { "kind": { "enum": files } } }, "then": { "properties": { "path": { "type": "string" } }, "required": ["path"] } },
            { "if": { "properties": { "kind": { "const": "mappings-explorer" } } }, "then": { "properties": { "capabilities": true }, "required": ["capabilities"] } },
            {
                "if": { "properties": { "kind": { "enum": ["splunk-api", "elastic-api"] } } },
                "then": {
                    "properties": { "url": { "type": "string" }, "token_env": { "type": "string" } },
                    "required": ["url", "token_env"]
                }
            },
            {
                "if": { "properties": { "kind": { "const": "sentinel-api" } } },
                "then": {
                    "properties": { "workspace": { "type": "string" }, "token_env": { "type": "string" } },
                    "required": ["workspace", "token_env"]
                }
            }
        ]),
    );
}

/// Which side of a file source paired with a live source (`deployed_as`) counts towards coverage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PairedCount {
    /// What is deployed (the live source; only enabled rules unless `count_disabled`).
    #[default]
    Deployed,
    /// What is in git (the file source).
    Git,
}

impl PairedCount {
    /// The word used in the model file.
    pub fn as_str(self) -> &'static str {
        match self {
            PairedCount::Deployed => "deployed",
            PairedCount::Git => "git",
        }
    }
}

/// How rules count towards coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoveragePolicy {
    /// Rule statuses that count (e.g. `[stable, test, production]`). When absent, every status
    /// counts except `deprecated` and `unsupported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_status: Option<Vec<String>>,
    /// Whether disabled rules count (default false).
    #[serde(default)]
    pub count_disabled: bool,
    /// Rules needed for "strong" coverage (default 2; 1 rule is "partial").
    #[serde(default = "default_strong_at")]
    #[schemars(range(min = 1))]
    pub strong_at: u32,
    /// Whether a rule on a parent technique covers an actor's sub-technique (default false). A rule
    /// on a sub-technique always covers the parent.
    #[serde(default)]
    pub parent_covers_subtechniques: bool,
    /// For a file source paired with a live source by `deployed_as`: which side counts,
    /// `deployed` (default) or `git`. The other side is compared, never counted.
    #[serde(default, skip_serializing_if = "is_default_paired")]
    pub count_paired: PairedCount,
    /// Whether a rule whose declared telemetry is known and not collected (see `telemetry`,
    /// `telemetry_map`) is left out as blind (default false). Rules whose requirement ttpc cannot
    /// map still count, and are listed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_telemetry: bool,
    /// Rule levels that count, on one scale for every format: `informational`, `low`,
    /// `medium`, `high`, `critical` (e.g. `[critical, high, medium]`). When absent, every level
    /// counts. Rules without a level always count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_levels: Option<Vec<String>>,
    /// Whether hunting queries (Sigma `detection.threat-hunting`, Splunk `type: Hunting`,
    /// Elastic building blocks, Sentinel hunting queries) count as detection (default true, as
    /// before this setting existed; false shows them as hunting coverage only).
    #[serde(default = "default_count_hunting", skip_serializing_if = "Clone::clone")]
    pub count_hunting: bool,
}

fn is_default_paired(p: &PairedCount) -> bool {
    *p == PairedCount::Deployed
}

fn default_count_hunting() -> bool {
    true
}

fn default_strong_at() -> u32 {
    2
}

impl Default for CoveragePolicy {
    fn default() -> Self {
        CoveragePolicy {
            count_status: None,
            count_disabled: false,
            strong_at: default_strong_at(),
            parent_covers_subtechniques: false,
            count_paired: PairedCount::Deployed,
            require_telemetry: false,
            count_levels: None,
            count_hunting: default_count_hunting(),
        }
    }
}

/// A technique the organisation accepts not to detect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptedRisk {
    /// The technique, e.g. `T1200`.
    pub technique: TechniqueId,
    /// Why it is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// When the acceptance lapses (YYYY-MM-DD, quoted for YAML 1.1 readers); an expired
    /// acceptance fails the check.
    pub expires: NaiveDate,
}

/// The coverage the model promises.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Minimum coverage of all actors' techniques together, e.g. `80%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Percent>,
    /// Minimum coverage per actor, keyed by the actor's `ref` as written in `actors`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actors: BTreeMap<String, Percent>,
    /// Minimum coverage per tactic, keyed by tactic shortname (`defense-evasion`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tactics: BTreeMap<String, Percent>,
    /// Techniques that must be covered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_cover: Vec<TechniqueId>,
    /// Most gaps allowed in the first remediation horizon (the "30-day" list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_priority_1_gaps: Option<u32>,
    /// Minimum share of covered techniques proven by emulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated: Option<Percent>,
    /// Fail when coverage drops below the baseline given with `--baseline`: `true`, or
    /// `{tolerance: 0.5}` to allow a drop of up to 0.5 percentage points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_drop_from_baseline: Option<NoDrop>,
    /// The same promises counting a technique as covered when it is detected or protected (a
    /// `protect` mapping of a `mappings-explorer` source): `{overall: 90%, actors: {FIN7: 85%},
    /// tactics: {initial-access: 90%}}`.
    #[serde(default, skip_serializing_if = "DetectedOrProtected::is_empty")]
    pub detected_or_protected: DetectedOrProtected,
}

/// Targets on "detected or protected".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DetectedOrProtected {
    /// Over all actors' techniques together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Percent>,
    /// Per actor, keyed by the actor's `ref` as written in `actors`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actors: BTreeMap<String, Percent>,
    /// Per tactic, keyed by tactic shortname.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tactics: BTreeMap<String, Percent>,
}

impl DetectedOrProtected {
    /// Whether no such target is set.
    pub fn is_empty(&self) -> bool {
        self.overall.is_none() && self.actors.is_empty() && self.tactics.is_empty()
    }
}

/// What else weighs gap priority, beyond actors, assets, tactics and feasibility.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityPolicy {
    /// Technique weight sources; each adds its own documented term to every gap's priority and
    /// a reason line saying what it read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<WeightSource>,
}

impl PriorityPolicy {
    /// Whether nothing is set (the model reads as before).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// One source of technique weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightSource {
    /// `ctid-top-techniques` (CTID's `Techniques.json`: prevalence, choke point and
    /// actionability scores) or `csv` (the team's own `technique,weight,reason` rows).
    pub kind: WeightKind,
    /// The file, relative to the model file.
    pub path: String,
}

/// The format of a weight source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WeightKind {
    /// The Center for Threat-Informed Defense's Top ATT&CK Techniques `Techniques.json`.
    CtidTopTechniques,
    /// A CSV with a `technique,weight,reason` header; weight is a number of 0 or more.
    Csv,
}

/// The `no_drop_from_baseline` target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NoDrop {
    /// `true`: no drop at all; `false`: target off.
    Enabled(bool),
    /// A drop of up to `tolerance` percentage points is allowed.
    Tolerance {
        /// Percentage points.
        #[schemars(range(min = 0, max = 100))]
        tolerance: f64,
    },
}

impl NoDrop {
    /// The allowed drop in percentage points, or `None` when the target is off.
    pub fn tolerance(self) -> Option<f64> {
        match self {
            NoDrop::Enabled(true) => Some(0.0),
            NoDrop::Enabled(false) => None,
            NoDrop::Tolerance { tolerance } => Some(tolerance),
        }
    }
}

/// How the remediation plan is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediationPolicy {
    /// Horizons in days, ascending (default `[30, 60, 90]`).
    #[serde(default = "default_horizons")]
    #[schemars(length(min = 1))]
    pub horizons_days: Vec<u32>,
    /// Gaps planned per horizon (default 5).
    #[serde(default = "default_per_horizon")]
    #[schemars(range(min = 1))]
    pub per_horizon: u32,
}

fn default_horizons() -> Vec<u32> {
    vec![30, 60, 90]
}

fn default_per_horizon() -> u32 {
    5
}

impl Default for RemediationPolicy {
    fn default() -> Self {
        RemediationPolicy { horizons_days: default_horizons(), per_horizon: default_per_horizon() }
    }
}

/// Adversary emulation inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// An Atomic Red Team `atomics/` folder, relative to the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomics: Option<String>,
    /// Emulation results CSV (`technique,test,guid,date,detected,notes`), relative to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<String>,
    /// Results older than this many days are stale (default 90).
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
}

fn default_max_age() -> u32 {
    90
}

impl Default for Validation {
    fn default() -> Self {
        Validation { atomics: None, results: None, max_age_days: default_max_age() }
    }
}

/// Where outputs go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// Output folder, relative to the model file (default `out/<model file name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// The Markdown and HTML reports.
    #[serde(default)]
    pub report: ReportOutput,
}

/// The reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportOutput {
    /// A minijinja template replacing the built-in `report.md.j2`, relative to the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// A minijinja template replacing the built-in `report.html.j2`, relative to the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_template: Option<String>,
}

/// A technique ID such as `T1059` or `T1059.001`, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TechniqueId(String);

impl TechniqueId {
    /// Parses `T1059`, `t1059.001`, ... (upper-cases it); `None` for anything else.
    pub fn parse(s: &str) -> Option<TechniqueId> {
        let s = s.trim();
        crate::attack::is_technique_id(s).then(|| TechniqueId(s.to_ascii_uppercase()))
    }

    /// The ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TechniqueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for TechniqueId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TechniqueId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TechniqueId::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("{s:?} is not a technique ID like T1059 or T1059.001"))
        })
    }
}

impl JsonSchema for TechniqueId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TechniqueId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An ATT&CK technique ID such as T1059 or T1059.001 (any case).",
            "type": "string",
            "pattern": "^[Tt][0-9]{4}(\\.[0-9]{3})?$"
        })
    }
}

/// A percentage from 0 to 100, written `80%` (or the bare number `80`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Percent(f64);

/// The pattern a percentage written as text matches (`80%`, `80.5 %`, `80`, up to 100): a
/// standard keyword, so strict validators such as Ajv accept the schema (no custom format).
pub const PERCENT_PATTERN: &str = r"^\s*0*(100(\.0*)?|[0-9]{1,2}(\.[0-9]*)?|[0-9]{0,2}\.[0-9]+)\s*%?\s*$";

impl Percent {
    /// A percentage, if `value` is within 0..=100.
    pub fn new(value: f64) -> Option<Percent> {
        (0.0..=100.0).contains(&value).then_some(Percent(value))
    }

    /// Parses `80%`, `80.5%` or `80`.
    pub fn parse(s: &str) -> Option<Percent> {
        let number = s.trim().strip_suffix('%').unwrap_or(s.trim()).trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        number.parse::<f64>().ok().and_then(Percent::new)
    }

    /// The value, 0 to 100.
    pub fn value(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 { write!(f, "{:.0}%", self.0) } else { write!(f, "{}%", self.0) }
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Number(n) => Percent::new(n),
            Raw::Text(s) => Percent::parse(&s),
        };
        parsed.ok_or_else(|| serde::de::Error::custom("expected a percentage from 0% to 100%"))
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage from 0% to 100%, written like 80% (or the bare number 80).",
            "anyOf": [
                { "type": "string", "pattern": PERCENT_PATTERN },
                { "type": "number", "minimum": 0, "maximum": 100 }
            ],
            "examples": ["80%"]
        })
    }
}
