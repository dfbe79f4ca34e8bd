//! Escaping text that comes from outside (STIX names, rule titles, file names, model strings) for
//! the context it is written into, so that a rule titled `<img src=x onerror=alert(1)>` or
//! `a | b` shows as text and cannot break a table or inject markup.

/// Markdown (GitHub/GitLab flavoured), inline context: Markdown punctuation is backslash-escaped,
/// HTML-significant characters become entities, line breaks become spaces so table rows stay whole.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
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
        assert_eq!(markdown("T1059.001 PowerShell"), "T1059.001 PowerShell");
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

#[cfg(test)]
mod xml_tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("<img src=x onerror=\"alert(1)\">"), "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
        assert_eq!(xml("a & b's\u{1}"), "a &amp; b&#39;s");
    }
}
