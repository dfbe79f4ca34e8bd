//! `ttpc emulate MODEL [--actor REF]`: the emulation plan of one actor (or all), printed as
//! Markdown, a PowerShell script, a shell script or a Caldera adversary profile.

use std::path::PathBuf;

use chrono::NaiveDate;
use ttpc::emit::{self, emulation};
use ttpc::{Error, Exit};

use super::{CommandResult, Global, ui};

/// Arguments of `ttpc emulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The threat model (YAML), with a `validation` section naming the Atomic Red Team folder.
    model: PathBuf,
    /// Only this actor: its `ref`, ATT&CK name or ID (any case).
    #[arg(long)]
    actor: Option<String>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    format: PlanFormat,
    #[command(flatten)]
    data: super::ModelData,
    /// The date results are aged against: YYYY-MM-DD or `today` (the default).
    #[arg(long, value_name = "DATE", value_parser = super::compile::parse_date)]
    as_of: Option<NaiveDate>,
}

/// Output formats of `ttpc emulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanFormat {
    /// The plan as Markdown (what `emulation-plan.md` holds).
    Markdown,
    /// `Invoke-AtomicTest` lines for Windows and cloud tests.
    Powershell,
    /// `pwsh` invoke lines for Linux and macOS tests.
    Shell,
    /// A Caldera-style adversary profile (YAML).
    Caldera,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let as_of = args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let (_, mut assessment) = super::session(global, Some(&args.data)).assess(&args.model, as_of)?;
    let Some(plan) = assessment.emulation.as_mut() else {
        return Err(Error::NotFound {
            message: format!("{} has no validation section to plan an emulation from", args.model.display()),
            help: Some(String::from(
                "add `validation: {atomics: PATH}` naming the atomics folder of a clone of redcanaryco/atomic-red-team",
            )),
        });
    };
    if let Some(wanted) = &args.actor {
        let matches = |a: &ttpc::assessment::ActorEmulation| {
            a.reference.eq_ignore_ascii_case(wanted)
                || a.name.eq_ignore_ascii_case(wanted)
                || a.id.eq_ignore_ascii_case(wanted)
        };
        if !plan.actors.iter().any(matches) {
            let known: Vec<String> = plan.actors.iter().map(|a| format!("{} ({})", a.name, a.id)).collect();
            return Err(Error::NotFound {
                message: format!("no actor `{wanted}` in {}", args.model.display()),
                help: Some(format!("the model's actors are {}", known.join(", "))),
            });
        }
        plan.actors.retain(matches);
    }
    if args.format != PlanFormat::Markdown {
        emulation::check_guids(&assessment)?;
    }
    let plan = assessment.emulation.as_ref().map(|e| e.actors.clone()).unwrap_or_default();
    let text = match args.format {
        PlanFormat::Markdown => emit::report::emulation_plan(&assessment)?,
        PlanFormat::Powershell => {
            plan.iter().map(|a| emulation::powershell(&assessment, a)).collect::<Vec<_>>().join("\n")
        }
        PlanFormat::Shell => {
            plan.iter().map(|a| emulation::shell(&assessment, a)).collect::<Vec<_>>().join("\n")
        }
        PlanFormat::Caldera => plan
            .iter()
            .map(|a| emit::yaml(&emulation::caldera(&assessment, a)))
            .collect::<Vec<_>>()
            .join("---\n"),
    };
    // Scripts and plans, printed as written: they are meant to be redirected to a file.
    ui::print(&text)?;
    Ok(Exit::Ok)
}
