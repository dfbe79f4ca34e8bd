//! The model's `intelligence` bound to ATT&CK: every source loaded (shared across a batch, the
//! parse of unchanged files cached on disk), checked as a whole, and indexed by name so that
//! [`super::actors`] can resolve a `ref` to a vendor's intrusion set, an annotated layer, or —
//! through a MISP galaxy synonym — an ATT&CK group.
//!
//! A source that cannot be read, a file that is not what its `kind` says, a layer of another
//! ATT&CK domain, or two sources' actors with one name are errors at the model line: a model
//! uses all of its intelligence or none of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::attack::{GroupIdx, KnowledgeBase, StixRef, TechniqueIdx};
use crate::cache::Memo;
use crate::diagnostics::{Problem, one_of};
use crate::intel::{self, IntelActor, IntelError, IntelReport, Route};
use crate::model::{IntelKind, IntelSource, LoadedModel, RuleKind};
use crate::rules::{DetectionRule, MappingIssue};

/// Sources shared by the models of a batch: (kind, canonical path, layer name, threshold).
pub type IntelMemo = Memo<(IntelKind, PathBuf, Option<String>, Option<String>), Arc<IntelReport>>;

/// The model's intelligence, loaded and indexed.
#[derive(Debug, Clone, Default)]
pub struct Intelligence {
    /// Actors of `stix` and `navigator-layer` sources: (source index in the model, actor).
    pub actors: Vec<(usize, IntelActor)>,
    /// Lower-cased name, alias or STIX id → actors.
    names: HashMap<String, Vec<usize>>,
    /// Lower-cased MISP name or synonym → (MISP actor name, linked groups, source index).
    misp: HashMap<String, Vec<(String, Vec<GroupIdx>, usize)>>,
}

/// One technique of an intelligence profile: how it came and what says so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IntelVia {
    /// The route.
    pub route: Route,
    /// For people: `stix: campaign June 2018 Cambodia (report …) [relationship--…] in x.json`.
    pub text: String,
}

/// An intelligence actor's profile on the pinned release.
#[derive(Debug, Clone, Default)]
pub struct IntelProfile {
    /// Techniques and their provenance.
    pub techniques: BTreeMap<TechniqueIdx, BTreeSet<IntelVia>>,
    /// IDs remapped or not counted, explained (`T1086 (revoked) → T1059.001`).
    pub issues: Vec<String>,
}

impl Intelligence {
    /// Actors whose name, alias or STIX id is `reference` (any case).
    pub fn find(&self, reference: &str) -> &[usize] {
        self.names.get(&reference.trim().to_lowercase()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// MISP actors that `reference` names, with the groups each is linked to.
    pub fn misp(&self, reference: &str) -> &[(String, Vec<GroupIdx>, usize)] {
        self.misp.get(&reference.trim().to_lowercase()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every actor name, for suggestions.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.actors.iter().map(|(_, a)| a.name.as_str())
    }

    /// The profile of actor `i` on `kb`: each technique ID as written mapped as rules' IDs are
    /// (revoked → replacement, other releases translated, deprecated and unknown reported).
    pub fn profile(
        &self,
        i: usize,
        kb: &KnowledgeBase,
        model: &LoadedModel,
        via_software: bool,
    ) -> IntelProfile {
        let (source, actor) = &self.actors[i];
        let spec = &model.model.intelligence[*source];
        let pinned = model.model.attack.version.clone();
        let mut out = IntelProfile::default();
        let mut explained: BTreeSet<String> = BTreeSet::new();
        for evidence in &actor.techniques {
            if evidence.route == Route::Software && !via_software {
                continue;
            }
            let mut rule = DetectionRule::new(RuleKind::Csv, &spec.path, &actor.name, &actor.name);
            rule.techniques = vec![evidence.written.clone()];
            let normalised = crate::rules::normalise(&rule, kb);
            let mut text = format!("{}: {evidence}", spec.kind);
            for issue in &normalised.issues {
                if issue.counted() {
                    text.push_str(&format!(", written {}", issue.written()));
                }
                explained.insert(explain(issue, &pinned));
            }
            for t in normalised.techniques {
                out.techniques
                    .entry(t)
                    .or_default()
                    .insert(IntelVia { route: evidence.route, text: text.clone() });
            }
        }
        out.issues = explained.into_iter().collect();
        out
    }
}

fn explain(issue: &MappingIssue, pinned: &str) -> String {
    issue.explain(pinned)
}

/// Technique IDs as written (a command line, an incident bundle) bound to `kb` as rules' IDs
/// are; returns the techniques and an explanation of every ID remapped or left out.
pub fn bind_ids(kb: &KnowledgeBase, ids: &[String]) -> (BTreeSet<TechniqueIdx>, Vec<String>) {
    let mut rule = DetectionRule::new(RuleKind::Csv, "", "observed", "observed");
    rule.techniques = ids.to_vec();
    let normalised = crate::rules::normalise(&rule, kb);
    let pinned = kb.declared_version().unwrap_or("this release");
    (
        normalised.techniques.into_iter().collect(),
        normalised.issues.iter().map(|i| i.explain(pinned)).collect(),
    )
}

/// Loads and indexes the model's intelligence; returns it with warnings, or every problem.
pub fn load_intelligence(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    memo: &IntelMemo,
) -> Result<(Intelligence, Vec<Problem>), Vec<Problem>> {
    let mut out = Intelligence::default();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    // Lower-cased name → (source, actor's STIX id or file) of its first holder.
    let mut first: HashMap<String, (usize, String)> = HashMap::new();
    for (i, spec) in model.model.intelligence.iter().enumerate() {
        let span = model.span(&format!("/intelligence/{i}/path"));
        let path = model.resolve_path(&spec.path);
        let report = match load_one(memo, spec, &path) {
            Ok(report) => report,
            Err(error) => {
                let (message, help) = match &error {
                    IntelError::Source(message) => (
                        format!("intelligence source {}: {message}", spec.path),
                        format!(
                            "paths are relative to the model file; this one resolves to {}",
                            path.display()
                        ),
                    ),
                    IntelError::Invalid { file, detail } => (
                        format!(
                            "intelligence source {} is not {}: {}{detail}",
                            spec.path,
                            what(spec.kind),
                            if file.is_empty() || !path.is_dir() {
                                String::new()
                            } else {
                                format!("{file}: ")
                            }
                        ),
                        String::from(
                            "check `kind` (stix, misp-galaxy or navigator-layer) and `path`; nothing of this source was used",
                        ),
                    ),
                };
                problems.push(
                    Problem::error("ttpc::intel::source", message, span)
                        .label("this intelligence source")
                        .help(help),
                );
                continue;
            }
        };
        if !report.skipped.is_empty() {
            let names: Vec<String> = report.skipped.iter().map(|s| s.path.display().to_string()).collect();
            warnings.push(
                Problem::warning(
                    "ttpc::intel::skipped_files",
                    format!(
                        "intelligence source {} skips {} file(s) that are not .json: {}",
                        spec.path,
                        names.len(),
                        names.join(", ")
                    ),
                    span.clone(),
                )
                .label("files not read"),
            );
        }
        if !report.without_actors.is_empty() {
            let names: Vec<String> = report.without_actors.iter().map(|p| p.display().to_string()).collect();
            warnings.push(
                Problem::warning(
                    "ttpc::intel::no_actor",
                    format!(
                        "intelligence source {}: {} bundle(s) hold no intrusion set: {}",
                        spec.path,
                        names.len(),
                        names.join(", ")
                    ),
                    span.clone(),
                )
                .label("nothing to name here"),
            );
        }
        match spec.kind {
            IntelKind::MispGalaxy => index_misp(&mut out, &report, i, kb),
            IntelKind::Stix | IntelKind::NavigatorLayer => {
                for actor in &report.actors {
                    if let Some(domain) = &actor.domain
                        && !domain.eq_ignore_ascii_case(kb.domain().as_str())
                    {
                        problems.push(
                            Problem::error(
                                "ttpc::intel::domain",
                                format!(
                                    "layer `{}` is for {domain}, this model for {}",
                                    actor.name,
                                    kb.domain()
                                ),
                                span.clone(),
                            )
                            .label("another ATT&CK domain")
                            .help("use a layer of the model's domain; technique IDs differ between domains"),
                        );
                        continue;
                    }
                    let identity = actor.stix_id.clone().unwrap_or_else(|| actor.file.clone());
                    let key = actor.name.to_lowercase();
                    match first.get(&key) {
                        Some((j, id)) if *j == i && *id == identity => {
                            // The same intrusion set in two files of one source: one actor.
                            merge(&mut out, &key, actor);
                            continue;
                        }
                        Some((j, _)) => {
                            let other = &model.model.intelligence[*j];
                            problems.push(
                                Problem::error(
                                    "ttpc::intel::duplicate_actor",
                                    format!(
                                        "actor `{}` of {}{} is also an actor of {}",
                                        actor.name,
                                        spec.path,
                                        if actor.file.is_empty() { String::new() } else { format!(" ({})", actor.file) },
                                        other.path
                                    ),
                                    span.clone(),
                                )
                                .label("a second actor with this name")
                                .help("two actors with one name cannot be told apart by `ref`: remove one source, or rename one (a layer's `name`)"),
                            );
                            continue;
                        }
                        None => {
                            first.insert(key, (i, identity));
                        }
                    }
                    out.actors.push((i, actor.clone()));
                }
            }
        }
    }
    for (a, (_, actor)) in out.actors.iter().enumerate() {
        for name in actor.names() {
            let list = out.names.entry(name.to_lowercase()).or_default();
            if !list.contains(&a) {
                list.push(a);
            }
        }
    }
    if problems.is_empty() { Ok((out, warnings)) } else { Err(problems) }
}

/// A second copy of an actor (same STIX id) adds its techniques to the first.
fn merge(out: &mut Intelligence, key: &str, actor: &IntelActor) {
    if let Some((_, first)) = out.actors.iter_mut().find(|(_, a)| a.name.to_lowercase() == key) {
        first.techniques.extend(actor.techniques.iter().cloned());
        first.techniques.sort();
        first.techniques.dedup();
        for alias in &actor.aliases {
            if !first.aliases.contains(alias) {
                first.aliases.push(alias.clone());
            }
        }
    }
}

fn what(kind: IntelKind) -> &'static str {
    match kind {
        IntelKind::Stix => "STIX",
        IntelKind::MispGalaxy => "a MISP galaxy cluster",
        IntelKind::NavigatorLayer => "a Navigator layer",
    }
}

/// One source, read once per run.
pub(super) fn load_one(
    memo: &IntelMemo,
    spec: &IntelSource,
    path: &std::path::Path,
) -> Result<Arc<IntelReport>, IntelError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let key = (spec.kind, canonical, spec.name.clone(), spec.min_score.map(|s| s.to_string()));
    memo.get_or_try_insert(key, || {
        intel::load(spec.kind, path, spec.name.as_deref(), spec.min_score).map(Arc::new)
    })
}

/// MISP names and synonyms → the ATT&CK groups their actor is linked to (`similar`).
fn index_misp(out: &mut Intelligence, report: &IntelReport, source: usize, kb: &KnowledgeBase) {
    for actor in &report.galaxy.actors {
        let mut groups: Vec<GroupIdx> = Vec::new();
        for uuid in &actor.similar {
            if let Some(StixRef::Group(g)) = kb.by_stix_id(&format!("intrusion-set--{uuid}"))
                && !groups.contains(&g)
            {
                groups.push(g);
            }
        }
        let mut names: Vec<String> =
            std::iter::once(&actor.name).chain(&actor.synonyms).map(|n| n.to_lowercase()).collect();
        names.sort();
        names.dedup();
        for name in names {
            out.misp.entry(name).or_default().push((actor.name.clone(), groups.clone(), source));
        }
    }
}

/// The groups a MISP name leads to, each once, in galaxy order.
pub fn misp_groups(entries: &[(String, Vec<GroupIdx>, usize)]) -> Vec<GroupIdx> {
    let mut groups = Vec::new();
    for (_, linked, _) in entries {
        for g in linked {
            if !groups.contains(g) {
                groups.push(*g);
            }
        }
    }
    groups
}

/// `FIN8 (G0061)` for messages.
pub fn group_label(kb: &KnowledgeBase, g: GroupIdx) -> String {
    format!("{} ({})", kb[g].name, kb[g].id)
}

/// "MISP's FIN7" or "MISP's FIN7 and Carbanak" for messages.
pub fn misp_names(entries: &[(String, Vec<GroupIdx>, usize)]) -> String {
    let names: Vec<String> =
        entries.iter().map(|(n, _, _)| format!("`{n}`")).collect::<BTreeSet<_>>().into_iter().collect();
    one_of(&names)
}
