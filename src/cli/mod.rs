//! The command line: argument definitions (clap derive), one module per subcommand, and the
//! plumbing every command shares — the ATT&CK data option, diagnostics rendering, exit codes.

mod actors;
mod attack;
mod check;
mod compile;
mod completions;
mod diff;
mod emulate;
mod init;
mod migrate;
mod rules;
mod schema;
mod technique;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ttpc::{Error, Exit};

const EXIT_CODES: &str = "\
Exit codes:
  0  all targets hold (or the command succeeded)
  1  a target or the baseline check failed
  2  invalid input: model, ATT&CK data, or rule sources the model requires
  3  internal error, or outputs could not be written";

/// ttpc compiles a YAML threat model against MITRE ATT&CK: which adversaries matter, which of
/// their techniques you detect, where the gaps are and what to build first.
#[derive(Debug, Parser)]
#[command(name = "ttpc", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// ATT&CK STIX bundle to use instead of the cache (STIX 2.0 or 2.1 JSON).
    #[arg(long, global = true, env = "TTPC_ATTACK_DATA", value_name = "FILE")]
    attack_data: Option<PathBuf>,
    /// Atomic Red Team `atomics` folder to use instead of the model's `validation.atomics`.
    #[arg(long, global = true, env = "TTPC_ATOMICS", value_name = "DIR")]
    atomics: Option<PathBuf>,
    /// Let a model name files outside its repository (absolute paths, `..`, symbolic links out):
    /// only for models you trust, never on pull requests.
    #[arg(long, global = true)]
    allow_outside: bool,
    /// When to use colour on the terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Largest input file read whole: a model, a rule file, a template, a results file.
    #[arg(
        long,
        global = true,
        env = "TTPC_MAX_FILE_SIZE",
        value_name = "SIZE",
        default_value = "64 MiB",
        help_heading = "Limits"
    )]
    max_file_size: bytesize::ByteSize,
    /// Largest ATT&CK STIX bundle.
    #[arg(
        long,
        global = true,
        env = "TTPC_MAX_BUNDLE_SIZE",
        value_name = "SIZE",
        default_value = "1 GiB",
        help_heading = "Limits"
    )]
    max_bundle_size: bytesize::ByteSize,
    /// Most files in one rule source or Atomic Red Team folder.
    #[arg(long, global = true, env = "TTPC_MAX_FILES", value_name = "N", default_value_t = ttpc::limits::Limits::DEFAULT.max_files, help_heading = "Limits")]
    max_files: usize,
    /// Largest rendered report (bounds what a template may write).
    #[arg(
        long,
        global = true,
        env = "TTPC_MAX_OUTPUT_SIZE",
        value_name = "SIZE",
        default_value = "64 MiB",
        help_heading = "Limits"
    )]
    max_output_size: bytesize::ByteSize,
}

impl Global {
    /// The resource limits the options set.
    fn limits(&self) -> ttpc::limits::Limits {
        ttpc::limits::Limits {
            max_file_bytes: self.max_file_size.as_u64(),
            max_bundle_bytes: self.max_bundle_size.as_u64(),
            max_files: self.max_files,
            max_output_bytes: self.max_output_size.as_u64(),
        }
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal only, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compile a threat model: coverage, gaps, priorities, targets, layers, plan and report.
    Compile(compile::Args),
    /// Validate a threat model and resolve its actors against ATT&CK.
    Check(check::Args),
    /// Print an actor's adversary-emulation plan (Atomic Red Team): Markdown, scripts, Caldera.
    Emulate(emulate::Args),
    /// Print the JSON Schema of the threat-model language.
    Schema(schema::Args),
    /// List ATT&CK groups (or campaigns, software) with aliases and technique counts.
    Actors(actors::Args),
    /// Show one ATT&CK technique: tactics, platforms, groups, detection guidance, mitigations.
    Technique(technique::Args),
    /// Write a commented starter threat model that passes `ttpc check`.
    Init(init::Args),
    /// Compare two assessments (base and head of a pull request): text, Markdown comment or JSON.
    Diff(diff::Args),
    /// Move a model to another ATT&CK release, keeping its comments: IDs, tactic targets, account.
    Migrate(migrate::Args),
    /// Manage ATT&CK data: fetch, import, list the cache, diff two releases.
    Attack(attack::Args),
    /// Inspect a rule source: files parsed and skipped, rules, stale mappings, rules per technique.
    Rules(rules::Args),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the manual page, or write one per command with --dir.
    Man(completions::ManArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let t0 = std::time::Instant::now();
    let cli = Cli::parse();
    ui::install_diagnostics(cli.global.color);
    ttpc::limits::set(cli.global.limits());
    let result = match &cli.command {
        Command::Compile(args) => compile::run(args, &cli.global),
        Command::Check(args) => check::run(args, &cli.global),
        Command::Emulate(args) => emulate::run(args, &cli.global),
        Command::Schema(args) => schema::run(args),
        Command::Actors(args) => actors::run(args, &cli.global),
        Command::Technique(args) => technique::run(args, &cli.global),
        Command::Rules(args) => rules::run(args, &cli.global),
        Command::Attack(args) => attack::run(args, &cli.global),
        Command::Diff(args) => diff::run(args, &cli.global),
        Command::Init(args) => init::run(args, &cli.global),
        Command::Migrate(args) => migrate::run(args, &cli.global),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
    };
    ttpc::timing::finish(t0);
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            let exit = error.exit();
            ui::report(error);
            ExitCode::from(exit as u8)
        }
    }
}

/// What a command returns: an exit code on success, an error otherwise.
type CommandResult = Result<Exit, Error>;

/// How a model command gets and pins its ATT&CK data.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelData {
    /// Download the model's pinned ATT&CK release into the cache when it is missing.
    #[arg(long)]
    fetch: bool,
    /// Accept ATT&CK data whose sha256 differs from the one in ttpc.lock, and record it.
    #[arg(long)]
    update_lock: bool,
    /// Read live rule sources (splunk-api, elastic-api, sentinel-api) from their last snapshots
    /// instead of their APIs: no network, no credentials.
    #[arg(long)]
    offline: bool,
}

/// Which ATT&CK release to look things up in, for commands without a model.
#[derive(Debug, Clone, clap::Args)]
pub struct Release {
    /// ATT&CK domain to take from the cache (default enterprise-attack; with --attack-data,
    /// whatever the file holds).
    #[arg(long, value_enum)]
    domain: Option<ttpc::attack::Domain>,
    /// ATT&CK version in the cache (default: the newest cached).
    #[arg(long = "attack-version", value_name = "VERSION")]
    version: Option<String>,
}

/// How a command prints its result.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ui::Format::Text)]
    format: ui::Format,
}

impl Release {
    fn pin(&self) -> ttpc::attack::source::Pin {
        ttpc::attack::source::Pin { domain: self.domain, version: self.version.clone() }
    }
}

/// The library's options from the command line.
fn options(global: &Global, data: Option<&ModelData>) -> ttpc::Options {
    ttpc::Options {
        attack_data: global.attack_data.clone(),
        atomics: global.atomics.clone(),
        allow_outside: global.allow_outside,
        fetch: data.is_some_and(|d| d.fetch),
        update_lock: data.is_some_and(|d| d.update_lock),
        offline: data.is_some_and(|d| d.offline),
    }
}

/// A library session whose notices are printed on stderr as they come.
fn session(global: &Global, data: Option<&ModelData>) -> ttpc::Session<'static> {
    ttpc::Session::new(options(global, data), &ui::notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
