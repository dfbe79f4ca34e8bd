//! Emitters: pure functions of the checked [`Assessment`] that render every output — Navigator
//! layers, the remediation plan (YAML), the gaps as a spreadsheet (CSV), the Markdown and HTML
//! reports, the matrix (SVG), emulation scripts, the assessment itself (JSON), the pull-request
//! comment and the terminal summary.
//!
//! Everything is rendered in memory; [`crate::io::write_set`] then writes the set as one
//! transaction, so a template error or a failing emitter leaves earlier outputs untouched.

pub mod diff;
pub mod emulation;
pub mod escape;
pub mod layers;
pub mod plan;
pub mod report;
pub mod spreadsheet;
pub mod svg;
pub mod terminal;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::assessment::{Assessment, Comparison};
pub use crate::io::OutputFile;
pub use report::{Template, Templates};

/// Renders every output file of a checked assessment (and `diff.md` when it was compared with a
/// baseline), in memory: nothing is written here.
pub fn render_all(
    a: &Assessment,
    comparison: Option<&Comparison>,
    templates: &Templates,
) -> Result<Vec<OutputFile>, Box<report::TemplateError>> {
    let mut files = Vec::new();
    let ctx = report::context(a);
    for (name, layer) in layers::layers(a) {
        files.push(OutputFile { path: Path::new("layers").join(name), contents: json(&layer) });
    }
    files.push(OutputFile { path: PathBuf::from("matrix.svg"), contents: svg::matrix_svg(a) });
    let plan = plan::document(a);
    files.push(OutputFile { path: PathBuf::from("remediation-plan.yaml"), contents: yaml(&plan) });
    files.push(OutputFile { path: PathBuf::from("gaps.csv"), contents: spreadsheet::gaps_csv(a) });
    // The two reports are the costliest renders and independent of each other: one per core.
    let (markdown, (assessment, html)) = rayon::join(
        || report::markdown_report_in(&ctx, templates.report.as_ref()),
        || {
            let assessment = json(a);
            // The page's script nonce: derived from the data, so it is the same on every run and
            // cannot be known in advance by whoever writes a rule title.
            let nonce = crate::io::sha256_hex(assessment.as_bytes())[..32].to_owned();
            let html = report::html_report_in(&ctx, templates.html.as_ref(), &nonce);
            (assessment, html)
        },
    );
    files.push(OutputFile { path: PathBuf::from("report.md"), contents: markdown? });
    if let Some(e) = &a.emulation {
        files.push(OutputFile {
            path: PathBuf::from("emulation-plan.md"),
            contents: report::emulation_plan_in(&ctx)?,
        });
        for actor in &e.actors {
            let slug = layers::slug(&actor.name);
            let dir = Path::new("emulation");
            files.push(OutputFile {
                path: dir.join(format!("{slug}.ps1")),
                contents: emulation::powershell(a, actor),
            });
            files.push(OutputFile {
                path: dir.join(format!("{slug}.sh")),
                contents: emulation::shell(a, actor),
            });
            files.push(OutputFile {
                path: dir.join(format!("{slug}.caldera.yml")),
                contents: yaml(&emulation::caldera(a, actor)),
            });
        }
    }
    files.push(OutputFile { path: PathBuf::from("report.html"), contents: html? });
    files.push(OutputFile { path: PathBuf::from("assessment.json"), contents: assessment });
    if let Some(comparison) = comparison {
        files.push(OutputFile { path: PathBuf::from("diff.md"), contents: diff::markdown(comparison) });
    }
    Ok(files)
}

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| unreachable!("outputs are plain data and always serialise: {e}"));
    text.push('\n');
    text
}

/// YAML that YAML 1.1 and 1.2 readers read back the same (see [`yaml::to_string`]).
pub fn yaml<T: serde::Serialize>(value: &T) -> String {
    yaml::to_string(value)
}
