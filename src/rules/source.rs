//! A rule source on disk: every file walked and parsed by the format's adapter (see
//! [`super::walk`]), every file accounted for — parsed with its rules, or skipped with a reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{DetectionRule, Skip, SkipReason, adapter};
use crate::cache::files::{CacheStats, FileCache};
pub use crate::inputs::walk::{SkippedFile, SourceError};
use crate::model::RuleKind;

/// A warning about one rule inside an otherwise good file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RuleWarning {
    /// Relative to the source root.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Everything a source yielded.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// The format.
    pub kind: RuleKind,
    /// The source as the model (or the command line) names it.
    pub path: PathBuf,
    /// Regular files met.
    pub files: usize,
    /// Files that yielded at least one rule.
    pub parsed_files: usize,
    /// Files that yielded none, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// The rules, in file order.
    pub rules: Vec<DetectionRule>,
    /// Problems with single rules that did not stop their file.
    pub warnings: Vec<RuleWarning>,
}

impl SourceReport {
    /// How many rules name at least one technique (as written, before normalisation).
    pub fn rules_with_techniques(&self) -> usize {
        self.rules.iter().filter(|r| !r.techniques.is_empty()).count()
    }

    /// Skipped files per reason.
    pub fn skipped_by_reason(&self) -> BTreeMap<SkipReason, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.reason).or_insert(0) += 1;
        }
        counts
    }
}

/// Loads a source: one file (parsed whatever its extension) or a folder tree (files the
/// adapter does not recognise are skipped as "not a rule").
pub fn load(kind: RuleKind, path: &Path) -> Result<SourceReport, SourceError> {
    load_with(kind, path, crate::cache::active_root().as_deref()).map(|(report, _)| report)
}

/// [`load`] with an explicit cache folder (`None`: no cache), returning how many files the cache
/// answered.
pub fn load_with(
    kind: RuleKind,
    path: &Path,
    cache_root: Option<&Path>,
) -> Result<(SourceReport, CacheStats), SourceError> {
    let adapter = adapter(kind);
    // Reading the cache and listing the folder are independent: side by side.
    let (cache, listing) = rayon::join(
        || -> FileCache<super::Parsed> {
            FileCache::open(cache_root.map(|root| crate::cache::files::location(root, kind.as_str(), path)))
        },
        || {
            crate::inputs::walk::list(path, |file| {
                (!adapter.accepts(file))
                    .then(|| Skip::not_a_rule(format!("{kind} rules do not use this file extension")))
            })
        },
    );
    let walked = listing?.produce(|absolute, relative| {
        cache.produce(
            absolute,
            relative,
            crate::inputs::text::read_capped,
            |bytes| adapter.parse(absolute, &crate::inputs::walk::text_of(bytes)?),
            |e| Skip::new(SkipReason::Unreadable, e.to_string()),
        )
    });
    let files = walked.files;
    let skipped = walked.skipped;
    // Entries come back in path order (not walk order); the report sorts rules by path anyway.
    let (parsed_files, stats) = cache.settle(walked.parsed);
    let walked = crate::inputs::walk::Walked { files, parsed: parsed_files, skipped };
    let mut report = SourceReport {
        kind,
        path: path.to_owned(),
        files: walked.files,
        parsed_files: 0,
        skipped: walked.skipped,
        rules: Vec::new(),
        warnings: Vec::new(),
    };
    for (relative, parsed) in walked.parsed {
        if parsed.rules.is_empty() {
            let detail = match parsed.warnings.first() {
                Some(w) => format!("no usable rule: {w}"),
                None => String::from("no rules in the file"),
            };
            report.skipped.push(SkippedFile { path: relative, reason: SkipReason::NotARule, detail });
            continue;
        }
        report.parsed_files += 1;
        for mut rule in parsed.rules {
            rule.path.clone_from(&relative);
            report.rules.push(rule);
        }
        report.warnings.extend(
            parsed.warnings.into_iter().map(|message| RuleWarning { path: relative.clone(), message }),
        );
    }
    // Files with no usable rule were appended after the walk's own skips; keep walk order.
    report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((report, stats))
}
