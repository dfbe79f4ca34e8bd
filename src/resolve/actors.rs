//! Actor references → ATT&CK objects → technique profiles with provenance.
//!
//! A `ref` is an ATT&CK ID (`G0046`, `C0022`, `S0002`), a name or an alias, in any case. Names beat
//! aliases, and groups beat campaigns beat software, so `Carbanak` (a group alias and a malware
//! name) resolves predictably; two objects tied at the best rank are ambiguous and reported with
//! both. A revoked group is replaced by its successor, with a warning.
//!
//! With `intelligence` in the model, a `ref` that ATT&CK does not know may name an actor of a
//! vendor bundle or a layer (by name, alias or STIX id), or a MISP galaxy name linked to exactly
//! one ATT&CK group (which it then resolves to, with a note). ATT&CK's own names and aliases
//! come first, so adding intelligence never changes what an existing `ref` means. An actor
//! known to both ATT&CK and the intelligence is reported; `profile` picks one or their union. An
//! entry with `techniques` is the team's own actor, its `ref` a name.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::intel::{self, IntelVia, Intelligence};
use crate::attack::{CampaignIdx, GroupIdx, KnowledgeBase, SoftwareIdx, Status, TechniqueIdx, Via};
use crate::diagnostics::{Problem, nearest, one_of};
use crate::intel::Route;
use crate::model::{ActorRef, LoadedModel, ProfileChoice};

/// What an actor reference resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActorKind {
    /// An ATT&CK group.
    Group(GroupIdx),
    /// An ATT&CK campaign.
    Campaign(CampaignIdx),
    /// ATT&CK software.
    Software(SoftwareIdx),
    /// An actor of the model's intelligence (index into [`Intelligence::actors`]).
    Intel(u32),
    /// The team's own actor, with its techniques in the model (index into `actors`).
    Custom(u32),
}

/// Where an actor beyond ATT&CK comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `intrusion-set`, `navigator-layer` or `custom`.
    pub kind: String,
    /// The source: `stix ../intel/unit42 (rancortaurus.json)`, a layer's path, or a custom
    /// actor's `source`.
    pub source: String,
    /// Its STIX id, for an intrusion set.
    pub stix_id: Option<String>,
}

/// A resolved actor and the techniques it is known to use.
#[derive(Debug, Clone)]
pub struct ActorProfile {
    /// The `ref` as written in the model.
    pub reference: String,
    /// The ATT&CK object.
    pub kind: ActorKind,
    /// Its ATT&CK ID.
    pub id: String,
    /// Its ATT&CK name.
    pub name: String,
    /// The model's weight for it.
    pub weight: u32,
    /// Active techniques and where each comes from in ATT&CK (sorted; `Direct` first); empty
    /// for a technique that only intelligence gives.
    pub techniques: BTreeMap<TechniqueIdx, BTreeSet<Via>>,
    /// Where each technique comes from in the model's intelligence (or the model itself, for a
    /// custom actor).
    pub evidence: BTreeMap<TechniqueIdx, BTreeSet<IntelVia>>,
    /// For an actor beyond ATT&CK (or a union with one): where it comes from.
    pub origin: Option<Origin>,
}

impl ActorProfile {
    /// How many techniques come (at least) from each provenance: direct, campaigns, software.
    pub fn provenance_counts(&self) -> (usize, usize, usize) {
        let empty = BTreeSet::new();
        let count = |f: fn(&Via) -> bool, route: fn(Route) -> bool| {
            self.techniques
                .iter()
                .filter(|(t, v)| {
                    v.iter().any(f) || self.evidence.get(*t).unwrap_or(&empty).iter().any(|e| route(e.route))
                })
                .count()
        };
        (
            count(|v| matches!(v, Via::Direct), |r| matches!(r, Route::Direct | Route::Layer)),
            count(|v| matches!(v, Via::Campaign(_)), |r| r == Route::Campaign),
            count(|v| matches!(v, Via::Software(_)), |r| r == Route::Software),
        )
    }
}

/// Resolves every actor of the model; returns the profiles and warnings, or every problem found.
pub fn resolve_actors(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    intel: &Intelligence,
) -> Result<(Vec<ActorProfile>, Vec<Problem>), Vec<Problem>> {
    resolve_actors_with(model, kb, &NameIndex::new(kb), intel)
}

/// [`resolve_actors`] with the knowledge base's names already indexed (once per batch).
pub(super) fn resolve_actors_with(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    names: &NameIndex,
    intel: &Intelligence,
) -> Result<(Vec<ActorProfile>, Vec<Problem>), Vec<Problem>> {
    let mut profiles: Vec<ActorProfile> = Vec::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut first_of: std::collections::HashMap<ActorKind, usize> = std::collections::HashMap::new();
    for (i, actor) in model.model.actors.iter().enumerate() {
        let span = model.span(&format!("/actors/{i}/ref"));
        if let Some(list) = &actor.techniques {
            if let Some(p) = custom_profile(model, kb, i, actor, list, &mut problems, &mut warnings) {
                profiles.push(p);
            }
            continue;
        }
        let Some(found) = lookup(kb, names, intel, actor, span.clone(), &mut problems, &mut warnings) else {
            continue;
        };
        let Some(profile) = build(model, kb, intel, actor, i, found, &mut problems, &mut warnings) else {
            continue;
        };
        // A map, not a scan of the profiles so far: a hostile model lists 20,000 actors.
        if let Some(earlier) = first_of.get(&profile.kind).map(|i: &usize| &profiles[*i]) {
            warnings.push(
                Problem::warning(
                    "ttpc::model::same_actor",
                    format!(
                        "actor `{}` is {} {}, already listed as `{}`",
                        actor.reference, profile.id, profile.name, earlier.reference
                    ),
                    span.clone(),
                )
                .label("listed before")
                .help("remove one of the entries; its techniques are counted once anyway"),
            );
        }
        first_of.entry(profile.kind).or_insert(profiles.len());
        profiles.push(profile);
    }
    warnings.extend(campaigns_of_listed_groups(model, kb, &profiles));
    if problems.is_empty() { Ok((profiles, warnings)) } else { Err(problems) }
}

/// What a `ref` names: an ATT&CK object, an intelligence actor, or both; and which it named
/// first (the default profile).
#[derive(Debug, Clone, Copy)]
struct Found {
    attack: Option<ActorKind>,
    intel: Option<usize>,
    attack_first: bool,
}

/// Looks a `ref` up: ATT&CK's names and aliases, then the intelligence's actors, then MISP
/// names. Reports ambiguity and unknown names; notes MISP's view where it differs.
fn lookup(
    kb: &KnowledgeBase,
    names: &NameIndex,
    intel: &Intelligence,
    actor: &ActorRef,
    span: std::ops::Range<usize>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Option<Found> {
    let reference = actor.reference.trim();
    let intel_found = intel.find(reference);
    if intel_found.len() > 1 {
        let list: Vec<String> = intel_found.iter().map(|a| describe_intel(intel, *a)).collect();
        problems.push(
            Problem::error(
                "ttpc::model::ambiguous_actor",
                format!("actor `{reference}` is ambiguous: it names {}", one_of(&list)),
                span,
            )
            .label("more than one actor of the model's intelligence")
            .help("write the STIX id of the intrusion set you mean"),
        );
        return None;
    }
    let intel_one = intel_found.first().copied();
    match names.find(kb, reference) {
        Lookup::Found(kind, others) => {
            if !others.is_empty() {
                let list: Vec<String> = others.iter().map(|k| describe(kb, *k)).collect();
                warnings.push(
                    Problem::warning(
                        "ttpc::model::other_candidates",
                        format!(
                            "actor `{}` is taken as {} ({}); it also names {}",
                            actor.reference,
                            describe(kb, kind),
                            "a name beats an alias, a group a campaign, a campaign software",
                            one_of(&list)
                        ),
                        span.clone(),
                    )
                    .label("resolved by rank")
                    .help(format!(
                        "write the ATT&CK ID to say which one you mean: {}",
                        one_of(
                            &std::iter::once(kind)
                                .chain(others.iter().copied())
                                .map(|k| id_of(kb, k).to_owned())
                                .collect::<Vec<_>>()
                        )
                    )),
                );
            }
            // MISP may tie the same name to other groups: ATT&CK's own word stands, and the
            // reader learns of the others.
            let misp = intel.misp(reference);
            let other_groups: Vec<GroupIdx> =
                intel::misp_groups(misp).into_iter().filter(|g| ActorKind::Group(*g) != kind).collect();
            if !other_groups.is_empty() {
                let list: Vec<String> = other_groups.iter().map(|g| intel::group_label(kb, *g)).collect();
                warnings.push(
                    Problem::warning(
                        "ttpc::model::misp_other_groups",
                        format!(
                            "actor `{reference}` is taken as {}, as ATT&CK names it; the MISP galaxy's {} also links it to {}",
                            describe(kb, kind),
                            intel::misp_names(misp),
                            one_of(&list)
                        ),
                        span.clone(),
                    )
                    .label("ATT&CK's name first")
                    .help(format!(
                        "write the ATT&CK ID to say which one you mean: {}",
                        one_of(
                            &std::iter::once(id_of(kb, kind).to_owned())
                                .chain(other_groups.iter().map(|g| kb[*g].id.clone()))
                                .collect::<Vec<_>>()
                        )
                    )),
                );
            }
            Some(Found { attack: Some(kind), intel: intel_one, attack_first: true })
        }
        Lookup::Ambiguous(kinds) => {
            let list: Vec<String> = kinds.iter().map(|k| describe(kb, *k)).collect();
            problems.push(
                Problem::error(
                    "ttpc::model::ambiguous_actor",
                    format!("actor `{}` is ambiguous: it names {}", actor.reference, one_of(&list)),
                    span,
                )
                .label("more than one ATT&CK object")
                .help(format!(
                    "use the ATT&CK ID instead: {}",
                    one_of(&kinds.iter().map(|k| id_of(kb, *k).to_owned()).collect::<Vec<_>>())
                )),
            );
            None
        }
        Lookup::Unknown if let Some(a) = intel_one => {
            // An intelligence actor ATT&CK may profile under one of its names.
            let attack = intel.actors[a].1.names().find_map(|n| match names.find(kb, n) {
                Lookup::Found(kind @ ActorKind::Group(_), _) => Some(kind),
                _ => None,
            });
            Some(Found { attack, intel: Some(a), attack_first: false })
        }
        Lookup::Unknown => {
            let misp = intel.misp(reference);
            let groups = intel::misp_groups(misp);
            match groups.as_slice() {
                [g] => {
                    warnings.push(
                        Problem::warning(
                            "ttpc::model::misp_name",
                            format!(
                                "actor `{reference}` is {}: a name of the MISP galaxy's {}, linked (`similar`) to this ATT&CK group",
                                describe(kb, ActorKind::Group(*g)),
                                intel::misp_names(misp)
                            ),
                            span,
                        )
                        .label("resolved through the MISP galaxy")
                        .help(format!("write `ref: {}` to name the group as ATT&CK does", kb[*g].id)),
                    );
                    Some(Found { attack: Some(ActorKind::Group(*g)), intel: None, attack_first: true })
                }
                [] if !misp.is_empty() => {
                    problems.push(
                        Problem::error(
                            "ttpc::model::unlinked_actor",
                            format!(
                                "actor `{reference}` is a name of the MISP galaxy's {}, which is linked to no group of ATT&CK {}: there is no technique profile to use",
                                intel::misp_names(misp),
                                kb.domain()
                            ),
                            span,
                        )
                        .label("known by name only")
                        .help("add a STIX bundle or a layer with its techniques to `intelligence`, or list them as a custom actor (`techniques:`)"),
                    );
                    None
                }
                [] => {
                    let mut suggestions = names.suggest(kb, reference);
                    for label in nearest(reference, intel.labels(), 3) {
                        if suggestions.len() < 3 {
                            suggestions.push(format!("{label} (intelligence)"));
                        }
                    }
                    let sources = if intel.actors.is_empty() { "" } else { " nor the model's intelligence" };
                    problems.push(
                        Problem::error(
                            "ttpc::model::unknown_actor",
                            format!("unknown actor `{}`: no ATT&CK {} group, campaign or software has this ID, name or alias{sources}", actor.reference, kb.domain()),
                            span,
                        )
                        .label("not in ATT&CK")
                        .help(if suggestions.is_empty() {
                            String::from("list groups with `ttpc actors --search TEXT`; an actor ATT&CK does not profile can come from `intelligence` or list its own `techniques`")
                        } else {
                            format!("did you mean {}?", one_of(&suggestions))
                        }),
                    );
                    None
                }
                several => {
                    let list: Vec<String> =
                        several.iter().map(|g| describe(kb, ActorKind::Group(*g))).collect();
                    problems.push(
                        Problem::error(
                            "ttpc::model::ambiguous_actor",
                            format!(
                                "actor `{reference}` is ambiguous: in the MISP galaxy ({}) it names {}",
                                intel::misp_names(misp),
                                one_of(&list)
                            ),
                            span,
                        )
                        .label("more than one ATT&CK group")
                        .help(format!(
                            "use the ATT&CK ID instead: {}",
                            one_of(&several.iter().map(|g| kb[*g].id.clone()).collect::<Vec<_>>())
                        )),
                    );
                    None
                }
            }
        }
    }
}

/// The profile a lookup leads to, under the actor's `profile` choice.
#[allow(clippy::too_many_arguments)]
fn build(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    intel: &Intelligence,
    actor: &ActorRef,
    i: usize,
    found: Found,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Option<ActorProfile> {
    let span = model.span(&format!("/actors/{i}/ref"));
    let attack = found.attack.map(|kind| follow_revocation(kb, kind, actor, span.clone(), warnings));
    let choice = match (actor.profile, attack, found.intel) {
        (None, Some(_), None) => ProfileChoice::Attack,
        (None, None, Some(_)) => ProfileChoice::Intelligence,
        (None, Some(kind), Some(a)) => {
            let default =
                if found.attack_first { ProfileChoice::Attack } else { ProfileChoice::Intelligence };
            let (used, other) = if found.attack_first {
                ("ATT&CK's", "intelligence")
            } else {
                ("the intelligence", "attack")
            };
            warnings.push(
                Problem::warning(
                    "ttpc::model::known_to_both",
                    format!(
                        "actor `{}` is both {} and {}; using {used} profile",
                        actor.reference,
                        describe(kb, kind),
                        describe_intel(intel, a)
                    ),
                    span.clone(),
                )
                .label("profiled twice")
                .help(format!("set `profile: {other}` or `profile: union` (both, each technique with its provenance) to choose")),
            );
            default
        }
        (Some(choice), attack, intel_actor) => {
            let missing = match choice {
                ProfileChoice::Attack => attack.is_none().then_some("ATT&CK"),
                ProfileChoice::Intelligence => intel_actor.is_none().then_some("the model's intelligence"),
                ProfileChoice::Union => match (attack, intel_actor) {
                    (None, _) => Some("ATT&CK"),
                    (_, None) => Some("the model's intelligence"),
                    _ => None,
                },
            };
            if let Some(missing) = missing {
                problems.push(
                    Problem::error(
                        "ttpc::model::profile_choice",
                        format!("actor `{}` has no profile in {missing}, which `profile` asks for", actor.reference),
                        model.span(&format!("/actors/{i}/profile")),
                    )
                    .label("not available")
                    .help("remove `profile`; it chooses between an ATT&CK group and an actor of the intelligence that share a name"),
                );
                return None;
            }
            choice
        }
        (None, None, None) => return None,
    };
    let mut profile = match (choice, attack) {
        (ProfileChoice::Attack | ProfileChoice::Union, Some(kind)) => profile(kb, actor, kind),
        _ => empty_profile(actor),
    };
    if let (ProfileChoice::Intelligence | ProfileChoice::Union, Some(a)) = (choice, found.intel) {
        let (source, intel_actor) = &intel.actors[a];
        let spec = &model.model.intelligence[*source];
        let bound = intel.profile(a, kb, model, actor.via_software);
        if !bound.issues.is_empty() {
            warnings.push(
                Problem::warning(
                    "ttpc::intel::technique_ids",
                    format!(
                        "actor `{}` ({}): {} technique ID(s) of {} remapped or not counted on ATT&CK {}: {}",
                        actor.reference,
                        spec.path,
                        bound.issues.len(),
                        intel_actor.name,
                        model.model.attack.version,
                        bound.issues.join("; ")
                    ),
                    span.clone(),
                )
                .label("IDs as the source wrote them")
                .help("revoked IDs count for their replacement and IDs of other releases as translated; deprecated and unknown IDs are left out"),
            );
        }
        for (t, via) in bound.techniques {
            profile.techniques.entry(t).or_default();
            profile.evidence.entry(t).or_default().extend(via);
        }
        let file =
            if intel_actor.file.is_empty() { String::new() } else { format!(" ({})", intel_actor.file) };
        profile.origin = Some(Origin {
            kind: intel_actor.kind.clone(),
            source: format!("{} {}{file}", spec.kind, spec.path),
            stix_id: intel_actor.stix_id.clone(),
        });
        if choice == ProfileChoice::Intelligence {
            profile.kind = ActorKind::Intel(a as u32);
            profile.id = intel_actor.stix_id.clone().unwrap_or_else(|| String::from("layer"));
            profile.name = intel_actor.name.clone();
        }
    }
    if profile.techniques.is_empty() {
        problems.push(
            Problem::error(
                "ttpc::model::no_techniques",
                format!(
                    "actor `{}` ({}) has no technique on ATT&CK {}",
                    actor.reference,
                    profile.origin.as_ref().map_or_else(|| profile.name.clone(), |o| format!("{} {} in {}", o.kind, profile.name, o.source)),
                    model.model.attack.version
                ),
                span,
            )
            .label("an empty profile")
            .help("an actor without techniques adds nothing to coverage and would hide a broken source: check the source, or remove the actor"),
        );
        return None;
    }
    Some(profile)
}

/// The team's own actor: its techniques validated like every technique list of the model.
#[allow(clippy::too_many_arguments)]
fn custom_profile(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    i: usize,
    actor: &ActorRef,
    list: &[crate::model::TechniqueId],
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Option<ActorProfile> {
    let mut profile = empty_profile(actor);
    profile.kind = ActorKind::Custom(i as u32);
    let source = actor.source.clone().unwrap_or_else(|| String::from("the model"));
    let before = problems.len();
    for (j, id) in list.iter().enumerate() {
        let pointer = format!("/actors/{i}/techniques/{j}");
        for t in super::targets::technique(model, kb, id.as_str(), &pointer, problems, warnings) {
            profile.techniques.entry(t).or_default();
            profile
                .evidence
                .entry(t)
                .or_default()
                .insert(IntelVia { route: Route::Direct, text: format!("custom: {source} (as {id})") });
        }
    }
    if problems.len() > before {
        return None;
    }
    if profile.techniques.is_empty() {
        problems.push(
            Problem::error(
                "ttpc::model::no_techniques",
                format!("custom actor `{}` lists no technique", actor.reference),
                model.span(&format!("/actors/{i}/techniques")),
            )
            .label("empty")
            .help("list the techniques the actor is known to use, e.g. [T1566.001, T1059.001]"),
        );
        return None;
    }
    profile.origin = Some(Origin { kind: String::from("custom"), source, stix_id: None });
    Some(profile)
}

fn empty_profile(actor: &ActorRef) -> ActorProfile {
    ActorProfile {
        reference: actor.reference.clone(),
        kind: ActorKind::Custom(u32::MAX),
        id: String::from("custom"),
        name: actor.reference.clone(),
        weight: actor.weight,
        techniques: BTreeMap::new(),
        evidence: BTreeMap::new(),
        origin: None,
    }
}

fn describe_intel(intel: &Intelligence, a: usize) -> String {
    let actor = &intel.actors[a].1;
    let file = if actor.file.is_empty() { String::new() } else { format!(" in {}", actor.file) };
    format!("{} {}{file} (intelligence)", actor.kind, actor.name)
}

/// `targets.actors` keys that name no actor `ref` of the model. When the nearest `ref` is one
/// that does not resolve (`Sandworm Teem`), the target is written right and the actor is the
/// typo: the target says so and points at the actor, whose own error is the primary one.
pub fn check_target_keys(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    names: &NameIndex,
    intel: &Intelligence,
) -> Vec<Problem> {
    use crate::diagnostics::nearest;
    use crate::model::spans::escape_segment;
    let refs: Vec<&str> = model.model.actors.iter().map(|a| a.reference.as_str()).collect();
    let lowered: std::collections::HashSet<String> = refs.iter().map(|r| r.to_lowercase()).collect();
    let mut problems = Vec::new();
    for key in model.model.targets.actors.keys() {
        if lowered.contains(&key.to_lowercase()) {
            continue;
        }
        let span = model.key_span(&format!("/targets/actors/{}", escape_segment(key)));
        let best = nearest(key, refs.iter().copied(), 1).first().map(|b| (*b).to_owned());
        // An actor of the intelligence, or the team's own, resolves too.
        let custom = |b: &str| model.model.actors.iter().any(|a| a.reference == b && a.techniques.is_some());
        let unresolved = best.as_deref().filter(|b| {
            !matches!(names.find(kb, b), Lookup::Found(..))
                && intel.find(b).is_empty()
                && intel::misp_groups(intel.misp(b)).len() != 1
                && !custom(b)
        });
        let problem = match (&best, unresolved) {
            (_, Some(actor)) => {
                let line = refs.iter().position(|r| *r == actor).map(|i| {
                    let at = model.span(&format!("/actors/{i}/ref")).start;
                    crate::diagnostics::line_col(model.source.text(), at).0
                });
                Problem::error(
                    "ttpc::model::unknown_target_actor",
                    format!(
                        "target for actor `{key}`: the nearest actor of this model, `{actor}`{}, does not resolve",
                        line.map(|l| format!(" (line {l})")).unwrap_or_default()
                    ),
                    span,
                )
                .label("no actor is written so")
                .help(format!("if `{key}` is right, fix the actor's `ref` to match it"))
            }
            (Some(best), None) => Problem::error(
                "ttpc::model::unknown_target_actor",
                format!("target for actor `{key}`, which is not in `actors`"),
                span,
            )
            .label("no such actor in this model")
            .help(format!("did you mean `{best}`? keys name an actor `ref` as written in `actors`")),
            (None, None) => Problem::error(
                "ttpc::model::unknown_target_actor",
                format!("target for actor `{key}`, which is not in `actors`"),
                span,
            )
            .label("no such actor in this model")
            .help("keys name an actor `ref` as written in `actors`"),
        };
        problems.push(problem);
    }
    problems
}

/// A campaign listed beside the group it is attributed to: its techniques are already in the
/// group's profile, and its weight is added to theirs.
fn campaigns_of_listed_groups(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    profiles: &[ActorProfile],
) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        let ActorKind::Campaign(c) = p.kind else { continue };
        for group in &kb[c].groups {
            if let Some(listed) = profiles.iter().find(|q| q.kind == ActorKind::Group(*group)) {
                warnings.push(
                    Problem::warning(
                        "ttpc::model::campaign_of_listed_group",
                        format!(
                            "campaign `{}` ({}) is attributed to {} {}, listed as `{}`: its techniques are counted under both, and their weights add up",
                            p.reference, kb[c].id, kb[*group].id, kb[*group].name, listed.reference
                        ),
                        model.span(&format!("/actors/{i}/ref")),
                    )
                    .label("already in a listed group's profile")
                    .help("keep the campaign only if it deserves weight of its own; otherwise remove it"),
                );
            }
        }
    }
    warnings
}

fn follow_revocation(
    kb: &KnowledgeBase,
    kind: ActorKind,
    actor: &ActorRef,
    span: std::ops::Range<usize>,
    warnings: &mut Vec<Problem>,
) -> ActorKind {
    let ActorKind::Group(g) = kind else {
        return kind;
    };
    let group = &kb[g];
    match (group.status, group.revoked_by) {
        (Status::Revoked, Some(next)) => {
            warnings.push(
                Problem::warning(
                    "ttpc::model::revoked_actor",
                    format!(
                        "actor `{}` is {} {}, revoked in ATT&CK and replaced by {} {}",
                        actor.reference, group.id, group.name, kb[next].id, kb[next].name
                    ),
                    span,
                )
                .label("revoked")
                .help(format!("write `ref: {}` to silence this warning", kb[next].id)),
            );
            ActorKind::Group(next)
        }
        (Status::Deprecated, _) | (Status::Revoked, None) => {
            warnings.push(
                Problem::warning(
                    "ttpc::model::deprecated_actor",
                    format!(
                        "actor `{}` is {} {}, which ATT&CK no longer maintains",
                        actor.reference, group.id, group.name
                    ),
                    span,
                )
                .label("deprecated"),
            );
            kind
        }
        (Status::Active, _) => kind,
    }
}

fn profile(kb: &KnowledgeBase, actor: &ActorRef, kind: ActorKind) -> ActorProfile {
    let mut techniques: BTreeMap<TechniqueIdx, BTreeSet<Via>> = BTreeMap::new();
    let mut add = |list: &[TechniqueIdx], via: Via| {
        for t in list {
            if kb[*t].is_active() {
                techniques.entry(*t).or_default().insert(via);
            }
        }
    };
    let mut software: Vec<SoftwareIdx> = Vec::new();
    match kind {
        ActorKind::Group(g) => {
            let group = &kb[g];
            add(&group.techniques, Via::Direct);
            software.extend(&group.software);
            for c in &group.campaigns {
                let campaign = &kb[*c];
                if campaign.status == Status::Active {
                    add(&campaign.techniques, Via::Campaign(*c));
                    software.extend(&campaign.software);
                }
            }
        }
        ActorKind::Campaign(c) => {
            add(&kb[c].techniques, Via::Direct);
            software.extend(&kb[c].software);
        }
        ActorKind::Software(s) => add(&kb[s].techniques, Via::Direct),
        ActorKind::Intel(_) | ActorKind::Custom(_) => {}
    }
    if actor.via_software {
        software.sort();
        software.dedup();
        for s in software {
            if kb[s].status == Status::Active {
                add(&kb[s].techniques, Via::Software(s));
            }
        }
    }
    ActorProfile {
        reference: actor.reference.clone(),
        kind,
        id: id_of(kb, kind).to_owned(),
        name: name_of(kb, kind).to_owned(),
        weight: actor.weight,
        techniques,
        evidence: BTreeMap::new(),
        origin: None,
    }
}

/// `G0046`, `C0022` or `S0002`, in any case.
fn by_id(kb: &KnowledgeBase, reference: &str) -> Option<ActorKind> {
    kb.group(reference)
        .map(ActorKind::Group)
        .or_else(|| kb.campaign(reference).map(ActorKind::Campaign))
        .or_else(|| kb.software_by_id(reference).map(ActorKind::Software))
}

fn id_of(kb: &KnowledgeBase, kind: ActorKind) -> &str {
    match kind {
        ActorKind::Group(g) => &kb[g].id,
        ActorKind::Campaign(c) => &kb[c].id,
        ActorKind::Software(s) => &kb[s].id,
        ActorKind::Intel(_) | ActorKind::Custom(_) => "",
    }
}

fn name_of(kb: &KnowledgeBase, kind: ActorKind) -> &str {
    match kind {
        ActorKind::Group(g) => &kb[g].name,
        ActorKind::Campaign(c) => &kb[c].name,
        ActorKind::Software(s) => &kb[s].name,
        ActorKind::Intel(_) | ActorKind::Custom(_) => "",
    }
}

fn describe(kb: &KnowledgeBase, kind: ActorKind) -> String {
    let what = match kind {
        ActorKind::Group(_) => "group",
        ActorKind::Campaign(_) => "campaign",
        ActorKind::Software(_) => "software",
        ActorKind::Intel(_) | ActorKind::Custom(_) => "actor",
    };
    format!("{what} {} ({})", name_of(kb, kind), id_of(kb, kind))
}

enum Lookup {
    /// One object; the others the reference also names, ranked below it.
    Found(ActorKind, Vec<ActorKind>),
    Ambiguous(Vec<ActorKind>),
    Unknown,
}

/// Lower-cased names and aliases → objects, with a rank (lower is better).
/// ATT&CK's actor names and aliases, lowercased, for lookups: built once per knowledge base and
/// shared by the models of a batch ([`super::SharedInputs`]).
#[derive(Debug)]
pub(super) struct NameIndex {
    entries: BTreeMap<String, Vec<(u8, ActorKind)>>,
    labels: Vec<(String, ActorKind)>,
}

impl NameIndex {
    pub(super) fn new(kb: &KnowledgeBase) -> NameIndex {
        let mut index = NameIndex { entries: BTreeMap::new(), labels: Vec::new() };
        let mut add = |name: &str, aliases: &[String], kind: ActorKind, kind_rank: u8| {
            index.entries.entry(name.to_lowercase()).or_default().push((kind_rank, kind));
            index.labels.push((name.to_owned(), kind));
            for alias in aliases {
                index.entries.entry(alias.to_lowercase()).or_default().push((3 + kind_rank, kind));
                index.labels.push((alias.clone(), kind));
            }
        };
        for (i, g) in kb.groups().iter().enumerate() {
            add(&g.name, &g.aliases, ActorKind::Group(GroupIdx(i as u32)), 0);
        }
        for (i, c) in kb.campaigns().iter().enumerate() {
            add(&c.name, &c.aliases, ActorKind::Campaign(CampaignIdx(i as u32)), 1);
        }
        for (i, s) in kb.software().iter().enumerate() {
            add(&s.name, &s.aliases, ActorKind::Software(SoftwareIdx(i as u32)), 2);
        }
        index
    }

    fn find(&self, kb: &KnowledgeBase, reference: &str) -> Lookup {
        let reference = reference.trim();
        if let Some(kind) = by_id(kb, reference) {
            return Lookup::Found(kind, Vec::new());
        }
        let Some(candidates) = self.entries.get(&reference.to_lowercase()) else {
            return Lookup::Unknown;
        };
        let best = candidates.iter().map(|(rank, _)| *rank).min().unwrap_or(u8::MAX);
        let mut kinds: Vec<ActorKind> =
            candidates.iter().filter(|(r, _)| *r == best).map(|(_, k)| *k).collect();
        kinds.dedup();
        match kinds.as_slice() {
            [one] => {
                let mut others: Vec<ActorKind> =
                    candidates.iter().filter(|(r, k)| *r != best && k != one).map(|(_, k)| *k).collect();
                others.dedup();
                Lookup::Found(*one, others)
            }
            _ => Lookup::Ambiguous(kinds),
        }
    }

    /// Up to three "Name (ID)" suggestions for an unknown reference.
    fn suggest(&self, kb: &KnowledgeBase, reference: &str) -> Vec<String> {
        let labels = self.labels.iter().map(|(label, _)| label.as_str());
        let mut out: Vec<String> = Vec::new();
        for label in nearest(reference, labels, 6) {
            let Some((_, kind)) = self.labels.iter().find(|(l, _)| l == label) else {
                continue;
            };
            let name = name_of(kb, *kind);
            let text = if label == name {
                format!("{name} ({})", id_of(kb, *kind))
            } else {
                format!("{label}, an alias of {name} ({})", id_of(kb, *kind))
            };
            if !out.contains(&text) {
                out.push(text);
            }
            if out.len() == 3 {
                break;
            }
        }
        out
    }
}
