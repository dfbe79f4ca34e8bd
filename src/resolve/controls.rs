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
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::attack::KnowledgeBase;
use crate::diagnostics::{Problem, nearest};
use crate::inputs::Skip;
use crate::model::spans::escape_segment;
use crate::model::{Capabilities, CapabilityFile, LoadedModel, RuleKind, RuleSource};
use crate::rules::mappings::{ControlCategory, ControlFile, ControlScore};
use crate::rules::source::RuleWarning;
use crate::rules::{DetectionRule, NormalisedRule, SourceReport};

/// A mapping source's kept rows and their normalised techniques, index for index.
pub type Selected = (Arc<SourceReport>, Arc<Vec<NormalisedRule>>);

/// How many rules a mapping row weighs in a model with this `strong_at`.
pub fn weight(category: ControlCategory, score: Option<ControlScore>, strong_at: u32) -> u32 {
    match (category, score) {
        (ControlCategory::Detect, Some(ControlScore::Significant)) => strong_at.max(1),
        (ControlCategory::Detect, _) if category.counts(score) => 1,
        _ => 0,
    }
}

/// Why a mapping file cannot be used, at the model line that names it.
pub fn unreadable(model: &LoadedModel, i: usize, spec: &RuleSource, path: &Path, skip: &Skip) -> Problem {
    let missing = !path.exists();
    Problem::error(
        "ttpc::controls::source",
        if missing {
            format!("mapping source {} does not exist", spec.path)
        } else {
            format!("mapping source {}: {}", spec.path, skip.detail)
        },
        model.span(&format!("/rules/{i}/path")),
    )
    .label("this mapping source")
    .help(if missing {
        format!("paths are relative to the model file; this one resolves to {}", path.display())
    } else {
        String::from(
            "kind mappings-explorer reads one JSON file in the Center for Threat-Informed Defense's Mappings Explorer format (metadata + mapping_objects), e.g. aws-12.12.2024_attack-16.1-enterprise.json",
        )
    })
}

/// The selected rows of a mapping file as the rules of a source, weighed for the model and
/// normalised against `kb`; or the problems.
pub fn select(
    model: &LoadedModel,
    i: usize,
    spec: &RuleSource,
    file: &ControlFile,
    path: &Path,
    kb: &KnowledgeBase,
) -> Result<Selected, Vec<Problem>> {
    let at = |pointer: &str| model.span(&format!("/rules/{i}{pointer}"));
    let source_error = |message: String, pointer: &str, label: &str, help: String| {
        Problem::error("ttpc::controls::source", message, at(pointer)).label(label).help(help)
    };
    let want = model.model.attack.domain.as_str().trim_end_matches("-attack");
    if !file.domain.is_empty() && file.domain != want {
        return Err(vec![source_error(
            format!(
                "mapping source {} maps ATT&CK for {}; this model is {}",
                spec.path, file.domain, model.model.attack.domain
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
    let relative = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
    let mut warnings: Vec<RuleWarning> =
        file.warnings.iter().map(|w| RuleWarning { path: relative.clone(), message: w.clone() }).collect();
    // The selection as lower-cased names; `None` for all.
    // The names chosen, as written; `None` for all.
    let (names, from_csv): (Option<Vec<String>>, Option<&CapabilityFile>) = match capabilities {
        Capabilities::All(_) => (None, None),
        Capabilities::List(list) => (Some(list.clone()), None),
        Capabilities::File(list) => {
            let names = read_capability_file(model, list).map_err(|message| {
                vec![source_error(
                    format!("capability list {}: {message}", list.path),
                    "/capabilities/path",
                    "this capability list",
                    String::from(
                        "a CSV with a header; the column is `column`, else the first named capability, capability_id, control, control_id, cve, cve_id or id (any case), else the only column",
                    ),
                )]
            })?;
            (Some(names), Some(list))
        }
    };
    // One pass over the rows, comparing names without allocating (a file has thousands).
    let chosen: Option<BTreeMap<String, usize>> =
        names.as_ref().map(|names| names.iter().enumerate().map(|(j, n)| (key(n), j)).collect());
    let mut found = vec![false; names.as_ref().map_or(0, Vec::len)];
    let mut buffer = String::new();
    let mut hit = |name: &str, found: &mut Vec<bool>| -> bool {
        let Some(chosen) = &chosen else { return true };
        key_into(name, &mut buffer);
        match chosen.get(buffer.as_str()) {
            Some(j) => {
                found[*j] = true;
                true
            }
            None => false,
        }
    };
    let strong_at = model.model.coverage.strong_at;
    let mut rules: Vec<DetectionRule> = Vec::new();
    for (r, row) in file.rows.iter().enumerate() {
        // Both names are looked up, so each counts as found.
        let by_capability = hit(file.capability(row), &mut found);
        let group = file.group(row);
        let by_group = !group.is_empty() && hit(group, &mut found);
        if by_capability || by_group {
            let mut rule = file.rule(r, &relative);
            rule.weight = weight(row.category, row.score, strong_at);
            rules.push(rule);
        }
    }
    let unknown: Vec<(usize, &String)> = names
        .iter()
        .flatten()
        .enumerate()
        .filter(|(j, n)| !found[*j] && chosen.as_ref().is_some_and(|c| c.get(&key(n)) == Some(j)))
        .collect();
    match from_csv {
        None if !unknown.is_empty() => {
            let known = known_names(file);
            let groups = groups_of(file);
            return Err(unknown
                .into_iter()
                .map(|(j, name)| {
                    let best = nearest(name, known.values().map(String::as_str), 1);
                    Problem::error(
                        "ttpc::controls::unknown_capability",
                        format!(
                            "`{name}` is the capability_id or capability_group of no mapping in {}",
                            spec.path
                        ),
                        at(&format!("/capabilities/{j}")),
                    )
                    .label("not in the mapping file")
                    .help(match best.first() {
                        Some(b) => format!("did you mean `{b}`? the file's capability groups are: {groups}"),
                        None => format!("the file's capability groups are: {groups}"),
                    })
                })
                .collect());
        }
        Some(list) if !unknown.is_empty() => {
            const SHOWN: usize = 12;
            let mut shown: Vec<String> = unknown.iter().take(SHOWN).map(|(_, n)| (*n).clone()).collect();
            if unknown.len() > SHOWN {
                shown.push(format!("and {} more", unknown.len() - SHOWN));
            }
            warnings.push(RuleWarning {
                path: list.path.clone().into(),
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
        _ => {}
    }
    if rules.is_empty() {
        return Err(vec![source_error(
            format!("mapping source {} selects no mapping", spec.path),
            "/capabilities",
            "selects nothing",
            String::from("name capabilities the file maps, or write `capabilities: all`"),
        )]);
    }
    let normalised = rules.iter().map(|r| crate::rules::normalise(r, kb)).collect();
    let report = SourceReport {
        kind: RuleKind::MappingsExplorer,
        path: path.to_owned(),
        files: 1,
        parsed_files: 1,
        skipped: Vec::new(),
        rules,
        warnings,
    };
    Ok((Arc::new(report), Arc::new(normalised)))
}

/// How a capability name is compared: trimmed, any case, and leading zeros of a number after a
/// dash dropped, so `AC-2` names NIST's `AC-02` (and `ac-02(1)` its `AC-02(01)`).
fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    key_into(name, &mut out);
    out
}

/// [`key`] into a buffer (cleared first), for comparisons in a loop.
fn key_into(name: &str, out: &mut String) {
    out.clear();
    let mut after_separator = false;
    let mut chars = name.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if after_separator && c == '0' && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        }
        after_separator = matches!(c, '-' | '(');
        out.extend(c.to_lowercase());
    }
}

/// Every capability ID and group of the file's rows, by compared name.
fn known_names(file: &ControlFile) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for row in &file.rows {
        let (capability, group) = (file.capability(row), file.group(row));
        out.entry(key(capability)).or_insert_with(|| capability.to_owned());
        if !group.is_empty() {
            out.entry(key(group)).or_insert_with(|| group.to_owned());
        }
    }
    out
}

/// The file's capability groups, for help texts (at most 40).
fn groups_of(file: &ControlFile) -> String {
    let groups: BTreeSet<&str> = file.rows.iter().map(|r| file.group(r)).filter(|g| !g.is_empty()).collect();
    let mut list: Vec<&str> = groups.iter().copied().take(40).collect();
    if groups.len() > 40 {
        list.push("…");
    }
    list.join(", ")
}

/// The names a capability CSV lists, in file order, each once; or what is wrong with it.
fn read_capability_file(model: &LoadedModel, file: &CapabilityFile) -> Result<Vec<String>, String> {
    let path = model.resolve_path(&file.path);
    let bytes = crate::limits::read_capped(&path, crate::limits::current().max_file_bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    names_in_csv(&bytes, file.column.as_deref(), &path)
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
            && seen.insert(key(value))
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

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn capability_names_compare_without_case_and_leading_zeros() {
        assert_eq!(key("AC-2"), key("AC-02"));
        assert_eq!(key(" ac-02(1) "), key("AC-02(01)"));
        assert_eq!(key("SI-4"), "si-4");
        assert_ne!(key("AC-2"), key("AC-20"));
        assert_eq!(key("CVE-2024-0001"), key("cve-2024-0001"));
        assert_ne!(key("CVE-2024-0001"), key("CVE-2024-1000"));
        assert_eq!(key("m365-defender"), "m365-defender");
        assert_eq!(key("amazon_guardduty"), "amazon_guardduty");
    }
}
