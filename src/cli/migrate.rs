//! `ttpc migrate MODEL --to VERSION`: move a model to another ATT&CK release. The account goes to
//! stderr; the migrated model to stdout, or over the model file with `--write`.

use std::path::PathBuf;

use chrono::NaiveDate;
use ttpc::Exit;
use ttpc::migrate::{Migration, migrate};

use super::{CommandResult, Global, ui};

/// Arguments of `ttpc migrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The threat model (YAML).
    model: PathBuf,
    /// The ATT&CK release to move to (from the cache: `ttpc attack fetch --version V`).
    #[arg(long, value_name = "VERSION")]
    to: String,
    /// Write the migrated model over the model file (comments and layout kept) instead of
    /// printing it.
    #[arg(long)]
    write: bool,
    /// Date the coverage figures of split tactics are computed for (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    #[command(flatten)]
    data: super::ModelData,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let session = super::session(global, Some(&args.data));
    let as_of = args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let migration = migrate(&session, &args.model, &args.to, as_of)?;
    eprint!("{}", account(&migration));
    if args.write {
        if migration.account.edits.is_empty() {
            return Ok(Exit::Ok);
        }
        ttpc::io::write_atomic(&args.model, migration.text.as_bytes())?;
        eprintln!("wrote {}", args.model.display());
    } else {
        ui::print_plain(&migration.text)?;
    }
    Ok(Exit::Ok)
}

/// The account, for people.
fn account(m: &Migration) -> String {
    let a = &m.account;
    if a.edits.is_empty() && a.actors.is_empty() {
        return format!("{} already pins ATT&CK {}: nothing to do\n", m.model, m.to);
    }
    let mut out = format!("Moving {} from ATT&CK {} to {}\n", m.model, m.from, m.to);
    if !a.actors.is_empty() {
        out.push_str("\nActors (techniques before → after)\n");
        for actor in &a.actors {
            out.push_str(&format!(
                "  {}: {} → {}; gained {}, lost {}, renamed {}\n",
                actor.reference,
                actor.before,
                actor.after,
                actor.gained.len(),
                actor.lost.len(),
                actor.renamed.len()
            ));
            let list = |ids: &[String]| ids.join(", ");
            if !actor.renamed.is_empty() {
                let pairs: Vec<String> = actor.renamed.iter().map(|(o, n)| format!("{o} → {n}")).collect();
                out.push_str(&format!("    renamed: {}\n", pairs.join(", ")));
            }
            if !actor.gained.is_empty() {
                out.push_str(&format!("    gained: {}\n", list(&actor.gained)));
            }
            if !actor.lost.is_empty() {
                out.push_str(&format!("    lost: {}\n", list(&actor.lost)));
            }
        }
    }
    out.push_str("\nEdits\n");
    for e in &a.edits {
        out.push_str(&format!("  line {}: {} → {}\n", e.line, e.before, e.after));
    }
    if !a.tactics.is_empty() {
        out.push_str(
            "\nSplit tactic targets (the same promise was copied; coverage today on the new release):\n",
        );
        for t in &a.tactics {
            let now: Vec<String> = t
                .now
                .iter()
                .map(|(k, p)| {
                    format!("{k} {}", p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%")))
                })
                .collect();
            out.push_str(&format!("  {} {} → {}\n", t.key, t.promise, now.join(", ")));
        }
    }
    let r = &a.rules;
    out.push_str(&format!(
        "\nRule tags: translated from another release {} → {}, revoked (counted for the replacement) now {}, not counted {} → {}\n",
        r.translated_before, r.translated_after, r.stale_after, r.uncounted_before, r.uncounted_after
    ));
    if !a.notes.is_empty() {
        out.push_str("\nLook at by hand\n");
        for n in &a.notes {
            out.push_str(&format!("  {n}\n"));
        }
    }
    out
}
