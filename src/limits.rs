//! Resource limits: how much ttpc reads, walks and renders before it stops with a diagnostic.
//!
//! ttpc runs on pull requests, where the model, the rules and the templates can come from anyone
//! who can open one. Every input is therefore bounded — a file's size before it is read, the
//! number of files in a rule folder, the nesting of a YAML document before the parser sees it,
//! the size of a rendered report — so hostile input ends in a diagnostic or a bounded run, never
//! in an out-of-memory kill, a stack overflow or a hang.
//!
//! The limits are the operator's, never the model's: they are set once per process from the
//! command line or the environment ([`set`]); a model cannot raise them.

use std::io::Read;
use std::path::Path;
use std::sync::RwLock;

use bytesize::ByteSize;

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file read whole: a model, a rule file, a template, a results CSV.
    pub max_file_bytes: u64,
    /// Largest ATT&CK STIX bundle (the enterprise bundle is about 45 MB).
    pub max_bundle_bytes: u64,
    /// Most files walked in one rule source or Atomic Red Team folder.
    pub max_files: usize,
    /// Largest rendered output (a report from a hostile template).
    pub max_output_bytes: u64,
}

/// YAML nesting allowed before a document is refused. serde_yaml stops at 128 levels itself, but
/// only after its scanner has done work quadratic in the depth (100,000 `[` took 24 s); this
/// check refuses such documents in one linear pass first. Not configurable: no real model, rule
/// or Atomic Red Team file comes near it.
pub const MAX_YAML_DEPTH: usize = 128;

impl Limits {
    /// The defaults: generous for real repositories (SigmaHQ is 3,800 files of at most 100 KB).
    pub const DEFAULT: Limits = Limits {
        max_file_bytes: 64 * 1024 * 1024,
        max_bundle_bytes: 1024 * 1024 * 1024,
        max_files: 250_000,
        max_output_bytes: 64 * 1024 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

static CURRENT: RwLock<Limits> = RwLock::new(Limits::DEFAULT);

/// Sets the limits for the rest of the process (the command line does this once at start).
pub fn set(limits: Limits) {
    if let Ok(mut current) = CURRENT.write() {
        *current = limits;
    }
}

/// The limits in force.
pub fn current() -> Limits {
    CURRENT.read().map(|l| *l).unwrap_or_default()
}

/// A size for messages: `64 MiB`.
pub fn size(bytes: u64) -> String {
    ByteSize(bytes).display().iec().to_string()
}

/// Why a capped read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is larger than the limit (nothing beyond the limit was read).
    #[error("{} is over the {} limit", crate::limits::size(*.size), crate::limits::size(*.limit))]
    TooLarge {
        /// Its size, or at least how much was there.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads a whole file, refusing one over `limit` bytes without reading it: the size is checked
/// first, and the read is capped too, in case the file grows in between.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// A YAML document refused before parsing: nested deeper than [`MAX_YAML_DEPTH`], or, when it
/// has enough brackets to nest that deep, not parseable by the depth check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct TooDeep {
    /// What the check found.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Refuses YAML nested deeper than [`MAX_YAML_DEPTH`] in linear time.
///
/// A document with at most that many `[` and `{` in all cannot nest deeper in flow style, and
/// block nesting needs text quadratic in the depth (bounded by the file size limit; serde_yaml
/// refuses it cheaply), so most files cost one byte count. Others go through yaml-rust2's event
/// parser, which is linear, counting depth; a document it cannot parse is refused too, because
/// serde_yaml might read on past that point into the quadratic case.
pub fn check_yaml_depth(text: &str) -> Result<(), TooDeep> {
    use yaml_rust2::parser::{Event, Parser};
    let openers = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if openers <= MAX_YAML_DEPTH {
        return Ok(());
    }
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return Ok(()),
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), mark)) => {
                depth += 1;
                if depth > MAX_YAML_DEPTH {
                    return Err(TooDeep {
                        message: format!("nested more than {MAX_YAML_DEPTH} levels deep"),
                        line: mark.line(),
                        column: mark.col() + 1,
                    });
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            Ok(_) => {}
            Err(e) => {
                let mark = e.marker();
                return Err(TooDeep {
                    message: format!("{} (checking nesting before parsing)", e.info()),
                    line: mark.line(),
                    column: mark.col() + 1,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_refused_where_it_goes_too_deep() {
        let text = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        let e = check_yaml_depth(&text).expect_err("too deep");
        // Somewhere in the run of brackets, past the limit's worth of them.
        assert_eq!(e.line, 1);
        assert!((MAX_YAML_DEPTH..=4 + MAX_YAML_DEPTH).contains(&e.column), "{e}");
        let maps = format!("a: {}1{}", "{b: ".repeat(200), "}".repeat(200));
        assert!(check_yaml_depth(&maps).is_err());
        let lines = format!("a: {}{}", "[\n".repeat(200), "]".repeat(200));
        assert!(check_yaml_depth(&lines).is_err());
    }

    #[test]
    fn many_brackets_are_fine_when_they_do_not_nest() {
        let quoted = format!("a: \"{}\"\nb: '{}'\n# {}\n", "[".repeat(500), "{".repeat(500), "[".repeat(500));
        assert_eq!(check_yaml_depth(&quoted), Ok(()));
        let siblings = "- [1, [2], {a: 3}]\n".repeat(300);
        assert_eq!(check_yaml_depth(&siblings), Ok(()));
        let hidden = format!("a: x \"\nb: {}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(check_yaml_depth(&hidden), Ok(()));
    }

    #[test]
    fn capped_read_refuses_large_files_without_reading_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(10_000).expect("sparse");
        match read_capped(&path, 1_000) {
            Err(ReadError::TooLarge { size, limit }) => assert_eq!((size, limit), (10_000, 1_000)),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert_eq!(read_capped(&path, 10_000).expect("at the limit").len(), 10_000);
    }
}
