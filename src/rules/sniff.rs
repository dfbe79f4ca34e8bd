//! Which rule format a file looks like, from its extension and first few kilobytes: used to say
//! "these look like Elastic rules" when a source's declared `kind` yields nothing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::model::RuleKind;

/// How much of a file is looked at.
const PEEK: u64 = 8 * 1024;

/// The format one file looks like, if any.
pub fn file_kind(path: &Path) -> Option<RuleKind> {
    let mut head = String::new();
    std::fs::File::open(path).ok()?.take(PEEK).read_to_string(&mut head).ok()?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let has = |needle: &str| head.contains(needle);
    match ext.as_str() {
        "toml" if has("[rule]") => Some(RuleKind::Elastic),
        "ndjson" if has("\"rule_id\"") => Some(RuleKind::Elastic),
        "conf" if has("search =") || has("search=") => Some(RuleKind::SplunkSavedsearches),
        "yml" | "yaml" if has("detection:") && has("logsource:") => Some(RuleKind::Sigma),
        "yml" | "yaml" if has("queryFrequency") || has("requiredDataConnectors") => Some(RuleKind::Sentinel),
        "yml" | "yaml" if has("\nsearch:") || head.starts_with("search:") => Some(RuleKind::SplunkContent),
        "json" if has("\"techniques\"") && has("\"domain\"") => Some(RuleKind::NavigatorLayer),
        "json" if has("queryFrequency") || has("Microsoft.SecurityInsights") => Some(RuleKind::Sentinel),
        "json" | "ndjson" if has("\"rule_id\"") => Some(RuleKind::Elastic),
        "csv" => Some(RuleKind::Csv),
        _ => None,
    }
}

/// The format most of these files look like, other than `declared` (a sample of at most 50).
pub fn likely_kind<'a>(files: impl IntoIterator<Item = &'a Path>, declared: RuleKind) -> Option<RuleKind> {
    let mut votes: BTreeMap<String, (RuleKind, usize)> = BTreeMap::new();
    for kind in files.into_iter().take(50).filter_map(file_kind).filter(|k| *k != declared) {
        votes.entry(kind.to_string()).or_insert((kind, 0)).1 += 1;
    }
    votes.into_values().max_by_key(|(_, n)| *n).map(|(kind, _)| kind)
}
