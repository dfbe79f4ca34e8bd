//! Drift: where a file source in git and the live source it is deployed as (`deployed_as`)
//! disagree — rules in git but not deployed, deployed but disabled, deployed but not in git, and
//! mapped to other techniques in the two.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One file source compared with the live source it is deployed as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Drift {
    /// The file source (git).
    pub source: String,
    /// The live source it is deployed as.
    pub deployed_as: String,
    /// Which side counts towards coverage: `deployed` or `git` (`coverage.count_paired`).
    pub counted: String,
    /// Rules in the file source.
    pub in_git: usize,
    /// Rules in the live source.
    pub deployed: usize,
    /// In git, not deployed.
    pub not_deployed: Vec<DriftRule>,
    /// In git and deployed, but disabled in the product (enabled in git).
    pub disabled: Vec<DriftRule>,
    /// Deployed, not in git (made or edited in the console).
    pub not_in_git: Vec<DriftRule>,
    /// In both, mapped to other techniques.
    pub mapped_differently: Vec<DriftMapping>,
}

impl Drift {
    /// How many disagreements in all.
    pub fn count(&self) -> usize {
        self.not_deployed.len() + self.disabled.len() + self.not_in_git.len() + self.mapped_differently.len()
    }
}

/// A rule of a drift list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftRule {
    /// The rule's ID (stanza or saved-search name, `rule_id`, alert rule name).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where it is: a file (and stanza or line), or the API path of a deployed rule.
    pub place: String,
}

/// A rule mapped differently in git and in the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftMapping {
    /// The rule's ID.
    pub id: String,
    /// Its title (as deployed).
    pub title: String,
    /// Techniques in git (after normalisation), sorted.
    pub git: Vec<String>,
    /// Techniques deployed (after normalisation), sorted.
    pub deployed: Vec<String>,
}
