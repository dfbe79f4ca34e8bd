//! `ttpc attack …`: manage ATT&CK data — fetch the official bundles, import a file on an
//! air-gapped host, list the cache, and diff two releases (and what the change means for a model).

use std::path::PathBuf;

use ttpc::analysis::upgrade::{ModelImpact, model_impact};
use ttpc::attack::diff::{AttackDiff, diff};
use ttpc::attack::source::{AttackData, Pin};
use ttpc::attack::{Domain, store};
use ttpc::{Error, Exit};

use super::ui::{self, Format};
use super::{CommandResult, Global};

/// Arguments of `ttpc attack`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AttackCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AttackCommand {
    /// Download an official STIX 2.1 bundle (MITRE attack-stix-data) into the cache.
    Fetch {
        /// The domain.
        #[arg(long, value_enum, default_value_t = Domain::EnterpriseAttack)]
        domain: Domain,
        /// The ATT&CK release (default: the newest in MITRE's index of releases,
        /// `{base}/index.json`).
        #[arg(long)]
        version: Option<String>,
        /// Base URL of the bundles (`{base}/{domain}/{domain}-{version}.json`, and
        /// `{base}/index.json`).
        #[arg(long, env = "TTPC_ATTACK_URL", default_value = store::OFFICIAL_BASE)]
        url: String,
        /// Expected sha256; the download is refused when it differs.
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Put a bundle file into the cache (air-gapped hosts).
    Import {
        /// The STIX bundle (JSON).
        file: PathBuf,
        /// Its domain, when it should be checked.
        #[arg(long, value_enum)]
        domain: Option<Domain>,
        /// Its ATT&CK release, when neither the bundle nor its file name says.
        #[arg(long)]
        version: Option<String>,
    },
    /// List the bundles in the cache.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// What changed between two releases; with a model, what it means for the model.
    Diff(DiffArgs),
}

/// Arguments of `ttpc attack diff`.
#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// A threat model whose actors and rules to check.
    model: Option<PathBuf>,
    /// The older release (from the cache).
    #[arg(long)]
    from: Option<String>,
    /// The newer release (from the cache).
    #[arg(long)]
    to: Option<String>,
    /// The older bundle as a file instead.
    #[arg(long, value_name = "FILE")]
    from_data: Option<PathBuf>,
    /// The newer bundle as a file instead.
    #[arg(long, value_name = "FILE")]
    to_data: Option<PathBuf>,
    /// The domain (default: the model's, else enterprise-attack).
    #[arg(long, value_enum)]
    domain: Option<Domain>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    match &args.command {
        AttackCommand::Fetch { domain, version, url, sha256 } => {
            let root = store::root()?;
            let version = match version {
                Some(v) => v.clone(),
                None => {
                    let newest = store::newest_release(url, *domain)?;
                    ui::notice(ttpc::diagnostics::Notice::Info(format!(
                        "the newest {domain} release in {} is {newest}",
                        store::index_url(url)
                    )));
                    newest
                }
            };
            let bundle = store::fetch(&root, url, *domain, &version, sha256.as_deref())?;
            ui::print(&format!(
                "fetched ATT&CK {} {} ({} bytes, sha256 {}) into {}\n",
                bundle.domain,
                bundle.version,
                bundle.size,
                bundle.sha256,
                bundle.path.display()
            ))?;
        }
        AttackCommand::Import { file, domain, version } => {
            let root = store::root()?;
            let bundle = store::import(&root, file, *domain, version.as_deref())?;
            ui::print(&format!(
                "imported ATT&CK {} {} (sha256 {}) into {}\n",
                bundle.domain,
                bundle.version,
                bundle.sha256,
                bundle.path.display()
            ))?;
        }
        AttackCommand::List { format } => {
            let root = store::root()?;
            let bundles = store::list(&root);
            // The list is sorted by domain, then version: the last of each domain is its newest.
            let newest: Vec<bool> = (0..bundles.len())
                .map(|i| bundles.get(i + 1).is_none_or(|next| next.domain != bundles[i].domain))
                .collect();
            match format {
                Format::Json => {
                    #[derive(serde::Serialize)]
                    struct Listed<'a> {
                        #[serde(flatten)]
                        bundle: &'a store::CachedBundle,
                        /// The newest release of its domain in the cache.
                        newest: bool,
                    }
                    let listed: Vec<Listed> = bundles
                        .iter()
                        .zip(&newest)
                        .map(|(bundle, &newest)| Listed { bundle, newest })
                        .collect();
                    ui::print(&ui::to_json(&listed))?
                }
                Format::Text => {
                    let rows: Vec<Vec<String>> = bundles
                        .iter()
                        .zip(&newest)
                        .map(|(b, &newest)| {
                            vec![
                                b.domain.to_string(),
                                b.version.clone(),
                                String::from(if newest { "yes" } else { "" }),
                                b.size.to_string(),
                                b.sha256.clone(),
                                b.origin.clone(),
                            ]
                        })
                        .collect();
                    let mut out = format!("cache: {}\n", root.join("attack").display());
                    out.push_str(&ui::table(
                        &["domain", "version", "newest", "bytes", "sha256", "origin"],
                        &rows,
                    ));
                    if bundles.is_empty() {
                        out.push_str("(empty: `ttpc attack fetch` or `ttpc attack import FILE`)\n");
                    }
                    ui::print(&out)?;
                }
            }
        }
        AttackCommand::Diff(d) => return run_diff(d, global),
    }
    Ok(Exit::Ok)
}

fn run_diff(args: &DiffArgs, global: &Global) -> CommandResult {
    let model = args.model.as_deref().map(|m| super::session(global, None).load_model(m)).transpose()?;
    let domain = args.domain.or(model.as_ref().map(|m| m.model.attack.domain));
    let load = |version: &Option<String>, file: &Option<PathBuf>, which: &str| -> Result<AttackData, Error> {
        if version.is_none() && file.is_none() {
            return Err(Error::NotFound {
                message: format!("no {which} release given"),
                help: Some(format!("pass --{which} VERSION (from the cache) or --{which}-data FILE")),
            });
        }
        Ok(ttpc::attack::source::load(file.as_deref(), &Pin { domain, version: version.clone() })?)
    };
    let old = load(&args.from, &args.from_data, "from")?;
    let new = load(&args.to, &args.to_data, "to")?;
    let changes = diff(&old.kb, &new.kb);
    let impact = match model {
        Some(model) => {
            let before = ttpc::resolve::resolve(model.clone(), old.clone())?;
            let after = ttpc::resolve::resolve(model, new.clone())?;
            Some(model_impact(&before, &after))
        }
        None => None,
    };
    let label = |d: &AttackData| d.version.clone().unwrap_or_else(|| d.path.display().to_string());
    match args.format {
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                from: String,
                to: String,
                domain: String,
                changes: &'a AttackDiff,
                model: Option<&'a ModelImpact>,
            }
            ui::print(&ui::to_json(&Out {
                from: label(&old),
                to: label(&new),
                domain: new.kb.domain().to_string(),
                changes: &changes,
                model: impact.as_ref(),
            }))?;
        }
        Format::Text => ui::print(&text(&label(&old), &label(&new), &changes, impact.as_ref()))?,
    }
    Ok(Exit::Ok)
}

fn text(from: &str, to: &str, c: &AttackDiff, impact: Option<&ModelImpact>) -> String {
    let mut out = format!("ATT&CK {from} → {to}\n");
    let mut section = |title: &str, lines: Vec<String>| {
        out.push_str(&format!("\n{title} ({})\n", lines.len()));
        for l in lines {
            out.push_str(&format!("  {l}\n"));
        }
    };
    section("Added", c.added.iter().map(|t| format!("{} {}", t.id, t.name)).collect());
    section(
        "Revoked",
        c.revoked
            .iter()
            .map(|r| match &r.replaced_by {
                Some(n) => format!("{} {} → {} {}", r.id, r.name, n.id, n.name),
                None => format!("{} {} (no replacement)", r.id, r.name),
            })
            .collect(),
    );
    section("Deprecated", c.deprecated.iter().map(|t| format!("{} {}", t.id, t.name)).collect());
    section("Renamed", c.renamed.iter().map(|r| format!("{}: {} → {}", r.id, r.from, r.to)).collect());
    section(
        "Moved between tactics",
        c.moved
            .iter()
            .map(|m| format!("{} {}: {} → {}", m.id, m.name, m.from.join(", "), m.to.join(", ")))
            .collect(),
    );
    section("Removed", c.removed.iter().map(|t| format!("{} {}", t.id, t.name)).collect());
    if let Some(impact) = impact {
        out.push_str("\nFor the model's actors\n");
        for a in &impact.actors {
            let list = |v: &[ttpc::attack::diff::TechniqueRef]| {
                if v.is_empty() {
                    String::from("none")
                } else {
                    v.iter().map(|t| t.id.clone()).collect::<Vec<_>>().join(", ")
                }
            };
            out.push_str(&format!(
                "  {} ({}): gained {} ({}), lost {} ({})\n",
                a.name,
                a.id,
                a.gained.len(),
                list(&a.gained),
                a.lost.len(),
                list(&a.lost)
            ));
        }
        out.push_str(&format!("\nRules to update for {to} ({})\n", impact.rules.len()));
        for r in &impact.rules {
            let fix = match &r.use_instead {
                Some(id) => format!("use {id}"),
                None => String::from("no replacement: remap or retire"),
            };
            out.push_str(&format!(
                "  {} {}: {} is {} — {fix}  ({}: {})\n",
                r.source, r.rule, r.written, r.issue, r.title, r.place
            ));
        }
    }
    out
}
