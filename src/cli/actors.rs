//! `ttpc actors`: list ATT&CK groups (or campaigns, or software) with their aliases and how many
//! techniques each uses, optionally filtered by a search text.

use ttpc::Exit;
use ttpc::attack::{KnowledgeBase, Status};

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
