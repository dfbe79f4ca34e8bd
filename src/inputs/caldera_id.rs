//! The ability id Caldera's atomic plugin gives an Atomic Red Team test:
//! `hashlib.md5(json.dumps(test).encode()).hexdigest()`, where `test` is the test's mapping as
//! PyYAML (`FullLoader`, YAML 1.1) loads it (mitre/atomic, `app/atomic_svc.py`, `_save_ability`).
//!
//! So the id depends on the exact Python value: YAML 1.1 resolution of plain scalars (`yes` is
//! `True`, `010` is 8, `1:20` is 80, `2026-03-15` is a `date`), dict semantics (a repeated key
//! keeps its first place and its last value) and `json.dumps`'s defaults (`", "` and `": "`
//! separators, `ensure_ascii`, Python's float `repr`). This module rebuilds that value from
//! yaml-rust2's events and prints it the way Python does. Where it cannot be sure — an explicit
//! tag, a merge key, a value `json.dumps` refuses (a date) or an integer beyond 128 bits — it
//! gives no id rather than a wrong one, and so does a test the plugin does not import (a `manual`
//! executor, no command, no platforms). A test in the integration suite compares every id with
//! real PyYAML on the Atomic Red Team corpus.

use std::collections::BTreeMap;
use std::fmt::Write;

use md5::{Digest, Md5};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML node as the events describe it, aliases expanded.
#[derive(Debug, Clone)]
enum Node {
    Scalar(String, TScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// Something PyYAML would construct differently from what this module knows (a tag).
    Unknown,
}

/// A Python value as `yaml.load` returns it (only what JSON can carry).
#[derive(Debug, Clone, PartialEq)]
enum Py {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Vec<(Py, Py)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, usize)>,
    keys: Vec<Option<Node>>,
    anchors: BTreeMap<usize, Node>,
    docs: Vec<Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some((Node::Seq(items), _)) => items.push(node),
            Some((Node::Map(pairs), _)) => {
                let slot = self.keys.last_mut().expect("a map has a key slot");
                match slot.take() {
                    None => *slot = Some(node),
                    Some(key) => pairs.push((key, node)),
                }
            }
            _ => self.docs.push(node),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, _: Marker) {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let node = if tag.is_some() { Node::Unknown } else { Node::Scalar(value, style) };
                self.push(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                let node = if tag.is_some() { Node::Unknown } else { Node::Seq(Vec::new()) };
                self.stack.push((node, anchor));
            }
            Event::MappingStart(anchor, tag) => {
                let node = if tag.is_some() { Node::Unknown } else { Node::Map(Vec::new()) };
                self.stack.push((node, anchor));
                self.keys.push(None);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if matches!(event, Event::MappingEnd) {
                    self.keys.pop();
                }
                if let Some((node, anchor)) = self.stack.pop() {
                    self.push(node, anchor);
                }
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node::Unknown);
                self.push(node, 0);
            }
            _ => {}
        }
    }
}

/// The Caldera ability ids of a technique file's tests, in file order (`None` where the plugin
/// imports no ability or the id cannot be known for sure). Empty when the text is not YAML.
pub fn ability_ids(text: &str) -> Vec<Option<String>> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if parser.load(&mut builder, true).is_err() {
        return Vec::new();
    }
    // yaml-rust2 ends a block scalar that runs to the end of a file without a final line break
    // with a line break anyway; PyYAML does not.
    if !text.ends_with(['\n', '\r']) {
        let last_line = text.rsplit(['\n', '\r']).next().unwrap_or_default().trim();
        if let Some(Node::Scalar(value, TScalarStyle::Literal | TScalarStyle::Folded)) =
            builder.docs.last_mut().and_then(last_leaf)
            && value.ends_with('\n')
            && !last_line.is_empty()
            && value.trim_end().ends_with(last_line)
        {
            value.pop();
        }
    }
    // The plugin reads every document of the file; ttpc reads the first (the only one in practice).
    let Some(Node::Map(pairs)) = builder.docs.first() else {
        return Vec::new();
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| matches!(k, Node::Scalar(s, TScalarStyle::Plain) if s == name))
            .map(|(_, v)| v)
    };
    // `entries['attack_technique']` and `entries['display_name']` are read for every ability.
    let file_ok = ["attack_technique", "display_name"]
        .iter()
        .all(|k| field(k).and_then(python).is_some_and(|v| v != Py::None));
    match field("atomic_tests") {
        Some(Node::Seq(tests)) => tests
            .iter()
            .map(|t| if file_ok { python(t).as_ref().and_then(ability_id) } else { None })
            .collect(),
        _ => Vec::new(),
    }
}

/// The last scalar of a node in document order: the last event the parser sent.
fn last_leaf(node: &mut Node) -> Option<&mut Node> {
    match node {
        Node::Seq(items) => items.last_mut().and_then(last_leaf),
        Node::Map(pairs) => pairs.last_mut().and_then(|(_, v)| last_leaf(v)),
        Node::Scalar(..) => Some(node),
        Node::Unknown => None,
    }
}

/// One test's id, if the plugin imports it.
fn ability_id(test: &Py) -> Option<String> {
    let Py::Dict(fields) = test else { return None };
    let executor = match get(fields, "executor") {
        Some(Py::Dict(e)) => e,
        _ => return None,
    };
    let imported = matches!(get(fields, "name"), Some(Py::Str(_)))
        && get(fields, "description").is_some()
        && matches!(get(fields, "supported_platforms"), Some(Py::List(p)) if !p.is_empty())
        && matches!(get(executor, "name"), Some(Py::Str(n)) if n != "manual")
        && matches!(get(executor, "command"), Some(Py::Str(_)));
    if !imported {
        return None;
    }
    let mut json = String::new();
    dumps(test, &mut json)?;
    let digest = Md5::digest(json.as_bytes());
    Some(digest.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

fn get<'a>(dict: &'a [(Py, Py)], key: &str) -> Option<&'a Py> {
    dict.iter().find(|(k, _)| matches!(k, Py::Str(s) if s == key)).map(|(_, v)| v)
}

/// The node as PyYAML constructs it; `None` when that is not certain.
fn python(node: &Node) -> Option<Py> {
    match node {
        Node::Unknown => None,
        Node::Scalar(text, style) => {
            if *style == TScalarStyle::Plain {
                resolve_plain(text)
            } else {
                Some(Py::Str(text.clone()))
            }
        }
        Node::Seq(items) => items.iter().map(python).collect::<Option<Vec<_>>>().map(Py::List),
        Node::Map(pairs) => {
            let mut dict: Vec<(Py, Py)> = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                if matches!(k, Node::Scalar(s, TScalarStyle::Plain) if s == "<<") {
                    return None; // merge keys: not worth the risk of a wrong id
                }
                let key = python(k)?;
                if matches!(key, Py::List(_) | Py::Dict(_)) {
                    return None; // unhashable in Python
                }
                let value = python(v)?;
                // A Python dict: a repeated key keeps its first place and takes the last value.
                match dict.iter_mut().find(|(existing, _)| same_key(existing, &key)) {
                    Some(slot) => slot.1 = value,
                    None => dict.push((key, value)),
                }
            }
            Some(Py::Dict(dict))
        }
    }
}

/// Python dict key equality: `1 == 1.0 == True`.
fn same_key(a: &Py, b: &Py) -> bool {
    let number = |p: &Py| match p {
        Py::Bool(b) => Some(f64::from(u8::from(*b))),
        Py::Int(i) => Some(*i as f64),
        Py::Float(f) => Some(*f),
        _ => None,
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// PyYAML's implicit resolvers (YAML 1.1), in the order it tries them.
fn resolve_plain(text: &str) -> Option<Py> {
    if matches!(text, "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON") {
        return Some(Py::Bool(true));
    }
    if matches!(text, "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF") {
        return Some(Py::Bool(false));
    }
    if is_float(text) {
        return float(text);
    }
    if is_int(text) {
        return int(text);
    }
    if text == "<<" || text == "=" || is_timestamp(text) {
        return None; // a merge key out of place, a `value`, a date: json.dumps refuses or PyYAML does
    }
    if matches!(text, "~" | "null" | "Null" | "NULL" | "") {
        return Some(Py::None);
    }
    Some(Py::Str(text.to_owned()))
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn all(text: &str, f: impl Fn(u8) -> bool) -> bool {
    text.bytes().all(f)
}

/// `[-+]?(?:0|[1-9][0-9_]*)` and friends: PyYAML's int pattern.
fn is_int(text: &str) -> bool {
    let (_, body) = split_sign(text);
    let digits_ = |s: &str, f: fn(u8) -> bool| !s.is_empty() && all(s, |b| f(b) || b == b'_');
    if let Some(rest) = body.strip_prefix("0b") {
        return digits_(rest, |b| matches!(b, b'0' | b'1'));
    }
    if let Some(rest) = body.strip_prefix("0x") {
        return digits_(rest, |b| b.is_ascii_hexdigit());
    }
    if body == "0" {
        return true;
    }
    if let Some(rest) = body.strip_prefix('0') {
        return digits_(rest, |b| matches!(b, b'0'..=b'7'));
    }
    if !body.starts_with(|c: char| matches!(c, '1'..='9')) {
        return false;
    }
    let mut parts = body.split(':');
    let head = parts.next().unwrap_or_default();
    digits_(head, |b| b.is_ascii_digit()) && parts.all(is_sexagesimal_part)
}

fn is_sexagesimal_part(p: &str) -> bool {
    let b = p.as_bytes();
    match b.len() {
        1 => b[0].is_ascii_digit(),
        2 => matches!(b[0], b'0'..=b'5') && b[1].is_ascii_digit(),
        _ => false,
    }
}

fn int(text: &str) -> Option<Py> {
    let cleaned = text.replace('_', "");
    let (negative, body) = split_sign(&cleaned);
    let value: i128 = if body == "0" {
        0
    } else if let Some(rest) = body.strip_prefix("0b") {
        i128::from_str_radix(rest, 2).ok()?
    } else if let Some(rest) = body.strip_prefix("0x") {
        i128::from_str_radix(rest, 16).ok()?
    } else if let Some(rest) = body.strip_prefix('0') {
        i128::from_str_radix(rest, 8).ok()?
    } else if body.contains(':') {
        body.split(':').try_fold(0i128, |acc, part| acc.checked_mul(60)?.checked_add(part.parse().ok()?))?
    } else {
        body.parse().ok()?
    };
    Some(Py::Int(if negative { -value } else { value }))
}

/// PyYAML's float pattern: a dot is required (`1e5` is a string), an exponent has a sign.
fn is_float(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (_, body) = split_sign(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let (sign, digits) = e.split_at(e.len().min(1));
        matches!(sign, "+" | "-") && !digits.is_empty() && all(digits, |b| b.is_ascii_digit())
    });
    let Some((whole, fraction)) = mantissa.split_once('.') else { return false };
    let fraction_ok = all(fraction, |b| b.is_ascii_digit() || b == b'_');
    if whole.contains(':') {
        // `[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*`, no exponent.
        let mut parts = whole.split(':');
        let head = parts.next().unwrap_or_default();
        return exponent.is_none()
            && head.starts_with(|c: char| c.is_ascii_digit())
            && all(head, |b| b.is_ascii_digit() || b == b'_')
            && parts.all(is_sexagesimal_part)
            && fraction_ok;
    }
    let whole_ok = if whole.is_empty() {
        // `\.[0-9][0-9_]*`: no sign allowed before a bare dot.
        !text.starts_with(['-', '+']) && fraction.starts_with(|c: char| c.is_ascii_digit())
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit()) && all(whole, |b| b.is_ascii_digit() || b == b'_')
    };
    whole_ok && fraction_ok && exponent_ok
}

fn float(text: &str) -> Option<Py> {
    let cleaned = text.replace('_', "").to_ascii_lowercase();
    let (negative, body) = split_sign(&cleaned);
    let sign = if negative { -1.0 } else { 1.0 };
    let value = match body {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        _ if body.contains(':') => return None, // sexagesimal floats: too rare to get right blind
        _ => {
            // Python's float() takes `1.`, `.5` and `1.e+5`; give Rust's parser the zeros.
            let mut normal = body.replace(".e", ".0e");
            if normal.ends_with('.') {
                normal.push('0');
            }
            if normal.starts_with('.') {
                normal.insert(0, '0');
            }
            normal.parse::<f64>().ok()?
        }
    };
    Some(Py::Float(sign * value))
}

/// `YYYY-MM-DD`, or `YYYY-M-D` followed by a time: PyYAML constructs a `date`/`datetime` (this
/// errs on the side of "a timestamp": a value it cannot be sure of gets no id).
fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if b.len() == 10 && digits(&b[..4]) && b[4] == b'-' && digits(&b[5..7]) && b[7] == b'-' && digits(&b[8..])
    {
        return true;
    }
    b.len() > 10 && digits(&b[..4]) && b[4] == b'-' && text[5..].contains(':')
}

/// `json.dumps(value)` with Python's defaults; `None` where it raises.
fn dumps(value: &Py, out: &mut String) -> Option<()> {
    match value {
        Py::None => out.push_str("null"),
        Py::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Py::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Py::Float(f) => out.push_str(&float_repr(*f)),
        Py::Str(s) => string(s, out),
        Py::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dumps(item, out)?;
            }
            out.push(']');
        }
        Py::Dict(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                // json.dumps turns str, int, float, bool and None keys into strings.
                let key = match k {
                    Py::Str(s) => s.clone(),
                    Py::None => String::from("null"),
                    Py::Bool(b) => String::from(if *b { "true" } else { "false" }),
                    Py::Int(i) => i.to_string(),
                    Py::Float(f) => float_repr(*f),
                    Py::List(_) | Py::Dict(_) => return None,
                };
                string(&key, out);
                out.push_str(": ");
                dumps(v, out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// A JSON string as `json.dumps` writes it with `ensure_ascii=True`.
fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)` as `json.dumps` prints it (`Infinity` and `NaN` for the specials).
fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return String::from("NaN");
    }
    if f.is_infinite() {
        return String::from(if f > 0.0 { "Infinity" } else { "-Infinity" });
    }
    // Rust's `{:e}` is the shortest round-trip form, as Python's repr: `1.5e16`, `-2e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = split_sign(mantissa);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    let point = exponent + 1; // digits before the decimal point
    if !(-4 < point && point <= 16) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{rest}e{exp_sign}{:02}", exponent.abs());
    }
    let n = digits.len() as i32;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= n {
        format!("{sign}{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{sign}{a}.{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr_does() {
        for (f, repr) in [
            (1.0, "1.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e16, "1.5e+16"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(float_repr(f), repr, "{f}");
        }
    }

    #[test]
    fn plain_scalars_resolve_as_yaml_1_1() {
        assert_eq!(resolve_plain("yes"), Some(Py::Bool(true)));
        assert_eq!(resolve_plain("Off"), Some(Py::Bool(false)));
        assert_eq!(resolve_plain("010"), Some(Py::Int(8)));
        assert_eq!(resolve_plain("0x1F"), Some(Py::Int(31)));
        assert_eq!(resolve_plain("1:20"), Some(Py::Int(80)));
        assert_eq!(resolve_plain("1_000"), Some(Py::Int(1000)));
        assert_eq!(resolve_plain("1e5"), Some(Py::Str(String::from("1e5"))));
        assert_eq!(resolve_plain("1.5e+3"), Some(Py::Float(1500.0)));
        assert_eq!(resolve_plain("1."), Some(Py::Float(1.0)));
        assert_eq!(resolve_plain("~"), Some(Py::None));
        assert_eq!(resolve_plain("2026-03-15"), None);
        assert_eq!(resolve_plain("y"), Some(Py::Str(String::from("y"))));
        assert_eq!(resolve_plain("09"), Some(Py::Str(String::from("09"))));
    }

    #[test]
    fn strings_escape_as_json_dumps_does() {
        let mut out = String::new();
        string("a\"b\\c\nd\u{7f}é😀", &mut out);
        assert_eq!(out, r#""a\"b\\c\nd\u007f\u00e9\ud83d\ude00""#);
    }

    #[test]
    fn a_manual_test_gets_no_id_and_a_repeated_key_keeps_its_place() {
        let text = "attack_technique: T1\ndisplay_name: x\natomic_tests:\n- name: a\n  description: d\n  supported_platforms: [windows]\n  executor: {name: manual, steps: x}\n- name: b\n  description: d\n  name: c\n  supported_platforms: [linux]\n  executor: {name: sh, command: 'echo 1', elevation_required: no}\n";
        let ids = ability_ids(text);
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], None);
        let expected = r#"{"name": "c", "description": "d", "supported_platforms": ["linux"], "executor": {"name": "sh", "command": "echo 1", "elevation_required": false}}"#;
        let digest = Md5::digest(expected.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ids[1].as_deref(), Some(hex.as_str()));
    }
}
