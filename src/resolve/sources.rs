//! The model's inputs besides ATT&CK: rule sources (every file accounted for, each rule's
//! technique IDs normalised against the knowledge base) and emulation inputs (Atomic Red Team
//! tests, results). A path that does not exist is an error pointing at the model line that names it.
//!
//! [`SharedInputs`] lets a batch of models share what they have in common: a rule source named
//! by many models is read (and normalised against one ATT&CK release) once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::attack::KnowledgeBase;
use crate::cache::Memo;
use crate::diagnostics::Problem;
use crate::inputs::SourceError;
use crate::inputs::{AtomicsReport, ResultsFile};
use crate::model::{LoadedModel, RuleKind, RuleSource};
use crate::rules::{self, NormalisedRule, SourceReport};

/// A rule source of the model, loaded and normalised.
#[derive(Debug, Clone)]
pub struct ResolvedSource {
    /// The source as the model declares it.
    pub spec: RuleSource,
    /// Its name in reports: the model's `name`, else the path as written.
    pub name: String,
    /// What the source yielded (shared between the models of a batch).
    pub report: Arc<SourceReport>,
    /// One entry per rule of `report.rules`, same order.
    pub normalised: Arc<Vec<NormalisedRule>>,
    /// Whether its rules count towards coverage: false for the side of a `deployed_as` pair that
    /// `coverage.count_paired` leaves out (compared, never counted).
    pub counts: bool,
    /// For a live source: the pull or snapshot its rules came from.
    pub live: Option<Arc<super::live::LiveOrigin>>,
}

impl ResolvedSource {
    /// A source read from files (not live), named as the model names it, counting.
    fn of_file(
        spec: &RuleSource,
        report: Arc<SourceReport>,
        normalised: Arc<Vec<NormalisedRule>>,
    ) -> ResolvedSource {
        ResolvedSource {
            name: spec.name.clone().unwrap_or_else(|| spec.path.clone()),
            spec: spec.clone(),
            report,
            normalised,
            counts: true,
            live: None,
        }
    }
}

/// A loaded and normalised rule source, as shared.
type Loaded = (Arc<SourceReport>, Arc<Vec<NormalisedRule>>);

/// What the models of one run share, each loaded once: rule sources as parsed by (format,
/// canonical path), as normalised by (format, canonical path, ATT&CK data), and Atomic Red Team
/// folders by canonical path.
#[derive(Debug, Default)]
pub struct SharedInputs {
    parsed: Memo<(RuleKind, PathBuf), Arc<SourceReport>>,
    sources: Memo<(RuleKind, PathBuf, usize), Loaded>,
    atomics: Memo<PathBuf, Arc<AtomicsReport>>,
    /// Security-control mapping files, each read once.
    controls: Memo<PathBuf, Arc<rules::mappings::ControlFile>>,
    /// ATT&CK's actor names indexed, by knowledge base (kept with it, so its address stays its own).
    names: Memo<usize, (Arc<KnowledgeBase>, Arc<super::actors::NameIndex>)>,
    /// Intelligence sources, each read once.
    pub(super) intel: super::intel::IntelMemo,
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

impl SharedInputs {
    /// Reads the model's rule sources and atomics folder ahead of resolution, so the reading
    /// can overlap with loading the ATT&CK data (it needs no knowledge base). Problems are not
    /// reported here: resolution meets them again and reports them at the model's lines.
    pub fn preload(&self, model: &LoadedModel) {
        use rayon::prelude::*;
        // Live sources are pulled during resolution: a failed pull is reported once, there.
        model.model.rules.par_iter().filter(|spec| !spec.kind.is_live()).for_each(|spec| {
            let path = model.resolve_path(&spec.path);
            if spec.kind == RuleKind::MappingsExplorer {
                let _ = self.control_file(&path);
            } else {
                let _ = self.parse(spec.kind, &path);
            }
        });
        if let Some(atomics) = model.model.validation.as_ref().and_then(|v| v.atomics.as_deref()) {
            let _ = self.atomics(&model.resolve_path(atomics));
        }
        model.model.intelligence.par_iter().for_each(|spec| {
            let _ = super::intel::load_one(&self.intel, spec, &model.resolve_path(&spec.path));
        });
    }

    fn parse(&self, kind: RuleKind, path: &Path) -> Result<Arc<SourceReport>, SourceError> {
        self.parsed.get_or_try_insert((kind, canonical(path)), || rules::load(kind, path).map(Arc::new))
    }

    fn source(&self, kind: RuleKind, path: &Path, kb: &KnowledgeBase) -> Result<Loaded, SourceError> {
        // The knowledge base's address tells releases apart within one run (they are shared Arcs).
        let key = (kind, canonical(path), kb as *const KnowledgeBase as usize);
        self.sources.get_or_try_insert(key, || {
            let report = self.parse(kind, path)?;
            let normalised = report.rules.iter().map(|r| rules::normalise(r, kb)).collect();
            Ok((report, Arc::new(normalised)))
        })
    }

    /// A Mappings Explorer file, its parse cached on disk like a rule file's; or what is wrong.
    fn control_file(&self, path: &Path) -> Result<Arc<rules::mappings::ControlFile>, crate::inputs::Skip> {
        self.controls.get_or_try_insert(canonical(path), || {
            crate::cache::files::one_file(
                "mappings-explorer",
                path,
                crate::inputs::text::read_capped,
                |bytes| rules::mappings::ControlFile::parse(&crate::inputs::walk::text_of(bytes)?),
                |e| crate::inputs::Skip::new(rules::SkipReason::Unreadable, e.to_string()),
            )
            .map(Arc::new)
        })
    }

    /// The knowledge base's actor names indexed (once per release in a run).
    pub(super) fn names(&self, kb: &Arc<KnowledgeBase>) -> Arc<super::actors::NameIndex> {
        let index =
            || Ok::<_, std::convert::Infallible>((kb.clone(), Arc::new(super::actors::NameIndex::new(kb))));
        match self.names.get_or_try_insert(Arc::as_ptr(kb) as usize, index) {
            Ok((_, names)) => names,
            Err(never) => match never {},
        }
    }

    fn atomics(&self, path: &Path) -> Result<Arc<AtomicsReport>, SourceError> {
        self.atomics.get_or_try_insert(canonical(path), || crate::inputs::load_atomics(path).map(Arc::new))
    }
}

/// Loads every rule source of the model; returns every problem when some cannot be read.
pub fn load_sources(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    shared: &SharedInputs,
) -> Result<Vec<ResolvedSource>, Vec<Problem>> {
    load_sources_in(model, kb, shared, &super::live::LiveContext::of(model))
}

/// [`load_sources`], live sources read as `live` says (online or from snapshots).
pub fn load_sources_in(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    shared: &SharedInputs,
    live: &super::live::LiveContext,
) -> Result<Vec<ResolvedSource>, Vec<Problem>> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for (i, spec) in model.model.rules.iter().enumerate() {
        let misplaced = super::live::misplaced_fields(model, i, spec);
        if !misplaced.is_empty() {
            problems.extend(misplaced);
            continue;
        }
        if spec.kind.is_live() {
            match super::live::load(model, i, spec, live) {
                Ok((report, origin)) => {
                    let normalised = report.rules.iter().map(|r| rules::normalise(r, kb)).collect();
                    sources.push(ResolvedSource {
                        name: super::live::source_name(spec),
                        spec: spec.clone(),
                        report: Arc::new(report),
                        normalised: Arc::new(normalised),
                        counts: true,
                        live: super::live::origin(origin),
                    });
                }
                Err(live_problems) => problems.extend(live_problems),
            }
            continue;
        }
        let path = model.resolve_path(&spec.path);
        // A mapping source keeps the capabilities the team runs, weighed for this model: only
        // those rows become rules.
        if spec.kind == RuleKind::MappingsExplorer {
            let selected = shared
                .control_file(&path)
                .map_err(|skip| vec![super::controls::unreadable(model, i, spec, &path, &skip)])
                .and_then(|file| super::controls::select(model, i, spec, &file, &path, kb));
            match selected {
                Ok((report, normalised)) => sources.push(ResolvedSource::of_file(spec, report, normalised)),
                Err(found) => problems.extend(found),
            }
            continue;
        }
        match shared.source(spec.kind, &path, kb) {
            Ok((report, _)) if yields_nothing(&report) && !spec.allow_empty => {
                // Skipped files are named relative to the source folder.
                let skipped: Vec<PathBuf> = report
                    .skipped
                    .iter()
                    .map(|s| if path.is_dir() { path.join(&s.path) } else { path.clone() })
                    .collect();
                let help = match rules::sniff::likely_kind(skipped.iter().map(PathBuf::as_path), spec.kind) {
                    Some(kind) => format!(
                        "its files look like {kind} rules: write `kind: {kind}` (or `allow_empty: true` if this source is meant to be empty for now)"
                    ),
                    None => format!(
                        "none of its files is a {} rule; check `kind` and `path` (or set `allow_empty: true` if this source is meant to be empty for now)",
                        spec.kind
                    ),
                };
                problems.push(
                    Problem::error(
                        "ttpc::rules::no_rules",
                        format!(
                            "rule source {} yields no {} rules from its {} file{}",
                            spec.path,
                            spec.kind,
                            report.files,
                            if report.files == 1 { "" } else { "s" }
                        ),
                        model.span(&format!("/rules/{i}/kind")),
                    )
                    .label("this kind")
                    .help(help),
                );
            }
            Ok((report, normalised)) => sources.push(ResolvedSource::of_file(spec, report, normalised)),
            Err(error) => {
                let (message, help) = match &error {
                    SourceError::Missing { .. } => (
                        format!("rule source {} does not exist", spec.path),
                        format!(
                            "paths are relative to the model file; this one resolves to {}",
                            path.display()
                        ),
                    ),
                    SourceError::TooManyFiles { limit, .. } => (
                        format!("rule source {} holds more than {limit} files", spec.path),
                        String::from(
                            "point the source at the folder of rules itself, or raise the limit with --max-files or TTPC_MAX_FILES",
                        ),
                    ),
                    SourceError::Unreadable { .. } => {
                        (error.to_string(), String::from("check the permissions of the path"))
                    }
                };
                problems.push(
                    Problem::error("ttpc::rules::source", message, model.span(&format!("/rules/{i}/path")))
                        .label("this rule source")
                        .help(help),
                );
            }
        }
    }
    problems.extend(super::live::pair(model, &mut sources));
    if problems.is_empty() { Ok(sources) } else { Err(problems) }
}

/// A note for each rule source of which `coverage.count_status` (or the disabled flag) leaves out
/// most rules: the coverage then rests on a few, which the reader should know.
pub fn excluded_by_status(model: &LoadedModel, sources: &[ResolvedSource]) -> Vec<Problem> {
    let policy = &model.model.coverage;
    let mut warnings = Vec::new();
    // A mapping source's evidence rows are not rules left out by status.
    let judged = |s: &&ResolvedSource| s.counts && s.spec.kind != RuleKind::MappingsExplorer;
    for (i, source) in sources.iter().enumerate().filter(|(_, s)| judged(s)) {
        let total = source.report.rules.len();
        let counted = source.report.rules.iter().filter(|r| rules::counts(r, policy)).count();
        if total < 4 || counted * 2 >= total {
            continue;
        }
        let mut statuses: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for rule in source.report.rules.iter().filter(|r| !rules::counts(r, policy)) {
            let why = match (&rule.status, rule.enabled) {
                (_, false) if !policy.count_disabled => String::from("disabled"),
                (Some(status), _) => status.clone(),
                (None, _) => String::from("no status"),
            };
            *statuses.entry(why).or_insert(0) += 1;
        }
        let list: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
        let span = match model.spans.get("/coverage/count_status") {
            Some(place) => place.value.clone(),
            None => model.span(&format!("/rules/{i}/path")),
        };
        warnings.push(
            Problem::warning(
                "ttpc::rules::mostly_excluded",
                format!(
                    "{} of {total} rules of {} do not count under the coverage policy ({})",
                    total - counted,
                    source.name,
                    list.join(", ")
                ),
                span,
            )
            .label("excludes most of a source")
            .help("if those statuses mean deployed rules in this source, add them to coverage.count_status"),
        );
    }
    warnings
}

/// Files that exist, none of them a rule of the declared kind, and none merely over a limit or
/// unreadable (those are reported on their own).
fn yields_nothing(report: &rules::SourceReport) -> bool {
    report.rules.is_empty()
        && !report.skipped.is_empty()
        && report
            .skipped
            .iter()
            .all(|s| matches!(s.reason, rules::SkipReason::NotARule | rules::SkipReason::InvalidSyntax))
}

/// One warning per rule file skipped for being over a limit (too large, nested too deep): unlike
/// a README, such a file may well hold rules the coverage now misses.
pub fn limit_warnings(model: &LoadedModel, sources: &[ResolvedSource]) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        for skipped in source.report.skipped.iter().filter(|s| s.reason == rules::SkipReason::OverLimit) {
            warnings.push(
                Problem::warning(
                    "ttpc::limits::rule_file",
                    format!(
                        "rule file {} of {} was not read: {}",
                        skipped.path.display(),
                        source.name,
                        skipped.detail
                    ),
                    model.span(&format!("/rules/{i}/path")),
                )
                .label("in this rule source")
                .help("its rules do not count; split the file, or raise the limit if you trust it"),
            );
        }
    }
    warnings
}

/// The model's emulation inputs: the Atomic Red Team folder and the results file, when named.
#[derive(Debug, Clone, Default)]
pub struct EmulationInputs {
    /// `validation.atomics` as written, and the folder parsed.
    pub atomics: Option<(String, Arc<AtomicsReport>)>,
    /// `validation.results`, parsed.
    pub results: Option<ResultsFile>,
}

/// Loads `validation.atomics` and `validation.results`; a path that does not exist is an error
/// pointing at the model line that names it.
pub fn load_emulation(model: &LoadedModel, shared: &SharedInputs) -> Result<EmulationInputs, Vec<Problem>> {
    let mut inputs = EmulationInputs::default();
    let mut problems = Vec::new();
    let Some(validation) = &model.model.validation else { return Ok(inputs) };
    if let Some(written) = &validation.atomics {
        let path = model.resolve_path(written);
        match shared.atomics(&path) {
            Ok(report) => inputs.atomics = Some((written.clone(), report)),
            Err(error) => problems.push(
                Problem::error(
                    "ttpc::inputs::atomics",
                    match error {
                        SourceError::Missing { .. } => format!("Atomic Red Team folder {written} does not exist"),
                        other => other.to_string(),
                    },
                    model.span("/validation/atomics"),
                )
                .label("validation.atomics")
                .help(format!(
                    "point it at the `atomics` folder of a clone of redcanaryco/atomic-red-team; paths are relative to the model file (this one resolves to {})",
                    path.display()
                )),
            ),
        }
    }
    if let Some(written) = &validation.results {
        let path = model.resolve_path(written);
        match crate::inputs::load_results(&path) {
            Ok(mut results) => {
                results.path = written.into();
                inputs.results = Some(results);
            }
            Err(error) => problems.push(
                Problem::error("ttpc::inputs::results", error.to_string(), model.span("/validation/results"))
                    .label("validation.results")
                    .help("a CSV with the header technique,test,guid,date,detected,notes; detected is yes, no or partial"),
            ),
        }
    }
    if problems.is_empty() { Ok(inputs) } else { Err(problems) }
}
