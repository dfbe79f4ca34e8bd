//! The whole ATT&CK matrix of the model's domain, every cell with its state: what the SVG heat
//! map and the HTML report draw.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::State;

/// One tactic column of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MatrixColumn {
    /// Tactic ID.
    pub id: String,
    /// Shortname.
    pub shortname: String,
    /// Name.
    pub name: String,
    /// Its techniques (not sub-techniques), by name as ATT&CK's matrix sorts them.
    pub cells: Vec<MatrixCell>,
}

/// A cell of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MatrixCell {
    /// Technique ID.
    pub id: String,
    /// Its own name (the sub-technique's alone, for a sub-technique).
    pub name: String,
    /// Where it stands; `not-used` when no actor uses it.
    pub state: CellState,
    /// Counted rules.
    pub score: u32,
    /// Sub-techniques shown under it: those in play, when the technique is in play.
    pub subtechniques: Vec<MatrixCell>,
    /// Sub-techniques not shown (the "+3").
    pub hidden_subtechniques: usize,
    /// Whether a selected security control protects it (see the technique's `protected`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protected: bool,
}

/// The state of a matrix cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    /// Covered, strong.
    Strong,
    /// Covered, partial.
    Partial,
    /// A gap.
    Gap,
    /// A gap whose ATT&CK analytics read only collected telemetry.
    VisibleGap,
    /// Accepted risk.
    Accepted,
    /// Used by an actor, but out of scope.
    OutOfScope,
    /// Used by no actor of the model.
    NotUsed,
}

impl CellState {
    /// The word used in legends.
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::Strong => "covered (strong)",
            CellState::Partial => "covered (partial)",
            CellState::Gap => "gap",
            CellState::VisibleGap => "visible, not detected",
            CellState::Accepted => "accepted risk",
            CellState::OutOfScope => "out of scope",
            CellState::NotUsed => "not used by these actors",
        }
    }

    /// Every state, legend order.
    pub const ALL: [CellState; 7] = [
        CellState::Strong,
        CellState::Partial,
        CellState::Gap,
        CellState::VisibleGap,
        CellState::Accepted,
        CellState::OutOfScope,
        CellState::NotUsed,
    ];
}

impl From<State> for CellState {
    fn from(state: State) -> CellState {
        match state {
            State::Strong => CellState::Strong,
            State::Partial => CellState::Partial,
            State::Gap => CellState::Gap,
            State::Accepted => CellState::Accepted,
            State::OutOfScope => CellState::OutOfScope,
        }
    }
}
