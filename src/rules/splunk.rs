//! Splunk: `savedsearches.conf` (ES correlation searches) and security_content detection YAML.

use std::path::Path;

use super::text::has_extension;
use super::{Adapter, Parsed, Skip};
use crate::model::RuleKind;

/// The SplunkSavedsearches adapter.
pub struct SavedSearches;

impl Adapter for SavedSearches {
    fn kind(&self) -> RuleKind {
        RuleKind::SplunkSavedsearches
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["conf"])
    }

    fn parse(&self, _path: &Path, _text: &str) -> Result<Parsed, Skip> {
        Err(Skip::not_a_rule("this adapter is being written"))
    }
}

/// The SplunkContent adapter.
pub struct SecurityContent;

impl Adapter for SecurityContent {
    fn kind(&self) -> RuleKind {
        RuleKind::SplunkContent
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["yml", "yaml"])
    }

    fn parse(&self, _path: &Path, _text: &str) -> Result<Parsed, Skip> {
        Err(Skip::not_a_rule("this adapter is being written"))
    }
}
