//! Reading a model file: YAML → JSON value → schema validation → typed [`ThreatModel`], plus the
//! checks the schema cannot express (ascending horizons, target keys that name a listed actor).
//!
//! All problems are collected and returned together; the loaded model keeps its text and span map
//! so later stages (actor resolution, rule sources) can point at the line that caused a problem.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde_json::Value;
use thiserror::Error;

use super::language::ThreatModel;
use super::schema;
use super::spans::SpanMap;
use crate::diagnostics::{Problem, Problems, SourceFile};

/// A model that loaded and validated, with what is needed to point into its file.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The model.
    pub model: ThreatModel,
    /// The file as given on the command line.
    pub path: PathBuf,
    /// Its text, for diagnostics.
    pub source: SourceFile,
    /// Positions of its nodes.
    pub spans: SpanMap,
    /// Non-fatal findings.
    pub warnings: Vec<Problem>,
}

impl LoadedModel {
    /// The folder relative paths in the model are relative to.
    pub fn base_dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// A path written in the model, resolved against the model's folder (`models/../out` is
    /// tidied to `out`, lexically).
    pub fn resolve_path(&self, written: &str) -> PathBuf {
        let p = Path::new(written);
        if p.is_absolute() { p.to_owned() } else { tidy(&self.base_dir().join(p)) }
    }

    /// The span to underline for the node at a JSON Pointer (`/actors/0/ref`).
    pub fn span(&self, pointer: &str) -> std::ops::Range<usize> {
        self.spans.value_or_ancestor(pointer)
    }

    /// The span of the key naming the node at a JSON Pointer.
    pub fn key_span(&self, pointer: &str) -> std::ops::Range<usize> {
        self.spans.key_or_value(pointer)
    }
}

/// Removes `.` and resolves `..` against a preceding normal component, without touching the disk;
/// `..` right after the root is the root (`/../x` is `/x`), a leading `..` of a relative path stays.
pub(crate) fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if matches!(out.last(), Some(Component::RootDir)) => {}
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}

/// Why a model could not be loaded.
#[derive(Debug, Error, Diagnostic)]
pub enum ModelError {
    /// The file cannot be read.
    #[error("cannot read threat model {}", path.display())]
    #[diagnostic(
        code(ttpc::model::unreadable),
        help("check the path; models are YAML files such as models/financial-services.yaml")
    )]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than `--max-file-size`.
    #[error("threat model {} is too large: {detail}", path.display())]
    #[diagnostic(
        code(ttpc::limits::model),
        help(
            "a threat model is a page of YAML; raise the limit with --max-file-size or TTPC_MAX_FILE_SIZE if this one is real"
        )
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size against the limit.
        detail: String,
    },
    /// The file is not valid UTF-8.
    #[error("threat model {} is not UTF-8 text", path.display())]
    #[diagnostic(code(ttpc::model::not_utf8), help("save the file as UTF-8"))]
    NotUtf8 {
        /// The path.
        path: PathBuf,
    },
    /// Not YAML, or not a valid model.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<Problems>),
}

/// Loads and validates a model file.
pub fn load(path: &Path) -> Result<LoadedModel, ModelError> {
    use crate::limits::{self, ReadError};
    let bytes = limits::read_capped(path, limits::current().max_file_bytes).map_err(|e| match e {
        ReadError::TooLarge { .. } => ModelError::TooLarge { path: path.to_owned(), detail: e.to_string() },
        ReadError::Io(source) => ModelError::Unreadable { path: path.to_owned(), source },
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ModelError::NotUtf8 { path: path.to_owned() })?;
    load_str(path, text)
}

/// Loads and validates a model from text; `path` names it and anchors its relative paths.
pub fn load_str(path: &Path, text: String) -> Result<LoadedModel, ModelError> {
    let source = SourceFile::new(path.display().to_string(), text);
    let invalid = |problems: Vec<Problem>| {
        ModelError::Invalid(Box::new(Problems::new(
            "ttpc::model::invalid",
            format!(
                "{} is not a valid threat model ({} problem{})",
                source.name(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
            &source,
            problems,
        )))
    };

    if let Err(deep) = crate::limits::check_yaml_depth(source.text()) {
        let offset = crate::diagnostics::offset_of(source.text(), deep.line, deep.column);
        return Err(invalid(vec![
            Problem::error(
                "ttpc::limits::yaml_depth",
                format!("not a threat model: {}", deep.message),
                offset..offset,
            )
            .label("here")
            .help("models nest a few levels deep; this document is built to exhaust the parser"),
        ]));
    }
    if source.text().lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(invalid(vec![
            Problem::error("ttpc::model::empty", "the model is empty", 0..0)
                .label("nothing here")
                .help("start from a working model: `ttpc init -o model.yaml` writes a commented one that passes `ttpc check`"),
        ]));
    }
    // Models are strict about repeated keys (rule files are not, see `crate::yaml`): which of two
    // `targets:` was meant is a question only the author can answer.
    let repeated = crate::yaml::duplicate_keys(source.text());
    if !repeated.is_empty() {
        return Err(invalid(repeated.iter().map(|d| repeated_key(d, source.text())).collect()));
    }
    let yaml: serde_yaml::Value = match serde_yaml::from_str(source.text()) {
        Ok(v) => v,
        Err(e) => return Err(invalid(vec![yaml_problem(&e, source.text())])),
    };
    let spans = SpanMap::build(source.text());
    let document = yaml_to_json(yaml);

    let mut problems = schema::validate(&document, &spans);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let model: ThreatModel = match serde_json::from_value(document) {
        Ok(m) => m,
        Err(e) => {
            return Err(invalid(vec![
                Problem::error("ttpc::model::invalid", e.to_string(), 0..0).label("in this model"),
            ]));
        }
    };

    let mut warnings = Vec::new();
    semantic_checks(&model, &spans, &mut problems, &mut warnings);
    if problems.iter().any(Problem::is_error) {
        return Err(invalid(problems));
    }
    Ok(LoadedModel { model, path: path.to_owned(), source, spans, warnings })
}

/// What the schema cannot say.
fn semantic_checks(
    model: &ThreatModel,
    spans: &SpanMap,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) {
    let horizons = &model.remediation.horizons_days;
    for (i, pair) in horizons.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            problems.push(
                Problem::error(
                    "ttpc::model::horizons_order",
                    format!("remediation horizons must grow: {} days comes after {} days", pair[1], pair[0]),
                    spans.value_or_ancestor(&format!("/remediation/horizons_days/{}", i + 1)),
                )
                .label("not after the previous horizon")
                .help("list horizons in ascending order, e.g. [30, 60, 90]"),
            );
        }
    }

    let refs: Vec<&str> = model.actors.iter().map(|a| a.reference.as_str()).collect();
    // A set, not pairwise comparisons: a hostile model can list tens of thousands of actors.
    let mut seen = std::collections::HashSet::new();
    for (i, reference) in refs.iter().enumerate() {
        if !seen.insert(reference.to_lowercase()) {
            warnings.push(
                Problem::warning(
                    "ttpc::model::duplicate_actor",
                    format!("actor `{reference}` is listed twice"),
                    spans.value_or_ancestor(&format!("/actors/{i}/ref")),
                )
                .label("listed before")
                .help("remove one of the entries"),
            );
        }
    }

    // Targets keyed by actors are checked in resolution, beside the actors themselves: a
    // misspelt actor then carries the error, not the target that names it correctly.
}

/// A key a model names twice in one mapping, at the second occurrence.
fn repeated_key(d: &crate::yaml::DuplicateKey, text: &str) -> Problem {
    let end = text[d.second..].find(':').map_or(d.second, |i| d.second + i).max(d.second);
    Problem::error(
        "ttpc::model::duplicate_key",
        format!("`{}` is set twice in the same mapping", d.key),
        d.second..end,
    )
    .label("set again here")
    .help(format!(
        "line {} already sets `{}`; keep one (a model is strict where rule files keep the last value)",
        d.first_line, d.key
    ))
}

/// A serde_yaml error as a located problem. serde_yaml reports offset 0 for errors it cannot
/// place (duplicate keys, missing top-level fields) and the file length at end of input.
fn yaml_problem(error: &serde_yaml::Error, text: &str) -> Problem {
    let offset = error.location().map_or(0, |l| l.index()).min(text.len());
    let message = error.to_string();
    // serde_yaml appends " at line L column C"; the diagnostic shows the position itself.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    // The scanner's words for a tab never say "tab".
    if text.get(offset..).is_some_and(|t| t.starts_with('\t'))
        || text.get(..offset).is_some_and(|t| t.ends_with('\t'))
    {
        return Problem::error(
            "ttpc::model::tab",
            "a tab character where YAML needs spaces",
            offset..offset + 1,
        )
        .label("tab")
        .help("YAML does not allow tabs for indentation: indent with spaces (your editor can convert them)");
    }
    Problem::error("ttpc::model::yaml", format!("not valid YAML: {message}"), offset..offset)
        .label("here")
        .help("a model is one YAML document; check indentation and quoting near this line")
}

/// YAML → JSON for schema validation. Tags are dropped (their value kept); non-string keys become
/// strings, as JSON requires.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => {
                            serde_yaml::to_string(&other).map(|s| s.trim_end().to_owned()).unwrap_or_default()
                        }
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}
