//! `ttpc compile MODEL`: the product — analyse a model and write every output (Navigator layers,
//! remediation plan, Markdown report, assessment JSON), print the summary, and exit 1 when a target
//! fails (after the outputs are written, so the reports show why).

mod batch;

use std::path::PathBuf;

use chrono::NaiveDate;
use ttpc::assessment::TargetKind;
use ttpc::emit;
use ttpc::{Compiled, Exit, Request};

use super::ui::{self, Format};
use super::{CommandResult, Global};

/// Arguments of `ttpc compile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The threat model (YAML); several compile in one process, in parallel, sharing ATT&CK data and
    /// rule sources (`ttpc compile models/*.yaml`).
    #[arg(required = true, num_args = 1..)]
    models: Vec<PathBuf>,
    /// Output folder (default: the model's `outputs.dir`, else `out/<model name>` beside the model;
    /// with several models, `DIR/<model file name>`).
    #[arg(long, short = 'o', value_name = "DIR")]
    output: Option<PathBuf>,
    /// A minijinja template replacing the built-in Markdown report (default: the model's
    /// `outputs.report.template`).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// An earlier assessment.json to compare with: fills the model's `no_drop_from_baseline`
    /// target and writes `diff.md` (the pull-request comment) beside the other outputs.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// A minijinja template replacing the built-in HTML report (default: the model's
    /// `outputs.report.html_template`).
    #[arg(long, value_name = "FILE")]
    html_template: Option<PathBuf>,
    /// What to print: the summary box, or the whole assessment as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    data: super::ModelData,
    /// The date acceptances are checked against: YYYY-MM-DD, or `today` (the default).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Also write a fleet overview of the models into DIR, a folder of its own: fleet.json,
    /// fleet.csv (one row per model) and fleet.html (sortable, filterable, linking each report).
    #[arg(long, value_name = "DIR")]
    summary: Option<PathBuf>,
    /// With several models: one line per model on a terminal too, instead of a progress bar and a
    /// table of the failing models at the end.
    #[arg(long, short = 'v')]
    verbose: bool,
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    if s == "today" {
        return Ok(chrono::Local::now().date_naive());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| String::from("expected YYYY-MM-DD or `today`"))
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    if args.baseline.is_some() && args.models.len() > 1 {
        return Err(ttpc::Error::NotFound {
            message: String::from("--baseline compares one model with its baseline"),
            help: Some(String::from("compile the models one at a time with --baseline")),
        });
    }
    if args.output.is_some()
        && let Some(model) = batch::shared_output(&args.models)
    {
        return Err(ttpc::Error::NotFound {
            message: format!(
                "two models of the batch share the file name of {}, so -o DIR would give them one output folder",
                model.display()
            ),
            help: Some(String::from(
                "give each model its own file name, or leave out -o so that each writes to its own outputs.dir",
            )),
        });
    }
    let [model] = args.models.as_slice() else { return batch::run(args, global) };
    if args.summary.is_some() {
        return batch::run(args, global);
    }
    let session = super::session(global, Some(&args.data));
    let compiled = session.compile(&request(model, args, args.output.clone()))?;
    let exit = report(&compiled, args, global);
    // The process ends here: the operating system reclaims the knowledge base, the rule
    // sources and the assessment at once, faster than freeing them piece by piece.
    std::mem::forget(compiled);
    std::mem::forget(session);
    exit
}

/// The library's request for one model of the command line.
fn request(model: &std::path::Path, args: &Args, output: Option<PathBuf>) -> Request {
    Request {
        model: model.to_owned(),
        as_of: args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        output,
        baseline: args.baseline.clone(),
        report_template: args.template.clone(),
        html_template: args.html_template.clone(),
    }
}

/// Prints one model's result and turns its verdicts into the exit code.
fn report(c: &Compiled, args: &Args, global: &Global) -> CommandResult {
    let assessment = &c.assessment;
    match args.format {
        Format::Json => ui::print(&emit::json(assessment))?,
        Format::Text => {
            let mut text = emit::terminal::summary(assessment, ui::stdout_is_colored(global.color));
            text.push_str(&format!("Wrote {} files to {}\n", c.files, c.dir.display()));
            ui::print(&text)?;
        }
    }
    let failed: Vec<_> = assessment.verdicts.iter().filter(|v| !v.pass).collect();
    if failed.is_empty() {
        return Ok(Exit::Ok);
    }
    for v in &failed {
        let kind = match v.kind {
            TargetKind::Acceptance => "expired acceptance",
            _ => "target failed",
        };
        ui::warn(
            "ttpc::check::failed",
            format!("{kind}: {} — expected {}, actual {}", v.target, v.expected, v.actual),
            None,
        );
    }
    Ok(Exit::TargetFailed)
}
