//! What every YAML reader in ttpc needs to know beyond serde_yaml: repeated mapping keys.
//!
//! serde_yaml refuses a mapping that names a key twice, and points at the start of the document
//! (`line 1 column 1`), while the tools users compare ttpc with (PyYAML, pySigma) accept such a
//! file and keep the last value. ttpc has one policy for every YAML input:
//!
//! - rule and atomic files: accepted, the last value wins, and a warning names the key and the
//!   real lines of both occurrences ([`last_wins`]);
//! - threat models: refused, with an error at the real line of the second occurrence
//!   ([`duplicate_keys`]).
//!
//! Both read the text with yaml-rust2's event parser, whose events carry positions. The
//! "last wins" text is the original with every earlier occurrence (key and value) overwritten by
//! spaces, so serde_yaml then reads it with every line and column where it was.

use std::collections::HashMap;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A key named twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key as the parser reads it.
    pub key: String,
    /// Byte offset of the earlier occurrence's key.
    pub first: usize,
    /// Line (from 1) of the earlier occurrence.
    pub first_line: usize,
    /// Byte offset of the later occurrence's key (the one a model error points at).
    pub second: usize,
    /// Line (from 1) of the later occurrence.
    pub second_line: usize,
}

impl DuplicateKey {
    /// The warning a rule or atomic file gets: `line 20: duplicate key `tags` (also on line 12);
    /// the later value is used`.
    pub fn warning(&self) -> String {
        format!(
            "line {}: duplicate key `{}` (also on line {}); the later value is used, as PyYAML does",
            self.second_line, self.key, self.first_line
        )
    }
}

/// Every key named more than once in the same mapping, in every document of `text`, in the order
/// of their later occurrence. Text the event parser cannot read yields what was found before the
/// error: the syntax error itself is serde_yaml's to report.
pub fn duplicate_keys(text: &str) -> Vec<DuplicateKey> {
    scan(text).0
}

/// `text` as PyYAML would read it when a key is repeated: each earlier occurrence (its key and
/// value) is overwritten with spaces, keeping every line break, so the last value wins and every
/// position stays where it was. `None` when no key is repeated (the common case: no copy).
pub fn last_wins(text: &str) -> Option<(String, Vec<DuplicateKey>)> {
    let (duplicates, blanks) = scan(text);
    if duplicates.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in blanks {
        // Whole characters only: a multi-byte character becomes as many spaces as it has bytes,
        // which keeps the text valid UTF-8 and every later byte offset unchanged.
        for b in &mut bytes[range] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes were written over whole ranges that start and end on character
    // boundaries (key starts), so the result is UTF-8; fall back to the text if it were not.
    let repaired = String::from_utf8(bytes).ok()?;
    Some((repaired, duplicates))
}

/// The text a rule or atomic file is read from, and one warning per repeated key (see
/// [`last_wins`]); the text itself, uncopied, when no key repeats.
pub fn lenient(text: &str) -> (std::borrow::Cow<'_, str>, Vec<String>) {
    match last_wins(text) {
        Some((repaired, duplicates)) => {
            (std::borrow::Cow::Owned(repaired), duplicates.iter().map(DuplicateKey::warning).collect())
        }
        None => (std::borrow::Cow::Borrowed(text), Vec::new()),
    }
}

/// The duplicates, and the byte ranges of the earlier occurrences (from a key's start to the next
/// key's start in the same mapping).
fn scan(text: &str) -> (Vec<DuplicateKey>, Vec<Range<usize>>) {
    // Cheap exit: a text without a repeated `key:`-looking line start cannot repeat a block key,
    // and flow mappings with repeats are rare enough to parse. Most files leave here.
    if !may_repeat_a_key(text) {
        return (Vec::new(), Vec::new());
    }
    let char_starts: Vec<usize> =
        if text.is_ascii() { Vec::new() } else { text.char_indices().map(|(i, _)| i).collect() };
    let mut finder =
        Finder { text, char_starts, stack: Vec::new(), duplicates: Vec::new(), blanks: Vec::new() };
    let mut parser = Parser::new_from_str(text);
    let _ = parser.load(&mut finder, true);
    finder.duplicates.sort_by_key(|d| d.second);
    (finder.duplicates, finder.blanks)
}

/// Whether some line starts (after indentation and an optional `- `) with a `word:` that an
/// earlier line of the same block mapping already used — the shape of every block-mapping
/// repeat — or the text has a flow mapping at all. A pre-filter only: it may say yes wrongly
/// (block scalars), never no when the parser would find a repeat in a block mapping.
fn may_repeat_a_key(text: &str) -> bool {
    // One frame per open indentation level: its indent and the keys seen at it.
    let mut frames: Vec<(usize, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if line.starts_with("---") || line.starts_with("...") {
            frames.clear();
            continue;
        }
        if body.contains('{') {
            return true;
        }
        let trimmed = line.trim_start_matches([' ', '-']);
        let indent = line.len() - trimmed.len();
        let item = body.starts_with('-');
        // A line at a smaller indent closes deeper mappings; a new list item closes its own level.
        while frames.last().is_some_and(|(i, _)| *i > indent || (item && *i == indent)) {
            frames.pop();
        }
        let Some(colon) = trimmed.find(':') else { continue };
        let key = trimmed[..colon].trim_end();
        if key.is_empty() {
            continue;
        }
        match frames.last_mut() {
            Some((i, keys)) if *i == indent => {
                if keys.contains(&key) {
                    return true;
                }
                keys.push(key);
            }
            _ => frames.push((indent, vec![key])),
        }
    }
    false
}

enum Frame {
    Mapping {
        /// Key occurrences in order: (name when a scalar, byte offset, line).
        keys: Vec<(Option<String>, usize, usize)>,
        /// Whether the next node is a key.
        expect_key: bool,
    },
    Sequence,
}

struct Finder<'t> {
    text: &'t str,
    char_starts: Vec<usize>,
    stack: Vec<Frame>,
    duplicates: Vec<DuplicateKey>,
    blanks: Vec<Range<usize>>,
}

impl Finder<'_> {
    fn offset(&self, mark: Marker) -> usize {
        if self.char_starts.is_empty() {
            mark.index().min(self.text.len())
        } else {
            self.char_starts.get(mark.index()).copied().unwrap_or(self.text.len())
        }
    }

    /// A node begins: record it when it is a key.
    fn node(&mut self, key_name: Option<String>, mark: Marker) {
        let offset = self.offset(mark);
        if let Some(Frame::Mapping { keys, expect_key, .. }) = self.stack.last_mut()
            && *expect_key
        {
            keys.push((key_name, offset, mark.line()));
        }
    }

    /// A node is complete: the enclosing mapping now expects the other half of an entry.
    fn done(&mut self) {
        if let Some(Frame::Mapping { expect_key, .. }) = self.stack.last_mut() {
            *expect_key = !*expect_key;
        }
    }

    fn close_mapping(&mut self, keys: Vec<(Option<String>, usize, usize)>) {
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, (name, ..)) in keys.iter().enumerate() {
            if let Some(name) = name {
                last.insert(name.as_str(), i);
            }
        }
        let mut first_seen: HashMap<&str, usize> = HashMap::new();
        for (i, (name, offset, line)) in keys.iter().enumerate() {
            let Some(name) = name else { continue };
            let first = *first_seen.entry(name.as_str()).or_insert(i);
            if first != i {
                let (_, first_offset, first_line) = &keys[first];
                self.duplicates.push(DuplicateKey {
                    key: name.clone(),
                    first: *first_offset,
                    first_line: *first_line,
                    second: *offset,
                    second_line: *line,
                });
            }
            if last.get(name.as_str()) != Some(&i) {
                // An earlier occurrence always has a next key (at least the later one).
                if let Some((_, next, _)) = keys.get(i + 1) {
                    self.blanks.push(*offset..*next);
                }
            }
        }
    }
}

impl MarkedEventReceiver for Finder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.node(Some(value), mark);
                self.done();
            }
            Event::Alias(_) => {
                self.node(None, mark);
                self.done();
            }
            Event::MappingStart(..) => {
                self.node(None, mark);
                self.stack.push(Frame::Mapping { keys: Vec::new(), expect_key: true });
            }
            Event::SequenceStart(..) => {
                self.node(None, mark);
                self.stack.push(Frame::Sequence);
            }
            Event::MappingEnd => {
                if let Some(Frame::Mapping { keys, .. }) = self.stack.pop() {
                    self.close_mapping(keys);
                }
                self.done();
            }
            Event::SequenceEnd => {
                self.stack.pop();
                self.done();
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_repeated_top_level_key_at_its_real_line() {
        let text = "title: x\ntags:\n  - attack.t1003\nlevel: high\ntags:\n  - attack.t1059\n";
        let d = duplicate_keys(text);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].key.as_str(), d[0].first_line, d[0].second_line), ("tags", 2, 5));
        let (fixed, _) = last_wins(text).expect("a repeat");
        let value: serde_yaml::Value = serde_yaml::from_str(&fixed).expect("parses");
        assert_eq!(value["tags"][0].as_str(), Some("attack.t1059"));
        assert_eq!(value["level"].as_str(), Some("high"));
        assert_eq!(fixed.lines().count(), text.lines().count());
    }

    #[test]
    fn nested_and_sequence_item_mappings() {
        let text =
            "detection:\n  sel:\n    a: 1\n  sel:\n    a: 2\n  condition: sel\nlist:\n  - k: 1\n    k: 2\n";
        let (fixed, d) = last_wins(text).expect("repeats");
        assert_eq!(d.iter().map(|d| d.second_line).collect::<Vec<_>>(), vec![4, 9]);
        let value: serde_yaml::Value = serde_yaml::from_str(&fixed).expect("parses");
        assert_eq!(value["detection"]["sel"]["a"].as_i64(), Some(2));
        assert_eq!(value["list"][0]["k"].as_i64(), Some(2));
    }

    #[test]
    fn flow_mappings_and_multibyte_text() {
        let text = "a: {x: 1, x: 2}\nné: ü\nné: é\n";
        let (fixed, d) = last_wins(text).expect("repeats");
        assert_eq!(d.len(), 2);
        let value: serde_yaml::Value = serde_yaml::from_str(&fixed).expect("parses");
        assert_eq!(value["a"]["x"].as_i64(), Some(2));
        assert_eq!(value["né"].as_str(), Some("é"));
    }

    #[test]
    fn the_prefilter_lets_sibling_mappings_share_keys() {
        let sigma = "detection:\n  selection:\n    Image|endswith: a\n  filter:\n    Image|endswith: b\n  condition: selection\n";
        assert!(!may_repeat_a_key(sigma));
        assert!(!may_repeat_a_key("- a: 1\n  b: 2\n- a: 3\n  b: 4\n"));
        assert!(may_repeat_a_key("- a: 1\n  a: 2\n"));
        assert!(may_repeat_a_key("x:\n  y: 1\n\n  # note\n  y: 2\n"));
    }

    #[test]
    fn no_repeat_no_copy() {
        assert!(last_wins("a: 1\nb:\n  a: 2\n---\na: 3\n").is_none());
    }
}
