//! Resolution: binds a validated model to one ATT&CK knowledge base.
//!
//! Each actor `ref` becomes an ATT&CK group, campaign or software with its technique profile
//! (provenance kept: direct, via a campaign, via software); the model's platforms are matched to
//! the platforms ATT&CK uses. Problems point at the model line that caused them and are all
//! reported at once.

mod actors;
pub mod controls;
pub mod intel;
pub mod live;
mod sources;
mod targets;
mod telemetry;
pub mod weights;

pub use actors::{ActorKind, ActorProfile, Origin, resolve_actors};
pub use intel::{IntelVia, Intelligence, load_intelligence};
pub use live::LiveContext;
pub use sources::{
    EmulationInputs, ResolvedSource, SharedInputs, load_emulation, load_sources, load_sources_in,
};
pub use targets::{ResolvedTargets, resolve_targets};
pub use weights::{TechniqueWeights, load_weights};

use std::collections::BTreeSet;

use crate::attack::KnowledgeBase;
use crate::attack::source::AttackData;
use crate::diagnostics::{Problem, Problems, nearest};
use crate::model::LoadedModel;

/// A model bound to its ATT&CK data.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The model.
    pub model: LoadedModel,
    /// The ATT&CK data it was resolved against.
    pub attack: AttackData,
    /// One profile per model actor, in model order.
    pub actors: Vec<ActorProfile>,
    /// The model's rule sources, parsed and normalised, in model order.
    pub sources: Vec<ResolvedSource>,
    /// Targets and acceptances bound to ATT&CK.
    pub targets: ResolvedTargets,
    /// Atomic Red Team tests and emulation results, when the model names them.
    pub emulation: EmulationInputs,
    /// The model's intelligence, loaded (empty without `intelligence`).
    pub intelligence: Intelligence,
    /// The model's technique weights (empty without `priority.weights`).
    pub weights: TechniqueWeights,
    /// Non-fatal findings in the model (revoked actors, duplicates, ...).
    pub warnings: Vec<Problem>,
}

/// Binds a model to ATT&CK data: resolves every actor, checks every platform name and loads
/// every rule source, reporting all problems at once.
pub fn resolve(model: LoadedModel, attack: AttackData) -> Result<Resolved, Box<Problems>> {
    resolve_with(model, attack, &SharedInputs::default())
}

/// [`resolve`], sharing rule sources and atomics with the other models of a batch.
pub fn resolve_with(
    model: LoadedModel,
    attack: AttackData,
    shared: &SharedInputs,
) -> Result<Resolved, Box<Problems>> {
    let live = LiveContext::of(&model);
    resolve_in(model, attack, shared, &live)
}

/// [`resolve_with`], live rule sources read as `live` says (online, or `--offline` from their
/// snapshots).
pub fn resolve_in(
    model: LoadedModel,
    attack: AttackData,
    shared: &SharedInputs,
    live: &LiveContext,
) -> Result<Resolved, Box<Problems>> {
    let kb = &attack.kb;
    let mut problems = check_platforms(&model, kb);
    problems.extend(telemetry::check(&model, kb));
    let mut warnings = model.warnings.clone();
    let intelligence = match load_intelligence(&model, kb, &shared.intel) {
        Ok((intelligence, intel_warnings)) => {
            warnings.extend(intel_warnings);
            intelligence
        }
        Err(intel_problems) => {
            problems.extend(intel_problems);
            Intelligence::default()
        }
    };
    let names = shared.names(&attack.kb);
    let actors = match actors::resolve_actors_with(&model, kb, &names, &intelligence) {
        Ok((actors, actor_warnings)) => {
            warnings.extend(actor_warnings);
            actors
        }
        Err(actor_problems) => {
            problems.extend(actor_problems);
            Vec::new()
        }
    };
    problems.extend(actors::check_target_keys(&model, kb, &names, &intelligence));
    problems.extend(controls::check_targets(&model, kb));
    let (targets, target_problems, target_warnings) = resolve_targets(&model, kb);
    problems.extend(target_problems);
    warnings.extend(target_warnings);
    let sources = match load_sources_in(&model, kb, shared, live) {
        Ok(sources) => {
            warnings.extend(sources::limit_warnings(&model, &sources));
            warnings.extend(live::offline_warnings(&model, &sources, chrono::Utc::now()));
            sources
        }
        Err(source_problems) => {
            problems.extend(source_problems);
            Vec::new()
        }
    };
    let emulation = match load_emulation(&model, shared) {
        Ok(inputs) => inputs,
        Err(emulation_problems) => {
            problems.extend(emulation_problems);
            EmulationInputs::default()
        }
    };
    let weights = match load_weights(&model, kb) {
        Ok((weights, weight_warnings)) => {
            warnings.extend(weight_warnings);
            weights
        }
        Err(weight_problems) => {
            problems.extend(weight_problems);
            TechniqueWeights::default()
        }
    };
    warnings.extend(unused_acceptances(&model, kb, &actors, &targets));
    warnings.extend(sources::excluded_by_status(&model, &sources));
    if !problems.is_empty() {
        return Err(Box::new(Problems::new(
            "ttpc::model::unresolved",
            format!("{} does not resolve against ATT&CK {}", model.source.name(), kb.domain()),
            &model.source,
            problems,
        )));
    }
    Ok(Resolved { model, attack, actors, sources, targets, emulation, intelligence, weights, warnings })
}

/// A note for each acceptance of a technique no actor of the model uses (nor `must_cover`
/// names): it changes no figure, which a reader of "[pass]" beside "Accepted: 0" should know.
fn unused_acceptances(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    actors: &[ActorProfile],
    targets: &ResolvedTargets,
) -> Vec<Problem> {
    let used: BTreeSet<_> = actors.iter().flat_map(|a| a.techniques.keys().copied()).collect();
    targets
        .accepted
        .iter()
        .filter(|(_, t)| !used.contains(t) && !targets.must_cover.contains(t))
        .map(|(i, t)| {
            Problem::warning(
                "ttpc::model::unused_acceptance",
                format!(
                    "no actor of this model uses {} {}; accepting it changes no figure",
                    kb[*t].id,
                    kb.full_name(*t)
                ),
                model.span(&format!("/accepted/{i}/technique")),
            )
            .label("accepted, but unused")
            .help("remove the acceptance, or add the actor it was meant for")
        })
        .collect()
}

/// Checks the model's platform names (scope and assets) against the platforms of the knowledge
/// base; an unknown platform is an error with the nearest known names.
pub fn check_platforms(model: &LoadedModel, kb: &KnowledgeBase) -> Vec<Problem> {
    let known: BTreeSet<&str> = kb.platforms();
    let mut problems = Vec::new();
    let mut check = |name: &str, pointer: String| {
        if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return;
        }
        let suggestions = nearest(name, known.iter().copied(), 3);
        let list: Vec<String> = known.iter().map(|k| k.to_string()).collect();
        problems.push(
            Problem::error(
                "ttpc::model::unknown_platform",
                format!("`{name}` is not a platform of ATT&CK {}", kb.domain()),
                model.span(&pointer),
            )
            .label("unknown platform")
            .help(match suggestions.first() {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("platforms are: {}", list.join(", ")),
            }),
        );
    };
    for (i, p) in model.model.scope.platforms.iter().enumerate() {
        check(p, format!("/scope/platforms/{i}"));
    }
    for (a, asset) in model.model.assets.iter().enumerate() {
        for (i, p) in asset.platforms.iter().enumerate() {
            check(p, format!("/assets/{a}/platforms/{i}"));
        }
    }
    problems
}
