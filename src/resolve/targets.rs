//! The model's references to techniques and tactics outside `actors`: `targets.must_cover`,
//! `accepted`, and the keys of `targets.tactics`. Each must name something in this ATT&CK
//! version; a revoked technique is replaced by its successor with a warning.

use crate::attack::releases::{self, Foreign};
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
        for t in technique(model, kb, id.as_str(), &pointer, &mut problems, &mut warnings) {
            if !out.must_cover.contains(&t) {
                out.must_cover.push(t);
            }
        }
    }
    for (i, acceptance) in m.accepted.iter().enumerate() {
        let pointer = format!("/accepted/{i}/technique");
        for t in technique(model, kb, acceptance.technique.as_str(), &pointer, &mut problems, &mut warnings) {
            out.accepted.push((i, t));
        }
    }
    for (key, percent) in &m.targets.tactics {
        let span = model.key_span(&format!("/targets/tactics/{}", escape_segment(key)));
        match kb.tactic(key) {
            Some(t) => out.tactics.push((key.clone(), t, *percent)),
            None if let Some(split) = releases::split_of(kb, key) => {
                let new: Vec<String> =
                    split.new.iter().map(|(short, id)| format!("`{short}` ({id})")).collect();
                problems.push(
                    Problem::error(
                        "ttpc::model::split_tactic",
                        format!(
                            "`{key}` is no tactic of ATT&CK {} since {}: it was split into {}",
                            kb.domain(),
                            split.release,
                            new.join(" and ")
                        ),
                        span,
                    )
                    .label("split tactic")
                    .help(format!(
                        "write a target for each of {} instead (per-tactic figures are not comparable across the split); `ttpc migrate` does it and shows today's coverage of each",
                        split.new.iter().map(|(short, _)| *short).collect::<Vec<_>>().join(" and ")
                    )),
                );
            }
            None if let Some(split) = releases::introduced_by(kb, key) => {
                problems.push(
                    Problem::error(
                        "ttpc::model::later_tactic",
                        format!(
                            "`{key}` is a tactic of ATT&CK {} from {} on; this release still has `{}` ({})",
                            kb.domain(),
                            split.release,
                            split.old,
                            split.old_id
                        ),
                        span,
                    )
                    .label("tactic of a later release")
                    .help(format!(
                        "write `{}` on this release, or pin attack.version {} or later (`ttpc migrate MODEL --to {}`)",
                        split.old, split.release, split.release
                    )),
                );
            }
            None => {
                let names: Vec<&str> = kb.tactics().iter().map(|t| t.shortname.as_str()).collect();
                let suggestion = nearest(key, names.iter().copied(), 1);
                problems.push(
                    Problem::error(
                        "ttpc::model::unknown_tactic",
                        format!("`{key}` is not a tactic of ATT&CK {}", kb.domain()),
                        span,
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

/// One technique ID of the model, bound to `kb` (revoked → replacement, other releases
/// translated, with a warning; deprecated, later or unknown IDs are errors).
pub(super) fn technique(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    id: &str,
    pointer: &str,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Vec<TechniqueIdx> {
    let span = model.span(pointer);
    let Some(t) = kb.technique(id) else {
        match kb.translate(id) {
            Some(Foreign::Translated { release, newer, techniques, via_parent }) => {
                let ids: Vec<&str> = techniques.iter().map(|t| kb[*t].id.as_str()).collect();
                let via = via_parent.map(|p| format!(" (through its parent {p})")).unwrap_or_default();
                let side = if newer { format!("an ID of ATT&CK {release}") } else { format!("revoked in ATT&CK {release}") };
                warnings.push(
                    Problem::warning(
                        "ttpc::model::translated_technique",
                        format!("{id} is {side}; in this release it stands for {}{via}", ids.join(", ")),
                        span,
                    )
                    .label("translated")
                    .help(format!(
                        "write {} for this release, or move the model with `ttpc migrate MODEL --to {release}`",
                        ids.join(", ")
                    )),
                );
                return techniques;
            }
            Some(Foreign::New { release }) => {
                problems.push(
                    Problem::error(
                        "ttpc::model::later_technique",
                        format!("{id} is new in ATT&CK {release} and has no equivalent in this release"),
                        span,
                    )
                    .label("technique of a later release")
                    .help(format!("remove it, or pin attack.version {release} (`ttpc migrate MODEL --to {release}`)")),
                );
            }
            None => problems.push(
                Problem::error(
                    "ttpc::model::unknown_technique",
                    format!("{id} is not a technique of ATT&CK {}", kb.domain()),
                    span,
                )
                .label("unknown technique")
                .help("look techniques up with `ttpc technique ID`; IDs from a newer ATT&CK release need a newer attack.version"),
            ),
        }
        return Vec::new();
    };
    match (kb[t].status, kb[t].revoked_by) {
        (Status::Active, _) => vec![t],
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
            vec![next]
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
            Vec::new()
        }
    }
}
