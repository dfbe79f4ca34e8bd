//! Several models in one run (`ttpc compile tenants/*.yaml`): compiled by the library with
//! bounded parallelism, each assessment dropped once its outputs are written and its summary
//! taken, so memory stays flat whatever the number of models.
//!
//! On a terminal (stdout and stderr, text format, no `--verbose`) a progress bar runs and the end
//! shows the counts and a short table of failing models; otherwise one line per model, in the
//! order given, as soon as it and those before it are done. `--summary DIR` writes the fleet
//! overview (JSON, CSV, HTML). The exit code is the worst of the models'.

use std::io::IsTerminal;
use std::path::Path;

use ttpc::assessment::fleet::{FleetBuilder, Summary};
use ttpc::{Compiled, Exit, Request};

use super::super::ui::{self, Format};
use super::super::{CommandResult, Global};
use super::{Args, request};

/// Failing models shown in the table at the end on a terminal.
const TABLE_ROWS: usize = 20;

/// What the batch keeps of one model, built on the thread that compiled it.
struct Outcome {
    /// Its exit code alone.
    exit: Exit,
    /// Its line (`✓ model: coverage …`).
    line: String,
    /// Its row in the table of failing models.
    failing: Option<Vec<String>>,
    /// Its summary, when the overview is written.
    summary: Option<Summary>,
    /// Its assessment as JSON, with `--format json`.
    json: Option<String>,
    /// Why it was not compiled.
    error: Option<ttpc::Error>,
}

pub(super) fn run(args: &Args, global: &Global) -> CommandResult {
    let on_terminal = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    let table_view = on_terminal && !args.verbose && args.format == Format::Text;
    let bar = if table_view { progress(args.models.len()) } else { indicatif::ProgressBar::hidden() };
    let reporter = |notice| bar.suspend(|| ui::notice(notice));
    let session = ttpc::Session::new(super::super::options(global, Some(&args.data)), &reporter);
    let requests: Vec<Request> = args
        .models
        .iter()
        .map(|model| {
            let output = args.output.as_ref().map(|dir| {
                dir.join(model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
            });
            request(model, args, output)
        })
        .collect();
    let want_summary = args.summary.is_some();
    let want_json = args.format == Format::Json;

    let mut exit = Exit::Ok;
    let mut fleet = FleetBuilder::new();
    let mut counts = [0usize; 3]; // hold, failed, not compiled
    let mut failing: Vec<Vec<String>> = Vec::new();
    let mut shown_errors = 0;
    let mut json_items = 0;
    session.compile_each(
        &requests,
        |request, result| outcome(request, result, want_summary, want_json),
        |_, o| {
            exit = worse(exit, o.exit);
            counts[match o.exit {
                Exit::Ok => 0,
                Exit::TargetFailed => 1,
                _ => 2,
            }] += 1;
            if let Some(summary) = o.summary {
                fleet.add(summary);
            }
            if let Some(error) = o.error {
                // On a terminal, the first few diagnostics; the rest are counted in the table.
                if !table_view || shown_errors < 3 {
                    bar.suspend(|| ui::report(error));
                }
                shown_errors += 1;
            }
            if table_view {
                if let Some(row) = o.failing
                    && failing.len() < TABLE_ROWS
                {
                    failing.push(row);
                }
                bar.inc(1);
            } else if let Some(json) = o.json {
                let lead = if json_items == 0 { "[\n" } else { ",\n" };
                json_items += 1;
                let _ = ui::print(&format!("{lead}{}", indent(&json)));
            } else if !want_json {
                let _ = ui::print_plain(&o.line);
            }
        },
    );
    bar.finish_and_clear();
    if want_json {
        ui::print(if json_items == 0 { "[]\n" } else { "\n]\n" })?;
    }
    if table_view {
        ui::print_plain(&closing(&counts, &failing, exit))?;
    }
    if let Some(dir) = &args.summary {
        match ttpc::pipeline::write_fleet(dir, fleet.finish()) {
            Ok(files) => {
                if args.format == Format::Text {
                    ui::print_plain(&format!(
                        "Wrote the fleet overview ({files} files) to {}\n",
                        dir.display()
                    ))?;
                }
            }
            Err(e) => {
                exit = worse(exit, e.exit());
                ui::report(e);
            }
        }
    }
    std::mem::forget(session);
    Ok(exit)
}

/// Compiles into what the batch keeps; the assessment is dropped here.
fn outcome(request: &Request, result: Result<Compiled, ttpc::Error>, summary: bool, json: bool) -> Outcome {
    let file = request.model.display().to_string();
    match result {
        Ok(c) => {
            let a = &c.assessment;
            let failed: Vec<_> = a.verdicts.iter().filter(|v| !v.pass).collect();
            let verdicts = a.verdicts.len();
            let coverage = a.overall.percent.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
            let line = format!(
                "{} {file}: coverage {coverage} ({}/{}), {}; {} files in {}\n",
                if failed.is_empty() { "✓" } else { "✗" },
                a.overall.covered,
                a.overall.techniques,
                if failed.is_empty() {
                    format!("all {verdicts} targets hold")
                } else {
                    format!("{} of {verdicts} targets failed", failed.len())
                },
                c.files,
                c.dir.display()
            );
            let failing = failed.first().map(|v| {
                vec![
                    file.clone(),
                    coverage.clone(),
                    format!("{}/{verdicts}", failed.len()),
                    format!("{} (expected {}, actual {})", v.target, v.expected, v.actual),
                ]
            });
            Outcome {
                exit: if failed.is_empty() { Exit::Ok } else { Exit::TargetFailed },
                line,
                failing,
                summary: summary.then(|| {
                    let dir = std::path::absolute(&c.dir).unwrap_or_else(|_| c.dir.clone());
                    Summary::of(&file, a, Some(dir.display().to_string()))
                }),
                json: json.then(|| ttpc::emit::json(a)),
                error: None,
            }
        }
        Err(e) => {
            let message = e.to_string();
            Outcome {
                exit: e.exit(),
                line: format!("✗ {file}: {message}\n"),
                failing: Some(vec![file.clone(), String::from("—"), String::from("—"), message.clone()]),
                summary: summary.then(|| Summary::invalid(&file, e.exit() as u8, message)),
                json: None,
                error: Some(e),
            }
        }
    }
}

/// The progress bar on stderr.
fn progress(models: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(models as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} models  {elapsed} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

/// The end of a batch on a terminal: the counts, and the first failing models as a table.
fn closing(counts: &[usize; 3], failing: &[Vec<String>], exit: Exit) -> String {
    let [hold, failed, invalid] = *counts;
    let total = hold + failed + invalid;
    let mut out = format!(
        "{total} models: {hold} hold, {failed} failed a target, {invalid} not compiled (exit {})\n",
        exit as u8
    );
    if !failing.is_empty() {
        out.push_str(&ui::table(&["model", "coverage", "failed", "first failure"], failing));
        let more = failed + invalid - failing.len();
        if more > 0 {
            out.push_str(&format!(
                "… and {more} more: --verbose prints every model, --summary DIR writes the overview\n"
            ));
        }
    }
    out
}

/// One element of a pretty JSON array: its pretty text indented by two spaces.
fn indent(json: &str) -> String {
    json.trim_end().lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

fn worse(a: Exit, b: Exit) -> Exit {
    if (b as u8) > (a as u8) { b } else { a }
}

/// Whether two models of a batch would write to the same folder (`-o DIR` names each
/// `DIR/<file name>`): the first such folder.
pub(super) fn shared_output(models: &[std::path::PathBuf]) -> Option<&Path> {
    let mut seen = std::collections::BTreeSet::new();
    models.iter().find(|m| !seen.insert(m.file_stem())).map(|m| m.as_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closing_table_counts_every_model_and_shows_the_first_failures() {
        let rows = vec![vec![
            "a.yaml".into(),
            "40.0%".into(),
            "1/3".into(),
            "overall (expected ≥ 45%, actual 40%)".into(),
        ]];
        let text = closing(&[5, 3, 1], &rows, Exit::InvalidInput);
        assert!(text.starts_with("9 models: 5 hold, 3 failed a target, 1 not compiled (exit 2)\n"), "{text}");
        assert!(text.contains("a.yaml  40.0%"), "{text}");
        assert!(text.contains("… and 3 more"), "{text}");
    }

    #[test]
    fn json_elements_are_indented_as_in_a_pretty_array() {
        let items = [serde_json::json!({"a": [1]}), serde_json::json!({"b": 2})];
        let streamed = format!(
            "[\n{}\n]\n",
            items.iter().map(|i| indent(&ui::to_json(i))).collect::<Vec<_>>().join(",\n")
        );
        assert_eq!(streamed, ui::to_json(&items));
    }
}
