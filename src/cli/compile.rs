//! `ttpc compile MODEL`: the product — analyse a model and write every output (Navigator layers,
//! remediation plan, Markdown report, assessment JSON), print the summary, and exit 1 when a target
//! fails (after the outputs are written, so the reports show why).

use std::path::PathBuf;

use chrono::NaiveDate;
use ttpc::Exit;
use ttpc::assessment::TargetKind;
use ttpc::check::baseline;
use ttpc::emit::{self, EmitOptions};

use super::ui::{self, Format};
use super::{CommandResult, Global};

/// Arguments of `ttpc compile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The threat model (YAML).
    model: PathBuf,
    /// Output folder (default: the model's `outputs.dir`, else `out/<model name>` beside the model).
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
    /// What to print: the summary box, or the whole assessment as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    data: super::ModelData,
    /// The date acceptances are checked against: YYYY-MM-DD, or `today` (the default).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    if s == "today" {
        return Ok(chrono::Local::now().date_naive());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| String::from("expected YYYY-MM-DD or `today`"))
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let (resolved, mut assessment) = super::assess(&args.model, global, &args.data, args.as_of)?;
    let comparison = match &args.baseline {
        Some(path) => {
            let base = baseline::read(path).map_err(|e| ttpc::Error::Baseline(Box::new(e)))?;
            if let Some(tolerance) =
                resolved.model.model.targets.no_drop_from_baseline.and_then(|n| n.tolerance())
            {
                assessment.verdicts.push(baseline::no_drop_verdict(&base, &assessment, tolerance));
            }
            Some(baseline::compare(&base, &assessment))
        }
        None => None,
    };

    let m = &resolved.model;
    let template = args
        .template
        .clone()
        .or_else(|| m.model.outputs.report.template.as_deref().map(|t| m.resolve_path(t)));
    let options =
        EmitOptions { report_template: template, overall_target: m.model.targets.overall.map(|p| p.value()) };
    let mut files = emit::render_all(&assessment, &options)?;
    if let Some(comparison) = &comparison {
        files.push(emit::OutputFile {
            path: PathBuf::from("diff.md"),
            contents: emit::diff::markdown(comparison),
        });
    }
    let dir = match (&args.output, &m.model.outputs.dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => m.resolve_path(dir),
        (None, None) => {
            let stem = m.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            m.base_dir().join("out").join(stem)
        }
    };
    emit::write_all(&dir, &files)?;

    match args.format {
        Format::Json => ui::print(&emit::json(&assessment))?,
        Format::Text => {
            let mut text = emit::terminal::summary(&assessment, ui::stdout_is_colored(global.color));
            text.push_str(&format!("Wrote {} files to {}\n", files.len(), dir.display()));
            ui::print(&text)?;
        }
    }
    let failed: Vec<_> = assessment.verdicts.iter().filter(|v| !v.pass).collect();
    if failed.is_empty() {
        Ok(Exit::Ok)
    } else {
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
}
