//! Security controls as evidence: what the model's `mappings-explorer` sources say about each
//! technique (detect, protect, respond, mitigate, exposure), with the provenance of every
//! mapping, and the "detected or protected" figures.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One security-control mapping of a technique, from a capability the model selected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ControlRef {
    /// What it says: `detect`, `protect`, `respond`, `mitigate` (NIST SP 800-53) or `exposure`
    /// (a known exploited vulnerability enables the technique).
    pub category: String,
    /// `minimal`, `partial` or `significant` (detect, protect and respond rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Whether it counts: a detect row partial or significant (as rules), a protect row partial
    /// or significant (protected), every mitigate and exposure row. Minimal rows and respond rows
    /// are shown only.
    pub counted: bool,
    /// The capability, control or CVE (`capability_id`).
    pub capability: String,
    /// Its description.
    pub description: String,
    /// Its `capability_group`.
    pub group: String,
    /// The source's name in the model.
    pub source: String,
    /// The mapping framework (`aws`, `nist_800_53`, `kev`) and its version.
    pub framework: String,
    /// The framework's version (`12/12/2024`, `rev5`).
    pub framework_version: String,
    /// The ATT&CK release the mapping was written for.
    pub attack_version: String,
    /// The technique ID as the mapping writes it, when this release calls it otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
    /// Where the mapping is (`aws.json mapping 37`).
    pub place: String,
    /// The mapping's comments.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comments: String,
}

impl ControlRef {
    /// Whether it makes its technique protected: a counted `protect` mapping.
    pub fn protects(&self) -> bool {
        self.category == "protect" && self.counted
    }

    /// How reports name a protecting capability: `Web Firewall (significant)`.
    pub fn named(&self) -> String {
        match &self.score {
            Some(score) => format!("{} ({score})", self.description),
            None => self.description.clone(),
        }
    }
}

/// Coverage counting protection as well as detection (with `mappings-explorer` sources only).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Protection {
    /// Assessed techniques a selected capability protects (whatever their detection).
    pub protected: usize,
    /// Assessed techniques detected (covered) or protected.
    pub detected_or_protected: usize,
    /// detected_or_protected / techniques × 100, one decimal; `None` when nothing is assessed.
    #[serde(default)]
    pub percent: Option<f64>,
}

/// What each `mappings-explorer` source of the model contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ControlSource {
    /// The source's name.
    pub name: String,
    /// The mapping framework and its version (`aws 12/12/2024`).
    pub framework: String,
    /// The ATT&CK release the file maps to.
    pub attack_version: String,
    /// The capabilities selected, as the model says (`all` for every one).
    pub selection: Vec<String>,
    /// Distinct capabilities with at least one kept mapping.
    pub capabilities: usize,
    /// Kept mappings per category and score (`detect significant: 12`), in a fixed order.
    pub mappings: Vec<ControlTally>,
}

/// How many kept mappings have one category and score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ControlTally {
    /// The category.
    pub category: String,
    /// The score, when the category has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Mappings.
    pub mappings: usize,
    /// Whether such mappings count (see [`ControlRef::counted`]).
    pub counted: bool,
}
