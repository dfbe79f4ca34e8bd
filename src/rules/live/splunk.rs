//! `splunk-api`: saved searches from `/servicesNS/-/{app}/saved/searches?output_mode=json`,
//! paged with `count`/`offset`. ATT&CK IDs come from the correlation-search annotations
//! (`action.correlationsearch.annotations`, its `mitre_attack` list), read by the same code as
//! `savedsearches.conf`; `disabled` is honoured.

use reqwest::Url;
use serde_json::Value as Json;

use super::{Entry, LiveError, PAGE_SIZE, Progress, Target, json, live_rule, page_count, pages};
use crate::model::RuleKind;
use crate::rules::splunk::{ANNOTATIONS, LABEL, SEVERITY, apply_annotations};
use crate::rules::{DetectionRule, Parsed};

/// The listing's URL, without paging.
pub fn endpoint(target: &Target) -> Url {
    let mut url = target.base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(["servicesNS", "-", target.app.as_str(), "saved", "searches"]);
    }
    url
}

fn page_url(target: &Target, offset: usize) -> Url {
    let mut url = endpoint(target);
    url.query_pairs_mut()
        .append_pair("output_mode", "json")
        .append_pair("count", &PAGE_SIZE.to_string())
        .append_pair("offset", &offset.to_string());
    url
}

/// One page: its entries and the total the API reports.
fn page(client: &super::Client, target: &Target, offset: usize) -> Result<(Vec<Json>, usize), LiveError> {
    let url = page_url(target, offset);
    let value = json(&url, &client.get(&url)?)?;
    let malformed =
        |message: &str| LiveError::Malformed { url: super::client::shown(&url), message: message.to_owned() };
    let total =
        value.pointer("/paging/total").and_then(Json::as_u64).ok_or_else(|| malformed("no `paging.total`"))?
            as usize;
    let Some(Json::Array(entries)) = value.get("entry").cloned() else {
        return Err(malformed("no `entry` list"));
    };
    Ok((entries, total))
}

/// Every saved search, each one an entry.
pub(crate) fn fetch(
    client: &super::Client,
    target: &Target,
    progress: &Progress,
) -> Result<Vec<Entry>, LiveError> {
    let (first, total) = page(client, target, 0)?;
    progress.page();
    let count = page_count(target, total, PAGE_SIZE)?;
    let rest = pages(count - 1, progress, |i| page(client, target, (i + 1) * PAGE_SIZE).map(|(e, _)| e))?;
    Ok(std::iter::once(first).chain(rest).flatten().map(|e| entry(&e)).collect())
}

/// A saved search as a rule.
fn entry(item: &Json) -> Entry {
    let Some(name) = item.get("name").and_then(Json::as_str).map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(String::from("a saved search without a name"));
    };
    let content = item.get("content");
    let field = |key: &str| content.and_then(|c| c.get(key)).filter(|v| !v.is_null());
    let text = |key: &str| field(key).and_then(Json::as_str).map(str::trim).filter(|t| !t.is_empty());
    let title = text(LABEL).unwrap_or(name);
    let mut rule = DetectionRule::new(RuleKind::SplunkApi, "", name, title);
    rule.enabled = !field("disabled").is_some_and(is_true);
    rule.level = crate::inputs::text::normal_word(text(SEVERITY));
    let mut parsed = Parsed::default();
    if let Some(annotations) = text(ANNOTATIONS) {
        match serde_json::from_str::<Json>(annotations) {
            Ok(json) => {
                if let Err(problem) = apply_annotations(&mut rule, &json) {
                    parsed.warnings.push(format!("saved search {name}: {problem}"));
                }
            }
            Err(e) => parsed.warnings.push(format!(
                "saved search {name} has invalid annotations JSON: {}",
                crate::inputs::text::json_error(&e)
            )),
        }
    }
    parsed.rules.push(live_rule(rule, RuleKind::SplunkApi, format!("saved/searches/{name}")));
    Ok(parsed)
}

/// Splunk writes flags as `true`, `1`, `"1"` or `"true"` depending on version and endpoint.
fn is_true(value: &Json) -> bool {
    match value {
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_u64().is_some_and(|n| n != 0),
        Json::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"),
        _ => false,
    }
}
