//! How the JSON outputs are laid out: pretty, as `serde_json::to_string_pretty` writes it (the
//! assessment, the layers), and as minijinja's `tojson` writes it (the HTML report's data).
//!
//! Both are serde_json formatters, so serde_json still does the escaping and the numbers. The
//! pretty one writes each line break and its indentation in one go instead of two spaces per
//! level at a time: a batch writes about a megabyte of indented JSON per model (issue 22), and
//! the small writes were a visible part of it. The text is the same byte for byte.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// Pretty JSON (two spaces), the same text as `serde_json::to_string_pretty`.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    write_with(value, Indented { depth: 0, has_value: false })
}

/// JSON as minijinja's `tojson` filter writes it: `", "` and `": "` separators, and `<`, `>`,
/// `&` and `'` in strings as `\u00XX`, so the text can sit inside a `<script>` element.
pub fn tojson<T: Serialize + ?Sized>(value: &T) -> String {
    write_with(value, Spaced)
}

fn write_with<T: Serialize + ?Sized, F: Formatter>(value: &T, formatter: F) -> String {
    let mut out = Vec::with_capacity(16 * 1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .unwrap_or_else(|e| unreachable!("outputs are plain data and always serialise: {e}"));
    // serde_json writes UTF-8, and the escapes of both formatters are ASCII.
    String::from_utf8(out).unwrap_or_else(|e| unreachable!("JSON is UTF-8: {e}"))
}

/// A line break and up to 64 levels of indentation, sliced to the depth.
const LINE: &[u8] = b"\n                                                                                                                                ";

fn line<W: ?Sized + Write>(writer: &mut W, depth: usize) -> io::Result<()> {
    match LINE.get(..1 + 2 * depth) {
        Some(line) => writer.write_all(line),
        None => {
            writer.write_all(b"\n")?;
            (0..depth).try_for_each(|_| writer.write_all(b"  "))
        }
    }
}

/// serde_json's `PrettyFormatter` with two spaces, writing a line break and its indentation at once.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            line(writer, self.depth)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        line(writer, self.depth)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `tojson`'s layout and HTML-safe strings.
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                b'\'' => b"\\u0027",
                _ => continue,
            };
            writer.write_all(&bytes[start..i])?;
            writer.write_all(escaped)?;
            start = i + 1;
        }
        writer.write_all(&bytes[start..])
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn pretty_is_serde_jsons_pretty_text() {
        let deep = (0..70).fold(json!([1, {}, []]), |inner, i| json!({ format!("k{i}"): [inner, "x"] }));
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!({"a": [], "b": {}, "c": [1, 2.5, "é\n\"<&>'"], "d": {"e": [{"f": null}], "g": true}}),
            json!([[[]], [{}], [[1]]]),
            deep,
        ] {
            let expected = serde_json::to_string_pretty(&value).expect("serialises");
            assert_eq!(super::pretty(&value), expected);
        }
    }
}
