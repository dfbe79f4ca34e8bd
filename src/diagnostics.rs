//! Shared diagnostic building blocks: one located problem in a user's file, a batch of them
//! reported together, warnings, and offset arithmetic.
//!
//! Each pipeline stage has its own error enum; the stages that check a user's file (the model
//! loader, actor resolution) report *every* problem at once, so they collect [`Problem`]s and
//! return them as one [`Problems`] whose related diagnostics miette renders one after the other,
//! all quoting the same file.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

/// One located problem in a file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// A stable diagnostic code, e.g. `ttpc::model::unknown_key`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, in bytes of the file.
    pub span: Range<usize>,
    /// Text next to the underline.
    pub label: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// Whether diagnostics quote the source around the span (off for very long lines).
    quote: bool,
}

/// Lines longer than this are not quoted: miette lays a quoted line out by columns (and panics
/// past column 65,535), and a minified one-line file would flood the terminal anyway.
const MAX_QUOTED_LINE: usize = 2_000;

impl Problem {
    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>, span: Range<usize>) -> Problem {
        Problem {
            code,
            message: message.into(),
            span,
            label: String::from("here"),
            help: None,
            severity: Severity::Error,
            quote: true,
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>, span: Range<usize>) -> Problem {
        Problem { severity: Severity::Warning, ..Problem::error(code, message, span) }
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Problem {
        self.help = help;
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.quote {
            return None;
        }
        let span = LabeledSpan::new_with_span(Some(self.label.clone()), self.span.clone());
        Some(Box::new(std::iter::once(span)))
    }
}

/// The most problems of one file shown at once.
pub const MAX_SHOWN: usize = 50;

/// Whether a diagnostic may quote `text` around byte `offset`: not when the offset's line is
/// very long.
pub fn quotable(text: &str, offset: usize) -> bool {
    let start = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    line_end - line_start <= MAX_QUOTED_LINE
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Problem {
    /// Prepares the problem for quoting `text`: a span on a very long line is not quoted; its
    /// line and column go into the message instead.
    fn fit_to(mut self, text: &str) -> Problem {
        let start = self.span.start.min(text.len());
        if !quotable(text, start) {
            let (line, col) = line_col(text, start);
            self.message =
                format!("{} (line {line}, column {col}; the line is too long to quote)", self.message);
            self.quote = false;
        }
        self
    }
}

/// A file's text, shared by every diagnostic that quotes it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: Arc<str>,
}

impl SourceFile {
    /// A named text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile { name: name.into(), text: text.into() }
    }

    /// The name diagnostics show (the path as given).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A miette source for diagnostics.
    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), Arc::clone(&self.text))
    }

    /// `name:line:col` of a byte offset (1-based line and column, column in characters).
    pub fn location(&self, offset: usize) -> String {
        let (line, col) = line_col(&self.text, offset);
        format!("{}:{line}:{col}", self.name)
    }
}

/// Several problems in one file, reported together.
#[derive(Debug)]
pub struct Problems {
    /// The headline, e.g. "models/x.yaml is not a valid threat model".
    pub title: String,
    /// The file all problems point into.
    pub source: NamedSource<Arc<str>>,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
    /// The diagnostic code of the whole batch.
    pub code: &'static str,
}

impl Problems {
    /// Errors only (warnings are printed separately).
    pub fn new(code: &'static str, title: String, file: &SourceFile, mut problems: Vec<Problem>) -> Problems {
        problems.sort_by_key(|p| (p.span.start, p.span.end));
        problems.dedup_by(|a, b| a.span == b.span && a.message == b.message);
        // Each quoted problem costs a scan of the file: a model with 20,000 unknown actors took
        // 24 s to print. The first ones are what anyone fixes first anyway.
        let more = problems.len().saturating_sub(MAX_SHOWN);
        problems.truncate(MAX_SHOWN);
        let mut problems: Vec<Problem> = problems.into_iter().map(|p| p.fit_to(file.text())).collect();
        if more > 0 {
            let mut rest =
                Problem::error(code, format!("… and {more} more problems in {}", file.name()), 0..0)
                    .help("fix the ones above first; most of the rest are usually the same mistake");
            rest.quote = false;
            problems.push(rest);
        }
        Problems { title, source: file.named_source(), problems, code }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Problems {}

impl Diagnostic for Problems {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.problems.iter().map(|p| p as &dyn Diagnostic)))
    }
}

/// 1-based line and character column of a byte offset (clamped to the text).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Byte offset of a 1-based line and byte column (as serde_json reports them), clamped to the
/// line.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    (start + column.saturating_sub(1)).min(line_end)
}

/// The candidates closest to `wanted`, best first, for "did you mean" help. Case is ignored.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>, max: usize) -> Vec<&'a str> {
    // Similarity is quadratic in the lengths; no name anyone misspells is this long.
    const LONGEST: usize = 128;
    if wanted.len() > LONGEST {
        return Vec::new();
    }
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .filter(|c| c.len() <= LONGEST)
        .map(|c| {
            let lower = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&wanted, &lower);
            if lower.contains(&wanted) || wanted.contains(&lower) {
                score = score.max(0.85);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(max).map(|(_, c)| c).collect()
}

/// Joins items as `a, b or c`.
pub fn one_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_and_offset_round_trip() {
        let text = "a: 1\nbé: 2\nc: 3";
        let offset = text.find("2").expect("present");
        assert_eq!(line_col(text, offset), (2, 5));
        // Parsers count columns in bytes: `é` takes two.
        assert_eq!(offset_of(text, 2, 6), offset);
        assert_eq!(offset_of(text, 99, 1), text.len());
        assert_eq!(line_col(text, 10_000), (3, 5));
    }

    #[test]
    fn nearest_prefers_close_names() {
        let names = ["actors", "assets", "attack", "accepted"];
        assert_eq!(nearest("actrs", names, 1), vec!["actors"]);
        assert!(nearest("zzzzzz", names, 3).is_empty());
    }
}

/// A problem together with the file it points into, for printing on its own (warnings).
#[derive(Debug)]
pub struct InFile {
    problem: Problem,
    source: NamedSource<Arc<str>>,
}

impl InFile {
    /// Attaches a file to a problem.
    pub fn new(problem: Problem, file: &SourceFile) -> InFile {
        InFile { problem: problem.fit_to(file.text()), source: file.named_source() }
    }
}

impl fmt::Display for InFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt(f)
    }
}

impl std::error::Error for InFile {}

impl Diagnostic for InFile {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.problem.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Diagnostic::help(&self.problem)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.problem.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

/// A warning that points at no file.
#[derive(Debug, Clone)]
pub struct Warning {
    /// The code, e.g. `ttpc::attack::version_mismatch`.
    pub code: &'static str,
    /// What is off.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Warning {}

impl Diagnostic for Warning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Something a run wants its user to know that does not stop it: warnings located in a file,
/// warnings about no file, and plain information (what was fetched, what was recorded). The
/// library hands notices to the caller's reporter as they happen; the CLI prints them on stderr.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Warnings located in one file (a model, usually).
    InFile {
        /// The file.
        file: SourceFile,
        /// The warnings.
        problems: Vec<Problem>,
    },
    /// A warning that points at no file.
    Warning(Warning),
    /// Information.
    Info(String),
}

/// Where notices go: a function called for each, from any thread.
pub type Reporter<'r> = &'r (dyn Fn(Notice) + Sync);

/// A reporter that drops every notice (for callers that only want the result).
pub fn ignore(_: Notice) {}
