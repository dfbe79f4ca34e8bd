//! YAML outputs (`remediation-plan.yaml`, `emulation/*.caldera.yml`) written so that every
//! reader gets back the strings ttpc wrote, YAML 1.1 readers included.
//!
//! serde_yaml (YAML 1.2) leaves strings plain whenever YAML 1.2 reads them back as strings:
//! `yes`, `on`, `y`, `2026-03-15`, `1_000` and `12:30` stay unquoted, but PyYAML (what Caldera
//! and most scripts load these files with), Ruby and Go's yaml.v2 follow YAML 1.1 and read them
//! as a boolean, a date, an integer and a sexagesimal number; and it writes U+2028/U+2029 raw
//! inside quotes, where YAML 1.1 readers fold them as line breaks. So the value is serialised to a
//! [`serde_yaml::Value`] (which keeps field order) and written here in the same block layout,
//! with a conservative rule for scalars: plain only when no YAML 1.1 or 1.2 reader could take it
//! for anything but that string, single-quoted when it is printable on one line, double-quoted
//! with escapes otherwise. Nothing is ever folded, block-quoted, anchored or commented.

use serde_yaml::Value;

/// The YAML text of a value (a mapping, a sequence or a scalar), ending in a newline.
pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    let value = serde_yaml::to_value(value)
        .unwrap_or_else(|e| unreachable!("outputs are plain data and always serialise: {e}"));
    let mut out = String::new();
    node(&mut out, &value, 0, Place::Top);
    out
}

/// Where a node is written: what precedes it on its first line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// At the start of the document.
    Top,
    /// After `key:`.
    Value,
    /// After `- `, on the same line.
    Item,
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes a node whose first line starts where the caller left off (after `key:`, after `- `,
/// or at the document start) and whose further lines are indented by `level`.
fn node(out: &mut String, value: &Value, level: usize, place: Place) {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            let (first_inline, level) = match place {
                Place::Top => (true, level),
                Place::Value => {
                    out.push('\n');
                    (false, level + 2)
                }
                Place::Item => (true, level + 2),
            };
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 || !first_inline {
                    indent(out, level);
                }
                out.push_str(&scalar(key));
                out.push(':');
                node(out, value, level, Place::Value);
            }
        }
        Value::Sequence(items) if !items.is_empty() => {
            // Like serde_yaml, a list under a key sits at the key's indentation.
            let (first_inline, level) = match place {
                Place::Top => (true, level),
                Place::Value => {
                    out.push('\n');
                    (false, level)
                }
                Place::Item => (true, level + 2),
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 || !first_inline {
                    indent(out, level);
                }
                out.push_str("- ");
                node(out, item, level, Place::Item);
            }
        }
        Value::Tagged(tagged) => {
            // Enum variants with data; none of today's outputs have one, but the writer must not
            // lose them. The tag is a Rust variant name.
            if place == Place::Value {
                out.push(' ');
            }
            out.push_str(&tagged.tag.to_string());
            match &tagged.value {
                Value::Mapping(m) if !m.is_empty() => {
                    out.push('\n');
                    indent(out, level + 2);
                    node(out, &tagged.value, level + 2, Place::Top);
                }
                Value::Sequence(s) if !s.is_empty() => {
                    out.push('\n');
                    indent(out, level + 2);
                    node(out, &tagged.value, level + 2, Place::Top);
                }
                v => {
                    out.push(' ');
                    out.push_str(&scalar(v));
                    out.push('\n');
                }
            }
        }
        v => {
            if place == Place::Value {
                out.push(' ');
            }
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

/// A scalar (or an empty collection) as one line of YAML.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::from("null"),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Sequence(_) => String::from("[]"),
        Value::Mapping(_) => String::from("{}"),
        // A tagged key: not produced by any output; keep it readable rather than panic.
        Value::Tagged(t) => format!("{} {}", t.tag, scalar(&t.value)),
    }
}

/// A string as a YAML scalar: plain, single-quoted or double-quoted.
pub fn string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else if s.chars().all(|c| is_printable(c) && c != '\t') {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// YAML 1.1 words for booleans and null, any case (quoting more than needed is harmless).
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"];

/// Whether `s` can be written plain and read back as this same string by YAML 1.1 and 1.2
/// readers, in block or flow context: it starts with a letter or digit (no indicator, no quote, no
/// `.` of `.inf`), has no `: ` or ` #` (a key or a comment), no flow indicator (`,[]{}`), no blanks
/// at either end, no character a reader would escape or fold, is not a boolean or null word, and,
/// when it starts with a digit, cannot be a number, date or time.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphanumeric() || (!first.is_ascii() && first.is_alphanumeric())) {
        return false;
    }
    // Flow indicators are harmless in block context, but `ttpc init` writes scalars into flow
    // collections (`{ref: FIN7, weight: 1}`), where they would end the value.
    if s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.contains(":\t")
        || s.contains([',', '[', ']', '{', '}'])
    {
        return false;
    }
    if !s.chars().all(|c| is_printable(c) && c != '\t') {
        return false;
    }
    if RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return false;
    }
    if first.is_ascii_digit() && could_be_number_or_date(s) {
        return false;
    }
    true
}

/// Whether a string starting with a digit might be read as a number, date or time by some
/// YAML 1.1 or 1.2 reader. Hexadecimal, octal and binary integers (`0x1F`, `0o17`, `0b101`)
/// are recognised by their prefix; every other number, date and time (`1_000`, `1e3`,
/// `2026-03-15`, `2001-12-14t21:59:43.10-05:00`, the sexagesimal `12:30`) is made of digits and
/// `_ . : + - e t z` and blanks only. A GUID with a letter `a`–`f` in it is none of these.
fn could_be_number_or_date(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower.starts_with("0b")
        || lower.chars().all(|c| c.is_ascii_digit() || "_.:+-etz ".contains(c))
}

/// YAML 1.1's printable set, minus the characters its readers treat as line breaks (NEL, LS,
/// PS) and the byte-order mark, which must be escaped to survive.
fn is_printable(c: char) -> bool {
    matches!(c, '\t' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A double-quoted scalar on one line: JSON-like escapes, everything unprintable as `\x`, `\u`
/// or `\U`.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_yaml_1_1_would_retype_are_quoted() {
        for s in ["yes", "No", "on", "y", "~", "null", "2026-03-15", "1_000", "12:30", "1e3", "0x1F", ".inf"]
        {
            assert!(string(s).starts_with('\''), "{s} -> {}", string(s));
        }
        for s in [
            "0o17",
            "0b101",
            "012",
            "1.2.3",
            "2001-12-14t21:59:43.10-05:00",
            "1e100000-1234-1234-1234-123456789012",
        ] {
            assert!(string(s).starts_with('\''), "{s} -> {}", string(s));
        }
        for s in [
            "FIN7",
            "T1059.001",
            "27.3%",
            "M1049 Antivirus/Antimalware",
            "Lazarus Group",
            "Yesterday",
            "93340073-499c-5697-9b13-105982dc62a7",
        ] {
            assert_eq!(string(s), s);
        }
    }

    #[test]
    fn indicators_and_breaks_are_quoted() {
        assert_eq!(string("- x"), "'- x'");
        assert_eq!(string("key: value"), "'key: value'");
        assert_eq!(string("a # b"), "'a # b'");
        assert_eq!(string("a, b"), "'a, b'");
        assert_eq!(string("it's"), "it's");
        assert_eq!(string("'q"), "'''q'");
        assert_eq!(string("a\nb"), "\"a\\nb\"");
        assert_eq!(string("ls\u{2028}ps\u{2029}"), "\"ls\\u2028ps\\u2029\"");
        assert_eq!(string("\u{1b}[31m\u{85}"), "\"\\x1B[31m\\x85\"");
        assert_eq!(string(""), "''");
    }

    #[test]
    fn layout_matches_serde_yaml_for_ordinary_documents() {
        #[derive(serde::Serialize)]
        struct Doc {
            name: String,
            list: Vec<String>,
            items: Vec<Item>,
            empty: Vec<String>,
            nested: std::collections::BTreeMap<String, u32>,
        }
        #[derive(serde::Serialize)]
        struct Item {
            id: String,
            count: u32,
            tags: Vec<String>,
        }
        let doc = Doc {
            name: String::from("plain name"),
            list: vec![String::from("a"), String::from("b")],
            items: vec![
                Item { id: String::from("T1"), count: 1, tags: vec![String::from("x")] },
                Item { id: String::from("T2"), count: 2, tags: vec![] },
            ],
            empty: vec![],
            nested: [(String::from("k"), 3)].into_iter().collect(),
        };
        let ours = to_string(&doc);
        assert_eq!(ours, serde_yaml::to_string(&doc).unwrap_or_default());
    }
}
