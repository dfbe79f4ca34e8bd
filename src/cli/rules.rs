//! `ttpc rules SOURCE --kind K`: inspect a rule source without writing a model — how every file
//! was handled, how many rules name techniques, which mappings are stale, and the rules per
//! technique.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ttpc::attack::AttackError;
use ttpc::model::RuleKind;
use ttpc::rules::{self, MappingIssue, SourceSummary};
use ttpc::{Error, Exit};

use super::ui::{self, Format};
use super::{CommandResult, Global};

/// Arguments of `ttpc rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule file or folder.
    source: PathBuf,
    /// The rule format.
    #[arg(long, value_parser = parse_kind)]
    kind: RuleKind,
    #[command(flatten)]
    release: super::Release,
    #[command(flatten)]
    output: super::FormatArg,
}

fn parse_kind(s: &str) -> Result<RuleKind, String> {
    RuleKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
        let names: Vec<&str> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let report = rules::load(args.kind, &args.source).map_err(|e| Error::NotFound {
        message: e.to_string(),
        help: Some(String::from("give a rule file or a folder of rules")),
    })?;
    // Technique IDs are checked against ATT&CK when data is at hand; without it, they are shown
    // as written (upper-cased).
    let data = match super::session(global, None).attack(&args.release.pin()) {
        Ok(data) => Some(data),
        Err(Error::Attack(e)) if matches!(*e, AttackError::NoData { .. }) => None,
        Err(e) => return Err(e),
    };
    let summary = SourceSummary::new(&report, data.as_ref().map(|d| d.kb.as_ref()));
    match args.output.format {
        Format::Json => ui::print(&ui::to_json(&summary))?,
        Format::Text => {
            let version = data.as_ref().map(|d| {
                format!("ATT&CK {} {}", d.kb.domain(), d.version.as_deref().unwrap_or("(version not stated)"))
            });
            ui::print_plain(&text(&summary, version.as_deref()))?;
        }
    }
    Ok(Exit::Ok)
}

/// Up to how many rules the text output lists one by one.
const RULES_SHOWN: usize = 100;

/// The one-line accounting `ttpc check` prints per source.
pub fn headline(s: &SourceSummary) -> String {
    let mut skipped: Vec<String> =
        s.skipped_by_reason.iter().map(|(r, n)| format!("{} {n}", r.as_str())).collect();
    skipped.sort();
    if skipped.is_empty() {
        skipped.push(String::from("none"));
    }
    format!(
        "{} files: {} parsed, {} skipped ({}); {} rules, {} with techniques, {} stale mapping{}, {} translated from another release, {} unmapped ID{}",
        s.files,
        s.parsed_files,
        s.skipped_files,
        skipped.join(", "),
        s.rules,
        s.rules_with_techniques,
        s.stale_mappings.len(),
        if s.stale_mappings.len() == 1 { "" } else { "s" },
        s.translated_mappings.len(),
        s.unmapped.len(),
        if s.unmapped.len() == 1 { "" } else { "s" },
    )
}

fn text(s: &SourceSummary, version: Option<&str>) -> String {
    let mut out = format!("{} ({})\n", s.source.display(), s.kind);
    let rows = vec![
        vec![String::from("files"), s.files.to_string()],
        vec![String::from("parsed"), s.parsed_files.to_string()],
        vec![String::from("skipped"), s.skipped_files.to_string()],
        vec![String::from("rules"), s.rules.to_string()],
        vec![String::from("rules with techniques"), s.rules_with_techniques.to_string()],
        vec![String::from("stale mappings"), s.stale_mappings.len().to_string()],
        vec![String::from("translated mappings"), s.translated_mappings.len().to_string()],
        vec![String::from("unmapped IDs"), s.unmapped.len().to_string()],
    ];
    for line in ui::table(&["", ""], &rows).lines().skip(1) {
        out.push_str(&format!("  {line}\n"));
    }
    if !s.skipped.is_empty() {
        out.push_str("\nSkipped files\n");
        let rows: Vec<Vec<String>> = s
            .skipped
            .iter()
            .map(|f| vec![f.path.display().to_string(), format!("{}: {}", f.reason.as_str(), f.detail)])
            .collect();
        indent(&mut out, &ui::table(&["file", "why"], &rows));
    }
    if !s.warnings.is_empty() {
        out.push_str("\nWarnings\n");
        for w in &s.warnings {
            out.push_str(&format!("  {}  {}\n", w.path.display(), w.message));
        }
    }
    match version {
        None => out.push_str(
            "\nNo ATT&CK data: technique IDs are shown as written. Pass --attack-data FILE to check them.\n",
        ),
        Some(version) => {
            if !s.stale_mappings.is_empty() {
                out.push_str(&format!(
                    "\nStale or repaired mappings (revoked in {version}, or a tag missing its T; counted for the replacement)\n"
                ));
                for m in &s.stale_mappings {
                    match &m.issue {
                        MappingIssue::Stale { written, replacement } => out.push_str(&format!(
                            "  {written} → {replacement}  {} \"{}\" ({})\n",
                            m.rule, m.title, m.place
                        )),
                        other => out.push_str(&format!(
                            "  {}  {} \"{}\" ({})\n",
                            other.explain(version),
                            m.rule,
                            m.title,
                            m.place
                        )),
                    }
                }
            }
            if !s.translated_mappings.is_empty() {
                out.push_str(&format!(
                    "\nTranslated mappings (IDs of another ATT&CK release; counted in {version} for what they stand for)\n"
                ));
                let pinned = version.rsplit(' ').next().unwrap_or(version);
                let mut by_note: BTreeMap<String, usize> = BTreeMap::new();
                for m in &s.translated_mappings {
                    *by_note.entry(m.issue.explain(pinned)).or_insert(0) += 1;
                }
                let rows: Vec<Vec<String>> =
                    by_note.into_iter().map(|(note, n)| vec![note, n.to_string()]).collect();
                indent(&mut out, &ui::table(&["translation", "rules"], &rows));
            }
            if !s.unmapped.is_empty() {
                out.push_str("\nUnmapped IDs (not counted)\n");
                let mut by_id: BTreeMap<(String, String), usize> = BTreeMap::new();
                let mut unknown = false;
                for m in &s.unmapped {
                    let why = match &m.issue {
                        MappingIssue::Deprecated { .. } => String::from("deprecated in ATT&CK"),
                        MappingIssue::Malformed { likely, .. } => match likely {
                            Some(likely) => format!("not a well-formed technique ID (likely {likely})"),
                            None => String::from("not a well-formed technique ID"),
                        },
                        MappingIssue::NewInRelease { release, .. } => {
                            format!("new in ATT&CK {release}, no equivalent in this release")
                        }
                        _ => {
                            unknown = true;
                            String::from("not in this ATT&CK version")
                        }
                    };
                    *by_id.entry((m.issue.written().to_ascii_uppercase(), why)).or_insert(0) += 1;
                }
                let rows: Vec<Vec<String>> =
                    by_id.into_iter().map(|((id, why), n)| vec![id, why, n.to_string()]).collect();
                indent(&mut out, &ui::table(&["ID", "why", "rules"], &rows));
                if unknown {
                    out.push_str(&format!(
                        "  IDs not in {version} usually come from rules written for a newer ATT&CK release;\n  pin a newer attack.version to count them.\n"
                    ));
                }
            }
        }
    }
    out.push_str(&format!("\nRules ({})\n", s.rule_list.len()));
    // Every rule of a small source; a large one in the JSON (`rule_list`).
    if s.rule_list.len() <= RULES_SHOWN {
        let rows: Vec<Vec<String>> = s
            .rule_list
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    r.status.clone().unwrap_or_else(|| String::from("—")),
                    String::from(if r.enabled { "enabled" } else { "disabled" }),
                    String::from(if r.counted { "yes" } else { "no" }),
                    r.place.clone(),
                ]
            })
            .collect();
        indent(&mut out, &ui::table(&["rule", "status", "enabled", "counted", "where"], &rows));
    } else {
        out.push_str(&format!(
            "  {} rules: each with its status in --format json (rule_list)\n",
            s.rule_list.len()
        ));
    }
    out.push_str(
        "  counted: enabled, and a status other than deprecated or unsupported (the default coverage policy;\n  a model's `coverage` may count otherwise)\n",
    );
    if !s.not_counted.is_empty() {
        let why: Vec<String> = s
            .not_counted
            .iter()
            .map(|(w, n)| format!("{} {n}", if w.is_empty() { "no status" } else { w }))
            .collect();
        out.push_str(&format!("  not counted: {}\n", why.join(", ")));
    }
    out.push_str(&format!("\nTechniques ({})\n", s.techniques.len()));
    let rows: Vec<Vec<String>> = s
        .techniques
        .iter()
        .map(|t| {
            vec![t.id.clone(), t.name.clone().unwrap_or_default(), t.rules.to_string(), t.counted.to_string()]
        })
        .collect();
    indent(&mut out, &ui::table(&["ID", "name", "rules", "counted"], &rows));
    out
}

fn indent(out: &mut String, block: &str) {
    for line in block.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
}
