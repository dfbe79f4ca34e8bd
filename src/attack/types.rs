//! The ATT&CK objects the knowledge base keeps, as plain data.
//!
//! Objects refer to each other by typed indices into the knowledge base's tables (`TechniqueIdx`,
//! `GroupIdx`, ...) rather than by STIX id strings, so following a relationship is an array lookup
//! and a technique can never point at a group by mistake. Every table is sorted by ATT&CK ID, which
//! makes every listing derived from it deterministic.

use serde::{Deserialize, Serialize};

macro_rules! index_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in its table.
            pub fn get(self) -> usize {
                self.0 as usize
            }
        }

        impl From<$name> for usize {
            fn from(idx: $name) -> usize {
                idx.get()
            }
        }
    };
}

index_type!(
    /// Position of a tactic in [`KnowledgeBase::tactics`](super::KnowledgeBase::tactics), which is
    /// matrix order, so comparing two `TacticIdx` compares their place in the matrix.
    TacticIdx
);
index_type!(
    /// Position of a technique or sub-technique in the technique table.
    TechniqueIdx
);
index_type!(
    /// Position of a group (intrusion set) in the group table.
    GroupIdx
);
index_type!(
    /// Position of a campaign in the campaign table.
    CampaignIdx
);
index_type!(
    /// Position of a piece of software (malware or tool) in the software table.
    SoftwareIdx
);
index_type!(
    /// Position of a mitigation (course of action) in the mitigation table.
    MitigationIdx
);
index_type!(
    /// Position of a data component in the data-component table.
    DataComponentIdx
);
index_type!(
    /// Position of a detection strategy (ATT&CK v18+) in its table.
    DetectionStrategyIdx
);
index_type!(
    /// Position of an analytic (ATT&CK v18+) in its table.
    AnalyticIdx
);

/// Which ATT&CK matrix a bundle describes.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum Domain {
    /// Enterprise ATT&CK.
    EnterpriseAttack,
    /// ATT&CK for ICS.
    IcsAttack,
    /// Mobile ATT&CK.
    MobileAttack,
}

impl Domain {
    /// All domains, in the order ttpc lists them.
    pub const ALL: [Domain; 3] = [Domain::EnterpriseAttack, Domain::IcsAttack, Domain::MobileAttack];

    /// The name ATT&CK uses for the domain (`enterprise-attack`).
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::EnterpriseAttack => "enterprise-attack",
            Domain::IcsAttack => "ics-attack",
            Domain::MobileAttack => "mobile-attack",
        }
    }

    /// Parses `enterprise-attack`, `ics-attack` or `mobile-attack`.
    pub fn parse(s: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The domain's short name as the ATT&CK Navigator spells it (`enterprise-attack`).
    pub fn navigator_name(self) -> &'static str {
        self.as_str()
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which STIX flavour a bundle was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StixFlavour {
    /// STIX 2.0: `spec_version` on the bundle (mitre/cti).
    Stix20,
    /// STIX 2.1: `spec_version` on each object (mitre-attack/attack-stix-data).
    Stix21,
}

impl std::fmt::Display for StixFlavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StixFlavour::Stix20 => "STIX 2.0",
            StixFlavour::Stix21 => "STIX 2.1",
        })
    }
}

/// Whether an object is still part of ATT&CK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Current.
    Active,
    /// Marked `x_mitre_deprecated`: no replacement, no longer maintained.
    Deprecated,
    /// Marked `revoked`: replaced by the object named in [`Technique::revoked_by`] (or the group's).
    Revoked,
}

impl Status {
    pub(crate) fn from_flags(revoked: bool, deprecated: bool) -> Status {
        match (revoked, deprecated) {
            (true, _) => Status::Revoked,
            (false, true) => Status::Deprecated,
            (false, false) => Status::Active,
        }
    }
}

/// A tactic (column of the matrix).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tactic {
    /// ATT&CK ID, e.g. `TA0002`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name, e.g. `Execution`.
    pub name: String,
    /// The shortname techniques use in `kill_chain_phases`, e.g. `execution`.
    pub shortname: String,
}

/// A technique or sub-technique.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Technique {
    /// ATT&CK ID, upper case, e.g. `T1059.001`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name, e.g. `PowerShell` (see [`KnowledgeBase::full_name`](super::KnowledgeBase::full_name)).
    pub name: String,
    /// The attack.mitre.org page.
    pub url: Option<String>,
    /// Tactics, in matrix order, deduplicated. Empty only for objects outside the matrix.
    pub tactics: Vec<TacticIdx>,
    /// Platforms as ATT&CK spells them (`Windows`, `IaaS`, ...).
    pub platforms: Vec<String>,
    /// Active, deprecated or revoked.
    pub status: Status,
    /// For a revoked technique: its replacement (the end of the revoked-by chain).
    pub revoked_by: Option<TechniqueIdx>,
    /// For a sub-technique: its parent.
    pub parent: Option<TechniqueIdx>,
    /// For a technique: its sub-techniques, by ID.
    pub subtechniques: Vec<TechniqueIdx>,
    /// Mitigations that `mitigates` this technique.
    pub mitigations: Vec<MitigationIdx>,
    /// ATT&CK v18+: detection strategies that `detects` this technique.
    pub detection_strategies: Vec<DetectionStrategyIdx>,
    /// Up to ATT&CK v17: data components that `detects` this technique.
    pub data_components: Vec<DataComponentIdx>,
}

impl Technique {
    /// Whether this is a sub-technique (its ID has a `.NNN` part).
    pub fn is_subtechnique(&self) -> bool {
        self.parent.is_some() || self.id.contains('.')
    }

    /// Whether the technique is current (neither revoked nor deprecated).
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}

/// Where a technique in an actor's profile comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Via {
    /// The group itself `uses` the technique.
    Direct,
    /// A campaign attributed to the group uses it.
    Campaign(CampaignIdx),
    /// Software the group (or one of its campaigns) uses, uses it.
    Software(SoftwareIdx),
}

/// A threat group (STIX intrusion set).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Group {
    /// ATT&CK ID, e.g. `G0046`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name, e.g. `FIN7`.
    pub name: String,
    /// Aliases other than the name itself.
    pub aliases: Vec<String>,
    /// The attack.mitre.org page.
    pub url: Option<String>,
    /// Active, deprecated or revoked.
    pub status: Status,
    /// For a revoked group: its replacement.
    pub revoked_by: Option<GroupIdx>,
    /// Techniques the group `uses` directly (active ones only).
    pub techniques: Vec<TechniqueIdx>,
    /// Software the group `uses`.
    pub software: Vec<SoftwareIdx>,
    /// Campaigns `attributed-to` the group.
    pub campaigns: Vec<CampaignIdx>,
}

/// A campaign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Campaign {
    /// ATT&CK ID, e.g. `C0022`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name.
    pub name: String,
    /// Aliases other than the name itself.
    pub aliases: Vec<String>,
    /// Active, deprecated or revoked.
    pub status: Status,
    /// `first_seen`, as written.
    pub first_seen: Option<String>,
    /// `last_seen`, as written.
    pub last_seen: Option<String>,
    /// Groups the campaign is `attributed-to`.
    pub groups: Vec<GroupIdx>,
    /// Techniques the campaign `uses` (active ones only).
    pub techniques: Vec<TechniqueIdx>,
    /// Software the campaign `uses`.
    pub software: Vec<SoftwareIdx>,
}

/// Malware or tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SoftwareKind {
    /// STIX `malware`.
    Malware,
    /// STIX `tool`.
    Tool,
}

/// A piece of software (malware or tool).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Software {
    /// ATT&CK ID, e.g. `S0002`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name.
    pub name: String,
    /// Malware or tool.
    pub kind: SoftwareKind,
    /// Aliases other than the name itself.
    pub aliases: Vec<String>,
    /// Platforms.
    pub platforms: Vec<String>,
    /// Active, deprecated or revoked.
    pub status: Status,
    /// Techniques the software `uses` (active ones only).
    pub techniques: Vec<TechniqueIdx>,
}

/// A mitigation (STIX course of action).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mitigation {
    /// ATT&CK ID, e.g. `M1026`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Active, deprecated or revoked.
    pub status: Status,
}

/// A log source: where the events a detection needs come from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LogSource {
    /// The log source name, e.g. `WinEventLog:Security`.
    pub name: String,
    /// The channel within it, e.g. `EventCode=4662`.
    pub channel: Option<String>,
    /// The data component the log source belongs to.
    pub data_component: Option<DataComponentIdx>,
}

/// A data component (what is observed, e.g. `Process Creation`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataComponent {
    /// ATT&CK ID (`DC0001`) when the bundle gives one (v18+); empty before.
    pub id: Option<String>,
    /// STIX id.
    pub stix_id: String,
    /// Display name, e.g. `Process Creation`.
    pub name: String,
    /// The data source it belongs to (`Process`), when the bundle links one.
    pub data_source: Option<String>,
    /// Log sources ATT&CK lists for the component (v18+).
    pub log_sources: Vec<LogSource>,
}

/// A detection strategy (ATT&CK v18+): how to detect one or more techniques.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DetectionStrategy {
    /// ATT&CK ID, e.g. `DET0001`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its analytics.
    pub analytics: Vec<AnalyticIdx>,
}

/// An analytic (ATT&CK v18+): one platform-specific detection with its log sources.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Analytic {
    /// ATT&CK ID, e.g. `AN0001`.
    pub id: String,
    /// STIX id.
    pub stix_id: String,
    /// Display name.
    pub name: String,
    /// What to look for.
    pub description: String,
    /// Platforms it applies to.
    pub platforms: Vec<String>,
    /// Log sources it reads.
    pub log_sources: Vec<LogSource>,
}
