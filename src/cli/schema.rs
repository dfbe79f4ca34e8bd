//! `ttpc schema [--assessment]`: print the JSON Schema of the threat-model language or of the
//! assessment.

use ttpc::Exit;

use super::{CommandResult, ui};

/// Arguments of `ttpc schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the schema of the assessment (assessment.json, the template context) instead.
    #[arg(long)]
    assessment: bool,
}

pub fn run(args: &Args) -> CommandResult {
    if args.assessment {
        ui::print(&ttpc::assessment::assessment_schema_text())?;
    } else {
        ui::print(&ttpc::model::threat_model_schema_text())?;
    }
    Ok(Exit::Ok)
}
