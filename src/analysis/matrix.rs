//! The ATT&CK matrix of the model's domain as cells with states, for pictures: tactics as columns
//! in matrix order, each technique of a tactic as a cell. A technique's sub-techniques are shown
//! under it when the technique is in play (an actor uses it or one of its sub-techniques); those
//! not in play are only counted.

use crate::assessment::{CellState, MatrixCell, MatrixColumn, TechniqueAssessment};
use crate::attack::{KnowledgeBase, TechniqueIdx};

/// Builds the matrix; `assessed` are the assessment's techniques (sorted by ID).
pub fn matrix(kb: &KnowledgeBase, assessed: &[TechniqueAssessment]) -> Vec<MatrixColumn> {
    let lookup = |id: &str| {
        assessed
            .binary_search_by(|t| t.id.as_str().cmp(id))
            .ok()
            .map(|i| &assessed[i])
            .filter(|t| !t.actors.is_empty())
    };
    let cell = |t: TechniqueIdx| -> MatrixCell {
        let technique = &kb[t];
        let (state, score) =
            lookup(&technique.id).map_or((CellState::NotUsed, 0), |a| (cell_state(a), a.score));
        MatrixCell {
            id: technique.id.clone(),
            name: technique.name.clone(),
            state,
            score,
            subtechniques: Vec::new(),
            hidden_subtechniques: 0,
            protected: lookup(&technique.id).is_some_and(|a| a.protected == Some(true)),
        }
    };
    kb.tactics()
        .iter()
        .enumerate()
        .map(|(i, tactic)| {
            let mut parents: Vec<TechniqueIdx> = kb
                .active_techniques()
                .filter(|t| kb[*t].parent.is_none() && kb[*t].tactics.iter().any(|x| x.get() == i))
                .collect();
            parents.sort_by(|a, b| kb[*a].name.cmp(&kb[*b].name).then(kb[*a].id.cmp(&kb[*b].id)));
            let cells = parents
                .into_iter()
                .map(|p| {
                    let mut parent = cell(p);
                    let subs: Vec<MatrixCell> = kb[p]
                        .subtechniques
                        .iter()
                        .filter(|s| kb[**s].is_active())
                        .map(|s| cell(*s))
                        .collect();
                    let in_play = parent.state != CellState::NotUsed
                        || subs.iter().any(|s| s.state != CellState::NotUsed);
                    let (shown, hidden): (Vec<MatrixCell>, Vec<MatrixCell>) = if in_play {
                        subs.into_iter().partition(|s| s.state != CellState::NotUsed)
                    } else {
                        (Vec::new(), subs)
                    };
                    parent.subtechniques = shown;
                    parent.hidden_subtechniques = hidden.len();
                    parent
                })
                .collect();
            MatrixColumn {
                id: tactic.id.clone(),
                shortname: tactic.shortname.clone(),
                name: tactic.name.clone(),
                cells,
            }
        })
        .collect()
}

/// A technique's cell state: its state, with gaps whose analytics' data is all collected told
/// apart as "visible, not detected".
fn cell_state(a: &TechniqueAssessment) -> CellState {
    match (a.state, a.visibility) {
        (crate::assessment::State::Gap, Some(crate::assessment::Visibility::Visible)) => {
            CellState::VisibleGap
        }
        (state, _) => state.into(),
    }
}
