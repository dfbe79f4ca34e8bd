//! Live rule sources bound to a model: their fields checked, the credential taken from the
//! environment, the pull (or, with `--offline`, the last snapshot) turned into a source like any
//! other; and the pairs of a file source with the live source it is deployed as.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::sources::ResolvedSource;
use crate::diagnostics::Problem;
use crate::model::{LoadedModel, PairedCount, RuleKind, RuleSource};
use crate::rules::live::snapshot::{Snapshot, SnapshotError, file_name};
use crate::rules::live::{self, Target};

/// How live sources are read in this run.
#[derive(Debug, Clone)]
pub struct LiveContext {
    /// Compile from the last snapshots instead of the APIs (`--offline`).
    pub offline: bool,
    /// The model's output folder: where snapshots go by default.
    pub output_dir: PathBuf,
}

impl LiveContext {
    /// Online, snapshots in the model's default output folder.
    pub fn of(model: &LoadedModel) -> LiveContext {
        LiveContext { offline: false, output_dir: output_dir(model, None) }
    }
}

/// Where a model's outputs go: the given folder, else the model's `outputs.dir`, else
/// `out/<model file name>` beside the model.
pub fn output_dir(m: &LoadedModel, given: Option<PathBuf>) -> PathBuf {
    match (given, &m.model.outputs.dir) {
        (Some(dir), _) => dir,
        (None, Some(dir)) => m.resolve_path(dir),
        (None, None) => {
            let stem = m.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            m.base_dir().join("out").join(stem)
        }
    }
}

/// Where a live source's rules came from in this run.
#[derive(Debug, Clone)]
pub struct LiveOrigin {
    /// The pull (or the snapshot read).
    pub snapshot: Snapshot,
    /// Where the snapshot lives: inside the output folder (relative; written with the outputs) or
    /// where the model's `snapshot` says (already written).
    pub place: SnapshotPlace,
    /// Whether it was read from the snapshot (`--offline`).
    pub offline: bool,
}

/// Where a snapshot is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotPlace {
    /// `snapshots/<name>.json` in the output folder, written with the other outputs.
    Outputs(PathBuf),
    /// A file the model names.
    File(PathBuf),
}

/// The name a source goes by in reports.
pub fn source_name(spec: &RuleSource) -> String {
    match (&spec.name, spec.kind.is_live()) {
        (Some(name), _) => name.clone(),
        (None, true) => spec.url.clone().unwrap_or_else(|| spec.workspace.clone().unwrap_or_default()),
        (None, false) => spec.path.clone(),
    }
}

/// Fields that do not apply to the source's kind: errors, since they would be ignored.
pub fn misplaced_fields(model: &LoadedModel, i: usize, spec: &RuleSource) -> Vec<Problem> {
    let kind = spec.kind;
    let set = [
        ("path", !spec.path.is_empty(), !kind.is_live()),
        ("deployed_as", spec.deployed_as.is_some(), !kind.is_live()),
        ("allow_empty", spec.allow_empty, !kind.is_live()),
        ("url", spec.url.is_some(), kind.is_live()),
        ("token_env", spec.token_env.is_some(), kind.is_live()),
        ("ca_file", spec.ca_file.is_some(), kind.is_live()),
        ("snapshot", spec.snapshot.is_some(), kind.is_live()),
        ("timeout_seconds", spec.timeout_seconds.is_some(), kind.is_live()),
        ("max_pages", spec.max_pages.is_some(), kind.is_live()),
        ("app", spec.app.is_some(), kind == RuleKind::SplunkApi),
        ("space", spec.space.is_some(), kind == RuleKind::ElasticApi),
        ("workspace", spec.workspace.is_some(), kind == RuleKind::SentinelApi),
        ("api_version", spec.api_version.is_some(), kind == RuleKind::SentinelApi),
        ("capabilities", spec.capabilities.is_some(), kind == RuleKind::MappingsExplorer),
    ];
    set.iter()
        .filter(|(_, present, applies)| *present && !*applies)
        .map(|(field, _, _)| {
            Problem::error(
                "ttpc::rules::field",
                format!("`{field}` does not apply to a {kind} source"),
                model.key_span(&format!("/rules/{i}/{field}")),
            )
            .label("not for this kind")
            .help(if kind.is_live() {
                "live sources take url, token_env, ca_file, snapshot, timeout_seconds, max_pages (and app, space or workspace, api_version for their product)"
            } else {
                "file sources take path, name, allow_empty and deployed_as (and capabilities for mappings-explorer); url, token_env and the like are for splunk-api, elastic-api and sentinel-api"
            })
        })
        .collect()
}

/// Reads one live source: pulled (snapshot kept), or from its snapshot with `--offline`.
pub fn load(
    model: &LoadedModel,
    i: usize,
    spec: &RuleSource,
    ctx: &LiveContext,
) -> Result<(crate::rules::SourceReport, LiveOrigin), Vec<Problem>> {
    let name = source_name(spec);
    let at = |field: &str| model.span(&format!("/rules/{i}/{field}"));
    let (place, snapshot_path) = match &spec.snapshot {
        Some(written) => {
            let path = model.resolve_path(written);
            (SnapshotPlace::File(path.clone()), path)
        }
        None => {
            let relative = Path::new("snapshots").join(file_name(&name));
            (SnapshotPlace::Outputs(relative.clone()), ctx.output_dir.join(relative))
        }
    };
    if ctx.offline {
        return match Snapshot::read(&snapshot_path, spec.kind) {
            Ok(snapshot) => Ok((snapshot.report(), LiveOrigin { snapshot, place, offline: true })),
            Err(error) => {
                let help = match error {
                    SnapshotError::Missing(_) => {
                        "--offline compiles from the snapshot of an earlier pull: compile once with the credential first (or name the snapshot with `snapshot:`)"
                    }
                    SnapshotError::Invalid { .. } => "compile once online to take a fresh snapshot",
                };
                Err(vec![
                    Problem::error(
                        "ttpc::live::snapshot",
                        error.to_string(),
                        model.key_span(&format!("/rules/{i}")),
                    )
                    .label("this live source")
                    .help(help),
                ])
            }
        };
    }
    let target = target(model, i, spec)?;
    let token_env = spec.token_env.clone().unwrap_or_default();
    let token = std::env::var(&token_env).ok().filter(|t| !t.trim().is_empty());
    let Some(token) = token else {
        let taken = Snapshot::read(&snapshot_path, spec.kind)
            .map(|s| format!(" (the last snapshot is from {})", s.taken.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default();
        return Err(vec![
            Problem::error(
                "ttpc::live::credential",
                format!("${token_env} is not set: {name} needs its credential to be read"),
                at("token_env"),
            )
            .label("the credential's variable")
            .help(format!(
                "set {token_env} (as a CI secret), or compile with --offline from the last snapshot{taken}"
            )),
        ]);
    };
    let report = live::pull(&target, &token).map_err(|error| {
        vec![
            Problem::error(
                "ttpc::live::pull",
                format!("{name}: {error}"),
                at(if spec.kind == RuleKind::SentinelApi && spec.url.is_none() {
                    "workspace"
                } else {
                    "url"
                }),
            )
            .label("this live source")
            .help(error.help(spec.kind)),
        ]
    })?;
    let snapshot = Snapshot::of(&report, Utc::now());
    if let SnapshotPlace::File(path) = &place {
        crate::io::write_atomic(path, snapshot.to_text().as_bytes()).map_err(|e| {
            vec![Problem::error("ttpc::live::snapshot", e.to_string(), at("snapshot")).label("the snapshot")]
        })?;
    }
    Ok((report, LiveOrigin { snapshot, place, offline: false }))
}

/// The source's target: its URL checked, its `ca_file` read.
fn target(model: &LoadedModel, i: usize, spec: &RuleSource) -> Result<Target, Vec<Problem>> {
    let at = |field: &str| model.span(&format!("/rules/{i}/{field}"));
    let written = match (&spec.url, spec.kind) {
        (Some(url), _) => url.clone(),
        (None, RuleKind::SentinelApi) => live::AZURE_MANAGEMENT.to_owned(),
        (None, _) => String::new(),
    };
    let base = reqwest::Url::parse(written.trim()).map_err(|e| {
        vec![
            Problem::error("ttpc::live::url", format!("`{written}` is not a URL: {e}"), at("url"))
                .label("this URL"),
        ]
    })?;
    live::client::check_scheme(&base).map_err(|message| {
        vec![
            Problem::error("ttpc::live::url", message, at("url"))
                .label("this URL")
                .help("use https:// (plain http:// is allowed to a loopback address only)"),
        ]
    })?;
    let ca_pem = match &spec.ca_file {
        Some(file) => Some(crate::inputs::text::read_capped(&model.resolve_path(file)).map_err(|e| {
            vec![
                Problem::error("ttpc::live::ca_file", format!("ca_file {file}: {}", e.detail), at("ca_file"))
                    .label("this file")
                    .help("a PEM file of certificate authorities, relative to the model file"),
            ]
        })?),
        None => None,
    };
    Ok(Target {
        kind: spec.kind,
        base,
        token_env: spec.token_env.clone().unwrap_or_default(),
        ca_pem,
        app: spec.app.clone().unwrap_or_else(|| String::from("-")),
        space: spec.space.clone(),
        workspace: spec.workspace.clone().unwrap_or_default(),
        api_version: spec.api_version.clone().unwrap_or_else(|| live::SENTINEL_API_VERSION.to_owned()),
        timeout: Duration::from_secs(u64::from(spec.timeout_seconds.unwrap_or(live::DEFAULT_TIMEOUT))),
        max_pages: spec.max_pages.unwrap_or(live::DEFAULT_MAX_PAGES),
        limit: crate::limits::current().max_file_bytes,
    })
}

/// Checks each `deployed_as` and decides which side of each pair counts
/// (`coverage.count_paired`): the other side's `counts` is cleared.
pub fn pair(model: &LoadedModel, sources: &mut [ResolvedSource]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let paired = model.model.coverage.count_paired;
    for i in 0..sources.len() {
        let Some(wanted) = sources[i].spec.deployed_as.clone() else { continue };
        let found = sources.iter().position(|s| s.spec.kind.is_live() && s.name == wanted);
        let Some(live) = found else {
            let names: Vec<&str> =
                sources.iter().filter(|s| s.spec.kind.is_live()).map(|s| s.name.as_str()).collect();
            let index = model.model.rules.iter().position(|r| r == &sources[i].spec).unwrap_or(i);
            problems.push(
                Problem::error(
                    "ttpc::rules::deployed_as",
                    format!("`deployed_as: {wanted}` names no live source of this model"),
                    model.span(&format!("/rules/{index}/deployed_as")),
                )
                .label("no such live source")
                .help(if names.is_empty() {
                    String::from(
                        "add the live source (kind splunk-api, elastic-api or sentinel-api) with this `name`",
                    )
                } else {
                    format!(
                        "the live sources are named {}",
                        crate::diagnostics::one_of(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                    )
                }),
            );
            continue;
        };
        match paired {
            PairedCount::Deployed => sources[i].counts = false,
            PairedCount::Git => sources[live].counts = false,
        }
    }
    problems
}

/// A warning for each live source compiled from its snapshot, saying how old it is.
pub fn offline_warnings(model: &LoadedModel, sources: &[ResolvedSource], now: DateTime<Utc>) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for source in sources {
        let Some(origin) = source.live.as_ref().filter(|o| o.offline) else { continue };
        let index = model.model.rules.iter().position(|r| r == &source.spec).unwrap_or(0);
        let age = now.signed_duration_since(origin.snapshot.taken);
        warnings.push(
            Problem::warning(
                "ttpc::live::offline",
                format!(
                    "{} is compiled from its snapshot of {} ({} old), not from the live API",
                    source.name,
                    origin.snapshot.taken.format("%Y-%m-%d %H:%M UTC"),
                    age_text(age)
                ),
                model.key_span(&format!("/rules/{index}")),
            )
            .label("--offline")
            .help("compile without --offline (with the credential) to read what is deployed now"),
        );
    }
    warnings
}

fn age_text(age: chrono::TimeDelta) -> String {
    let minutes = age.num_minutes().max(0);
    match minutes {
        0 => String::from("less than a minute"),
        1..60 => format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" }),
        60..2880 => format!("{} hours", minutes / 60),
        _ => format!("{} days", minutes / 1440),
    }
}

/// Keeps a live source's origin in its resolved form.
pub fn origin(origin: LiveOrigin) -> Option<Arc<LiveOrigin>> {
    Some(Arc::new(origin))
}
