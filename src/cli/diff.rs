//! `ttpc diff BASE.json HEAD.json`: what changed between two assessments — coverage per actor and
//! tactic, techniques newly covered or uncovered (with the rules that appeared or disappeared),
//! new gaps, target verdicts and validation states — as text, a Markdown pull-request comment, or
//! JSON. With `--baseline-ref REF MODEL`, the two assessments are compiled on the spot: the model
//! as it is and as it was at the git revision.

use std::path::PathBuf;

use ttpc::Exit;
use ttpc::check::baseline;
use ttpc::emit::diff;

use super::{CommandResult, ui};

/// Arguments of `ttpc diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// BASE.json HEAD.json: the base assessment (assessment.json of the target branch) and the
    /// head one (of the change); with --baseline-ref, the one threat model to compare.
    #[arg(required = true, num_args = 1..=2, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Compare the model as it is with the model at this git revision (`origin/main`, `HEAD~1`),
    /// both compiled here, instead of reading two assessment files.
    #[arg(long, value_name = "REF")]
    baseline_ref: Option<String>,
    /// With --baseline-ref: the date acceptances are checked against (YYYY-MM-DD or `today`).
    #[arg(long, value_name = "DATE", value_parser = super::compile::parse_date, requires = "baseline_ref")]
    as_of: Option<chrono::NaiveDate>,
    #[command(flatten)]
    data: super::ModelData,
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

pub fn run(args: &Args, global: &super::Global) -> CommandResult {
    let (base, head) = match (args.files.as_slice(), &args.baseline_ref) {
        ([base, head], None) => (
            baseline::read(base).map_err(|e| ttpc::Error::Baseline(Box::new(e)))?,
            baseline::read(head).map_err(|e| ttpc::Error::Baseline(Box::new(e)))?,
        ),
        ([model], Some(revision)) => {
            let session = super::session(global, Some(&args.data));
            let as_of = args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let (_, head) = session.assess(model, as_of)?;
            (session.assess_at(model, revision, as_of)?, head)
        }
        (_, None) => {
            return Err(ttpc::Error::NotFound {
                message: String::from("ttpc diff compares two assessments: BASE.json HEAD.json"),
                help: Some(String::from("or give one model with --baseline-ref REF")),
            });
        }
        (_, Some(_)) => {
            return Err(ttpc::Error::NotFound {
                message: String::from("with --baseline-ref, ttpc diff takes one model"),
                help: Some(String::from("ttpc diff --baseline-ref origin/main threat-model.yaml")),
            });
        }
    };
    let comparison = baseline::compare(&base, &head);
    ui::print(&match args.format {
        DiffFormat::Text => diff::text(&comparison),
        DiffFormat::Markdown => diff::markdown(&comparison),
        DiffFormat::Json => ui::to_json(&comparison),
    })?;
    Ok(Exit::Ok)
}
