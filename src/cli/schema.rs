//! `ttpc schema`: print the JSON Schema of the threat-model language.

use ttpc::Exit;

use super::{CommandResult, ui};

/// Arguments of `ttpc schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> CommandResult {
    ui::print(&ttpc::model::threat_model_schema_text())?;
    Ok(Exit::Ok)
}
