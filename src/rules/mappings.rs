//! Security-control mappings in the Center for Threat-Informed Defense's Mappings Explorer format
//! (`metadata` + `mapping_objects`, one JSON file per framework): AWS, Azure and Microsoft 365
//! native capabilities, NIST SP 800-53 controls, CISA KEV CVEs.
//!
//! Every mappable row becomes one [`DetectionRule`] carrying its [`ControlMapping`]: the
//! capability is the rule (`capability_id`, its description as title, `mapping N` as locator),
//! the row's ATT&CK object its technique. Which rows count, and how much, is decided per model
//! (the capabilities it runs, its `strong_at`) in [`crate::resolve`]; here a row is only
//! classified:
//!
//! - `score_category` `detect`, `protect` or `respond`, with `score_value` minimal, partial or
//!   significant (cloud capabilities);
//! - `mapping_type` `mitigates` (NIST SP 800-53): the control mitigates the technique;
//! - the KEV mapping types (`exploitation_technique`, `primary_impact`, `secondary_impact`,
//!   `uncategorized`): the CVE enables the technique, an exposure.
//!
//! Rows marked `non_mappable`, rows without a capability or technique, and rows of none of these
//! shapes are passed over with one warning per file that counts them and names their places.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Adapter, DetectionRule, Parsed, Skip};
use crate::inputs::text::{has_extension, json_error};
use crate::model::RuleKind;

/// The Mappings Explorer adapter.
pub struct MappingsExplorer;

/// What a mapping row says about its technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ControlCategory {
    /// The capability detects it (`score_category: detect`).
    Detect,
    /// The capability prevents or blocks it (`protect`).
    Protect,
    /// The capability helps respond to it (`respond`).
    Respond,
    /// The control mitigates it (NIST SP 800-53 `mitigates`).
    Mitigate,
    /// The vulnerability enables it (CISA KEV).
    Exposure,
}

impl ControlCategory {
    /// The word reports and the JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlCategory::Detect => "detect",
            ControlCategory::Protect => "protect",
            ControlCategory::Respond => "respond",
            ControlCategory::Mitigate => "mitigate",
            ControlCategory::Exposure => "exposure",
        }
    }
}

/// How well a capability does what its category says (`score_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ControlScore {
    /// Shown, never counted.
    Minimal,
    /// Counts: one rule for `detect`, protected for `protect`.
    Partial,
    /// Counts: strong (`strong_at` rules) for `detect`, protected for `protect`.
    Significant,
}

impl ControlCategory {
    /// Whether a row of this category and score counts: a detect row scored partial or
    /// significant (as rules), a protect row so scored (protected), every mitigate and exposure
    /// row. Minimal rows and respond rows are shown only. The one rule every stage uses.
    pub fn counts(self, score: Option<ControlScore>) -> bool {
        let scored = matches!(score, Some(ControlScore::Partial | ControlScore::Significant));
        match self {
            ControlCategory::Detect | ControlCategory::Protect => scored,
            ControlCategory::Respond => false,
            ControlCategory::Mitigate | ControlCategory::Exposure => true,
        }
    }
}

impl ControlScore {
    fn parse(word: &str) -> Option<ControlScore> {
        match word.trim().to_ascii_lowercase().as_str() {
            "minimal" => Some(ControlScore::Minimal),
            "partial" => Some(ControlScore::Partial),
            "significant" => Some(ControlScore::Significant),
            _ => None,
        }
    }

    /// The word reports and the JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlScore::Minimal => "minimal",
            ControlScore::Partial => "partial",
            ControlScore::Significant => "significant",
        }
    }
}

/// One mapping row, with the provenance of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlMapping {
    /// `metadata.mapping_framework` (`aws`, `nist_800_53`, `kev`).
    pub framework: String,
    /// Its version (the row's own `mapping_framework_version`, else the file's).
    pub framework_version: String,
    /// The ATT&CK release the file maps to (`16.1`).
    pub attack_version: String,
    /// The ATT&CK domain it maps (`enterprise`).
    pub domain: String,
    /// `capability_group` (may be empty).
    pub group: String,
    /// The group's name from `metadata.capability_groups` (may be empty).
    pub group_name: String,
    /// What the row says.
    pub category: ControlCategory,
    /// Its score, for detect, protect and respond rows.
    pub score: Option<ControlScore>,
    /// `mapping_type` as written.
    pub mapping_type: String,
    /// The mapping's comments.
    pub comments: String,
}

#[derive(Deserialize)]
struct File {
    metadata: Metadata,
    mapping_objects: Vec<Row>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    attack_version: Option<String>,
    #[serde(default)]
    technology_domain: Option<String>,
    #[serde(default)]
    mapping_framework: Option<String>,
    #[serde(default)]
    mapping_framework_version: Option<String>,
    #[serde(default)]
    capability_groups: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    capability_id: Option<String>,
    #[serde(default)]
    capability_description: Option<String>,
    #[serde(default)]
    capability_group: Option<String>,
    #[serde(default)]
    mapping_type: Option<String>,
    #[serde(default)]
    attack_object_id: Option<String>,
    #[serde(default)]
    score_category: Option<String>,
    #[serde(default)]
    score_value: Option<String>,
    #[serde(default)]
    comments: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    mapping_framework_version: Option<String>,
}

/// The KEV mapping types: the CVE gives the technique to whoever exploits it.
const EXPOSURE_TYPES: [&str; 4] =
    ["exploitation_technique", "primary_impact", "secondary_impact", "uncategorized"];

/// Why a row is passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Passed {
    NonMappable,
    NoCategory,
    NoScore,
}

impl Passed {
    fn describe(self) -> &'static str {
        match self {
            Passed::NonMappable => "non-mappable (no capability or no technique)",
            Passed::NoCategory => "neither a score category nor a known mapping type",
            Passed::NoScore => "no score value (minimal, partial or significant)",
        }
    }
}

fn text(value: Option<String>) -> String {
    value.map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// What a row says, or why it is passed over.
fn classify(row: &Row, framework: &str) -> Result<(ControlCategory, Option<ControlScore>), Passed> {
    let word = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
    let category = match word(&row.score_category).as_str() {
        "detect" => Some(ControlCategory::Detect),
        "protect" => Some(ControlCategory::Protect),
        "respond" => Some(ControlCategory::Respond),
        _ => None,
    };
    if let Some(category) = category {
        let score = row.score_value.as_deref().and_then(ControlScore::parse).ok_or(Passed::NoScore)?;
        return Ok((category, Some(score)));
    }
    let mapping_type = word(&row.mapping_type);
    if mapping_type == "mitigates" {
        Ok((ControlCategory::Mitigate, None))
    } else if EXPOSURE_TYPES.contains(&mapping_type.as_str()) || framework.eq_ignore_ascii_case("kev") {
        Ok((ControlCategory::Exposure, None))
    } else {
        Err(Passed::NoCategory)
    }
}

/// Where one of a row's texts lies in its [`ControlFile`]'s one string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Span {
    start: u32,
    end: u32,
}

/// One mappable row of a file, as kept (and cached): its texts are spans of the file's one
/// string, so reading a cached file allocates once, not once per field of thousands of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRow {
    /// 1-based position in `mapping_objects`.
    pub number: u32,
    /// What the row says.
    pub category: ControlCategory,
    /// Its score, for detect, protect and respond rows.
    pub score: Option<ControlScore>,
    capability: Span,
    description: Span,
    group: Span,
    technique: Span,
    mapping_type: Span,
    /// The row's own `mapping_framework_version` (empty: the file's).
    framework_version: Span,
    comments: Span,
}

/// A whole Mappings Explorer file: the provenance once, the mappable rows, and a warning per
/// kind of row passed over. This is what is cached; rules are made only of the rows a model
/// selects ([`ControlFile::rule`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlFile {
    /// `metadata.mapping_framework`.
    pub framework: String,
    /// `metadata.mapping_framework_version`.
    pub framework_version: String,
    /// `metadata.attack_version`.
    pub attack_version: String,
    /// `metadata.technology_domain`, lower-cased.
    pub domain: String,
    /// `metadata.capability_groups`: group → name.
    pub groups: BTreeMap<String, String>,
    /// The mappable rows, in file order.
    pub rows: Vec<ControlRow>,
    /// One line per kind of row passed over, naming their places.
    pub warnings: Vec<String>,
    /// Every row's texts, one after another.
    text: String,
}

impl ControlFile {
    /// Reads a file's text.
    pub fn parse(text_in: &str) -> Result<ControlFile, Skip> {
        let file: File = serde_json::from_str(text_in).map_err(|e| {
            Skip::syntax(format!(
                "not a Mappings Explorer file (metadata and mapping_objects): {}",
                json_error(&e)
            ))
        })?;
        let m = file.metadata;
        let framework = text(m.mapping_framework);
        let mut all = String::new();
        let mut put = |value: &str| -> Span {
            let start = u32::try_from(all.len()).unwrap_or(u32::MAX);
            all.push_str(value.trim());
            Span { start, end: u32::try_from(all.len()).unwrap_or(u32::MAX) }
        };
        let mut rows = Vec::new();
        let mut passed: BTreeMap<Passed, Vec<usize>> = BTreeMap::new();
        for (i, row) in file.mapping_objects.into_iter().enumerate() {
            let n = i + 1;
            let capability = row.capability_id.as_deref().map(str::trim).unwrap_or_default();
            let technique = row.attack_object_id.as_deref().map(str::trim).unwrap_or_default();
            let non_mappable =
                row.status.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("non_mappable"));
            if non_mappable || capability.is_empty() || technique.is_empty() {
                passed.entry(Passed::NonMappable).or_default().push(n);
                continue;
            }
            let (category, score) = match classify(&row, &framework) {
                Ok(c) => c,
                Err(why) => {
                    passed.entry(why).or_default().push(n);
                    continue;
                }
            };
            let description = row
                .capability_description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or(capability);
            rows.push(ControlRow {
                number: u32::try_from(n).unwrap_or(u32::MAX),
                category,
                score,
                capability: put(capability),
                description: put(description),
                group: put(row.capability_group.as_deref().unwrap_or_default()),
                technique: put(technique),
                mapping_type: put(row.mapping_type.as_deref().unwrap_or_default()),
                framework_version: put(row.mapping_framework_version.as_deref().unwrap_or_default()),
                comments: put(row.comments.as_deref().unwrap_or_default()),
            });
        }
        let warnings = passed
            .into_iter()
            .map(|(why, rows)| {
                const SHOWN: usize = 12;
                let mut places: Vec<String> =
                    rows.iter().take(SHOWN).map(|n| format!("mapping {n}")).collect();
                if rows.len() > SHOWN {
                    places.push(format!("and {} more", rows.len() - SHOWN));
                }
                format!("{} row(s) passed over, {}: {}", rows.len(), why.describe(), places.join(", "))
            })
            .collect();
        Ok(ControlFile {
            framework,
            framework_version: text(m.mapping_framework_version),
            attack_version: text(m.attack_version),
            domain: text(m.technology_domain).to_ascii_lowercase(),
            groups: m.capability_groups.unwrap_or_default(),
            rows,
            warnings,
            text: all,
        })
    }

    fn at(&self, span: Span) -> &str {
        self.text.get(span.start as usize..span.end as usize).unwrap_or_default()
    }

    /// A row's `capability_id`.
    pub fn capability(&self, row: &ControlRow) -> &str {
        self.at(row.capability)
    }

    /// A row's `capability_group` (may be empty).
    pub fn group(&self, row: &ControlRow) -> &str {
        self.at(row.group)
    }

    /// Row `i` as a rule of the file at `path` (weight 1; the model's binding sets its weight).
    pub fn rule(&self, i: usize, path: &Path) -> DetectionRule {
        let row = &self.rows[i];
        let mut rule = DetectionRule::new(
            RuleKind::MappingsExplorer,
            path,
            self.capability(row),
            self.at(row.description),
        );
        rule.locator = Some(format!("mapping {}", row.number));
        rule.techniques.push(self.at(row.technique).to_owned());
        let version = self.at(row.framework_version);
        let group = self.group(row);
        rule.control = Some(Box::new(ControlMapping {
            framework: self.framework.clone(),
            framework_version: if version.is_empty() {
                self.framework_version.clone()
            } else {
                version.to_owned()
            },
            attack_version: self.attack_version.clone(),
            domain: self.domain.clone(),
            group_name: self.groups.get(group).cloned().unwrap_or_default(),
            group: group.to_owned(),
            category: row.category,
            score: row.score,
            mapping_type: self.at(row.mapping_type).to_owned(),
            comments: self.at(row.comments).to_owned(),
        }));
        rule
    }
}

impl Adapter for MappingsExplorer {
    fn kind(&self) -> RuleKind {
        RuleKind::MappingsExplorer
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["json"])
    }

    fn parse(&self, path: &Path, text_in: &str) -> Result<Parsed, Skip> {
        let file = ControlFile::parse(text_in)?;
        let rules = (0..file.rows.len()).map(|i| file.rule(i, path)).collect();
        Ok(Parsed { rules, warnings: file.warnings })
    }
}
