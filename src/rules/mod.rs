//! Detection rules: one adapter per rule format, all yielding the same [`DetectionRule`], and the
//! accounting of every file a source holds.
//!
//! An adapter turns the bytes of one file into rules; it never panics and never aborts a source:
//! a file it cannot use becomes a [`Skip`] with a reason, a malformed rule inside a good file
//! becomes a warning. [`source::load`] walks a file or folder, runs the adapter on every file in
//! parallel and returns a [`SourceReport`] in which each file sits in exactly one bucket.
//! [`normalise()`] then maps the technique IDs as written onto the knowledge base (shared by all
//! formats: revoked IDs remapped, deprecated and unknown ones reported).

pub mod csv;
pub mod elastic;
pub mod live;
pub mod mappings;
pub mod navigator;
pub mod normalise;
pub mod sentinel;
pub mod sigma;
pub mod sniff;
pub mod source;
pub mod splunk;
pub mod summary;
pub mod telemetry;

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Serialize;

use crate::model::RuleKind;

pub use crate::inputs::{Skip, SkipReason, looks_like_technique};
pub use normalise::{Mapping, MappingIssue, NormalisedRule, normalise};
pub use source::{SourceReport, load};
pub use summary::SourceSummary;

/// One detection rule, whatever format it came from. (Every field is always serialised: the rule
/// cache uses a format without field names.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DetectionRule {
    /// The rule's own ID (Sigma `id`, Elastic `rule_id`, a stanza name, ...); derived from the
    /// file name when the format has none.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The format it came from.
    pub kind: RuleKind,
    /// The file it came from.
    pub path: PathBuf,
    /// Where in the file, for formats with several rules per file (`[stanza]`, `document 2`,
    /// `line 14`).
    pub locator: Option<String>,
    /// Its status or maturity, lower-cased (`stable`, `test`, `production`, `deprecated`, ...).
    pub status: Option<String>,
    /// Whether it is enabled (formats without the notion: true).
    pub enabled: bool,
    /// Level or severity, lower-cased, when the format has one.
    pub level: Option<String>,
    /// Technique IDs as written in the rule (trimmed, original case), deduplicated.
    pub techniques: Vec<String>,
    /// Other ATT&CK tags as written (tactics, groups, software): recorded, never counted.
    pub tags: Vec<String>,
    /// How many rules this entry stands for: 1, except for Navigator layers, whose score is a
    /// rule count.
    pub weight: u32,
    /// The telemetry it reads, as declared (see [`telemetry`]): any one of them lets it fire.
    pub telemetry: Vec<String>,
    /// Whether it is a hunting query rather than an alert (Sigma `detection.threat-hunting`,
    /// Splunk `type: Hunting`, Elastic building blocks, Sentinel hunting queries).
    pub hunting: bool,
    /// For a row of a security-control mapping (`mappings-explorer`): what it says and where it
    /// comes from. Such a "rule" counts only as [`crate::resolve`] decides for the model.
    pub control: Option<Box<mappings::ControlMapping>>,
}

impl DetectionRule {
    /// A rule with the given identity and defaults for the rest (enabled, weight 1).
    pub fn new(
        kind: RuleKind,
        path: impl Into<PathBuf>,
        id: impl Into<String>,
        title: impl Into<String>,
    ) -> DetectionRule {
        DetectionRule {
            id: id.into(),
            title: title.into(),
            kind,
            path: path.into(),
            locator: None,
            status: None,
            enabled: true,
            level: None,
            techniques: Vec::new(),
            tags: Vec::new(),
            weight: 1,
            telemetry: Vec::new(),
            hunting: false,
            control: None,
        }
    }

    /// Adds a declared telemetry descriptor, once.
    pub fn add_telemetry(&mut self, descriptor: &str) {
        self.add_telemetries([descriptor]);
    }

    /// Adds declared telemetry descriptors, each once, with a set: linear in the list (a hostile
    /// file may declare 100,000 of them).
    pub fn add_telemetries<'a>(&mut self, descriptors: impl IntoIterator<Item = &'a str>) {
        let mut seen: HashSet<String> = self.telemetry.iter().cloned().collect();
        for d in descriptors {
            let d = d.trim();
            if !d.is_empty() && seen.insert(d.to_owned()) {
                self.telemetry.push(d.to_owned());
            }
        }
    }

    /// Adds a technique ID as written, once.
    pub fn add_technique(&mut self, id: &str) {
        let id = id.trim();
        if !id.is_empty() && !self.techniques.iter().any(|t| t.eq_ignore_ascii_case(id)) {
            self.techniques.push(id.to_owned());
        }
    }

    /// Adds a non-technique tag, once.
    pub fn add_tag(&mut self, tag: &str) {
        let tag = tag.trim();
        if !tag.is_empty() && !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.to_owned());
        }
    }

    // A list read from a file goes through the two methods below, never through a loop over
    // `add_technique`/`add_tag`: each single add compares with everything added before, so n
    // entries cost n²/2 comparisons, and a hostile Sigma rule with 100,000 tags (2 MB) took
    // over a minute. The methods below deduplicate with a set: linear in the list.

    /// Adds technique IDs as written, each once (as [`DetectionRule::add_technique`]).
    pub fn add_techniques<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let mut seen: HashSet<String> = self.techniques.iter().map(|t| t.to_ascii_lowercase()).collect();
        for id in ids {
            let id = id.trim();
            if !id.is_empty() && seen.insert(id.to_ascii_lowercase()) {
                self.techniques.push(id.to_owned());
            }
        }
    }

    /// Adds non-technique tags, each once (as [`DetectionRule::add_tag`]).
    pub fn add_tags<'a>(&mut self, tags: impl IntoIterator<Item = &'a str>) {
        let mut seen: HashSet<String> = self.tags.iter().cloned().collect();
        for tag in tags {
            let tag = tag.trim();
            if !tag.is_empty() && seen.insert(tag.to_owned()) {
                self.tags.push(tag.to_owned());
            }
        }
    }

    /// Where the rule is, for people: `path` or `path [locator]`.
    pub fn place(&self) -> String {
        match &self.locator {
            Some(l) => format!("{} {l}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// What one file yielded: its rules and warnings about individual malformed rules in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Parsed {
    /// The rules.
    pub rules: Vec<DetectionRule>,
    /// Problems with single rules that did not stop the file (`line 7: no title`).
    pub warnings: Vec<String>,
}

impl Parsed {
    /// Rules without warnings.
    pub fn rules(rules: Vec<DetectionRule>) -> Parsed {
        Parsed { rules, warnings: Vec::new() }
    }
}

/// One rule format.
pub trait Adapter: Sync {
    /// The kind it reads.
    fn kind(&self) -> RuleKind;

    /// Whether a file met while walking a folder is meant for this adapter (usually by
    /// extension). Files named explicitly are always parsed.
    fn accepts(&self, path: &std::path::Path) -> bool;

    /// Parses one file. `text` is the file's content, already checked to be UTF-8.
    fn parse(&self, path: &std::path::Path, text: &str) -> Result<Parsed, Skip>;
}

/// The adapter for a kind.
pub fn adapter(kind: RuleKind) -> &'static dyn Adapter {
    match kind {
        RuleKind::Sigma => &sigma::Sigma,
        RuleKind::SplunkSavedsearches => &splunk::SavedSearches,
        RuleKind::SplunkContent => &splunk::SecurityContent,
        RuleKind::Elastic => &elastic::Elastic,
        RuleKind::Sentinel => &sentinel::Sentinel,
        RuleKind::Csv => &csv::Csv,
        RuleKind::NavigatorLayer => &navigator::NavigatorLayer,
        RuleKind::MappingsExplorer => &mappings::MappingsExplorer,
        // Live kinds are pulled over HTTP (see [`live`]), never walked; a file of one is read as
        // the product's own export format.
        RuleKind::SplunkApi => &splunk::SavedSearches,
        RuleKind::ElasticApi => &elastic::Elastic,
        RuleKind::SentinelApi => &sentinel::Sentinel,
    }
}

/// Whether a rule counts towards coverage under the model's policy: its status is one of
/// `count_status` (by default anything but `deprecated` and `unsupported`; a rule whose format
/// has no status always passes this test), and it is enabled unless `count_disabled` is set. A
/// security-control mapping counts only as a `detect` row scored partial or significant.
pub fn counts(rule: &DetectionRule, policy: &crate::model::CoveragePolicy) -> bool {
    if let Some(control) = &rule.control {
        return control.category == mappings::ControlCategory::Detect
            && control.category.counts(control.score);
    }
    let status_ok = match (&rule.status, &policy.count_status) {
        (None, _) => true,
        (Some(status), Some(allowed)) => allowed.iter().any(|a| a.eq_ignore_ascii_case(status)),
        (Some(status), None) => !matches!(status.as_str(), "deprecated" | "unsupported"),
    };
    status_ok && (rule.enabled || policy.count_disabled)
}
