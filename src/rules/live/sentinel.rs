//! `sentinel-api`: analytic rules of a workspace from Azure Resource Manager
//! (`{workspace}/providers/Microsoft.SecurityInsights/alertRules?api-version=…`), following
//! `nextLink` one page after the other (each link depends on the page before). ATT&CK comes from
//! `properties.techniques`/`subTechniques`, read by the same code as the file adapter;
//! `properties.enabled` is honoured.

use std::collections::HashSet;

use reqwest::Url;
use serde_json::Value as Json;

use super::{Entry, LiveError, Progress, Target, json, live_rule};
use crate::model::RuleKind;
use crate::rules::Parsed;
use crate::rules::sentinel::read_rule;

/// The listing's URL.
pub fn endpoint(target: &Target) -> Url {
    let mut url = target.base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        path.extend(target.workspace.split('/').filter(|s| !s.is_empty()));
        path.extend(["providers", "Microsoft.SecurityInsights", "alertRules"]);
    }
    url.query_pairs_mut().append_pair("api-version", &target.api_version);
    url
}

/// Every analytic rule, each one an entry.
pub(crate) fn fetch(
    client: &super::Client,
    target: &Target,
    progress: &Progress,
) -> Result<Vec<Entry>, LiveError> {
    let mut entries = Vec::new();
    let mut next = Some(endpoint(target));
    let mut seen = HashSet::new();
    while let Some(url) = next.take() {
        if !seen.insert(url.to_string()) {
            return Err(LiveError::Paging {
                message: format!("the nextLink of page {} leads back to a page already read", seen.len()),
            });
        }
        if seen.len() > target.max_pages as usize {
            return Err(LiveError::Paging {
                message: format!("more than max_pages ({}) pages of nextLink", target.max_pages),
            });
        }
        let value = json(&url, &client.get(&url)?)?;
        progress.page();
        let shown = super::client::shown(&url);
        let Some(Json::Array(items)) = value.get("value") else {
            return Err(LiveError::Malformed { url: shown, message: String::from("no `value` list") });
        };
        entries.extend(items.iter().map(entry));
        next = match value.get("nextLink") {
            None | Some(Json::Null) => None,
            Some(Json::String(link)) if link.trim().is_empty() => None,
            Some(Json::String(link)) => Some(Url::parse(link.trim()).map_err(|e| LiveError::Malformed {
                url: shown.clone(),
                message: format!("`nextLink` is not a URL: {e}"),
            })?),
            Some(_) => {
                return Err(LiveError::Malformed {
                    url: shown,
                    message: String::from("`nextLink` is not text"),
                });
            }
        };
    }
    Ok(entries)
}

fn entry(item: &Json) -> Entry {
    let name = item.get("name").and_then(Json::as_str).map(str::trim).filter(|n| !n.is_empty());
    let Some(name) = name else {
        return Err(String::from("an alert rule without a name"));
    };
    let mut parsed = Parsed::default();
    read_rule(std::path::Path::new(""), item, name, String::new(), &mut parsed);
    parsed.rules = parsed
        .rules
        .into_iter()
        .map(|rule| live_rule(rule, RuleKind::SentinelApi, format!("alertRules/{name}")))
        .collect();
    Ok(parsed)
}
