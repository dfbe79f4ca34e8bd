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
    /// The template is larger than `--max-file-size`, or renders more than `--max-output-size`.
    #[error("template {name}: {detail}")]
    #[diagnostic(
        code(ttpc::limits::template),
        help(
            "a report is a few megabytes; raise the limit with --max-output-size (or --max-file-size for the template file) if this one is real"
        )
    )]
    TooLarge {
        /// Template name.
        name: String,
        /// What is over which limit.
        detail: String,
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

/// A user's template: its name in diagnostics (the path) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// How diagnostics name it.
    pub name: String,
    /// The template text.
    pub source: String,
}

impl Template {
    /// Reads a user's template file: UTF-8 text within the per-file size limit.
    pub fn read(path: &Path) -> Result<Template, Box<TemplateError>> {
        use crate::limits::{self, ReadError};
        let bytes = limits::read_capped(path, limits::current().max_file_bytes).map_err(|e| match e {
            ReadError::TooLarge { .. } => {
                Box::new(TemplateError::TooLarge { name: path.display().to_string(), detail: e.to_string() })
            }
            ReadError::Io(source) => Box::new(TemplateError::Unreadable { path: path.to_owned(), source }),
        })?;
        let source = String::from_utf8(bytes).map_err(|_| {
            Box::new(TemplateError::Unreadable {
                path: path.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
            })
        })?;
        Ok(Template { name: path.display().to_string(), source })
    }
}

/// The user's templates replacing built-in ones (`None`: the built-in one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates {
    /// Replaces `report.md.j2`.
    pub report: Option<Template>,
    /// Replaces `report.html.j2`.
    pub html: Option<Template>,
}

/// Renders the Markdown report, with the built-in template or the user's.
pub fn markdown_report(a: &Assessment, user: Option<&Template>) -> Result<String, Box<TemplateError>> {
    markdown_report_in(&context(a), user)
}

/// [`markdown_report`] with a context already built.
pub fn markdown_report_in(ctx: &Value, user: Option<&Template>) -> Result<String, Box<TemplateError>> {
    match user {
        Some(t) => render_in(&t.name, &t.source, ctx, Escape::Markdown),
        None => render_built_in(REPORT_MD, ctx.clone(), Escape::Markdown),
    }
}

/// Renders the self-contained HTML report (built-in template or the user's). The page's data
/// (`page_data`, see [`super::page`]) and its script `nonce` join the context; the nonce goes
/// into the page's Content-Security-Policy: only the script carrying it may run, so markup that
/// slipped into the data could not execute even if it escaped escaping.
pub fn html_report_in(
    ctx: &Value,
    user: Option<&Template>,
    page: super::page::PageData,
) -> Result<String, Box<TemplateError>> {
    let super::page::PageData { json, nonce } = page;
    let page_data = Value::from_safe_string(json);
    let Some(user) = user else {
        // The page's values join the context behind the assessment's own names, where the
        // globals of a user's template sit too (the compiled built-in environment is shared, so
        // it cannot carry per-page globals).
        let ctx = minijinja::context! {
            ..ctx.clone(),
            ..minijinja::context! { nonce => nonce, page_data => page_data }
        };
        return render_built_in(REPORT_HTML, ctx, Escape::Html);
    };
    let mut env = environment(Escape::Html);
    env.add_global("nonce", Value::from(nonce));
    env.add_global("page_data", page_data);
    render_with(&env, &user.name, &user.source, ctx)
}

/// Renders another self-contained HTML page (such as the fleet overview) with the same
/// environment, escaping and script `nonce` as the report.
pub fn html_page_in(
    name: &str,
    source: &str,
    ctx: &Value,
    nonce: &str,
) -> Result<String, Box<TemplateError>> {
    let mut env = environment(Escape::Html);
    env.add_global("nonce", Value::from(nonce));
    render_with(&env, name, source, ctx)
}

/// Renders the built-in emulation plan (the assessment must have an `emulation` section).
pub fn emulation_plan(a: &Assessment) -> Result<String, Box<TemplateError>> {
    emulation_plan_in(&context(a))
}

/// [`emulation_plan`] with a context already built.
pub fn emulation_plan_in(ctx: &Value) -> Result<String, Box<TemplateError>> {
    render_built_in(EMULATION_MD, ctx.clone(), Escape::Markdown)
}

/// Renders a built-in template from an environment that compiled it once for the whole process:
/// a batch renders thousands of reports, and compiling the templates again for each cost more
/// than some of the smaller outputs (issue 22). Should a built-in template not compile, it is
/// rendered the ordinary way, which reports the error.
fn render_built_in(name: &'static str, ctx: Value, escape: Escape) -> Result<String, Box<TemplateError>> {
    use std::sync::OnceLock;
    static MARKDOWN: OnceLock<Environment<'static>> = OnceLock::new();
    static HTML: OnceLock<Environment<'static>> = OnceLock::new();
    let cell = match escape {
        Escape::Markdown => &MARKDOWN,
        Escape::Html => &HTML,
    };
    let env = cell.get_or_init(|| {
        let mut env = environment(escape);
        // The HTML report is escaped for HTML, the others for Markdown.
        let escaped_so = |n: &str| (n == REPORT_HTML) == (escape == Escape::Html);
        for (name, source) in BUILT_IN.iter().filter(|(n, _)| escaped_so(n)) {
            // A template that does not compile is left out; rendering it below reports why.
            let _ = env.add_template(name, source);
        }
        env
    });
    let source = built_in(name).unwrap_or_default();
    match env.get_template(name) {
        Ok(template) => render_template(&template, name, source, ctx),
        Err(_) => render_with(&environment(escape), name, source, &ctx),
    }
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
    render_template(&template, name, source, ctx.clone())
}

/// Renders a compiled template within the output limit; errors point into `source`.
fn render_template(
    template: &minijinja::Template<'_, '_>,
    name: &str,
    source: &str,
    ctx: Value,
) -> Result<String, Box<TemplateError>> {
    let error = |e: minijinja::Error| Box::new(template_error(name, source, &e));
    let limit = crate::limits::current().max_output_bytes;
    let mut out = CappedWriter { bytes: Vec::new(), limit, over: false };
    if let Err(e) = template.render_captured_to(ctx, &mut out) {
        if out.over {
            return Err(Box::new(TemplateError::TooLarge {
                name: name.to_owned(),
                detail: format!("renders more than the {} output limit", crate::limits::size(limit)),
            }));
        }
        return Err(error(e));
    }
    let mut text = String::from_utf8(out.bytes).map_err(|_| {
        Box::new(TemplateError::Render {
            name: name.to_owned(),
            message: String::from("rendered text is not UTF-8"),
            src: NamedSource::new(name, source.to_owned()),
            span: None,
        })
    })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Collects rendered output, failing the render once it passes the output limit: fuel bounds
/// the instructions a template runs, this bounds what they write.
struct CappedWriter {
    bytes: Vec<u8>,
    limit: u64,
    over: bool,
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.bytes.len() + buf.len()) as u64 > self.limit {
            self.over = true;
            return Err(std::io::Error::other("output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
                use minijinja::value::ValueKind;
                match (value.as_str(), value.kind()) {
                    _ if value.is_safe() => minijinja::escape_formatter(out, state, value),
                    (Some(text), _) => out.write_str(&escape::markdown(text)).map_err(minijinja::Error::from),
                    // A list or map printed whole (`{{ t.actors }}`) carries its strings too.
                    (None, ValueKind::Seq | ValueKind::Map | ValueKind::Iterable | ValueKind::Plain) => {
                        out.write_str(&escape::markdown(&value.to_string())).map_err(minijinja::Error::from)
                    }
                    (None, _) => minijinja::escape_formatter(out, state, value),
                }
            });
        }
        Escape::Html => env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html),
    }
    env.add_filter("pct", pct);
    // A promised figure as the model wrote it: `80`, `72.5` (assessment::trim_number).
    env.add_filter("num", |x: f64| crate::assessment::trim_number(x));
    env.add_filter("slug", |s: String| super::layers::slug(&s));
    env.add_filter("bar", bar);
    env.add_filter("md", |s: String| Value::from_safe_string(escape::markdown(&s)));
    // Inside raw HTML of a Markdown template (`<summary>`): entities, not Markdown escapes.
    env.add_filter("html", |s: String| Value::from_safe_string(escape::html_in_markdown(&s)));
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
    let span = e
        .range()
        .map(|r| SourceSpan::from(r.start..r.end))
        .or_else(|| {
            e.line().map(|line| {
                let offset = crate::diagnostics::offset_of(source, line, 1);
                SourceSpan::from(offset..offset)
            })
        })
        // miette cannot lay out a label far along a very long line.
        .filter(|s| crate::diagnostics::quotable(source, s.offset()));
    TemplateError::Render {
        name: name.to_owned(),
        message,
        src: NamedSource::new(name, source.to_owned()),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_maps_printed_whole_are_escaped_like_strings() {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({
            "titles": ["<script>x</script>", "a|b"],
            "map": {"k": "`v`"},
        })));
        let out = render_in("t", "{{ titles }} {{ map }}", &ctx, Escape::Markdown).expect("renders");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;") && out.contains("a\\|b") && out.contains("\\`v\\`"), "{out}");
    }
}
