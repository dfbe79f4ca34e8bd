//! `ttpc completions SHELL` and `ttpc man [--dir DIR]`: shell completions (clap_complete) and
//! manual pages (clap_mangen), both generated from the one command-line definition, so they
//! never drift from `--help`.

use std::path::PathBuf;

use clap::CommandFactory;
use ttpc::Exit;

use super::{Cli, CommandResult, ui};

/// Arguments of `ttpc completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Prints the completion script for a shell.
pub fn run(args: &Args) -> CommandResult {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "ttpc", &mut script);
    ui::print_plain(&String::from_utf8_lossy(&script))?;
    Ok(Exit::Ok)
}

/// Arguments of `ttpc man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command (`ttpc.1`, `ttpc-compile.1`, `ttpc-attack-fetch.1`, ...) into
    /// this folder instead of printing the `ttpc(1)` page.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the main page, or writes every page into a folder.
pub fn man(args: &ManArgs) -> CommandResult {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = &args.dir else {
        ui::print_plain(&render(&cmd)?)?;
        return Ok(Exit::Ok);
    };
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    for page in &pages {
        let name = format!("{}.1", page.get_display_name().unwrap_or_else(|| page.get_name()));
        ttpc::io::write_atomic(&dir.join(name), render(page)?.as_bytes())?;
    }
    ui::print_plain(&format!("Wrote {} manual pages to {}\n", pages.len(), dir.display()))?;
    Ok(Exit::Ok)
}

/// The command and its visible subcommands, depth first.
fn collect(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    out.push(cmd.clone());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}

/// One page as roff.
fn render(cmd: &clap::Command) -> Result<String, ttpc::Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .map_err(|source| ttpc::Error::Io { what: String::from("a manual page"), source })?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
