//! `ttpc actors`: list ATT&CK groups (or campaigns, or software) with their aliases and how many
//! techniques each uses, optionally filtered by a search text; with `--match`, rank them (and a
//! model's intelligence actors) by how much they look like a set of observed techniques.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ttpc::Exit;
use ttpc::analysis::similarity::{self, Candidate};
use ttpc::attack::{KnowledgeBase, Status, TechniqueIdx};
use ttpc::error::Error;

use super::{CommandResult, Global, ui};

/// Arguments of `ttpc actors`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only objects whose ID, name or an alias contains this text (any case).
    #[arg(long, short)]
    search: Option<String>,
    /// What to list.
    #[arg(long, value_enum, default_value_t = Kind::Groups)]
    kind: Kind,
    /// Include revoked and deprecated objects.
    #[arg(long)]
    all: bool,
    /// "Who does this look like?": rank groups by overlap with observed techniques — a list
    /// (`T1566.001,T1059.001`), a Navigator layer or STIX bundle file, or (with --model) an
    /// actor of the model. Rare shared techniques weigh more.
    #[arg(long = "match", value_name = "SOURCE")]
    matching: Option<String>,
    /// With --match: a model whose intelligence and custom actors are ranked too, whose ATT&CK
    /// release is used, and whose actors SOURCE may name.
    #[arg(long, requires = "matching", value_name = "MODEL")]
    model: Option<PathBuf>,
    /// With --match: how many actors to show.
    #[arg(long, default_value_t = 10, requires = "matching")]
    top: usize,
    #[command(flatten)]
    release: super::Release,
    #[command(flatten)]
    output: super::FormatArg,
}

/// Which objects to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Groups,
    Campaigns,
    Software,
}

#[derive(serde::Serialize)]
struct Row {
    id: String,
    name: String,
    aliases: Vec<String>,
    techniques: usize,
    status: &'static str,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    if let Some(source) = &args.matching {
        return run_match(args, global, source);
    }
    let data = super::session(global, None).attack(&args.release.pin())?;
    let rows = rows(&data.kb, args);
    match args.output.format {
        ui::Format::Json => ui::print(&ui::to_json(&rows))?,
        ui::Format::Text => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut name = r.name.clone();
                    if r.status != "active" {
                        name.push_str(&format!(" ({})", r.status));
                    }
                    vec![r.id.clone(), name, r.techniques.to_string(), r.aliases.join(", ")]
                })
                .collect();
            let mut out = ui::table(&["ID", "name", "techniques", "aliases"], &table);
            out.push_str(&format!("\n{} shown\n", rows.len()));
            ui::print(&out)?;
        }
    }
    Ok(Exit::Ok)
}

fn rows(kb: &KnowledgeBase, args: &Args) -> Vec<Row> {
    let status = |s: Status| match s {
        Status::Active => "active",
        Status::Deprecated => "deprecated",
        Status::Revoked => "revoked",
    };
    let all: Vec<Row> = match args.kind {
        Kind::Groups => kb
            .groups()
            .iter()
            .map(|g| {
                let mut techniques: Vec<_> = g.techniques.clone();
                for c in &g.campaigns {
                    techniques.extend(&kb[*c].techniques);
                }
                techniques.sort();
                techniques.dedup();
                Row {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    aliases: g.aliases.clone(),
                    techniques: techniques.len(),
                    status: status(g.status),
                }
            })
            .collect(),
        Kind::Campaigns => kb
            .campaigns()
            .iter()
            .map(|c| Row {
                id: c.id.clone(),
                name: c.name.clone(),
                aliases: c.aliases.clone(),
                techniques: c.techniques.len(),
                status: status(c.status),
            })
            .collect(),
        Kind::Software => kb
            .software()
            .iter()
            .map(|s| Row {
                id: s.id.clone(),
                name: s.name.clone(),
                aliases: s.aliases.clone(),
                techniques: s.techniques.len(),
                status: status(s.status),
            })
            .collect(),
    };
    let needle = args.search.as_deref().map(str::to_lowercase);
    all.into_iter()
        .filter(|r| args.all || r.status == "active")
        .filter(|r| match &needle {
            None => true,
            Some(n) => {
                r.id.to_lowercase().contains(n)
                    || r.name.to_lowercase().contains(n)
                    || r.aliases.iter().any(|a| a.to_lowercase().contains(n))
            }
        })
        .collect()
}

/// What `--match` prints.
#[derive(serde::Serialize)]
struct MatchOutput {
    /// The observed techniques, as bound to the release.
    observed: Vec<String>,
    /// IDs remapped or left out on the way.
    notes: Vec<String>,
    /// How many actors were compared.
    candidates: usize,
    /// The best matches.
    matches: Vec<similarity::Match>,
}

fn run_match(args: &Args, global: &Global, source: &str) -> CommandResult {
    let session = super::session(global, None);
    let (kb, mut candidates, observed, notes) = match &args.model {
        Some(model) => {
            let resolved = session.resolve(model)?;
            let kb = resolved.attack.kb.clone();
            let own = resolved.actors.iter().find(|a| a.reference.eq_ignore_ascii_case(source.trim()));
            let mut candidates = similarity::groups(&kb);
            // The model's own actors beyond ATT&CK are candidates too (not the one observed).
            for a in &resolved.actors {
                if a.origin.is_some()
                    && !matches!(a.kind, ttpc::resolve::ActorKind::Group(_))
                    && own.is_none_or(|o| o.reference != a.reference)
                {
                    candidates.push(Candidate {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        kind: a.origin.as_ref().map(|o| o.kind.clone()).unwrap_or_default(),
                        techniques: a.techniques.keys().copied().collect(),
                    });
                }
            }
            let (observed, notes) = match own {
                Some(actor) => (actor.techniques.keys().copied().collect(), Vec::new()),
                None => observed_from(&kb, source)?,
            };
            (kb, candidates, observed, notes)
        }
        None => {
            let data = session.attack(&args.release.pin())?;
            let kb = data.kb.clone();
            let candidates = similarity::groups(&kb);
            let (observed, notes) = observed_from(&kb, source)?;
            (kb, candidates, observed, notes)
        }
    };
    if observed.is_empty() {
        return Err(Error::NotFound {
            message: format!("`{source}` names no technique of this ATT&CK release"),
            help: Some(String::from(
                "give technique IDs (`T1566.001,T1059.001`), a Navigator layer or STIX bundle file, or with --model an actor of the model",
            )),
        });
    }
    candidates.sort_by(|a, b| a.id.cmp(&b.id));
    let mut matches = similarity::rank(&kb, &observed, &candidates);
    matches.truncate(args.top);
    let output = MatchOutput {
        observed: observed.iter().map(|t| kb[*t].id.clone()).collect(),
        notes,
        candidates: candidates.len(),
        matches,
    };
    match args.output.format {
        ui::Format::Json => ui::print(&ui::to_json(&output))?,
        ui::Format::Text => {
            let mut out = format!(
                "{} observed technique(s) compared with {} actors (score: cosine similarity, rare techniques weigh more)\n",
                output.observed.len(),
                output.candidates
            );
            for note in &output.notes {
                out.push_str(&format!("note: {note}\n"));
            }
            out.push('\n');
            let rows: Vec<Vec<String>> = output
                .matches
                .iter()
                .map(|m| {
                    vec![
                        m.rank.to_string(),
                        m.id.clone(),
                        m.name.clone(),
                        format!("{:.1}%", m.score * 100.0),
                        format!("{}/{}", m.shared.len(), output.observed.len()),
                        m.missing.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                    ]
                })
                .collect();
            out.push_str(&ui::table(
                &["#", "ID", "name", "score", "shared", "missing (rarest first)"],
                &rows,
            ));
            ui::print_plain(&out)?;
        }
    }
    Ok(Exit::Ok)
}

/// Observed techniques from a file (a Navigator layer or a STIX bundle) or a list of IDs.
fn observed_from(kb: &KnowledgeBase, source: &str) -> Result<(BTreeSet<TechniqueIdx>, Vec<String>), Error> {
    let path = Path::new(source);
    let ids: Vec<String> = if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { what: path.display().to_string(), source: e })?;
        let invalid = |detail: String| Error::NotFound {
            message: format!("{source} is neither a Navigator layer nor a STIX bundle: {detail}"),
            help: Some(String::from(
                "give a layer (`techniques`), a STIX bundle (`\"type\": \"bundle\"`) or technique IDs",
            )),
        };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if value.get("type").and_then(|t| t.as_str()) == Some("bundle") {
            ttpc::intel::stix::attack_pattern_ids(&text).map_err(invalid)?
        } else {
            ttpc::intel::layer::parse(&text, source, None, None)
                .map_err(invalid)?
                .techniques
                .into_iter()
                .map(|e| e.written)
                .collect()
        }
    } else {
        source.split([',', ' ', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    Ok(ttpc::resolve::intel::bind_ids(kb, &ids))
}
