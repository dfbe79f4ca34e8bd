//! Two assessments compared (a pull request's base and head): the data `ttpc diff` and the
//! pull-request comment show. Computed by [`crate::check::baseline::compare`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Coverage, Drift};

/// A coverage figure before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delta {
    /// What (`overall`, an actor's or a tactic's name).
    pub name: String,
    /// Covered / assessed before.
    pub base: Option<(usize, usize)>,
    /// Covered / assessed after.
    pub head: Option<(usize, usize)>,
    /// Percent before.
    pub base_percent: Option<f64>,
    /// Percent after.
    pub head_percent: Option<f64>,
    /// Change in percentage points.
    pub change: Option<f64>,
}

impl Delta {
    /// The change from `base` to `head`.
    pub fn new(name: &str, base: Option<&Coverage>, head: Option<&Coverage>) -> Delta {
        let change = match (base.and_then(|c| c.percent), head.and_then(|c| c.percent)) {
            (Some(b), Some(h)) => Some(((h - b) * 10.0).round() / 10.0),
            _ => None,
        };
        Delta {
            name: name.to_owned(),
            base: base.map(|c| (c.covered, c.techniques)),
            head: head.map(|c| (c.covered, c.techniques)),
            base_percent: base.and_then(|c| c.percent),
            head_percent: head.and_then(|c| c.percent),
            change,
        }
    }

    /// Whether anything moved.
    pub fn changed(&self) -> bool {
        self.base != self.head || self.base_percent != self.head_percent
    }
}

/// A technique whose coverage changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TechniqueChange {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Actors using it (head, else base).
    pub actors: Vec<String>,
    /// State before (`none` when not assessed).
    pub from: String,
    /// State after.
    pub to: String,
    /// Rules that now cover it and did not before (`title (source)`).
    pub rules_added: Vec<String>,
    /// Rules that covered it and no longer do.
    pub rules_removed: Vec<String>,
}

/// A verdict that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VerdictChange {
    /// The target.
    pub target: String,
    /// Held before (`None`: no such target before).
    pub base: Option<bool>,
    /// Holds now (`None`: gone).
    pub head: Option<bool>,
    /// What was promised.
    pub expected: String,
    /// What is found now (or was, when gone).
    pub actual: String,
}

/// A validation state that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ValidationChange {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
}

/// Base against head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    /// The model's name (head).
    pub model: String,
    /// ATT&CK version of the base.
    pub base_attack: String,
    /// ATT&CK version of the head.
    pub head_attack: String,
    /// Overall coverage.
    pub overall: Delta,
    /// Per actor (by ATT&CK ID; every actor of either side).
    pub actors: Vec<Delta>,
    /// Per tactic, matrix order of the head.
    pub tactics: Vec<Delta>,
    /// Covered now, not before.
    pub newly_covered: Vec<TechniqueChange>,
    /// Covered before, not now.
    pub newly_uncovered: Vec<TechniqueChange>,
    /// Gaps now that were not gaps (nor covered) before: new actors, techniques, scope.
    pub new_gaps: Vec<TechniqueChange>,
    /// Covered before and after, with other rules.
    pub rules_changed: Vec<TechniqueChange>,
    /// Verdicts that changed, appeared or disappeared.
    pub verdicts: Vec<VerdictChange>,
    /// Validation states that changed.
    pub validation: Vec<ValidationChange>,
    /// The head's drift between git and deployed rules (`deployed_as`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
}

impl Comparison {
    /// Whether anything at all changed.
    pub fn is_empty(&self) -> bool {
        !self.overall.changed()
            && self.actors.iter().all(|d| !d.changed())
            && self.newly_covered.is_empty()
            && self.newly_uncovered.is_empty()
            && self.new_gaps.is_empty()
            && self.rules_changed.is_empty()
            && self.verdicts.is_empty()
            && self.validation.is_empty()
    }
}
