//! What the HTML report's script reads: the techniques and the actors' names as one JSON
//! document embedded in the page (`page_data` in the template), and the script's nonce derived
//! from it.
//!
//! The built-in template once made this with `{{ {...} | tojson }}`, which turned the techniques
//! into template values and walked them again to write JSON: the largest single cost of a
//! report in a batch of thousands (issue 22). Here serde writes the same text straight from the
//! assessment — minijinja's `tojson` layout (`", "` and `": "` separators, keys of the outer
//! map in sorted order) and its HTML-safe strings (`<`, `>`, `&` and `'` as `\u00XX`), so the
//! document can sit inside a `<script>` element and a title cannot close it. A test holds the two
//! to the same bytes.

use serde::Serialize;

use crate::assessment::{Assessment, TechniqueAssessment};

/// The page's embedded data and the nonce its script carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageData {
    /// `{"actors": [...], "techniques": [...]}`, safe inside a `<script>` element.
    pub json: String,
    /// The script nonce: derived from the data, so it is the same on every run and cannot be
    /// known in advance by whoever writes a rule title.
    pub nonce: String,
}

impl PageData {
    /// The data of an assessment's HTML report.
    pub fn of(a: &Assessment) -> PageData {
        #[derive(Serialize)]
        struct Data<'a> {
            // In sorted order, as minijinja writes a map.
            actors: Vec<&'a str>,
            techniques: &'a [TechniqueAssessment],
        }
        let data =
            Data { actors: a.actors.iter().map(|x| x.name.as_str()).collect(), techniques: &a.techniques };
        let json = super::json_text::tojson(&data);
        let nonce = nonce(&json);
        PageData { json, nonce }
    }
}

/// A page script's nonce, derived from the data the page shows (the report's techniques, the
/// fleet overview's models): the same on every run, and unknowable to whoever writes a title.
pub fn nonce(data: &str) -> String {
    crate::io::sha256_hex(data.as_bytes())[..32].to_owned()
}
