//! An intelligence source on disk: a file, or a folder walked like a rule source, each file read
//! by its kind's reader — reusing the parse of every unchanged file from the on-disk cache
//! ([`crate::cache::files`]), so a warm compile does not re-read 30 MB of playbooks.
//!
//! Every file is accounted for: a file the reader cannot use is an error (a source is loaded
//! whole or not at all); files of another extension in a folder are listed as skipped.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{IntelActor, MispGalaxy};
use crate::cache::files::{CacheStats, FileCache};
use crate::inputs::walk::{SkippedFile, SourceError};
use crate::inputs::{Skip, SkipReason};
use crate::model::IntelKind;

/// Why a source cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntelError {
    /// The path is missing, unreadable, or a folder over the file limit.
    Source(String),
    /// A file is not what the source's kind reads.
    Invalid {
        /// The file, relative to the source's path.
        file: String,
        /// Why.
        detail: String,
    },
}

impl std::fmt::Display for IntelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntelError::Source(message) => f.write_str(message),
            IntelError::Invalid { file, detail } => write!(f, "{file}: {detail}"),
        }
    }
}

/// What one file yielded (the cached form).
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Parsed {
    Actors(Vec<IntelActor>),
    Galaxy(MispGalaxy),
}

/// Everything a source yielded.
#[derive(Debug, Clone, Default)]
pub struct IntelReport {
    /// Regular files met.
    pub files: usize,
    /// Files of the folder with another extension, not read.
    pub skipped: Vec<SkippedFile>,
    /// Files that were read but hold no actor (a bundle of indicators only).
    pub without_actors: Vec<PathBuf>,
    /// The actors, in file order (STIX: by id within a file).
    pub actors: Vec<IntelActor>,
    /// The galaxy's actors (`misp-galaxy`), all files together.
    pub galaxy: MispGalaxy,
    /// How many files the cache answered.
    pub cache: CacheStats,
}

/// Reads a source. `name` and `min_score` apply to Navigator layers.
pub fn load(
    kind: IntelKind,
    path: &Path,
    name: Option<&str>,
    min_score: Option<f64>,
) -> Result<IntelReport, IntelError> {
    load_with(kind, path, name, min_score, crate::cache::active_root().as_deref())
}

/// [`load`] with an explicit cache folder (`None`: no cache).
pub fn load_with(
    kind: IntelKind,
    path: &Path,
    name: Option<&str>,
    min_score: Option<f64>,
    cache_root: Option<&Path>,
) -> Result<IntelReport, IntelError> {
    // The reader's settings are part of the cache key: the same layer read with another
    // threshold is another parse.
    let reader = format!(
        "intel-{kind}\0{}\0{}",
        name.unwrap_or_default(),
        min_score.map(|s| s.to_string()).unwrap_or_default()
    );
    let (cache, listing) = rayon::join(
        || -> FileCache<Parsed> {
            FileCache::open(cache_root.map(|root| crate::cache::files::location(root, &reader, path)))
        },
        || {
            crate::inputs::walk::list(path, |file| {
                (!crate::inputs::text::has_extension(file, &["json"]))
                    .then(|| Skip::not_a_rule(format!("{kind} sources are .json files")))
            })
        },
    );
    let listing = listing.map_err(|e| IntelError::Source(source_error(&e)))?;
    let walked = listing.produce(|absolute, relative| {
        let label = relative.to_string_lossy().replace('\\', "/");
        cache.produce(
            absolute,
            relative,
            crate::inputs::text::read_capped,
            |bytes| {
                let text = crate::inputs::walk::text_of(bytes)?;
                let parsed = match kind {
                    IntelKind::Stix => super::stix::parse(&text, &label).map(Parsed::Actors),
                    IntelKind::MispGalaxy => super::misp::parse(&text).map(Parsed::Galaxy),
                    IntelKind::NavigatorLayer => {
                        super::layer::parse(&text, &label, name, min_score).map(|a| Parsed::Actors(vec![a]))
                    }
                };
                parsed.map_err(|detail| Skip::new(SkipReason::InvalidSyntax, detail))
            },
            |e| Skip::new(SkipReason::Unreadable, e.to_string()),
        )
    });
    let mut report = IntelReport { files: walked.files, ..IntelReport::default() };
    for skipped in walked.skipped {
        if skipped.reason == SkipReason::NotARule {
            report.skipped.push(skipped);
        } else {
            return Err(IntelError::Invalid {
                file: skipped.path.to_string_lossy().replace('\\', "/"),
                detail: skipped.detail,
            });
        }
    }
    let (parsed, stats) = cache.settle(walked.parsed);
    report.cache = stats;
    for (relative, parsed) in parsed {
        match parsed {
            Parsed::Actors(actors) if actors.is_empty() => report.without_actors.push(relative),
            Parsed::Actors(actors) => report.actors.extend(actors),
            Parsed::Galaxy(galaxy) => {
                if report.galaxy.name.is_empty() {
                    report.galaxy.name = galaxy.name;
                }
                report.galaxy.actors.extend(galaxy.actors);
            }
        }
    }
    Ok(report)
}

fn source_error(e: &SourceError) -> String {
    match e {
        SourceError::Missing { path } => format!("{} does not exist", path.display()),
        SourceError::TooManyFiles { path, limit } => {
            format!("{} holds more than {limit} files (raise it with --max-files)", path.display())
        }
        SourceError::Unreadable { path, source } => format!("{} cannot be read: {source}", path.display()),
    }
}
