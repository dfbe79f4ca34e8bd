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
    #[arg(long, value_name = "FILE", conflicts_with = "baseline_ref")]
    baseline: Option<PathBuf>,
    /// A git revision (`origin/main`, `HEAD~1`, a commit) whose version of the model — with the
    /// rule sources and ttpc.lock of that revision — is compiled as the baseline, in a temporary
    /// worktree: like --baseline without keeping an assessment.json.
    #[arg(long, value_name = "REF")]
    baseline_ref: Option<String>,
    /// Also write the findings as SARIF 2.1.0 (code scanning): failed targets, new gaps, newly
    /// uncovered techniques and input problems at their model or rule file line.
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Also write the target verdicts as JUnit XML (one test case each, one suite per model).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
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
    if (args.baseline.is_some() || args.baseline_ref.is_some()) && args.models.len() > 1 {
        return Err(ttpc::Error::NotFound {
            message: String::from("--baseline and --baseline-ref compare one model with its baseline"),
            help: Some(String::from("compile the models one at a time with --baseline or --baseline-ref")),
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
    let ci_files = args.sarif.is_some() || args.junit.is_some();
    if ci_files && args.summary.is_some() {
        // The fleet path drops each assessment as soon as it is written; SARIF and JUnit need
        // them all. Refused rather than written without them.
        return Err(ttpc::Error::NotFound {
            message: String::from("--sarif and --junit cannot be combined with --summary"),
            help: Some(String::from("run the batch once with --summary and once with --sarif/--junit")),
        });
    }
    let single = match args.models.as_slice() {
        [model] if args.summary.is_none() => Some(model),
        _ => None,
    };
    let Some(model) = single else {
        if ci_files && args.summary.is_none() {
            let session = super::session(global, Some(&args.data));
            let exit = batch_keeping_all(args, &session);
            std::mem::forget(session);
            return exit;
        }
        return batch::run(args, global);
    };
    let session = super::session(global, Some(&args.data));
    let compiled = session.compile(&request(model, args, args.output.clone()))?;
    ci_outputs(&[compiled.outcome()], args)?;
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
        baseline_ref: args.baseline_ref.clone(),
        report_template: args.template.clone(),
        html_template: args.html_template.clone(),
    }
}

/// Several models at once, keeping every assessment: the path for `--sarif`/`--junit` over a
/// batch (those files need every model's findings); one line each, the worst exit code wins.
fn batch_keeping_all(args: &Args, session: &ttpc::Session<'_>) -> CommandResult {
    use rayon::prelude::*;
    let results: Vec<Result<Compiled, ttpc::Error>> = args
        .models
        .par_iter()
        .map(|model| {
            let output = args.output.as_ref().map(|dir| {
                dir.join(model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
            });
            session.compile(&request(model, args, output))
        })
        .collect();
    let mut exit = Exit::Ok;
    let mut out = String::new();
    let mut compiled = Vec::new();
    for (model, result) in args.models.iter().zip(results) {
        match result {
            Ok(c) => {
                let failed = c.assessment.verdicts.iter().filter(|v| !v.pass).count();
                let verdicts = c.assessment.verdicts.len();
                if failed > 0 && exit == Exit::Ok {
                    exit = Exit::TargetFailed;
                }
                let coverage =
                    c.assessment.overall.percent.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
                out.push_str(&format!(
                    "{} {}: coverage {coverage} ({}/{}), {}; {} files in {}\n",
                    if failed == 0 { "✓" } else { "✗" },
                    model.display(),
                    c.assessment.overall.covered,
                    c.assessment.overall.techniques,
                    if failed == 0 {
                        format!("all {verdicts} targets hold")
                    } else {
                        format!("{failed} of {verdicts} targets failed")
                    },
                    c.files,
                    c.dir.display()
                ));
                compiled.push(c);
            }
            Err(e) => {
                exit = worse(exit, e.exit());
                out.push_str(&format!("✗ {}: {e}\n", model.display()));
                super::ui::report(e);
            }
        }
    }
    let outcomes: Vec<_> = compiled.iter().map(Compiled::outcome).collect();
    ci_outputs(&outcomes, args)?;
    match args.format {
        Format::Json => {
            let assessments: Vec<_> = compiled.iter().map(|c| &c.assessment).collect();
            ui::print(&ui::to_json(&assessments))?
        }
        Format::Text => ui::print_plain(&out)?,
    }
    Ok(exit)
}

/// The CI outputs: `--sarif` and `--junit` files and, in GitHub Actions, the job summary
/// (appended to `$GITHUB_STEP_SUMMARY`) and workflow commands for the findings.
fn ci_outputs(outcomes: &[emit::places::Outcome<'_>], args: &Args) -> Result<(), ttpc::Error> {
    if let Some(path) = &args.sarif {
        ttpc::io::write_atomic(path, emit::sarif::sarif(outcomes).as_bytes())?;
    }
    if let Some(path) = &args.junit {
        ttpc::io::write_atomic(path, emit::junit::junit(outcomes).as_bytes())?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        ttpc::io::append(std::path::Path::new(&summary), emit::github::step_summary(outcomes).as_bytes())?;
        let commands = emit::github::workflow_commands(outcomes);
        // GitHub reads workflow commands from either stream; stdout stays JSON with --format json.
        match args.format {
            Format::Json => eprint!("{commands}"),
            Format::Text => ui::print_plain(&commands)?,
        }
    }
    Ok(())
}

fn worse(a: Exit, b: Exit) -> Exit {
    if (b as u8) > (a as u8) { b } else { a }
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
