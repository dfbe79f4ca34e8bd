//! The model's references to techniques and tactics outside `actors`: `targets.must_cover`,
//! `accepted`, and the keys of `targets.tactics`. Each must name something in this ATT&CK
//! version; a revoked technique is replaced by its successor with a warning.

use crate::attack::{KnowledgeBase, Status, TacticIdx, TechniqueIdx};
use crate::diagnostics::{Problem, nearest};
use crate::model::spans::escape_segment;
use crate::model::{LoadedModel, Percent};

/// Targets and acceptances bound to ATT&CK.
#[derive(Debug, Clone, Default)]
pub struct ResolvedTargets {
    /// `targets.must_cover`, in model order.
    pub must_cover: Vec<TechniqueIdx>,
    /// `accepted`, in model order: the entry's index and its technique.
    pub accepted: Vec<(usize, TechniqueIdx)>,
    /// `targets.tactics`: the key as written, the tactic and the promise.
    pub tactics: Vec<(String, TacticIdx, Percent)>,
}

/// Resolves targets and acceptances; returns them with warnings, or every problem.
pub fn resolve_targets(
    model: &LoadedModel,
    kb: &KnowledgeBase,
) -> (ResolvedTargets, Vec<Problem>, Vec<Problem>) {
    let mut out = ResolvedTargets::default();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let m = &model.model;
    for (i, id) in m.targets.must_cover.iter().enumerate() {
        let pointer = format!("/targets/must_cover/{i}");
        if let Some(t) = technique(model, kb, id.as_str(), &pointer, &mut problems, &mut warnings) {
            out.must_cover.push(t);
        }
    }
    for (i, acceptance) in m.accepted.iter().enumerate() {
        let pointer = format!("/accepted/{i}/technique");
        if let Some(t) =
            technique(model, kb, acceptance.technique.as_str(), &pointer, &mut problems, &mut warnings)
        {
            out.accepted.push((i, t));
        }
    }
    for (key, percent) in &m.targets.tactics {
        match kb.tactic(key) {
            Some(t) => out.tactics.push((key.clone(), t, *percent)),
            None => {
                let names: Vec<&str> = kb.tactics().iter().map(|t| t.shortname.as_str()).collect();
                let suggestion = nearest(key, names.iter().copied(), 1);
                problems.push(
                    Problem::error(
                        "ttpc::model::unknown_tactic",
                        format!("`{key}` is not a tactic of ATT&CK {}", kb.domain()),
                        model.key_span(&format!("/targets/tactics/{}", escape_segment(key))),
                    )
                    .label("unknown tactic")
                    .help(match suggestion.first() {
                        Some(best) => {
                            format!("did you mean `{best}`? tactics are: {}", names.join(", "))
                        }
                        None => format!("tactics are: {}", names.join(", ")),
                    }),
                );
            }
        }
    }
    (out, problems, warnings)
}

fn technique(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    id: &str,
    pointer: &str,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Option<TechniqueIdx> {
    let span = model.span(pointer);
    let Some(t) = kb.technique(id) else {
        problems.push(
            Problem::error(
                "ttpc::model::unknown_technique",
                format!("{id} is not a technique of ATT&CK {}", kb.domain()),
                span,
            )
            .label("unknown technique")
            .help("look techniques up with `ttpc technique ID`; IDs from a newer ATT&CK release need a newer attack.version"),
        );
        return None;
    };
    match (kb[t].status, kb[t].revoked_by) {
        (Status::Active, _) => Some(t),
        (Status::Revoked, Some(next)) if kb[next].is_active() => {
            warnings.push(
                Problem::warning(
                    "ttpc::model::revoked_technique",
                    format!(
                        "{id} is revoked in ATT&CK; using its replacement {} {}",
                        kb[next].id,
                        kb.full_name(next)
                    ),
                    span,
                )
                .label("revoked")
                .help(format!("write {} instead", kb[next].id)),
            );
            Some(next)
        }
        _ => {
            problems.push(
                Problem::error(
                    "ttpc::model::deprecated_technique",
                    format!("{id} {} is deprecated in ATT&CK and has no replacement", kb.full_name(t)),
                    span,
                )
                .label("deprecated")
                .help("remove it from the model"),
            );
            None
        }
    }
}
