//! Sigma rules (`.yml` / `.yaml`): `title`, `id`, `status`, `level` and technique tags
//! `attack.t1059.001` in any case.
//!
//! Multi-document files are rule collections: a document with `action: global` supplies defaults
//! for the documents after it (until `action: reset`), and each remaining document is a rule.
//! Only tags of the exact shape `attack.tNNNN[.NNN]` are techniques; other `attack.*` tags
//! (tactics, groups, software, data sources like `attack.ds0005`) are recorded, not counted.
//! The `logsource` becomes the rule's declared telemetry (`sigma:windows/process_creation`), and
//! the tag `detection.threat-hunting` marks a hunting rule.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::{Adapter, DetectionRule, Parsed, Skip, looks_like_technique, telemetry};
use crate::inputs::malformed_technique;
use crate::inputs::scalar::{Scalar, Scalars};
use crate::inputs::text::{has_extension, normal_word, yaml_error, yaml_guard};
use crate::model::RuleKind;

/// The Sigma adapter.
pub struct Sigma;

/// The fields of a Sigma document ttpc reads; everything else is skipped by serde.
#[derive(Debug, Default, Clone, Deserialize)]
struct Document {
    #[serde(default)]
    title: Option<Scalar>,
    #[serde(default)]
    id: Option<Scalar>,
    #[serde(default)]
    status: Option<Scalar>,
    #[serde(default)]
    level: Option<Scalar>,
    #[serde(default)]
    tags: Option<Scalars>,
    #[serde(default)]
    action: Option<Scalar>,
    /// Read loosely: a malformed `logsource` must not cost the rule its techniques.
    #[serde(default)]
    logsource: Option<serde_yaml::Value>,
    #[serde(default)]
    detection: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    correlation: Option<serde::de::IgnoredAny>,
}

impl Document {
    fn action(&self) -> Option<&str> {
        self.action.as_ref().map(|a| a.0.as_str())
    }

    fn is_rule(&self) -> bool {
        self.detection.is_some() || self.correlation.is_some()
    }

    /// This document with the global defaults filled in.
    fn merged(&self, global: &Document) -> Document {
        let mut tags = global.tags.clone().unwrap_or_default().0;
        // A set, not `tags.contains`: that is quadratic in the number of tags, and a hostile
        // rule with 100,000 tags (2 MB) took over a minute.
        let mut seen: HashSet<&str> = tags.iter().map(String::as_str).collect();
        let mut added = Vec::new();
        for t in self.tags.iter().flat_map(|t| &t.0) {
            if seen.insert(t) {
                added.push(t.clone());
            }
        }
        tags.extend(added);
        Document {
            title: self.title.clone().or_else(|| global.title.clone()),
            id: self.id.clone().or_else(|| global.id.clone()),
            status: self.status.clone().or_else(|| global.status.clone()),
            level: self.level.clone().or_else(|| global.level.clone()),
            tags: Some(Scalars(tags)),
            action: None,
            logsource: self.logsource.clone().or_else(|| global.logsource.clone()),
            detection: self.detection.or(global.detection),
            correlation: self.correlation.or(global.correlation),
        }
    }
}

impl Adapter for Sigma {
    fn kind(&self) -> RuleKind {
        RuleKind::Sigma
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["yml", "yaml"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        let mut parsed = Parsed::default();
        let mut global = Document::default();
        let mut documents = 0;
        let mut not_rules = 0;
        yaml_guard(text)?;
        let (text, repeated_keys) = crate::yaml::lenient(text);
        let text = text.as_ref();
        for (index, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
            documents += 1;
            let doc = match Document::deserialize(de) {
                Ok(doc) => doc,
                Err(e) if e.location().is_some() && parsed.rules.is_empty() && index == 0 => {
                    // The first document does not even parse: the file is not YAML.
                    return Err(Skip::syntax(yaml_error(&e)));
                }
                Err(e) => {
                    parsed.warnings.push(format!("document {}: {}", index + 1, yaml_error(&e)));
                    if e.location().is_some() {
                        // A syntax error ends the stream; later documents cannot be read.
                        break;
                    }
                    continue;
                }
            };
            match doc.action() {
                Some("global") => {
                    global = doc;
                    continue;
                }
                Some("reset") => {
                    global = Document::default();
                    continue;
                }
                _ => {}
            }
            let doc = doc.merged(&global);
            if !doc.is_rule() {
                not_rules += 1;
                continue;
            }
            let Some(title) = doc.title.as_ref().map(|t| t.0.trim()).filter(|t| !t.is_empty()) else {
                parsed.warnings.push(format!("document {}: a Sigma rule without a title", index + 1));
                continue;
            };
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let id = doc.id.as_ref().map(|i| i.0.trim().to_owned()).filter(|i| !i.is_empty());
            let id = id.unwrap_or_else(|| if index == 0 { stem } else { format!("{stem}#{}", index + 1) });
            let mut rule = DetectionRule::new(RuleKind::Sigma, path, id, title);
            rule.locator = Some(format!("document {}", index + 1));
            rule.status = normal_word(doc.status.as_ref().map(|s| s.0.as_str()));
            rule.level = normal_word(doc.level.as_ref().map(|s| s.0.as_str()));
            // Collected first, added in bulk: adding one by one is quadratic in the tag count.
            let (mut techniques, mut tags) = (Vec::new(), Vec::new());
            for tag in doc.tags.iter().flat_map(|t| &t.0) {
                let tag = tag.trim();
                match tag.get(..7) {
                    Some(prefix) if prefix.eq_ignore_ascii_case("attack.") => {
                        let value = &tag[7..];
                        if looks_like_technique(value) {
                            techniques.push(value);
                        } else if malformed_technique(value) {
                            // Kept for normalisation (which repairs or reports it) and named here
                            // with its line, so it is never dropped in silence.
                            techniques.push(value);
                            parsed.warnings.push(format!(
                                "{}tag `{tag}` is not a well-formed technique ID",
                                line_of(text, tag).map(|l| format!("line {l}: ")).unwrap_or_default()
                            ));
                        } else {
                            tags.push(tag);
                        }
                    }
                    _ => {}
                }
            }
            rule.add_techniques(techniques);
            rule.add_tags(tags);
            rule.hunting = doc
                .tags
                .iter()
                .flat_map(|t| &t.0)
                .any(|t| t.trim().eq_ignore_ascii_case("detection.threat-hunting"));
            if let Some(source) = &doc.logsource {
                let part = |key: &str| source.get(key).and_then(serde_yaml::Value::as_str);
                if let Some(d) =
                    telemetry::sigma_descriptor(part("product"), part("category"), part("service"))
                {
                    rule.add_telemetry(&d);
                }
            }
            parsed.rules.push(rule);
        }
        // Only a multi-document file needs to say which document a rule is.
        if documents == 1 {
            for rule in &mut parsed.rules {
                rule.locator = None;
            }
        }
        if parsed.rules.is_empty() && parsed.warnings.is_empty() {
            let what = if documents == 0 {
                "an empty file"
            } else if not_rules > 0 {
                "YAML without a Sigma `detection`"
            } else {
                "no Sigma rule"
            };
            return Err(Skip::not_a_rule(what));
        }
        parsed.warnings.splice(0..0, repeated_keys);
        Ok(parsed)
    }
}

/// The 1-based line where `needle` first appears in `text` as a whole token (so `attack.t` is
/// not found inside `attack.t1059`).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let separator = |c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | '\'' | '"');
    text.lines().position(|line| line.split(separator).any(|token| token == needle)).map(|i| i + 1)
}
