//! An ATT&CK Navigator layer used as coverage.

use std::path::Path;

use super::text::has_extension;
use super::{Adapter, Parsed, Skip};
use crate::model::RuleKind;

/// The NavigatorLayer adapter.
pub struct NavigatorLayer;

impl Adapter for NavigatorLayer {
    fn kind(&self) -> RuleKind {
        RuleKind::NavigatorLayer
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["json"])
    }

    fn parse(&self, _path: &Path, _text: &str) -> Result<Parsed, Skip> {
        Err(Skip::not_a_rule("this adapter is being written"))
    }
}
