//! The raw STIX shapes ttpc reads from an ATT&CK bundle, and the one function that parses them.
//!
//! Both flavours MITRE publishes go through the same types: STIX 2.0 (mitre/cti, `spec_version`
//! on the bundle) and STIX 2.1 (attack-stix-data, `spec_version` on every object). Only the fields
//! the knowledge base needs are declared; serde skips everything else. Strings borrow from the input
//! buffer where they can (`Cow`), because the enterprise bundle is ~34 MB and most of it is text we
//! never keep.

use std::borrow::Cow;

use serde::Deserialize;

/// A whole STIX bundle.
#[derive(Debug, Deserialize)]
pub(crate) struct Bundle<'a> {
    #[serde(rename = "type")]
    pub kind: Cow<'a, str>,
    /// Present on STIX 2.0 bundles only.
    #[serde(default, borrow)]
    pub spec_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub objects: Vec<Object<'a>>,
}

/// Any STIX object, flattened: every field ttpc reads from any object type.
#[derive(Debug, Deserialize)]
pub(crate) struct Object<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub spec_version: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub description: Option<Cow<'a, str>>,
    #[serde(default)]
    pub revoked: bool,
    #[serde(default)]
    pub x_mitre_deprecated: bool,
    #[serde(default, borrow)]
    pub external_references: Vec<ExternalReference<'a>>,
    #[serde(default, borrow)]
    pub aliases: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub x_mitre_aliases: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub x_mitre_platforms: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub x_mitre_domains: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub x_mitre_version: Option<Cow<'a, str>>,
    // attack-pattern
    #[serde(default, borrow)]
    pub kill_chain_phases: Vec<KillChainPhase<'a>>,
    // x-mitre-tactic
    #[serde(default, borrow)]
    pub x_mitre_shortname: Option<Cow<'a, str>>,
    // x-mitre-matrix
    #[serde(default, borrow)]
    pub tactic_refs: Vec<Cow<'a, str>>,
    // campaign
    #[serde(default, borrow)]
    pub first_seen: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub last_seen: Option<Cow<'a, str>>,
    // x-mitre-data-component
    #[serde(default, borrow)]
    pub x_mitre_data_source_ref: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub x_mitre_log_sources: Vec<LogSourceRaw<'a>>,
    // x-mitre-detection-strategy
    #[serde(default, borrow)]
    pub x_mitre_analytic_refs: Vec<Cow<'a, str>>,
    // x-mitre-analytic
    #[serde(default, borrow)]
    pub x_mitre_log_source_references: Vec<LogSourceRaw<'a>>,
    // x-mitre-collection (attack-stix-data bundles carry one with the release version)
    // relationship
    #[serde(default, borrow)]
    pub relationship_type: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub source_ref: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub target_ref: Option<Cow<'a, str>>,
}

/// One entry of `external_references`.
#[derive(Debug, Deserialize)]
pub(crate) struct ExternalReference<'a> {
    #[serde(default, borrow)]
    pub source_name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub external_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub url: Option<Cow<'a, str>>,
}

/// One entry of `kill_chain_phases`.
#[derive(Debug, Deserialize)]
pub(crate) struct KillChainPhase<'a> {
    #[serde(borrow)]
    pub kill_chain_name: Cow<'a, str>,
    #[serde(borrow)]
    pub phase_name: Cow<'a, str>,
}

/// A log source, as data components (`x_mitre_log_sources`) and analytics
/// (`x_mitre_log_source_references`) list them.
#[derive(Debug, Deserialize)]
pub(crate) struct LogSourceRaw<'a> {
    #[serde(default, borrow)]
    pub x_mitre_data_component_ref: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub channel: Option<Cow<'a, str>>,
}

impl<'a> Object<'a> {
    /// The ATT&CK ID (T1059.001, G0046, TA0002, ...): the `external_id` of the first reference whose
    /// source is one of MITRE's ATT&CK sources.
    pub fn attack_id(&self) -> Option<&str> {
        self.attack_reference().and_then(|r| r.external_id.as_deref())
    }

    /// The attack.mitre.org page of the object.
    pub fn attack_url(&self) -> Option<&str> {
        self.attack_reference().and_then(|r| r.url.as_deref())
    }

    fn attack_reference(&self) -> Option<&ExternalReference<'a>> {
        self.external_references.iter().find(|r| {
            matches!(
                r.source_name.as_deref(),
                Some("mitre-attack" | "mitre-ics-attack" | "mitre-mobile-attack")
            ) && r.external_id.is_some()
        })
    }

    /// Whether the object is still part of ATT&CK.
    pub fn is_active(&self) -> bool {
        !self.revoked && !self.x_mitre_deprecated
    }
}

/// Parses the bytes of a bundle. The caller turns the error into a diagnostic.
pub(crate) fn parse(bytes: &[u8]) -> Result<Bundle<'_>, serde_json::Error> {
    serde_json::from_slice(bytes)
}
