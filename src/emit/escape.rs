//! Escaping text that comes from outside (STIX names, rule titles, file names, model strings,
//! Atomic Red Team test names) for the context it is written into, so that a rule titled
//! `<img src=x onerror=alert(1)>`, `a | b` or `- [x](javascript:alert(1))` shows as text and
//! cannot break a table, start a list or inject markup, and a title carrying an ANSI escape
//! cannot repaint the terminal.
//!
//! One function per context: [`markdown`] (inline Markdown, table cells included; not code
//! spans, where backslashes do not escape), [`xml`] (XML/HTML text and attributes), [`terminal`]
//! (text for a terminal). YAML, JSON and CSV outputs are quoted by their writers
//! ([`mod@super::yaml`], serde_json, [`super::spreadsheet`] over the csv crate), not here.

/// Whether a character ends a line somewhere: CommonMark breaks lines only at `\n` and `\r`, but
/// YAML 1.1 readers, JavaScript and some editors also break at NEL, LS and PS, and a vertical tab
/// or form feed moves the cursor on a terminal.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Markdown (GitHub/GitLab flavoured), inline context: Markdown punctuation is backslash-escaped,
/// HTML-significant characters become entities, line breaks and tabs become spaces so table rows
/// stay whole (a line break in a cell would end the row), other control characters are dropped.
///
/// The value may land at the start of a line (a paragraph, a list item's text), so a leading
/// `-`, `+` or `=` and a leading `1.`/`1)` are escaped too: they would start a list, a
/// thematic break or a setext underline there. Mid-line the backslash is invisible, since
/// CommonMark lets any ASCII punctuation be escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Blanks and controls before the first visible character do not stop a marker from counting
    // (up to three spaces indent a list item), so the marker is looked for after them.
    let start = text
        .find(|c: char| !(c == ' ' || c == '\t' || is_line_break(c) || c.is_control()))
        .unwrap_or(text.len());
    let (lead, rest) = text.split_at(start);
    push_markdown(&mut out, lead);
    let bytes = rest.as_bytes();
    // A leading ordered-list marker: digits, then `.` or `)`, then a blank or the end.
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let ordered = digits > 0
        && matches!(bytes.get(digits), Some(b'.' | b')'))
        && bytes.get(digits + 1).is_none_or(|b| matches!(b, b' ' | b'\t'));
    if ordered {
        out.push_str(&rest[..digits]);
        out.push('\\');
        push_markdown(&mut out, &rest[digits..]);
    } else {
        if matches!(bytes.first(), Some(b'-' | b'+' | b'=')) {
            out.push('\\');
        }
        push_markdown(&mut out, rest);
    }
    out
}

fn push_markdown(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `\r\n` is one break, one space.
            '\r' if chars.peek() == Some(&'\n') => {}
            c if c == '\t' || is_line_break(c) => out.push(' '),
            c if c.is_control() => {}
            _ => out.push(c),
        }
    }
}

/// XML and HTML text and attribute values: `& < > " '` become entities, and characters XML 1.0
/// does not allow are dropped.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text inside raw HTML in Markdown (`<summary>…</summary>`), where CommonMark processes no
/// backslash escape, so `\$` would show as typed: HTML entities instead, and line breaks as
/// spaces, since a blank line would end the HTML block.
pub fn html_in_markdown(text: &str) -> String {
    xml(&text.chars().map(|c| if c.is_control() || is_line_break(c) { ' ' } else { c }).collect::<String>())
}

/// Text for a terminal: control characters are shown, not obeyed, so a rule title carrying
/// `ESC[2J` or a carriage return cannot clear the screen, recolour the summary or overwrite a
/// `[FAIL]` with `[pass]`. C0 controls and DEL become their Unicode control pictures (`␛`,
/// `␊`, `␡`); C1 controls, line and paragraph separators and bidirectional overrides (which can
/// reorder what a terminal shows) become `\u{…}`.
pub fn terminal(text: &str) -> String {
    if !text.chars().any(needs_terminal_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            c if needs_terminal_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_terminal_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_neutralises_tables_code_and_html() {
        assert_eq!(markdown("a | b"), "a \\| b");
        assert_eq!(markdown("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(markdown("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(markdown("line\r\nbreak\u{2028}here"), "line break here");
        assert_eq!(markdown("T1059.001 PowerShell"), "T1059.001 PowerShell");
        assert_eq!(markdown("[x](javascript:alert(1))"), "\\[x\\](javascript:alert(1))");
        assert_eq!(markdown("bell\u{7}\u{1b}[31m"), "bell\\[31m");
    }

    #[test]
    fn markdown_escapes_block_markers_at_the_start() {
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("---"), "\\---");
        assert_eq!(markdown("+ item"), "\\+ item");
        assert_eq!(markdown("==="), "\\===");
        assert_eq!(markdown("12. item"), "12\\. item");
        assert_eq!(markdown("1) item"), "1\\) item");
        assert_eq!(markdown("1."), "1\\.");
        assert_eq!(markdown("> quote"), "&gt; quote");
        assert_eq!(markdown("# heading"), "\\# heading");
        assert_eq!(markdown("  - indented"), "  \\- indented");
        assert_eq!(markdown("\n\u{7}- after a break"), " \\- after a break");
        // Numbers and hyphens mid-value stay as they are.
        assert_eq!(markdown("64.4%"), "64.4%");
        assert_eq!(markdown("APT-C-36"), "APT-C-36");
    }

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("<img src=x onerror=\"alert(1)\">"), "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
        assert_eq!(xml("a & b's\u{1}"), "a &amp; b&#39;s");
    }

    #[test]
    fn terminal_shows_control_characters() {
        assert_eq!(terminal("plain — ünïcode"), "plain — ünïcode");
        assert_eq!(terminal("\u{1b}[2J\rok\n"), "␛[2J␍ok␊");
        assert_eq!(terminal("del\u{7f} csi\u{9b} rlo\u{202e}"), "del␡ csi\\u{9b} rlo\\u{202e}");
    }
}
