//! A `mappings-explorer` rule source bound to the model: only the capabilities the team runs
//! (`capabilities`: a list, a CSV, or `all`) are kept, and each kept row weighs what the README
//! documents — a `detect` row `partial` one rule, `significant` `coverage.strong_at` rules,
//! `minimal` nothing (shown, not counted); `protect`, `respond`, `mitigate` and exposure rows
//! weigh nothing here: they are evidence the analysis reads ([`crate::analysis`]).
//!
//! The file's technique IDs were normalised like any rule's (revoked → replacement, another
//! release translated), so the version skew of a 16.1 mapping on an 18.1 model is reported in the
//! same lists as rules'. Problems are errors at the model line: a capability the file does not
//! know (with a did-you-mean from the file's own IDs and groups), a selection of nothing, a file
//! of another ATT&CK domain. Entries of a CSV the file does not map are a warning of the source
//! (a scanner finds CVEs that are not known exploited).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::attack::KnowledgeBase;
use crate::diagnostics::{Problem, nearest};
use crate::model::spans::escape_segment;
use crate::model::{Capabilities, CapabilityFile, LoadedModel, RuleKind, RuleSource};
use crate::rules::mappings::{ControlCategory, ControlScore};
use crate::rules::source::RuleWarning;
use crate::rules::{NormalisedRule, SourceReport};

/// A mapping source's kept rows and their normalised techniques, index for index.
pub type Selected = (Arc<SourceReport>, Arc<Vec<NormalisedRule>>);

/// How many rules a mapping row weighs in a model with this `strong_at`.
pub fn weight(category: ControlCategory, score: Option<ControlScore>, strong_at: u32) -> u32 {
    match (category, score) {
        (ControlCategory::Detect, Some(ControlScore::Significant)) => strong_at.max(1),
        (ControlCategory::Detect, Some(ControlScore::Partial)) => 1,
        _ => 0,
    }
}

/// The selected rows of a loaded mapping source, weighed for the model; or the problems.
pub fn select(
    model: &LoadedModel,
    i: usize,
    spec: &RuleSource,
    report: &SourceReport,
    normalised: &[NormalisedRule],
) -> Result<Selected, Vec<Problem>> {
    let at = |pointer: &str| model.span(&format!("/rules/{i}{pointer}"));
    let source_error = |message: String, pointer: &str, label: &str, help: String| {
        Problem::error("ttpc::controls::source", message, at(pointer)).label(label).help(help)
    };
    // A file that is not a mapping file is an error, not a skipped rule file.
    if let Some(bad) = report.skipped.iter().find(|s| s.reason != crate::rules::SkipReason::NotARule) {
        return Err(vec![source_error(
            format!("mapping source {}: {}", spec.path, bad.detail),
            "/path",
            "this mapping source",
            String::from(
                "kind mappings-explorer reads the Center for Threat-Informed Defense's Mappings Explorer JSON (metadata + mapping_objects), e.g. aws-12.12.2024_attack-16.1-enterprise.json",
            ),
        )]);
    }
    let want = model.model.attack.domain.as_str().trim_end_matches("-attack");
    let domains: BTreeSet<&str> =
        report.rules.iter().filter_map(|r| r.control.as_ref()).map(|c| c.domain.as_str()).collect();
    if let Some(other) = domains.iter().find(|d| **d != want) {
        return Err(vec![source_error(
            format!(
                "mapping source {} maps ATT&CK for {other}; this model is {}",
                spec.path, model.model.attack.domain
            ),
            "/path",
            "another ATT&CK domain",
            format!("use the {want} mapping file of the same framework"),
        )]);
    }
    let Some(capabilities) = &spec.capabilities else {
        return Err(vec![source_error(
            format!("mapping source {} does not say which capabilities the team runs", spec.path),
            "/kind",
            "needs `capabilities`",
            String::from(
                "add `capabilities: [id, ...]` (the file's capability_id or capability_group values), `capabilities: {path: inventory.csv}`, or `capabilities: all`",
            ),
        )]);
    };
    let mut warnings = Vec::new();
    // The selection as lower-cased names; `None` for all.
    let chosen: Option<BTreeSet<String>> = match capabilities {
        Capabilities::All(_) => None,
        Capabilities::List(list) => {
            let known = known_names(report);
            let mut problems = Vec::new();
            for (j, name) in list.iter().enumerate() {
                if known.contains_key(&name.trim().to_lowercase()) {
                    continue;
                }
                let best = nearest(name, known.values().map(String::as_str), 1);
                let groups = groups_of(report);
                problems.push(
                    Problem::error(
                        "ttpc::controls::unknown_capability",
                        format!("`{name}` is no capability_id or capability_group of {}", spec.path),
                        at(&format!("/capabilities/{j}")),
                    )
                    .label("not in the mapping file")
                    .help(match best.first() {
                        Some(b) => {
                            format!("did you mean `{b}`? the file's capability groups are: {}", groups)
                        }
                        None => format!("the file's capability groups are: {groups}"),
                    }),
                );
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            Some(list.iter().map(|n| n.trim().to_lowercase()).collect())
        }
        Capabilities::File(file) => {
            let (names, unknown) = read_capability_file(model, file, report).map_err(|message| {
                vec![source_error(
                    format!("capability list {}: {message}", file.path),
                    "/capabilities/path",
                    "this capability list",
                    String::from(
                        "a CSV with a header; the column is `column`, else the first named capability, capability_id, control, control_id, cve, cve_id or id (any case), else the only column",
                    ),
                )]
            })?;
            if !unknown.is_empty() {
                const SHOWN: usize = 12;
                let mut shown: Vec<String> = unknown.iter().take(SHOWN).cloned().collect();
                if unknown.len() > SHOWN {
                    shown.push(format!("and {} more", unknown.len() - SHOWN));
                }
                warnings.push(RuleWarning {
                    path: file.path.clone().into(),
                    message: format!(
                        "{} entr{} not mapped by {}, so {} nothing: {}",
                        unknown.len(),
                        if unknown.len() == 1 { "y is" } else { "ies are" },
                        spec.path,
                        if unknown.len() == 1 { "it changes" } else { "they change" },
                        shown.join(", ")
                    ),
                });
            }
            Some(names)
        }
    };
    let strong_at = model.model.coverage.strong_at;
    let mut selected = SourceReport {
        kind: report.kind,
        path: report.path.clone(),
        files: report.files,
        parsed_files: report.parsed_files,
        skipped: report.skipped.clone(),
        rules: Vec::new(),
        warnings: report.warnings.clone(),
    };
    selected.warnings.extend(warnings);
    let mut kept = Vec::new();
    for (rule, norm) in report.rules.iter().zip(normalised) {
        let Some(control) = &rule.control else { continue };
        let take = chosen.as_ref().is_none_or(|set| {
            set.contains(&rule.id.to_lowercase()) || set.contains(&control.group.to_lowercase())
        });
        if take {
            let mut rule = rule.clone();
            rule.weight = weight(control.category, control.score, strong_at);
            selected.rules.push(rule);
            kept.push(norm.clone());
        }
    }
    if selected.rules.is_empty() {
        return Err(vec![source_error(
            format!("mapping source {} selects no mapping", spec.path),
            "/capabilities",
            "selects nothing",
            String::from("name capabilities the file maps, or write `capabilities: all`"),
        )]);
    }
    Ok((Arc::new(selected), Arc::new(kept)))
}

/// Every capability ID and group of the file, by lower-cased name.
fn known_names(report: &SourceReport) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for rule in &report.rules {
        out.entry(rule.id.to_lowercase()).or_insert_with(|| rule.id.clone());
        if let Some(c) = rule.control.as_ref().filter(|c| !c.group.is_empty()) {
            out.entry(c.group.to_lowercase()).or_insert_with(|| c.group.clone());
        }
    }
    out
}

/// The file's capability groups, for help texts (at most 40).
fn groups_of(report: &SourceReport) -> String {
    let groups: BTreeSet<&str> = report
        .rules
        .iter()
        .filter_map(|r| r.control.as_ref())
        .map(|c| c.group.as_str())
        .filter(|g| !g.is_empty())
        .collect();
    let mut list: Vec<&str> = groups.iter().copied().take(40).collect();
    if groups.len() > 40 {
        list.push("…");
    }
    list.join(", ")
}

/// The names a capability CSV lists (lower-cased) and those the mapping file does not know, in
/// file order; or what is wrong with the CSV.
fn read_capability_file(
    model: &LoadedModel,
    file: &CapabilityFile,
    report: &SourceReport,
) -> Result<(BTreeSet<String>, Vec<String>), String> {
    let path = model.resolve_path(&file.path);
    let bytes = crate::limits::read_capped(&path, crate::limits::current().max_file_bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    names_in_csv(&bytes, file.column.as_deref(), &path).map(|names| {
        let known = known_names(report);
        let unknown = names.iter().filter(|n| !known.contains_key(&n.to_lowercase())).cloned().collect();
        (names.iter().map(|n| n.to_lowercase()).collect(), unknown)
    })
}

/// The values of the capability column, trimmed, non-empty, first occurrence kept.
fn names_in_csv(bytes: &[u8], column: Option<&str>, path: &Path) -> Result<Vec<String>, String> {
    const NAMES: [&str; 7] = ["capability", "capability_id", "control", "control_id", "cve", "cve_id", "id"];
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(bytes);
    let headers = reader.headers().map_err(|e| format!("not a CSV: {e}"))?.clone();
    let index = match column {
        Some(wanted) => headers.iter().position(|h| h.eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            format!("no column `{wanted}` (it has: {})", headers.iter().collect::<Vec<_>>().join(","))
        })?,
        None => NAMES
            .iter()
            .find_map(|n| headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
            .or((headers.len() == 1).then_some(0))
            .ok_or_else(|| {
                format!(
                    "no column named capability, control, cve or id (it has: {}); say which with `column`",
                    headers.iter().collect::<Vec<_>>().join(",")
                )
            })?,
    };
    let mut seen = BTreeSet::new();
    let mut names = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(value) = record.get(index).map(str::trim).filter(|v| !v.is_empty())
            && seen.insert(value.to_lowercase())
        {
            names.push(value.to_owned());
        }
    }
    Ok(names)
}

/// Problems with `targets.detected_or_protected`: a model without a mapping source (nothing can
/// be protected), actor keys that are no actor's `ref`, tactic keys that are no tactic.
pub fn check_targets(model: &LoadedModel, kb: &KnowledgeBase) -> Vec<Problem> {
    let d = &model.model.targets.detected_or_protected;
    if d.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    if !model.model.rules.iter().any(|s| s.kind == RuleKind::MappingsExplorer) {
        problems.push(
            Problem::error(
                "ttpc::controls::no_controls",
                "targets.detected_or_protected needs a source of security controls",
                model.key_span("/targets/detected_or_protected"),
            )
            .label("nothing here can be protected")
            .help("add a `kind: mappings-explorer` rule source with the capabilities the team runs, or use `targets.overall`"),
        );
    }
    let refs: Vec<&str> = model.model.actors.iter().map(|a| a.reference.as_str()).collect();
    for key in d.actors.keys() {
        if refs.iter().any(|r| r.eq_ignore_ascii_case(key)) {
            continue;
        }
        let best = nearest(key, refs.iter().copied(), 1);
        problems.push(
            Problem::error(
                "ttpc::model::unknown_target_actor",
                format!("detected-or-protected target for actor `{key}`, which is not in `actors`"),
                model.key_span(&format!("/targets/detected_or_protected/actors/{}", escape_segment(key))),
            )
            .label("no actor is written so")
            .help(match best.first() {
                Some(b) => format!("did you mean `{b}`? keys are the actors' `ref` as written"),
                None => String::from("keys are the actors' `ref` as written"),
            }),
        );
    }
    let names: Vec<&str> = kb.tactics().iter().map(|t| t.shortname.as_str()).collect();
    for key in d.tactics.keys() {
        if kb.tactic(key).is_some() {
            continue;
        }
        let best = nearest(key, names.iter().copied(), 1);
        problems.push(
            Problem::error(
                "ttpc::model::unknown_tactic",
                format!("`{key}` is not a tactic of ATT&CK {}", kb.domain()),
                model.key_span(&format!("/targets/detected_or_protected/tactics/{}", escape_segment(key))),
            )
            .label("unknown tactic")
            .help(match best.first() {
                Some(b) => format!("did you mean `{b}`? tactics are: {}", names.join(", ")),
                None => format!("tactics are: {}", names.join(", ")),
            }),
        );
    }
    problems
}
