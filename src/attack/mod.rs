//! The ATT&CK knowledge base: techniques, tactics, groups, campaigns, software, mitigations and
//! detection guidance, loaded from one official STIX bundle and indexed for the rest of ttpc.
//!
//! The knowledge base owns the facts of one ATT&CK domain and version and nothing about any
//! threat model. Tactics are kept in matrix order as the bundle's `x-mitre-matrix` lists them —
//! never from a list compiled into ttpc, because ATT&CK reorganises tactics between releases
//! (v19 split Defense Evasion). Both eras of detection guidance are kept: detection strategies →
//! analytics → log sources (v18+) and data components that `detects` techniques (up to v17).
//! Beside its own facts it carries a [`releases::Translation`]: how IDs written for other
//! releases count in this one.
//!
//! `source` decides where a bundle comes from (a file, the environment, the cache); `stix` parses
//! it; `build` turns it into the tables here; `releases` knows what moved between releases.

mod build;
pub mod diff;
mod error;
pub mod lock;
pub mod releases;
pub mod source;
mod stix;
pub mod store;
mod types;

use std::collections::{BTreeSet, HashMap};
use std::ops::Index;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use error::{AttackError, BundleProblem, JsonSyntax};
pub use types::*;

/// Whether a string has the shape of an ATT&CK technique ID, in any case: `T` and four digits,
/// optionally a dot and three digits (`T1059`, `t1059.001`); surrounding space is not allowed.
pub fn is_technique_id(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 5 || (b.len() == 9 && b[5] == b'.'))
        && matches!(b[0], b'T' | b't')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b.get(6..).is_none_or(|rest| rest.iter().all(u8::is_ascii_digit))
}

/// The tables of a knowledge base, before indexing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tables {
    /// The matrix's domain.
    pub domain: Domain,
    /// STIX 2.0 or 2.1.
    pub flavour: StixFlavour,
    /// The ATT&CK release, when the bundle says (attack-stix-data's `x-mitre-collection`).
    pub version: Option<String>,
    /// Tactics in matrix order.
    pub tactics: Vec<Tactic>,
    /// Techniques and sub-techniques (active, deprecated and revoked), sorted by ID.
    pub techniques: Vec<Technique>,
    /// Groups, sorted by ID.
    pub groups: Vec<Group>,
    /// Campaigns, sorted by ID.
    pub campaigns: Vec<Campaign>,
    /// Software, sorted by ID.
    pub software: Vec<Software>,
    /// Mitigations, sorted by ID.
    pub mitigations: Vec<Mitigation>,
    /// Data components, sorted by name.
    pub data_components: Vec<DataComponent>,
    /// Detection strategies (v18+), sorted by ID.
    pub detection_strategies: Vec<DetectionStrategy>,
    /// Analytics (v18+), sorted by ID.
    pub analytics: Vec<Analytic>,
}

/// What a STIX id names in the knowledge base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StixRef {
    /// A tactic.
    Tactic(TacticIdx),
    /// A technique or sub-technique.
    Technique(TechniqueIdx),
    /// A group.
    Group(GroupIdx),
    /// A campaign.
    Campaign(CampaignIdx),
    /// Malware or a tool.
    Software(SoftwareIdx),
}

/// One ATT&CK domain at one version, indexed.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    tables: Tables,
    technique_ids: HashMap<String, TechniqueIdx>,
    group_ids: HashMap<String, GroupIdx>,
    campaign_ids: HashMap<String, CampaignIdx>,
    software_ids: HashMap<String, SoftwareIdx>,
    tactic_keys: HashMap<String, TacticIdx>,
    stix_ids: HashMap<String, StixRef>,
    /// How technique IDs of other releases count here (empty until [`KnowledgeBase::set_translation`]).
    translation: releases::Translation,
}

impl KnowledgeBase {
    /// Loads a STIX bundle file of either flavour.
    pub fn load(path: &Path) -> Result<KnowledgeBase, AttackError> {
        KnowledgeBase::from_json(&read_bundle(path)?, path)
    }

    /// Builds the knowledge base from the bytes of a STIX bundle; `path` names it in errors.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<KnowledgeBase, AttackError> {
        let bundle = stix::parse(bytes).map_err(|e| json_error(e, bytes, path))?;
        build::build(bundle).map_err(|problem| AttackError::NotStix { path: path.to_owned(), problem })
    }

    /// Indexes tables (built from a bundle, or read back from a cache).
    pub fn from_tables(tables: Tables) -> KnowledgeBase {
        fn ids<I: Copy>(list: impl Iterator<Item = String>, make: impl Fn(u32) -> I) -> HashMap<String, I> {
            list.enumerate().map(|(i, id)| (id, make(i as u32))).collect()
        }
        let technique_ids = ids(tables.techniques.iter().map(|t| t.id.clone()), TechniqueIdx);
        let group_ids = ids(tables.groups.iter().map(|g| g.id.clone()), GroupIdx);
        let campaign_ids = ids(tables.campaigns.iter().map(|c| c.id.clone()), CampaignIdx);
        let software_ids = ids(tables.software.iter().map(|s| s.id.clone()), SoftwareIdx);
        let mut tactic_keys = HashMap::new();
        for (i, t) in tables.tactics.iter().enumerate() {
            for key in [&t.id, &t.shortname, &t.name] {
                tactic_keys.insert(key.to_ascii_lowercase(), TacticIdx(i as u32));
            }
        }
        let mut stix_ids = HashMap::new();
        for (i, t) in tables.tactics.iter().enumerate() {
            stix_ids.insert(t.stix_id.clone(), StixRef::Tactic(TacticIdx(i as u32)));
        }
        for (i, t) in tables.techniques.iter().enumerate() {
            stix_ids.insert(t.stix_id.clone(), StixRef::Technique(TechniqueIdx(i as u32)));
        }
        for (i, g) in tables.groups.iter().enumerate() {
            stix_ids.insert(g.stix_id.clone(), StixRef::Group(GroupIdx(i as u32)));
        }
        for (i, c) in tables.campaigns.iter().enumerate() {
            stix_ids.insert(c.stix_id.clone(), StixRef::Campaign(CampaignIdx(i as u32)));
        }
        for (i, s) in tables.software.iter().enumerate() {
            stix_ids.insert(s.stix_id.clone(), StixRef::Software(SoftwareIdx(i as u32)));
        }
        KnowledgeBase {
            tables,
            technique_ids,
            group_ids,
            campaign_ids,
            software_ids,
            tactic_keys,
            stix_ids,
            translation: releases::Translation::default(),
        }
    }

    /// Sets how IDs of other releases count here (see [`releases`]).
    pub fn set_translation(&mut self, translation: releases::Translation) {
        self.translation = translation;
    }

    /// How a technique ID this release does not hold counts here, when some other release
    /// knows it (see [`releases`]).
    pub fn translate(&self, id: &str) -> Option<releases::Foreign> {
        match self.translation.translate(self, id)? {
            // "New in 19.0" said of a 19.0 bundle that lacks the ID means the bundle does not
            // know it: unknown, not new.
            releases::Foreign::New { release } if Some(release.as_str()) == self.declared_version() => None,
            found => Some(found),
        }
    }

    /// The tables, e.g. to serialise them.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The matrix's domain.
    pub fn domain(&self) -> Domain {
        self.tables.domain
    }

    /// STIX 2.0 or 2.1.
    pub fn flavour(&self) -> StixFlavour {
        self.tables.flavour
    }

    /// The ATT&CK release the bundle declares, if it declares one.
    pub fn declared_version(&self) -> Option<&str> {
        self.tables.version.as_deref()
    }

    /// Whether the bundle uses the v18+ detection model (detection strategies and analytics).
    pub fn has_detection_strategies(&self) -> bool {
        !self.tables.detection_strategies.is_empty()
    }

    /// Tactics in matrix order.
    pub fn tactics(&self) -> &[Tactic] {
        &self.tables.tactics
    }

    /// All techniques and sub-techniques, including revoked and deprecated ones, sorted by ID.
    pub fn techniques(&self) -> &[Technique] {
        &self.tables.techniques
    }

    /// Indices of the active techniques and sub-techniques, in ID order.
    pub fn active_techniques(&self) -> impl Iterator<Item = TechniqueIdx> + '_ {
        self.tables
            .techniques
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_active())
            .map(|(i, _)| TechniqueIdx(i as u32))
    }

    /// All groups, sorted by ID.
    pub fn groups(&self) -> &[Group] {
        &self.tables.groups
    }

    /// All campaigns, sorted by ID.
    pub fn campaigns(&self) -> &[Campaign] {
        &self.tables.campaigns
    }

    /// All software, sorted by ID.
    pub fn software(&self) -> &[Software] {
        &self.tables.software
    }

    /// All mitigations, sorted by ID.
    pub fn mitigations(&self) -> &[Mitigation] {
        &self.tables.mitigations
    }

    /// All data components, sorted by name.
    pub fn data_components(&self) -> &[DataComponent] {
        &self.tables.data_components
    }

    /// All detection strategies (v18+), sorted by ID.
    pub fn detection_strategies(&self) -> &[DetectionStrategy] {
        &self.tables.detection_strategies
    }

    /// All analytics (v18+), sorted by ID.
    pub fn analytics(&self) -> &[Analytic] {
        &self.tables.analytics
    }

    /// Looks a technique up by ATT&CK ID, in any case (`t1059.001` finds `T1059.001`).
    pub fn technique(&self, id: &str) -> Option<TechniqueIdx> {
        lookup(&self.technique_ids, id)
    }

    /// Looks a group up by ATT&CK ID, in any case.
    pub fn group(&self, id: &str) -> Option<GroupIdx> {
        lookup(&self.group_ids, id)
    }

    /// Looks a campaign up by ATT&CK ID, in any case.
    pub fn campaign(&self, id: &str) -> Option<CampaignIdx> {
        lookup(&self.campaign_ids, id)
    }

    /// Looks software up by ATT&CK ID, in any case.
    pub fn software_by_id(&self, id: &str) -> Option<SoftwareIdx> {
        lookup(&self.software_ids, id)
    }

    /// Looks a tactic up by ATT&CK ID (`TA0002`), shortname (`execution`) or name (`Execution`),
    /// in any case. Underscores are read as hyphens (older Sigma writes `privilege_escalation`).
    pub fn tactic(&self, key: &str) -> Option<TacticIdx> {
        let key = key.trim().to_ascii_lowercase().replace('_', "-");
        self.tactic_keys.get(&key).copied()
    }

    /// Looks any indexed object up by its STIX id.
    pub fn by_stix_id(&self, stix_id: &str) -> Option<StixRef> {
        self.stix_ids.get(stix_id).copied()
    }

    /// `Parent: Sub-technique` for a sub-technique, the plain name otherwise — the way ATT&CK
    /// itself titles sub-technique pages.
    pub fn full_name(&self, idx: TechniqueIdx) -> String {
        let t = &self[idx];
        match t.parent {
            Some(parent) => format!("{}: {}", self[parent].name, t.name),
            None => t.name.clone(),
        }
    }

    /// Every platform named by an active technique, sorted.
    pub fn platforms(&self) -> BTreeSet<&str> {
        self.tables
            .techniques
            .iter()
            .filter(|t| t.is_active())
            .flat_map(|t| t.platforms.iter().map(String::as_str))
            .collect()
    }

    /// The analytics of a technique's detection strategies (v18+), in ID order.
    pub fn analytics_for(&self, idx: TechniqueIdx) -> Vec<AnalyticIdx> {
        let mut list: Vec<AnalyticIdx> =
            self[idx].detection_strategies.iter().flat_map(|d| self[*d].analytics.iter().copied()).collect();
        list.sort();
        list.dedup();
        list
    }

    /// Groups that use a technique directly, in ID order.
    pub fn groups_using(&self, idx: TechniqueIdx) -> Vec<GroupIdx> {
        self.tables
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.status == Status::Active && g.techniques.binary_search(&idx).is_ok())
            .map(|(i, _)| GroupIdx(i as u32))
            .collect()
    }
}

fn lookup<I: Copy>(map: &HashMap<String, I>, id: &str) -> Option<I> {
    let id = id.trim();
    map.get(id).or_else(|| map.get(&id.to_ascii_uppercase())).copied()
}

macro_rules! index_impl {
    ($idx:ty, $out:ty, $field:ident) => {
        impl Index<$idx> for KnowledgeBase {
            type Output = $out;
            fn index(&self, idx: $idx) -> &$out {
                &self.tables.$field[idx.get()]
            }
        }
    };
}
index_impl!(TacticIdx, Tactic, tactics);
index_impl!(TechniqueIdx, Technique, techniques);
index_impl!(GroupIdx, Group, groups);
index_impl!(CampaignIdx, Campaign, campaigns);
index_impl!(SoftwareIdx, Software, software);
index_impl!(MitigationIdx, Mitigation, mitigations);
index_impl!(DataComponentIdx, DataComponent, data_components);
index_impl!(DetectionStrategyIdx, DetectionStrategy, detection_strategies);
index_impl!(AnalyticIdx, Analytic, analytics);

/// A bundle's bytes, refused over `--max-bundle-size` before it is read.
pub fn read_bundle(path: &Path) -> Result<Vec<u8>, AttackError> {
    use crate::limits::{self, ReadError};
    limits::read_capped(path, limits::current().max_bundle_bytes).map_err(|e| match e {
        ReadError::TooLarge { .. } => AttackError::TooLarge { path: path.to_owned(), detail: e.to_string() },
        ReadError::Io(source) if source.kind() == std::io::ErrorKind::NotFound => {
            AttackError::NotFound { path: path.to_owned() }
        }
        ReadError::Io(source) => AttackError::Unreadable { path: path.to_owned(), source },
    })
}

/// Files above this size are not quoted in diagnostics: a compact bundle is one 30 MB line.
const QUOTE_LIMIT: usize = 64 * 1024;

fn json_error(error: serde_json::Error, bytes: &[u8], path: &Path) -> AttackError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            // serde_json says column 0 for "before the first character of the line".
            let (line, column) = (error.line(), error.column().max(1));
            let text = (bytes.len() <= QUOTE_LIMIT).then(|| String::from_utf8_lossy(bytes).into_owned());
            let offset = text.as_deref().map(|t| crate::diagnostics::offset_of(t, line, column));
            let (src, span) = if let (Some(text), Some(offset)) = (text, offset)
                && crate::diagnostics::quotable(&text, offset)
            {
                (
                    Some(NamedSource::new(path.display().to_string(), text)),
                    Some(miette::SourceSpan::from(offset..offset)),
                )
            } else {
                (None, None)
            };
            let message = strip_position(&error.to_string());
            AttackError::NotJson(Box::new(JsonSyntax {
                path: path.to_owned(),
                line,
                column,
                message,
                src,
                span,
            }))
        }
        Category::Data => AttackError::NotStix {
            path: path.to_owned(),
            problem: BundleProblem::Shape { message: error.to_string() },
        },
    }
}

use miette::NamedSource;

/// serde_json appends " at line L column C"; the diagnostic says that itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
