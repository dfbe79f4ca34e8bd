//! `ttpc migrate`: moves a model to another ATT&CK release.
//!
//! The model is first resolved on its own release (its problems come first). Every technique and
//! tactic reference it makes is then mapped onto the target release with the facts of
//! [`crate::attack::releases`] — revoked-by chains both ways, the built-in table, tactic splits —
//! and the file is edited in place at the spans the loader recorded, so comments, order and layout
//! survive; nothing is re-serialised. The result is resolved on the target release before it is
//! returned (a migration that would not `check` is an error, never an output), and an account says
//! what changed: per actor the techniques gained, lost and renamed; every rewritten reference; each
//! split tactic target with the coverage its new tactics have today; the rule tags that translate
//! differently.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::analysis;
use crate::attack::releases::{self, Foreign, Moves};
use crate::attack::source::{self, AttackData, Pin};
use crate::attack::{AttackError, KnowledgeBase};
use crate::error::Error;
use crate::model::LoadedModel;
use crate::model::spans::escape_segment;
use crate::pipeline::Session;
use crate::resolve::{self, Resolved};
use crate::rules::MappingIssue;

/// A model moved to another release.
#[derive(Debug, Clone, Serialize)]
pub struct Migration {
    /// The model file.
    pub model: String,
    /// The release it pinned.
    pub from: String,
    /// The release it pins now.
    pub to: String,
    /// The migrated model's text (the input unchanged when there is nothing to do).
    #[serde(skip)]
    pub text: String,
    /// What changed.
    pub account: Account,
}

/// What a migration changed and what the user should look at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Account {
    /// Per actor, in model order.
    pub actors: Vec<ActorChange>,
    /// Every edit of the file, in file order.
    pub edits: Vec<Edit>,
    /// Per-tactic targets whose tactic split or merged.
    pub tactics: Vec<TacticChange>,
    /// How the rule sources' tags map before and after.
    pub rules: RuleChange,
    /// Losses and other things to look at by hand.
    pub notes: Vec<String>,
}

/// How one actor's profile changes.
#[derive(Debug, Clone, Serialize)]
pub struct ActorChange {
    /// The `ref` as written.
    pub reference: String,
    /// Techniques before and after.
    pub before: usize,
    /// Techniques after.
    pub after: usize,
    /// IDs in the profile only after (and not a renaming).
    pub gained: Vec<String>,
    /// IDs in the profile only before (and not renamed).
    pub lost: Vec<String>,
    /// Old ID → new ID.
    pub renamed: Vec<(String, String)>,
}

/// One edit of the model file.
#[derive(Debug, Clone, Serialize)]
pub struct Edit {
    /// 1-based line of the edited text in the original file.
    pub line: usize,
    /// What it was (`targets.must_cover: T1562.001`).
    pub before: String,
    /// What it is now.
    pub after: String,
}

/// A per-tactic target of a tactic the target release split (or merged).
#[derive(Debug, Clone, Serialize)]
pub struct TacticChange {
    /// The key as written.
    pub key: String,
    /// The promise as written (`60%`).
    pub promise: String,
    /// The tactics it became, with the coverage each has today on the target release.
    pub now: Vec<(String, Option<f64>)>,
}

/// Rule tags before and after.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleChange {
    /// Tags translated from another release, before.
    pub translated_before: usize,
    /// After.
    pub translated_after: usize,
    /// Revoked tags (counted for the replacement) after.
    pub stale_after: usize,
    /// Tags not counted at all, before.
    pub uncounted_before: usize,
    /// After.
    pub uncounted_after: usize,
}

/// Moves the model at `path` to ATT&CK `to` (taken from the cache).
/// `as_of` dates the coverage figures of split tactics.
pub fn migrate(
    session: &Session<'_>,
    path: &Path,
    to: &str,
    as_of: chrono::NaiveDate,
) -> Result<Migration, Error> {
    let old = session.resolve(path)?;
    let from = old.model.model.attack.version.clone();
    let text = old.model.source.text().to_owned();
    let model_name = old.model.source.name().to_owned();
    if source::version_key(&from) == source::version_key(to) {
        return Ok(Migration {
            model: model_name,
            from,
            to: to.to_owned(),
            text,
            account: Account::default(),
        });
    }
    let target = target_data(&old, to)?;
    let kb = &target.kb;
    let mut plan = Plan::new(&text);
    let mut account = Account::default();

    edit_version(&old.model, to, &mut plan, &mut account);
    edit_must_cover(&old, kb, &mut plan, &mut account);
    edit_accepted(&old, kb, &mut plan, &mut account);
    let splits = edit_tactics(&old.model, kb, &mut plan, &mut account);

    account.edits.sort_by_key(|e| e.line);
    let new_text = plan.apply();
    let model = crate::model::load_str(&old.model.path, new_text.clone())?;
    // A migration that does not check on its new release is never an output: its problems are
    // the error.
    let new = resolve::resolve(model, target).map_err(Error::Invalid)?;
    let assessment = analysis::analyse(&new, &analysis::Options { as_of });
    for (key, promise, new_keys) in splits {
        let now = new_keys
            .into_iter()
            .map(|k| {
                let percent =
                    assessment.tactics.iter().find(|t| t.shortname == k).and_then(|t| t.coverage.percent);
                (k, percent)
            })
            .collect();
        account.tactics.push(TacticChange { key, promise, now });
    }
    account.actors = actor_changes(&old, &new);
    account.rules = rule_change(&old, &new);
    Ok(Migration { model: model_name, from, to: to.to_owned(), text: new_text, account })
}

/// The target release from the cache, translating IDs of the model's own release too.
fn target_data(old: &Resolved, to: &str) -> Result<AttackData, Error> {
    let domain = old.model.model.attack.domain;
    let pin = Pin { domain: Some(domain), version: Some(to.to_owned()) };
    let data = match source::load(None, &pin) {
        Ok(data) => data,
        Err(AttackError::NoData { .. }) => {
            return Err(Error::Migrate {
                message: format!("ATT&CK {domain} {to} is not in the cache"),
                help: Some(format!(
                    "fetch it with `ttpc attack fetch --domain {domain} --version {to}`, or on a host without internet `ttpc attack import FILE`"
                )),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let from = old.attack.version.clone().unwrap_or_else(|| old.model.model.attack.version.clone());
    let own = Moves::of(&old.attack.kb, &from);
    let mut kb: KnowledgeBase = (*data.kb).clone();
    kb.set_translation(source::translation(domain, Some(to), &data.path, &[own]));
    Ok(AttackData { kb: std::sync::Arc::new(kb), ..data })
}

/// What an ID of the model's release is on the target release.
fn map_id(kb: &KnowledgeBase, id: &str) -> Vec<String> {
    if kb.technique(id).is_some() {
        return releases::current(kb, id).map(|t| vec![kb[t].id.clone()]).unwrap_or_default();
    }
    match kb.translate(id) {
        Some(Foreign::Translated { techniques, .. }) => {
            techniques.iter().map(|t| kb[*t].id.clone()).collect()
        }
        _ => Vec::new(),
    }
}

fn edit_version(model: &LoadedModel, to: &str, plan: &mut Plan, account: &mut Account) {
    if let Some(place) = model.spans.get("/attack/version") {
        let from = &model.model.attack.version;
        plan.replace_scalar(place.value.clone(), to);
        account.edits.push(Edit {
            line: plan.line(place.value.start),
            before: format!("attack.version: {from}"),
            after: format!("attack.version: {to}"),
        });
    }
}

fn edit_must_cover(old: &Resolved, kb: &KnowledgeBase, plan: &mut Plan, account: &mut Account) {
    let mut seen = BTreeSet::new();
    for (i, id) in old.model.model.targets.must_cover.iter().enumerate() {
        let Some(place) = old.model.spans.get(&format!("/targets/must_cover/{i}")) else { continue };
        let span = place.value.clone();
        let line = plan.line(span.start);
        let mapped: Vec<String> =
            map_id(kb, id.as_str()).into_iter().filter(|m| seen.insert(m.clone())).collect();
        let written = id.as_str();
        match mapped.split_first() {
            None => {
                plan.remove_item(span);
                let why =
                    if map_id(kb, written).is_empty() { "has no equivalent" } else { "is already listed" };
                account.edits.push(Edit {
                    line,
                    before: format!("targets.must_cover: {written}"),
                    after: String::from("(removed)"),
                });
                if why == "has no equivalent" {
                    account.notes.push(format!(
                        "targets.must_cover: {written} {why} in ATT&CK {}; removed",
                        version_of(kb)
                    ));
                }
            }
            Some((first, rest)) => {
                if first.eq_ignore_ascii_case(written) && rest.is_empty() {
                    continue;
                }
                plan.replace_scalar(span.clone(), first);
                for extra in rest {
                    plan.add_item(span.clone(), extra);
                }
                account.edits.push(Edit {
                    line,
                    before: format!("targets.must_cover: {written}"),
                    after: format!("targets.must_cover: {}", mapped.join(", ")),
                });
            }
        }
    }
}

fn edit_accepted(old: &Resolved, kb: &KnowledgeBase, plan: &mut Plan, account: &mut Account) {
    for (i, acceptance) in old.model.model.accepted.iter().enumerate() {
        let Some(place) = old.model.spans.get(&format!("/accepted/{i}/technique")) else { continue };
        let written = acceptance.technique.as_str();
        let line = plan.line(place.value.start);
        let mapped = map_id(kb, written);
        match mapped.as_slice() {
            [] => account.notes.push(format!(
                "accepted (line {line}): {written} has no equivalent in ATT&CK {}; remove the entry",
                version_of(kb)
            )),
            [only] if only.eq_ignore_ascii_case(written) => {}
            [first, rest @ ..] => {
                plan.replace_scalar(place.value.clone(), first);
                account.edits.push(Edit {
                    line,
                    before: format!("accepted: {written}"),
                    after: format!("accepted: {first}"),
                });
                if !rest.is_empty() {
                    account.notes.push(format!(
                        "accepted (line {line}): {written} stands for {} in ATT&CK {}; the entry now accepts {first}, copy it for the others if meant",
                        mapped.join(", "),
                        version_of(kb)
                    ));
                }
            }
        }
    }
}

/// Rewrites `targets.tactics` keys; returns the splits (key, promise, new keys) for the account.
fn edit_tactics(
    model: &LoadedModel,
    kb: &KnowledgeBase,
    plan: &mut Plan,
    account: &mut Account,
) -> Vec<(String, String, Vec<String>)> {
    let mut splits = Vec::new();
    let present: BTreeSet<String> =
        model.model.targets.tactics.keys().map(|k| k.to_ascii_lowercase()).collect();
    let mut written_keys = BTreeSet::new();
    // In file order, so the first of merged keys (and its comment) is the one kept.
    let mut keys: Vec<&String> = model.model.targets.tactics.keys().collect();
    keys.sort_by_key(|k| model.key_span(&format!("/targets/tactics/{}", escape_segment(k))).start);
    for key in keys {
        if kb.tactic(key).is_some() {
            continue;
        }
        let Some(place) = model.spans.get(&format!("/targets/tactics/{}", escape_segment(key))) else {
            continue;
        };
        let Some(key_span) = place.key.clone() else { continue };
        let line = plan.line(key_span.start);
        let promise = plan.original(place.value.clone()).to_owned();
        if let Some(split) = releases::split_of(kb, key) {
            let new: Vec<String> = split
                .new
                .iter()
                .map(|(short, _)| (*short).to_owned())
                .filter(|s| !present.contains(s) && written_keys.insert(s.clone()))
                .collect();
            let Some((first, rest)) = new.split_first() else {
                plan.remove_line(key_span);
                continue;
            };
            plan.replace(key_span.clone(), first);
            for extra in rest {
                plan.add_entry(key_span.clone(), place.value.clone(), extra);
            }
            account.edits.push(Edit {
                line,
                before: format!("targets.tactics: {key}: {promise}"),
                after: format!(
                    "targets.tactics: {}",
                    new.iter().map(|k| format!("{k}: {promise}")).collect::<Vec<_>>().join(", ")
                ),
            });
            splits.push((key.clone(), promise, new));
        } else if let Some(split) = releases::introduced_by(kb, key) {
            let old = split.old.to_owned();
            if present.contains(&old) || !written_keys.insert(old.clone()) {
                plan.remove_line(key_span);
                account.notes.push(format!(
                    "targets.tactics (line {line}): `{key}` merges into `{old}` in ATT&CK {}; its target was dropped, keep the one for `{old}`",
                    version_of(kb)
                ));
                account.edits.push(Edit {
                    line,
                    before: format!("targets.tactics: {key}: {promise}"),
                    after: String::from("(removed)"),
                });
            } else {
                plan.replace(key_span, &old);
                account.notes.push(format!(
                    "targets.tactics (line {line}): `{key}` is part of `{old}` in ATT&CK {}: check the promise {promise} still fits",
                    version_of(kb)
                ));
                account.edits.push(Edit {
                    line,
                    before: format!("targets.tactics: {key}: {promise}"),
                    after: format!("targets.tactics: {old}: {promise}"),
                });
            }
        } else {
            account.notes.push(format!(
                "targets.tactics (line {line}): `{key}` is not a tactic of ATT&CK {}",
                version_of(kb)
            ));
        }
    }
    splits
}

fn version_of(kb: &KnowledgeBase) -> String {
    kb.declared_version().unwrap_or("(target)").to_owned()
}

fn actor_changes(old: &Resolved, new: &Resolved) -> Vec<ActorChange> {
    let (okb, nkb) = (&old.attack.kb, &new.attack.kb);
    old.actors
        .iter()
        .zip(&new.actors)
        .map(|(o, n)| {
            let before: BTreeSet<&str> = o.techniques.keys().map(|t| okb[*t].id.as_str()).collect();
            let after: BTreeSet<&str> = n.techniques.keys().map(|t| nkb[*t].id.as_str()).collect();
            let mut renamed = Vec::new();
            let mut renamed_to = BTreeSet::new();
            for id in before.difference(&after) {
                for m in map_id(nkb, id) {
                    if after.contains(m.as_str()) {
                        renamed.push(((*id).to_owned(), m.clone()));
                        renamed_to.insert(m);
                    }
                }
            }
            let renamed_from: BTreeSet<&str> = renamed.iter().map(|(o, _)| o.as_str()).collect();
            ActorChange {
                reference: o.reference.clone(),
                before: before.len(),
                after: after.len(),
                gained: after
                    .difference(&before)
                    .filter(|id| !renamed_to.contains(**id))
                    .map(|id| (*id).to_owned())
                    .collect(),
                lost: before
                    .difference(&after)
                    .filter(|id| !renamed_from.contains(**id))
                    .map(|id| (*id).to_owned())
                    .collect(),
                renamed,
            }
        })
        .collect()
}

fn rule_change(old: &Resolved, new: &Resolved) -> RuleChange {
    let tally = |r: &Resolved| {
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for source in &r.sources {
            for n in source.normalised.iter() {
                for issue in &n.issues {
                    let key = match issue {
                        MappingIssue::Translated { .. } => "translated",
                        MappingIssue::Stale { .. } => "stale",
                        _ => "uncounted",
                    };
                    *counts.entry(key).or_insert(0) += 1;
                }
            }
        }
        counts
    };
    let (before, after) = (tally(old), tally(new));
    let get = |m: &BTreeMap<&str, usize>, k: &str| m.get(k).copied().unwrap_or(0);
    RuleChange {
        translated_before: get(&before, "translated"),
        translated_after: get(&after, "translated"),
        stale_after: get(&after, "stale"),
        uncounted_before: get(&before, "uncounted"),
        uncounted_after: get(&after, "uncounted"),
    }
}

/// Edits of the original text, applied back to front so earlier spans stay valid.
struct Plan<'t> {
    text: &'t str,
    edits: Vec<(Range<usize>, String)>,
}

impl<'t> Plan<'t> {
    fn new(text: &'t str) -> Plan<'t> {
        Plan { text, edits: Vec::new() }
    }

    fn original(&self, span: Range<usize>) -> &'t str {
        self.text.get(span).unwrap_or_default()
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.text.get(..offset).map_or(1, |t| t.matches('\n').count() + 1)
    }

    fn replace(&mut self, span: Range<usize>, with: &str) {
        self.edits.push((span, with.to_owned()));
    }

    /// Replaces a scalar, keeping its quotes.
    fn replace_scalar(&mut self, span: Range<usize>, with: &str) {
        let written = self.original(span.clone());
        let quoted = written.len() >= 2 && (written.starts_with('"') || written.starts_with('\''));
        let inner = if quoted { span.start + 1..span.end - 1 } else { span };
        self.replace(inner, with);
    }

    fn line_bounds(&self, offset: usize) -> Range<usize> {
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..].find('\n').map_or(self.text.len(), |i| offset + i + 1);
        start..end
    }

    /// Whether a sequence item or mapping key at `offset` is in block style (first on its line
    /// after indentation and an optional `- `).
    fn is_block(&self, offset: usize) -> bool {
        let line = self.line_bounds(offset);
        let before = self.text[line.start..offset].trim_start();
        before.is_empty() || before == "-" || before.trim_end() == "-"
    }

    /// Adds a sequence item after the one at `span`, in the same style.
    fn add_item(&mut self, span: Range<usize>, value: &str) {
        if self.is_block(span.start) {
            let line = self.line_bounds(span.start);
            let prefix = &self.text[line.start..span.start];
            let newline = if self.text[..line.end].ends_with('\n') { "" } else { "\n" };
            self.edits.push((line.end..line.end, format!("{newline}{prefix}{value}\n")));
        } else {
            self.edits.push((span.end..span.end, format!(", {value}")));
        }
    }

    /// Removes the sequence item at `span`.
    fn remove_item(&mut self, span: Range<usize>) {
        if self.is_block(span.start) {
            self.remove_line(span);
        } else {
            // `[a, b]`: drop `b` with the comma before it, or `a` with the comma after it.
            let before = &self.text[..span.start];
            let after = &self.text[span.end..];
            if let Some(comma) = before.trim_end().strip_suffix(',').map(str::len) {
                self.edits.push((comma..span.end, String::new()));
            } else if let Some(i) = after.find(',') {
                let rest = after[i + 1..].len() - after[i + 1..].trim_start().len();
                self.edits.push((span.start..span.end + i + 1 + rest, String::new()));
            } else {
                self.edits.push((span, String::new()));
            }
        }
    }

    fn remove_line(&mut self, span: Range<usize>) {
        let line = self.line_bounds(span.start);
        self.edits.push((line, String::new()));
    }

    /// Adds a mapping entry `key: <the value at value>` after the entry at `key_span`.
    fn add_entry(&mut self, key_span: Range<usize>, value: Range<usize>, key: &str) {
        let promise = self.original(value.clone()).to_owned();
        if self.is_block(key_span.start) {
            let line = self.line_bounds(key_span.start);
            let indent = &self.text[line.start..key_span.start];
            let newline = if self.text[..line.end].ends_with('\n') { "" } else { "\n" };
            self.edits.push((line.end..line.end, format!("{newline}{indent}{key}: {promise}\n")));
        } else {
            self.edits.push((value.end..value.end, format!(", {key}: {promise}")));
        }
    }

    fn apply(mut self) -> String {
        // Back to front; insertions at one offset keep their order.
        let mut order: Vec<usize> = (0..self.edits.len()).collect();
        order.sort_by(|a, b| self.edits[*b].0.start.cmp(&self.edits[*a].0.start).then(b.cmp(a)));
        let mut out = self.text.to_owned();
        let edits = std::mem::take(&mut self.edits);
        for i in order {
            let (span, with) = &edits[i];
            out.replace_range(span.clone(), with);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_everything_else() {
        let text = "a: [T1, T2] # keep\nb:\n  - T3  # also\n  - T4\n";
        let mut plan = Plan::new(text);
        let t2 = text.find("T2").expect("T2");
        plan.add_item(t2..t2 + 2, "T9");
        let t3 = text.find("T3").expect("T3");
        plan.replace(t3..t3 + 2, "T7");
        plan.add_item(t3..t3 + 2, "T8");
        let t4 = text.find("T4").expect("T4");
        plan.remove_item(t4..t4 + 2);
        assert_eq!(plan.apply(), "a: [T1, T2, T9] # keep\nb:\n  - T7  # also\n  - T8\n");
    }

    #[test]
    fn flow_items_are_removed_with_their_comma() {
        let text = "a: [T1, T2, T3]\n";
        for (item, expected) in [("T1", "a: [T2, T3]\n"), ("T2", "a: [T1, T3]\n"), ("T3", "a: [T1, T2]\n")] {
            let mut plan = Plan::new(text);
            let i = text.find(item).expect("item");
            plan.remove_item(i..i + 2);
            assert_eq!(plan.apply(), expected, "removing {item}");
        }
    }

    #[test]
    fn quoted_scalars_keep_their_quotes_and_entries_are_added_in_style() {
        let text = "v: \"18.1\"\nt:\n  defense-evasion: 60%   # why\n";
        let mut plan = Plan::new(text);
        let v = text.find("\"18.1\"").expect("v");
        plan.replace_scalar(v..v + 6, "19.0");
        let k = text.find("defense-evasion").expect("k");
        let value = text.find("60%").expect("value");
        plan.replace(k..k + "defense-evasion".len(), "stealth");
        plan.add_entry(k..k + "defense-evasion".len(), value..value + 3, "defense-impairment");
        assert_eq!(plan.apply(), "v: \"19.0\"\nt:\n  stealth: 60%   # why\n  defense-impairment: 60%\n");
    }
}
