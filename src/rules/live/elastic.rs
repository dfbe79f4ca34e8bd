//! `elastic-api`: Kibana detection rules from `[/s/{space}]/api/detection_engine/rules/_find`,
//! paged with `page`/`per_page`. ATT&CK comes from `threat[]`, read by the same code as a Kibana
//! NDJSON export; `enabled` is honoured.

use reqwest::Url;
use serde_json::Value as Json;

use super::{Entry, LiveError, PAGE_SIZE, Progress, Target, json, live_rule, page_count, pages};
use crate::model::RuleKind;
use crate::rules::Parsed;
use crate::rules::elastic::rule_from_json;

/// The listing's URL, without paging.
pub fn endpoint(target: &Target) -> Url {
    let mut url = target.base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty();
        if let Some(space) = &target.space {
            path.extend(["s", space.as_str()]);
        }
        path.extend(["api", "detection_engine", "rules", "_find"]);
    }
    url
}

/// One page (1-based, as Kibana counts): its rules and the total.
fn page(client: &super::Client, target: &Target, number: usize) -> Result<(Vec<Json>, usize), LiveError> {
    let mut url = endpoint(target);
    url.query_pairs_mut()
        .append_pair("page", &number.to_string())
        .append_pair("per_page", &PAGE_SIZE.to_string());
    let value = json(&url, &client.get(&url)?)?;
    let malformed =
        |message: &str| LiveError::Malformed { url: super::client::shown(&url), message: message.to_owned() };
    let total = value.get("total").and_then(Json::as_u64).ok_or_else(|| malformed("no `total`"))? as usize;
    let Some(Json::Array(data)) = value.get("data").cloned() else {
        return Err(malformed("no `data` list"));
    };
    Ok((data, total))
}

/// Every detection rule, each one an entry.
pub(crate) fn fetch(
    client: &super::Client,
    target: &Target,
    progress: &Progress,
) -> Result<Vec<Entry>, LiveError> {
    let (first, total) = page(client, target, 1)?;
    progress.page();
    let count = page_count(target, total, PAGE_SIZE)?;
    let rest = pages(count - 1, progress, |i| page(client, target, i + 2).map(|(d, _)| d))?;
    Ok(std::iter::once(first).chain(rest).flatten().map(|r| entry(&r)).collect())
}

fn entry(item: &Json) -> Entry {
    let id = item.get("rule_id").and_then(Json::as_str).map(str::trim).filter(|i| !i.is_empty());
    let Some(id) = id else {
        return Err(String::from("a rule without a rule_id"));
    };
    let rule = rule_from_json(std::path::Path::new(""), item, None)?;
    Ok(Parsed::rules(vec![live_rule(rule, RuleKind::ElasticApi, format!("rules/{id}"))]))
}
