//! Actor references → ATT&CK objects → technique profiles with provenance.
//!
//! A `ref` is an ATT&CK ID (`G0046`, `C0022`, `S0002`), a name or an alias, in any case. Names beat
//! aliases, and groups beat campaigns beat software, so `Carbanak` (a group alias and a malware
//! name) resolves predictably; two objects tied at the best rank are ambiguous and reported with
//! both. A revoked group is replaced by its successor, with a warning.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::attack::{CampaignIdx, GroupIdx, KnowledgeBase, SoftwareIdx, Status, TechniqueIdx, Via};
use crate::diagnostics::{Problem, nearest, one_of};
use crate::model::{ActorRef, LoadedModel};

/// What an actor reference resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActorKind {
    /// An ATT&CK group.
    Group(GroupIdx),
    /// An ATT&CK campaign.
    Campaign(CampaignIdx),
    /// ATT&CK software.
    Software(SoftwareIdx),
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
    /// Active techniques and where each comes from (sorted; `Direct` first).
    pub techniques: BTreeMap<TechniqueIdx, BTreeSet<Via>>,
}

impl ActorProfile {
    /// How many techniques come (at least) from each provenance: direct, campaigns, software.
    pub fn provenance_counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Via) -> bool| self.techniques.values().filter(|v| v.iter().any(f)).count();
        (
            count(|v| matches!(v, Via::Direct)),
            count(|v| matches!(v, Via::Campaign(_))),
            count(|v| matches!(v, Via::Software(_))),
        )
    }
}

/// Resolves every actor of the model; returns the profiles and warnings, or every problem found.
pub fn resolve_actors(
    model: &LoadedModel,
    kb: &KnowledgeBase,
) -> Result<(Vec<ActorProfile>, Vec<Problem>), Vec<Problem>> {
    let names = NameIndex::new(kb);
    let mut profiles: Vec<ActorProfile> = Vec::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut first_of: std::collections::HashMap<ActorKind, usize> = std::collections::HashMap::new();
    for (i, actor) in model.model.actors.iter().enumerate() {
        let span = model.span(&format!("/actors/{i}/ref"));
        match names.find(kb, &actor.reference) {
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
                let kind = follow_revocation(kb, kind, actor, span.clone(), &mut warnings);
                // A map, not a scan of the profiles so far: a hostile model lists 20,000 actors.
                if let Some(earlier) = first_of.get(&kind).map(|i: &usize| &profiles[*i]) {
                    warnings.push(
                        Problem::warning(
                            "ttpc::model::same_actor",
                            format!(
                                "actor `{}` is {} {}, already listed as `{}`",
                                actor.reference,
                                id_of(kb, kind),
                                name_of(kb, kind),
                                earlier.reference
                            ),
                            span.clone(),
                        )
                        .label("listed before")
                        .help("remove one of the entries; its techniques are counted once anyway"),
                    );
                }
                first_of.entry(kind).or_insert(profiles.len());
                profiles.push(profile(kb, actor, kind));
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
            }
            Lookup::Unknown => {
                let suggestions = names.suggest(kb, &actor.reference);
                problems.push(
                    Problem::error(
                        "ttpc::model::unknown_actor",
                        format!("unknown actor `{}`: no ATT&CK {} group, campaign or software has this ID, name or alias", actor.reference, kb.domain()),
                        span,
                    )
                    .label("not in ATT&CK")
                    .help(if suggestions.is_empty() {
                        String::from("list groups with `ttpc actors --search TEXT`")
                    } else {
                        format!("did you mean {}?", one_of(&suggestions))
                    }),
                );
            }
        }
    }
    warnings.extend(campaigns_of_listed_groups(model, kb, &profiles));
    if problems.is_empty() { Ok((profiles, warnings)) } else { Err(problems) }
}

/// `targets.actors` keys that name no actor `ref` of the model. When the nearest `ref` is one
/// that does not resolve (`Sandworm Teem`), the target is written right and the actor is the
/// typo: the target says so and points at the actor, whose own error is the primary one.
pub fn check_target_keys(model: &LoadedModel, kb: &KnowledgeBase) -> Vec<Problem> {
    use crate::diagnostics::nearest;
    use crate::model::spans::escape_segment;
    let refs: Vec<&str> = model.model.actors.iter().map(|a| a.reference.as_str()).collect();
    let lowered: std::collections::HashSet<String> = refs.iter().map(|r| r.to_lowercase()).collect();
    let names = NameIndex::new(kb);
    let mut problems = Vec::new();
    for key in model.model.targets.actors.keys() {
        if lowered.contains(&key.to_lowercase()) {
            continue;
        }
        let span = model.key_span(&format!("/targets/actors/{}", escape_segment(key)));
        let best = nearest(key, refs.iter().copied(), 1).first().map(|b| (*b).to_owned());
        let unresolved = best.as_deref().filter(|b| !matches!(names.find(kb, b), Lookup::Found(..)));
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
    }
}

fn name_of(kb: &KnowledgeBase, kind: ActorKind) -> &str {
    match kind {
        ActorKind::Group(g) => &kb[g].name,
        ActorKind::Campaign(c) => &kb[c].name,
        ActorKind::Software(s) => &kb[s].name,
    }
}

fn describe(kb: &KnowledgeBase, kind: ActorKind) -> String {
    let what = match kind {
        ActorKind::Group(_) => "group",
        ActorKind::Campaign(_) => "campaign",
        ActorKind::Software(_) => "software",
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
struct NameIndex {
    entries: BTreeMap<String, Vec<(u8, ActorKind)>>,
    labels: Vec<(String, ActorKind)>,
}

impl NameIndex {
    fn new(kb: &KnowledgeBase) -> NameIndex {
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
