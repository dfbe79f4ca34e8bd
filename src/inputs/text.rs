//! Small helpers adapters share: extension checks and parser errors as skip details.

use std::path::Path;

/// Whether the file's extension is one of `extensions` (case-insensitive, without the dot).
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Refuses YAML nested too deep before serde_yaml sees it (see [`crate::limits::check_yaml_depth`]).
pub fn yaml_guard(text: &str) -> Result<(), super::Skip> {
    crate::limits::check_yaml_depth(text)
        .map_err(|e| super::Skip::over_limit(format!("line {} column {}: {}", e.line, e.column, e.message)))
}

/// A file's bytes, refused when over the per-file size limit (`--max-file-size`).
pub fn read_capped(path: &Path) -> Result<Vec<u8>, super::Skip> {
    use crate::limits::{self, ReadError};
    limits::read_capped(path, limits::current().max_file_bytes).map_err(|e| match e {
        ReadError::TooLarge { .. } => super::Skip::over_limit(format!(
            "{e} for one file (raise it with --max-file-size or TTPC_MAX_FILE_SIZE)"
        )),
        ReadError::Io(io) => super::Skip::new(super::SkipReason::Unreadable, io.to_string()),
    })
}

/// A serde_yaml error as `line L column C: message`. Only the position serde_yaml reports for the
/// error itself is moved to the front; later context ("while scanning a quoted scalar at line 3
/// column 9") stays, since it often names the real culprit.
pub fn yaml_error(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(l) => {
            let position = format!(" at line {} column {}", l.line(), l.column());
            format!("line {} column {}: {}", l.line(), l.column(), message.replacen(&position, "", 1))
        }
        None => message,
    }
}

/// A serde_json error as `line L column C: message`.
pub fn json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    format!("line {} column {}: {message}", error.line(), error.column().max(1))
}

/// Lower-cased, trimmed, `None` when empty.
pub fn normal_word(value: Option<&str>) -> Option<String> {
    value.map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty())
}
