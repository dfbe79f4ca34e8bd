//! Reports rendered from minijinja templates with the [`Assessment`] as the context.
//!
//! Templates are embedded in the binary (`templates/*.j2`); a user template (`--template` or
//! `outputs.report.template`) replaces the built-in one and gets the same context. Undefined
//! variables are errors, and a template error becomes a diagnostic pointing at the template's
//! line. In Markdown templates every value printed is escaped for Markdown unless marked `safe`.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};
use thiserror::Error;

use super::escape;
use crate::assessment::Assessment;

/// The built-in Markdown report.
pub const REPORT_MD: &str = "report.md.j2";
/// The built-in emulation plan.
pub const EMULATION_MD: &str = "emulation-plan.md.j2";
/// The built-in HTML report.
pub const REPORT_HTML: &str = "report.html.j2";

/// Every built-in template: (name, source).
pub const BUILT_IN: &[(&str, &str)] = &[
    (REPORT_MD, include_str!("../../templates/report.md.j2")),
    (EMULATION_MD, include_str!("../../templates/emulation-plan.md.j2")),
    (REPORT_HTML, include_str!("../../templates/report.html.j2")),
];

/// The source of a built-in template.
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, source)| *source)
}

/// A template that failed to load or render.
#[derive(Debug, Error, Diagnostic)]
pub enum TemplateError {
    /// The user's template file cannot be read.
    #[error("cannot read template {}", path.display())]
    #[diagnostic(code(ttpc::template::unreadable))]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Syntax or rendering error.
    #[error("template {name}: {message}")]
    #[diagnostic(
        code(ttpc::template::error),
        help(
            "the template's context is the Assessment; its fields are documented in schema/assessment.schema.json"
        )
    )]
    Render {
        /// Template name.
        name: String,
        /// What went wrong.
        message: String,
        /// The template text.
        #[source_code]
        src: NamedSource<String>,
        /// Where.
        #[label("here")]
        span: Option<SourceSpan>,
    },
}

/// The template context: the assessment as minijinja values (built once for every template).
pub fn context(a: &Assessment) -> Value {
    Value::from(minijinja::value::Serde(a))
}

/// Renders the Markdown report, with the built-in template or the user's.
pub fn markdown_report(a: &Assessment, user_template: Option<&Path>) -> Result<String, Box<TemplateError>> {
    markdown_report_in(&context(a), user_template)
}

/// [`markdown_report`] with a context already built.
pub fn markdown_report_in(ctx: &Value, user_template: Option<&Path>) -> Result<String, Box<TemplateError>> {
    let (name, source) = match user_template {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| Box::new(TemplateError::Unreadable { path: path.to_owned(), source }))?;
            (path.display().to_string(), text)
        }
        None => (REPORT_MD.to_owned(), built_in(REPORT_MD).unwrap_or_default().to_owned()),
    };
    render_in(&name, &source, ctx, Escape::Markdown)
}

/// Renders the self-contained HTML report (built-in template or the user's). `nonce` goes into
/// its Content-Security-Policy: only the script carrying it may run, so markup that slipped into
/// the data could not execute even if it escaped escaping.
pub fn html_report_in(
    ctx: &Value,
    user_template: Option<&Path>,
    nonce: &str,
) -> Result<String, Box<TemplateError>> {
    let (name, source) = match user_template {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| Box::new(TemplateError::Unreadable { path: path.to_owned(), source }))?;
            (path.display().to_string(), text)
        }
        None => (REPORT_HTML.to_owned(), built_in(REPORT_HTML).unwrap_or_default().to_owned()),
    };
    let mut env = environment(Escape::Html);
    env.add_global("nonce", Value::from(nonce));
    render_with(&env, &name, &source, ctx)
}

/// Renders the built-in emulation plan (the assessment must have an `emulation` section).
pub fn emulation_plan(a: &Assessment) -> Result<String, Box<TemplateError>> {
    emulation_plan_in(&context(a))
}

/// [`emulation_plan`] with a context already built.
pub fn emulation_plan_in(ctx: &Value) -> Result<String, Box<TemplateError>> {
    render_in(EMULATION_MD, built_in(EMULATION_MD).unwrap_or_default(), ctx, Escape::Markdown)
}

/// How printed values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Markdown (inline).
    Markdown,
    /// HTML.
    Html,
}

/// Renders one template with the assessment as context.
pub fn render(
    name: &str,
    source: &str,
    a: &Assessment,
    escape: Escape,
) -> Result<String, Box<TemplateError>> {
    render_in(name, source, &context(a), escape)
}

/// Renders one template with a context already built.
pub fn render_in(
    name: &str,
    source: &str,
    ctx: &Value,
    escape: Escape,
) -> Result<String, Box<TemplateError>> {
    render_with(&environment(escape), name, source, ctx)
}

fn render_with(
    env: &Environment<'static>,
    name: &str,
    source: &str,
    ctx: &Value,
) -> Result<String, Box<TemplateError>> {
    let error = |e: minijinja::Error| Box::new(template_error(name, source, &e));
    let template = env.template_from_named_str(name, source).map_err(error)?;
    let mut text = template.render(ctx.clone()).map_err(error)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn environment(escape_kind: Escape) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    // A hostile template must not hang CI.
    env.set_fuel(Some(50_000_000));
    env.set_recursion_limit(100);
    match escape_kind {
        Escape::Markdown => {
            env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
            env.set_formatter(|out, state, value| {
                if value.is_safe() || value.as_str().is_none() {
                    minijinja::escape_formatter(out, state, value)
                } else {
                    let text = value.as_str().unwrap_or_default();
                    out.write_str(&escape::markdown(text)).map_err(minijinja::Error::from)
                }
            });
        }
        Escape::Html => env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html),
    }
    env.add_filter("pct", pct);
    env.add_filter("slug", |s: String| super::layers::slug(&s));
    env.add_filter("bar", bar);
    env.add_filter("md", |s: String| Value::from_safe_string(escape::markdown(&s)));
    env
}

/// `64.4` → `64.4%`; none → `n/a`.
fn pct(value: Value) -> String {
    match f64::try_from(value) {
        Ok(p) => format!("{p:.1}%"),
        Err(_) => String::from("n/a"),
    }
}

/// `64.4` → `██████░░░░` (width 10 by default).
fn bar(value: Value, width: Option<usize>) -> Value {
    let width = width.unwrap_or(10).clamp(1, 100);
    let p = f64::try_from(value).unwrap_or(0.0).clamp(0.0, 100.0);
    let full = ((p / 100.0) * width as f64).round() as usize;
    Value::from_safe_string(format!("{}{}", "█".repeat(full), "░".repeat(width - full)))
}

fn template_error(name: &str, source: &str, e: &minijinja::Error) -> TemplateError {
    let mut message = e.to_string();
    if let Some(detail) = e.detail()
        && !message.contains(detail)
    {
        message = format!("{message}: {detail}");
    }
    let span = e.range().map(|r| SourceSpan::from(r.start..r.end)).or_else(|| {
        e.line().map(|line| {
            let offset = crate::diagnostics::offset_of(source, line, 1);
            SourceSpan::from(offset..offset)
        })
    });
    TemplateError::Render {
        name: name.to_owned(),
        message,
        src: NamedSource::new(name, source.to_owned()),
        span,
    }
}
