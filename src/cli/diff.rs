//! `ttpc diff BASE.json HEAD.json`: what changed between two assessments — coverage per actor and
//! tactic, techniques newly covered or uncovered (with the rules that appeared or disappeared),
//! new gaps, target verdicts and validation states — as text, a Markdown pull-request comment, or
//! JSON.

use std::path::PathBuf;

use ttpc::Exit;
use ttpc::check::baseline;
use ttpc::emit::diff;

use super::{CommandResult, ui};

/// Arguments of `ttpc diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The base assessment (assessment.json of the target branch).
    base: PathBuf,
    /// The head assessment (assessment.json of the change).
    head: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
}

/// Output formats of `ttpc diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Plain text.
    Text,
    /// A compact Markdown pull-request comment.
    Markdown,
    /// The comparison as JSON.
    Json,
}

pub fn run(args: &Args) -> CommandResult {
    let base = baseline::read(&args.base).map_err(|e| ttpc::Error::Baseline(Box::new(e)))?;
    let head = baseline::read(&args.head).map_err(|e| ttpc::Error::Baseline(Box::new(e)))?;
    let comparison = baseline::compare(&base, &head);
    ui::print(&match args.format {
        DiffFormat::Text => diff::text(&comparison),
        DiffFormat::Markdown => diff::markdown(&comparison),
        DiffFormat::Json => ui::to_json(&comparison),
    })?;
    Ok(Exit::Ok)
}
