//! Source positions for a YAML document, keyed by JSON Pointer.
//!
//! serde_yaml gives no positions after a successful parse, and jsonschema reports errors by
//! instance path (`/actors/2/ref`). This module re-reads the same text with yaml-rust2's event
//! parser, whose events carry byte offsets, and records where every key and every value starts, so
//! a schema error can point at `file:line:col`.

use std::collections::HashMap;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where a node sits in the text: the key that names it (for mapping entries) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The key's bytes, for a mapping entry.
    pub key: Option<Range<usize>>,
    /// The value's bytes (for a collection: its first character).
    pub value: Range<usize>,
}

/// JSON Pointer → [`Place`] for one YAML document.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    places: HashMap<String, Place>,
}

impl SpanMap {
    /// Maps every node of the first document in `text`. Text the event parser cannot read yields
    /// an empty map: positions are a convenience, serde_yaml reports the syntax error itself.
    pub fn build(text: &str) -> SpanMap {
        // yaml-rust2 markers count characters, not bytes; spans must be bytes.
        let char_starts: Vec<usize> =
            if text.is_ascii() { Vec::new() } else { text.char_indices().map(|(i, _)| i).collect() };
        let mut builder = Builder { text, char_starts, stack: Vec::new(), places: HashMap::new() };
        let mut parser = Parser::new_from_str(text);
        // Only the first document is a model; errors just end the map early.
        let _ = parser.load(&mut builder, false);
        SpanMap { places: builder.places }
    }

    /// The place of the node at `pointer` (`""` is the root).
    pub fn get(&self, pointer: &str) -> Option<&Place> {
        self.places.get(pointer)
    }

    /// The best span to show for a problem with the node at `pointer`: its value, or, when that
    /// node does not exist, the closest ancestor that does.
    pub fn value_or_ancestor(&self, pointer: &str) -> Range<usize> {
        let mut p = pointer;
        loop {
            if let Some(place) = self.places.get(p) {
                return place.value.clone();
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return 0..0,
            }
        }
    }

    /// The span of the key naming the node at `pointer`, else its value's.
    pub fn key_or_value(&self, pointer: &str) -> Range<usize> {
        match self.places.get(pointer) {
            Some(Place { key: Some(key), .. }) => key.clone(),
            _ => self.value_or_ancestor(pointer),
        }
    }
}

/// Escapes one JSON Pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Mapping { pointer: String, key: Option<(String, Range<usize>)> },
    Sequence { pointer: String, next: usize },
}

struct Builder<'t> {
    text: &'t str,
    /// Byte offset of each character, for non-ASCII text (empty: offsets are already bytes).
    char_starts: Vec<usize>,
    stack: Vec<Frame>,
    places: HashMap<String, Place>,
}

impl Builder<'_> {
    /// The byte offset of a marker.
    fn offset(&self, mark: Marker) -> usize {
        if self.char_starts.is_empty() {
            mark.index().min(self.text.len())
        } else {
            self.char_starts.get(mark.index()).copied().unwrap_or(self.text.len())
        }
    }

    /// The pointer and key span of the node starting now, given the enclosing collection.
    fn child(&mut self) -> Option<(String, Option<Range<usize>>)> {
        match self.stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Mapping { pointer, key }) => {
                let (name, span) = key.take()?;
                Some((format!("{pointer}/{}", escape_segment(&name)), Some(span)))
            }
            Some(Frame::Sequence { pointer, next }) => {
                let p = format!("{pointer}/{next}");
                *next += 1;
                Some((p, None))
            }
        }
    }

    /// Whether the scalar arriving now is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    fn scalar_span(&self, mark: Marker, value: &str, style: TScalarStyle) -> Range<usize> {
        let start = self.offset(mark);
        let quotes = match style {
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => 2,
            _ => 0,
        };
        // A scalar's text can differ from its value (escapes, folding); stay on its first line.
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        let end = (start + value.len() + quotes).min(line_end).max(start);
        start..end
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, ..) => {
                let span = self.scalar_span(mark, &value, style);
                if self.expects_key() {
                    if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                        *key = Some((value, span));
                    }
                } else if let Some((pointer, key)) = self.child() {
                    self.places.insert(pointer, Place { key, value: span });
                }
            }
            Event::Alias(_) => {
                if self.expects_key() {
                    // An aliased key: keep the structure consistent with an unnamed key.
                    let at = self.offset(mark);
                    if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                        *key = Some((String::new(), at..at));
                    }
                } else if let Some((pointer, key)) = self.child() {
                    let start = self.offset(mark);
                    let end = (start + 1).min(self.text.len());
                    self.places.insert(pointer, Place { key, value: start..end });
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                if self.expects_key() {
                    // A complex (collection) key: give it a placeholder name and skip its content.
                    let at = self.offset(mark);
                    if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                        *key = Some((String::from("?"), at..at));
                    }
                }
                let (pointer, key) = self.child().unwrap_or_else(|| (String::from("/?"), None));
                let start = self.offset(mark);
                let end = (start + 1).min(self.text.len());
                self.places.insert(pointer.clone(), Place { key, value: start..end });
                self.stack.push(if is_mapping {
                    Frame::Mapping { pointer, key: None }
                } else {
                    Frame::Sequence { pointer, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_col(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(offset, |i| offset - i - 1) + 1;
        (line, col)
    }

    #[test]
    fn maps_keys_and_values_in_block_and_flow_style() {
        let text =
            "name: x\nactors:\n  - {ref: FIN7, weight: 3}\n  - ref: \"APT38\"\nattack:\n  version: '18.1'\n";
        let map = SpanMap::build(text);
        let fin7 = map.get("/actors/0/ref").expect("flow mapping value");
        assert_eq!(&text[fin7.value.clone()], "FIN7");
        assert_eq!(line_col(text, fin7.value.start), (3, 11));
        let apt = map.get("/actors/1/ref").expect("block mapping value");
        assert_eq!(&text[apt.value.clone()], "\"APT38\"");
        assert_eq!(&text[apt.key.clone().expect("key")], "ref");
        let version = map.get("/attack/version").expect("quoted");
        assert_eq!(&text[version.value.clone()], "'18.1'");
        assert_eq!(line_col(text, version.value.start), (6, 12));
    }

    #[test]
    fn escapes_pointer_segments_and_falls_back_to_ancestors() {
        let text = "a/b:\n  c~d: 1\n";
        let map = SpanMap::build(text);
        assert!(map.get("/a~1b/c~0d").is_some());
        let fallback = map.value_or_ancestor("/a~1b/missing");
        assert_eq!(fallback, map.get("/a~1b").expect("parent").value);
    }

    #[test]
    fn offsets_are_bytes_after_multibyte_text() {
        let text = "name: Zürich ünd Köln\nowner: x\n";
        let map = SpanMap::build(text);
        let owner = map.get("/owner").expect("owner");
        assert_eq!(&text[owner.value.clone()], "x");
        assert_eq!(&text[owner.key.clone().expect("key")], "owner");
    }
}
