//! Emitters: pure functions of the checked [`Assessment`] that render every output — Navigator
//! layers, the remediation plan (YAML), the gaps as a spreadsheet (CSV), the Markdown and HTML
//! reports, the matrix (SVG), emulation scripts, the assessment itself (JSON), the pull-request
//! comment and the terminal summary; and the CI formats over one or more compiled models
//! ([`places`]): SARIF ([`sarif`]), JUnit XML ([`junit`]), GitHub workflow commands and job
//! summary ([`github`]).
//!
//! Everything is rendered in memory; [`crate::io::write_set`] then writes the set as one
//! transaction, so a template error or a failing emitter leaves earlier outputs untouched.

pub mod diff;
pub mod drift;
pub mod emulation;
pub mod escape;
pub mod fleet;
pub mod github;
pub mod json_text;
pub mod junit;
pub mod layers;
pub mod page;
pub mod places;
pub mod plan;
pub mod report;
pub mod sarif;
pub mod spreadsheet;
pub mod svg;
pub mod terminal;
pub mod yaml;

use std::path::Path;

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
    let ctx = report::context(a);
    // Three independent groups, spread over the cores: the Markdown report (and the emulation
    // plan), the HTML report and the JSON, and everything small.
    let ((markdown, emulation), ((assessment, html), mut small)) = rayon::join(
        || (report::markdown_report_in(&ctx, templates.report.as_ref()), emulation_files(a, &ctx)),
        || {
            rayon::join(
                || {
                    let html = report::html_report_in(&ctx, templates.html.as_ref(), page::PageData::of(a));
                    (json(a), html)
                },
                || small_files(a, comparison),
            )
        },
    );
    let mut files = Vec::with_capacity(small.len() + 8);
    files.append(&mut small);
    files.push(OutputFile::new("report.md", markdown?));
    files.extend(emulation?);
    files.push(OutputFile::new("report.html", html?));
    files.push(OutputFile::new("assessment.json", assessment));
    Ok(files)
}

/// The layers, the matrix, the plan, the gaps spreadsheet and the pull-request comment.
fn small_files(a: &Assessment, comparison: Option<&Comparison>) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for (name, layer) in layers::layers(a) {
        files.push(OutputFile::new(Path::new("layers").join(name), json(&layer)));
    }
    files.push(OutputFile::new("matrix.svg", svg::matrix_svg(a)));
    files.push(OutputFile::new("remediation-plan.yaml", yaml(&plan::document(a))));
    files.push(OutputFile::new("gaps.csv", spreadsheet::gaps_csv(a)));
    if let Some(comparison) = comparison {
        files.push(OutputFile::new("diff.md", diff::markdown(comparison)));
    }
    files
}

/// With emulation: the plan and, per actor, the scripts and the Caldera profile.
fn emulation_files(
    a: &Assessment,
    ctx: &minijinja::Value,
) -> Result<Vec<OutputFile>, Box<report::TemplateError>> {
    let Some(e) = &a.emulation else { return Ok(Vec::new()) };
    let mut files = vec![OutputFile::new("emulation-plan.md", report::emulation_plan_in(ctx)?)];
    let dir = Path::new("emulation");
    for actor in &e.actors {
        let slug = layers::slug(&actor.name);
        files.push(OutputFile::new(dir.join(format!("{slug}.ps1")), emulation::powershell(a, actor)));
        files.push(OutputFile::new(dir.join(format!("{slug}.sh")), emulation::shell(a, actor)));
        files.push(OutputFile::new(
            dir.join(format!("{slug}.caldera.yml")),
            yaml(&emulation::caldera(a, actor)),
        ));
    }
    Ok(files)
}

/// Pretty JSON with a trailing newline (see [`json_text::pretty`]).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = json_text::pretty(value);
    text.push('\n');
    text
}

/// YAML that YAML 1.1 and 1.2 readers read back the same (see [`yaml::to_string`]).
pub fn yaml<T: serde::Serialize>(value: &T) -> String {
    yaml::to_string(value)
}
