//! The team's own intelligence, read: actors beyond ATT&CK's groups, each with the technique IDs
//! its source attributes to it and where each comes from.
//!
//! One reader per format — [`stix`] (vendor STIX 2.0/2.1 bundles: intrusion sets, their
//! campaigns and software), [`misp`] (the MISP galaxy's actor names and their links to ATT&CK
//! groups), [`layer`] (a Navigator layer a CTI team annotated) — and [`load`], which walks a
//! source's files, reusing the parse of every unchanged file from the on-disk cache. Nothing here
//! knows the pinned ATT&CK release: technique IDs stay as written, and [`crate::resolve`] maps
//! them (revoked → replacement, other releases translated, unknown reported) when a model names
//! the actor. A file that is not what its source's `kind` says is an error, never a silent skip:
//! a model is compiled from all of its intelligence or not at all.

pub mod layer;
pub mod load;
pub mod misp;
pub mod stix;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use load::{IntelError, IntelReport, load};
pub use misp::{MispActor, MispGalaxy};

/// How a technique reached an actor of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Route {
    /// The intrusion set itself `uses` the attack-pattern.
    Direct,
    /// A campaign tied to the intrusion set (`attributed-to` it, or named with it in a report)
    /// uses it.
    Campaign,
    /// Malware or a tool the intrusion set or one of its campaigns uses, uses it; counted only
    /// with the actor's `via_software`.
    Software,
    /// A Navigator layer scores it.
    Layer,
}

/// One technique of an actor as its source writes it, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// The ATT&CK ID as written (`T1086`); for an attack-pattern without one, its name.
    pub written: String,
    /// How it reached the actor.
    pub route: Route,
    /// The file it was read from, relative to the source's path (empty for a single file).
    pub file: String,
    /// The object that uses it: `intrusion-set Rancor Taurus`, `campaign June 2018 Cambodia`,
    /// `malware PLAINTEE`, or the layer's name.
    pub object: String,
    /// The STIX relationship that says so.
    pub relationship: Option<String>,
    /// The report that ties the campaign to the intrusion set, when a report does.
    pub report: Option<String>,
    /// The layer entry's comment.
    pub comment: Option<String>,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.object)?;
        if let Some(report) = &self.report {
            write!(f, " (report {report})")?;
        }
        if let Some(comment) = &self.comment {
            write!(f, ": {comment}")?;
        }
        if let Some(relationship) = &self.relationship {
            write!(f, " [{relationship}]")?;
        }
        if !self.file.is_empty() {
            write!(f, " in {}", self.file)?;
        }
        Ok(())
    }
}

/// An actor of the team's intelligence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntelActor {
    /// Its name.
    pub name: String,
    /// Other names the source gives it.
    pub aliases: Vec<String>,
    /// Its STIX id, for an intrusion set.
    pub stix_id: Option<String>,
    /// What it is in its source: `intrusion-set` or `navigator-layer`.
    pub kind: String,
    /// The file it was read from, relative to the source's path (empty for a single file).
    pub file: String,
    /// ATT&CK domain the source declares (a layer's `domain`), when it declares one.
    pub domain: Option<String>,
    /// Its techniques, as written, each with provenance; sorted.
    pub techniques: Vec<Evidence>,
}

impl IntelActor {
    /// Every name it answers to: its name, its aliases and its STIX id.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.stix_id.as_deref())
    }
}
