//! Elastic detection-rules TOML and Kibana rule exports (NDJSON).

use std::path::Path;

use super::text::has_extension;
use super::{Adapter, Parsed, Skip};
use crate::model::RuleKind;

/// The Elastic adapter.
pub struct Elastic;

impl Adapter for Elastic {
    fn kind(&self) -> RuleKind {
        RuleKind::Elastic
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["toml", "ndjson"])
    }

    fn parse(&self, _path: &Path, _text: &str) -> Result<Parsed, Skip> {
        Err(Skip::not_a_rule("this adapter is being written"))
    }
}
