//! The command line: argument definitions (clap derive), one module per subcommand, and the
//! plumbing every command shares — the ATT&CK data option, diagnostics rendering, exit codes.

mod actors;
mod attack;
mod check;
mod compile;
mod diff;
mod emulate;
mod init;
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
    /// Manage ATT&CK data: fetch, import, list the cache, diff two releases.
    Attack(attack::Args),
    /// Inspect a rule source: files parsed and skipped, rules, stale mappings, rules per technique.
    Rules(rules::Args),
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
        Command::Diff(args) => diff::run(args),
        Command::Init(args) => init::run(args, &cli.global),
    };
    ttpc::cache::timing("command total", t0);
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

/// Loads the ATT&CK data for a pin, honouring `--attack-data`, and prints its warnings.
fn load_attack(
    global: &Global,
    pin: &ttpc::attack::source::Pin,
) -> Result<ttpc::attack::source::AttackData, Error> {
    let data = ttpc::attack::source::load(global.attack_data.as_deref(), pin)?;
    for w in &data.warnings {
        ui::warn("ttpc::attack::version_mismatch", w.clone(), None);
    }
    Ok(data)
}

/// How a model command gets and pins its ATT&CK data.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelData {
    /// Download the model's pinned ATT&CK release into the cache when it is missing.
    #[arg(long)]
    fetch: bool,
    /// Accept ATT&CK data whose sha256 differs from the one in ttpc.lock, and record it.
    #[arg(long)]
    update_lock: bool,
}

/// Loads a model and applies the command line's overrides (`--atomics`).
fn load_model(path: &std::path::Path, global: &Global) -> Result<ttpc::model::LoadedModel, Error> {
    let mut model = ttpc::model::load(path)?;
    if !global.allow_outside {
        let root = ttpc::confine::repository_root(path);
        let problems = ttpc::confine::check_model(&model, &root);
        if !problems.is_empty() {
            let title = format!(
                "{} names files outside its repository ({} path{})",
                model.source.name(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            return Err(Error::Invalid(Box::new(ttpc::diagnostics::Problems::new(
                "ttpc::confine::outside",
                title,
                &model.source,
                problems,
            ))));
        }
    }
    if let Some(dir) = &global.atomics {
        // Absolute, because paths in a model are relative to the model file, not to where ttpc runs.
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        model.model.validation.get_or_insert_with(Default::default).atomics = Some(dir.display().to_string());
    }
    Ok(model)
}

/// What the models of one run share: ATT&CK data by pin, and rule sources and atomics.
#[derive(Debug, Default)]
struct Shared {
    attack: std::sync::Mutex<
        std::collections::HashMap<ttpc::attack::source::Pin, ttpc::attack::source::AttackData>,
    >,
    inputs: ttpc::resolve::SharedInputs,
}

/// The ATT&CK data a model pins: from `--attack-data`, the cache, or (with `--fetch`) a download;
/// then checked against the `ttpc.lock` beside the model, and recorded there when it came from
/// the cache (or `--update-lock` is given).
fn model_attack(
    model: &ttpc::model::LoadedModel,
    global: &Global,
    data: &ModelData,
    shared: &Shared,
) -> Result<ttpc::attack::source::AttackData, Error> {
    use ttpc::attack::{AttackError, lock, store};
    let pin = ttpc::resolve::pin_of(model);
    let lock_file = lock::lock_path(&model.path);
    let memo = shared.attack.lock().ok().and_then(|m| m.get(&pin).cloned());
    let loaded = match memo {
        Some(hit) => Ok(hit),
        None => load_attack(global, &pin),
    };
    let attack = match loaded {
        Err(Error::Attack(e)) if data.fetch && matches!(*e, AttackError::NoData { .. }) => {
            let root = store::root()?;
            let version = model.model.attack.version.as_str();
            let pinned =
                lock::read(&lock_file)?.pinned(model.model.attack.domain, version).map(str::to_owned);
            let base = std::env::var("TTPC_ATTACK_URL").unwrap_or_else(|_| store::OFFICIAL_BASE.to_owned());
            let fetched = store::fetch(&root, &base, model.model.attack.domain, version, pinned.as_deref())?;
            eprintln!(
                "fetched ATT&CK {} {} into {}",
                fetched.domain,
                fetched.version,
                fetched.path.display()
            );
            load_attack(global, &pin)?
        }
        other => other?,
    };
    if let Ok(mut memo) = shared.attack.lock() {
        memo.entry(pin.clone()).or_insert_with(|| attack.clone());
    }
    let version = model.model.attack.version.as_str();
    // A file named on the command line is checked against the lock but not recorded in it:
    // pinning is for the data a model normally gets (the cache), not for ad-hoc runs.
    let record = attack.origin == ttpc::attack::source::Origin::Cache || data.update_lock;
    let pinned = lock::read(&lock_file)?.pinned(attack.kb.domain(), version).is_some();
    if !record && !pinned {
        return Ok(attack);
    }
    let outcome =
        lock::check(&lock_file, &attack.path, attack.kb.domain(), version, &attack.sha256, data.update_lock)?;
    match outcome {
        lock::LockOutcome::Matched => {}
        lock::LockOutcome::Recorded => {
            eprintln!(
                "recorded the sha256 of ATT&CK {} {version} in {}",
                attack.kb.domain(),
                lock_file.display()
            )
        }
        lock::LockOutcome::Updated => {
            eprintln!(
                "updated the sha256 of ATT&CK {} {version} in {}",
                attack.kb.domain(),
                lock_file.display()
            )
        }
    }
    Ok(attack)
}

/// The pipeline up to the assessment: load, resolve (warnings printed), analyse.
fn assess(
    model: &std::path::Path,
    global: &Global,
    data: &ModelData,
    as_of: Option<chrono::NaiveDate>,
    shared: &Shared,
) -> Result<(ttpc::resolve::Resolved, ttpc::assessment::Assessment), Error> {
    let t = std::time::Instant::now();
    let model = load_model(model, global)?;
    ttpc::cache::timing("load model", t);
    let t = std::time::Instant::now();
    let attack = model_attack(&model, global, data, shared)?;
    ttpc::cache::timing("ATT&CK data", t);
    let t = std::time::Instant::now();
    let resolved = ttpc::resolve::resolve_with(model, attack, &shared.inputs)?;
    ttpc::cache::timing("resolve (actors, rules, atomics)", t);
    ui::warn_in_file(&resolved.model.source, &resolved.warnings);
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let t = std::time::Instant::now();
    let assessment = ttpc::analysis::analyse(&resolved, &ttpc::analysis::Options { as_of });
    ttpc::cache::timing("analyse", t);
    Ok((resolved, assessment))
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
