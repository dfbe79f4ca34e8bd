//! Turns a parsed STIX bundle into the knowledge base's tables.
//!
//! Building happens in three passes: (1) collect the objects of each type, keyed by STIX id;
//! (2) sort each table by ATT&CK ID and assign indices; (3) walk the relationships once and fill
//! the links (`uses`, `attributed-to`, `subtechnique-of`, `mitigates`, `detects`, `revoked-by`).
//! Relationships that are themselves revoked or deprecated, or that point at objects the bundle
//! does not hold, are ignored: ATT&CK's own exports contain a few of each.

use std::borrow::Cow;
use std::collections::HashMap;

use super::KnowledgeBase;
use super::error::BundleProblem;
use super::stix::{Bundle, LogSourceRaw, Object};
use super::types::*;

/// What a STIX id points at once the tables are built.
#[derive(Clone, Copy, Debug)]
enum Target {
    Technique(TechniqueIdx),
    Group(GroupIdx),
    Campaign(CampaignIdx),
    Software(SoftwareIdx),
    Mitigation(MitigationIdx),
    DataComponent(DataComponentIdx),
    DetectionStrategy(DetectionStrategyIdx),
    Analytic(AnalyticIdx),
}

/// The bundle's objects by STIX type.
struct Objects<'b, 'a> {
    by_type: HashMap<&'b str, Vec<&'b Object<'a>>>,
}

impl<'b, 'a> Objects<'b, 'a> {
    fn new(bundle: &'b Bundle<'a>) -> Objects<'b, 'a> {
        let mut by_type: HashMap<&str, Vec<&Object<'_>>> = HashMap::new();
        for object in &bundle.objects {
            by_type.entry(object.kind.as_ref()).or_default().push(object);
        }
        Objects { by_type }
    }

    fn of_type(&self, t: &str) -> &[&'b Object<'a>] {
        self.by_type.get(t).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// STIX id → what it became in the tables.
type Targets = HashMap<String, Target>;

/// Builds the knowledge base from a parsed bundle: the matrix (domain and tactic order), then one
/// table per object type, then the relationships between them, then tidy link lists.
pub(crate) fn build(bundle: Bundle<'_>) -> Result<KnowledgeBase, BundleProblem> {
    if bundle.kind != "bundle" {
        return Err(BundleProblem::NotABundle { found: bundle.kind.into_owned() });
    }
    let flavour = flavour_of(&bundle)?;
    let objects = Objects::new(&bundle);
    let (domain, tactics) = matrix(&objects, bundle.objects.len())?;
    let mut targets = Targets::new();
    let techniques = techniques(&objects, domain, &tactics, &mut targets);
    let groups = groups(&objects, &mut targets);
    let campaigns = campaigns(&objects, &mut targets);
    let software = software(&objects, &mut targets);
    let mitigations = mitigations(&objects, &mut targets);
    let data_components = data_components(&objects, &mut targets);
    let analytics = analytics(&objects, &mut targets);
    let detection_strategies = detection_strategies(&objects, &mut targets);
    let version = objects
        .of_type("x-mitre-collection")
        .iter()
        .find_map(|c| c.x_mitre_version.as_deref().map(str::to_owned));
    let mut tables = super::Tables {
        domain,
        flavour,
        version,
        tactics,
        techniques,
        groups,
        campaigns,
        software,
        mitigations,
        data_components,
        detection_strategies,
        analytics,
    };
    link(&objects, &targets, &mut tables);
    tidy(&mut tables);
    Ok(KnowledgeBase::from_tables(tables))
}

/// The matrix fixes the domain and the tactic order. Deprecated matrices (Mobile's old
/// "Network-Based Effects") are skipped; should a bundle hold two live matrices, the tactics of
/// the second follow those of the first.
fn matrix(objects: &Objects<'_, '_>, count: usize) -> Result<(Domain, Vec<Tactic>), BundleProblem> {
    let matrices: Vec<&Object<'_>> =
        objects.of_type("x-mitre-matrix").iter().copied().filter(|m| m.is_active()).collect();
    let Some(first_matrix) = matrices.first() else {
        return Err(BundleProblem::NoMatrix { objects: count });
    };
    let domain_id = first_matrix
        .attack_id()
        .map(str::to_owned)
        .or_else(|| first_matrix.x_mitre_domains.first().map(|d| d.to_string()))
        .unwrap_or_default();
    let domain =
        Domain::parse(&domain_id).ok_or_else(|| BundleProblem::UnknownDomain { found: domain_id.clone() })?;
    let tactic_objects: HashMap<&str, &Object<'_>> =
        objects.of_type("x-mitre-tactic").iter().map(|o| (o.id.as_ref(), *o)).collect();
    let mut tactics: Vec<Tactic> = Vec::new();
    for matrix in &matrices {
        for tactic_ref in &matrix.tactic_refs {
            let Some(object) = tactic_objects.get(tactic_ref.as_ref()) else {
                continue;
            };
            if tactics.iter().any(|t| t.stix_id == object.id) {
                continue;
            }
            tactics.push(Tactic {
                id: object.attack_id().unwrap_or_default().to_owned(),
                stix_id: object.id.to_string(),
                name: owned(&object.name),
                shortname: owned(&object.x_mitre_shortname),
            });
        }
    }
    Ok((domain, tactics))
}

/// Techniques and sub-techniques, with their tactics (this domain's kill chain only) and their
/// parent from the ID.
fn techniques(
    objects: &Objects<'_, '_>,
    domain: Domain,
    tactics: &[Tactic],
    targets: &mut Targets,
) -> Vec<Technique> {
    let kill_chain = match domain {
        Domain::EnterpriseAttack => "mitre-attack",
        Domain::IcsAttack => "mitre-ics-attack",
        Domain::MobileAttack => "mitre-mobile-attack",
    };
    let tactic_by_shortname: HashMap<&str, TacticIdx> =
        tactics.iter().enumerate().map(|(i, t)| (t.shortname.as_str(), TacticIdx(i as u32))).collect();
    let technique_objects = with_attack_ids(objects.of_type("attack-pattern"));
    let mut techniques: Vec<Technique> = technique_objects
        .iter()
        .map(|(id, o)| {
            let mut tactic_idx: Vec<TacticIdx> = o
                .kill_chain_phases
                .iter()
                .filter(|p| p.kill_chain_name == kill_chain)
                .filter_map(|p| tactic_by_shortname.get(p.phase_name.as_ref()).copied())
                .collect();
            tactic_idx.sort();
            tactic_idx.dedup();
            Technique {
                id: id.clone(),
                stix_id: o.id.to_string(),
                name: owned(&o.name),
                url: o.attack_url().map(str::to_owned),
                tactics: tactic_idx,
                platforms: strings(&o.x_mitre_platforms),
                status: Status::from_flags(o.revoked, o.x_mitre_deprecated),
                revoked_by: None,
                parent: None,
                subtechniques: Vec::new(),
                mitigations: Vec::new(),
                detection_strategies: Vec::new(),
                data_components: Vec::new(),
            }
        })
        .collect();
    register(targets, &technique_objects, |i| Target::Technique(TechniqueIdx(i)));
    let technique_by_id: HashMap<String, TechniqueIdx> =
        techniques.iter().enumerate().map(|(i, t)| (t.id.clone(), TechniqueIdx(i as u32))).collect();
    // Parents come from the ID as well as from `subtechnique-of`: the ID is authoritative in
    // ATT&CK and some exports omit the relationship for revoked sub-techniques.
    for technique in &mut techniques {
        if let Some((parent_id, _)) = technique.id.split_once('.') {
            technique.parent = technique_by_id.get(parent_id).copied();
        }
    }
    techniques
}

fn groups(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<Group> {
    let group_objects = with_attack_ids(objects.of_type("intrusion-set"));
    let groups = group_objects
        .iter()
        .map(|(id, o)| Group {
            id: id.clone(),
            stix_id: o.id.to_string(),
            name: owned(&o.name),
            aliases: aliases(o, &o.aliases),
            url: o.attack_url().map(str::to_owned),
            status: Status::from_flags(o.revoked, o.x_mitre_deprecated),
            revoked_by: None,
            techniques: Vec::new(),
            software: Vec::new(),
            campaigns: Vec::new(),
        })
        .collect();
    register(targets, &group_objects, |i| Target::Group(GroupIdx(i)));
    groups
}

fn campaigns(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<Campaign> {
    let campaign_objects = with_attack_ids(objects.of_type("campaign"));
    let campaigns = campaign_objects
        .iter()
        .map(|(id, o)| Campaign {
            id: id.clone(),
            stix_id: o.id.to_string(),
            name: owned(&o.name),
            aliases: aliases(o, &o.aliases),
            status: Status::from_flags(o.revoked, o.x_mitre_deprecated),
            first_seen: o.first_seen.as_deref().map(str::to_owned),
            last_seen: o.last_seen.as_deref().map(str::to_owned),
            groups: Vec::new(),
            techniques: Vec::new(),
            software: Vec::new(),
        })
        .collect();
    register(targets, &campaign_objects, |i| Target::Campaign(CampaignIdx(i)));
    campaigns
}

/// Malware and tools, in one table.
fn software(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<Software> {
    let mut software_raw: Vec<&Object<'_>> = objects.of_type("malware").to_vec();
    software_raw.extend_from_slice(objects.of_type("tool"));
    let software_objects = with_attack_ids(&software_raw);
    let software = software_objects
        .iter()
        .map(|(id, o)| Software {
            id: id.clone(),
            stix_id: o.id.to_string(),
            name: owned(&o.name),
            kind: if o.kind == "tool" { SoftwareKind::Tool } else { SoftwareKind::Malware },
            aliases: aliases(o, &o.x_mitre_aliases),
            platforms: strings(&o.x_mitre_platforms),
            status: Status::from_flags(o.revoked, o.x_mitre_deprecated),
            techniques: Vec::new(),
        })
        .collect();
    register(targets, &software_objects, |i| Target::Software(SoftwareIdx(i)));
    software
}

fn mitigations(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<Mitigation> {
    let mitigation_objects = with_attack_ids(objects.of_type("course-of-action"));
    let mitigations = mitigation_objects
        .iter()
        .map(|(id, o)| Mitigation {
            id: id.clone(),
            name: owned(&o.name),
            status: Status::from_flags(o.revoked, o.x_mitre_deprecated),
        })
        .collect();
    register(targets, &mitigation_objects, |i| Target::Mitigation(MitigationIdx(i)));
    mitigations
}

/// Data components of both eras, sorted by name; their log sources point at other components.
fn data_components(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<DataComponent> {
    let data_source_names: HashMap<&str, String> =
        objects.of_type("x-mitre-data-source").iter().map(|o| (o.id.as_ref(), owned(&o.name))).collect();
    let mut component_objects: Vec<&Object<'_>> = objects.of_type("x-mitre-data-component").to_vec();
    component_objects.sort_by(|a, b| (a.name.as_deref(), &a.id).cmp(&(b.name.as_deref(), &b.id)));
    let component_by_stix = components_by_stix(objects);
    let components = component_objects
        .iter()
        .map(|o| DataComponent {
            id: o.attack_id().map(str::to_owned),
            stix_id: o.id.to_string(),
            name: owned(&o.name),
            data_source: o.x_mitre_data_source_ref.as_deref().and_then(|r| data_source_names.get(r).cloned()),
            log_sources: log_sources(&o.x_mitre_log_sources, &component_by_stix),
        })
        .collect();
    for (i, o) in component_objects.iter().enumerate() {
        targets.insert(o.id.to_string(), Target::DataComponent(DataComponentIdx(i as u32)));
    }
    components
}

/// Data components by STIX id, indexed in the order [`data_components`] gives them.
fn components_by_stix<'b>(objects: &Objects<'b, '_>) -> HashMap<&'b str, DataComponentIdx> {
    let mut component_objects: Vec<&Object<'_>> = objects.of_type("x-mitre-data-component").to_vec();
    component_objects.sort_by(|a, b| (a.name.as_deref(), &a.id).cmp(&(b.name.as_deref(), &b.id)));
    component_objects.iter().enumerate().map(|(i, o)| (o.id.as_ref(), DataComponentIdx(i as u32))).collect()
}

/// Analytics (v18+), with the log sources they read.
fn analytics(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<Analytic> {
    let component_by_stix = components_by_stix(objects);
    let analytic_objects = with_attack_ids(objects.of_type("x-mitre-analytic"));
    let analytics = analytic_objects
        .iter()
        .map(|(id, o)| Analytic {
            id: id.clone(),
            stix_id: o.id.to_string(),
            name: owned(&o.name),
            description: owned(&o.description),
            platforms: strings(&o.x_mitre_platforms),
            log_sources: log_sources(&o.x_mitre_log_source_references, &component_by_stix),
        })
        .collect();
    register(targets, &analytic_objects, |i| Target::Analytic(AnalyticIdx(i)));
    analytics
}

/// Detection strategies (v18+), each with its analytics (registered before).
fn detection_strategies(objects: &Objects<'_, '_>, targets: &mut Targets) -> Vec<DetectionStrategy> {
    let strategy_objects = with_attack_ids(objects.of_type("x-mitre-detection-strategy"));
    let strategies = strategy_objects
        .iter()
        .map(|(id, o)| {
            let mut refs: Vec<AnalyticIdx> = o
                .x_mitre_analytic_refs
                .iter()
                .filter_map(|r| match targets.get(r.as_ref()) {
                    Some(Target::Analytic(a)) => Some(*a),
                    _ => None,
                })
                .collect();
            refs.sort();
            refs.dedup();
            DetectionStrategy { id: id.clone(), name: owned(&o.name), analytics: refs }
        })
        .collect();
    register(targets, &strategy_objects, |i| Target::DetectionStrategy(DetectionStrategyIdx(i)));
    strategies
}

/// One pass over the relationships fills the links (`uses`, `attributed-to`, `subtechnique-of`,
/// `mitigates`, `detects`, `revoked-by`); revoked-by chains are then followed to their end.
fn link(objects: &Objects<'_, '_>, targets: &Targets, t: &mut super::Tables) {
    let mut technique_revoked_by: Vec<Option<TechniqueIdx>> = vec![None; t.techniques.len()];
    for rel in objects.of_type("relationship") {
        if !rel.is_active() {
            continue;
        }
        let (Some(kind), Some(source), Some(target)) =
            (rel.relationship_type.as_deref(), rel.source_ref.as_deref(), rel.target_ref.as_deref())
        else {
            continue;
        };
        let (Some(&source), Some(&target)) = (targets.get(source), targets.get(target)) else {
            continue;
        };
        use Target as T;
        match (kind, source, target) {
            ("subtechnique-of", T::Technique(sub), T::Technique(parent)) => {
                t.techniques[sub.get()].parent = Some(parent);
            }
            ("revoked-by", T::Technique(old), T::Technique(new)) => {
                technique_revoked_by[old.get()] = Some(new);
            }
            ("revoked-by", T::Group(old), T::Group(new)) => t.groups[old.get()].revoked_by = Some(new),
            ("uses", T::Group(g), T::Technique(x)) => t.groups[g.get()].techniques.push(x),
            ("uses", T::Group(g), T::Software(s)) => t.groups[g.get()].software.push(s),
            ("uses", T::Campaign(c), T::Technique(x)) => t.campaigns[c.get()].techniques.push(x),
            ("uses", T::Campaign(c), T::Software(s)) => t.campaigns[c.get()].software.push(s),
            ("uses", T::Software(s), T::Technique(x)) => t.software[s.get()].techniques.push(x),
            ("attributed-to", T::Campaign(c), T::Group(g)) => {
                t.campaigns[c.get()].groups.push(g);
                t.groups[g.get()].campaigns.push(c);
            }
            ("mitigates", T::Mitigation(m), T::Technique(x)) => t.techniques[x.get()].mitigations.push(m),
            ("detects", T::DetectionStrategy(d), T::Technique(x)) => {
                t.techniques[x.get()].detection_strategies.push(d);
            }
            ("detects", T::DataComponent(d), T::Technique(x)) => {
                t.techniques[x.get()].data_components.push(d)
            }
            _ => {}
        }
    }
    // ATT&CK has a few two-step chains.
    for (technique, end) in t.techniques.iter_mut().zip(chain_ends(&technique_revoked_by)) {
        technique.revoked_by = end;
    }
    let group_links: Vec<Option<GroupIdx>> = t.groups.iter().map(|g| g.revoked_by).collect();
    for (group, end) in t.groups.iter_mut().zip(chain_ends(&group_links)) {
        group.revoked_by = end;
    }
}

/// Sub-technique lists, then every link list sorted, unique and free of techniques that are no
/// longer part of ATT&CK (a profile must never contain one).
fn tidy(t: &mut super::Tables) {
    for i in 0..t.techniques.len() {
        if let Some(parent) = t.techniques[i].parent {
            t.techniques[parent.get()].subtechniques.push(TechniqueIdx(i as u32));
        }
    }
    let active: Vec<bool> = t.techniques.iter().map(Technique::is_active).collect();
    let keep_active = |list: &mut Vec<TechniqueIdx>| {
        list.retain(|x| active[x.get()]);
        sort_dedup(list);
    };
    for x in &mut t.techniques {
        sort_dedup(&mut x.subtechniques);
        sort_dedup(&mut x.mitigations);
        sort_dedup(&mut x.detection_strategies);
        sort_dedup(&mut x.data_components);
    }
    for g in &mut t.groups {
        keep_active(&mut g.techniques);
        sort_dedup(&mut g.software);
        sort_dedup(&mut g.campaigns);
    }
    for c in &mut t.campaigns {
        keep_active(&mut c.techniques);
        sort_dedup(&mut c.software);
        sort_dedup(&mut c.groups);
    }
    for s in &mut t.software {
        keep_active(&mut s.techniques);
    }
}

/// For each entry of a revoked-by table, the last link of its chain. A cycle, which would be a
/// broken bundle, ends where it closes.
///
/// Each entry's end is worked out once and reused by every chain passing through it: following
/// every chain from scratch took n²/2 steps for a bundle of n techniques each revoked by the next
/// (32,000 of them, a 20 MB file, took seconds), so a hostile bundle could stall the compiler.
fn chain_ends<I: Copy + Into<usize>>(links: &[Option<I>]) -> Vec<Option<I>> {
    // The index type for every entry some link points at: chains only ever end on those.
    let mut handle: Vec<Option<I>> = vec![None; links.len()];
    for link in links.iter().flatten() {
        handle[(*link).into()] = Some(*link);
    }
    // The last entry reached from each entry (itself when it has no link), once known.
    let mut last: Vec<Option<usize>> = vec![None; links.len()];
    let mut on_path = vec![false; links.len()];
    let mut path = Vec::new();
    for start in 0..links.len() {
        let mut current = start;
        let end = loop {
            if let Some(known) = last[current] {
                break known;
            }
            if on_path[current] {
                break current;
            }
            on_path[current] = true;
            path.push(current);
            match links[current] {
                Some(next) => current = next.into(),
                None => break current,
            }
        };
        for entry in path.drain(..) {
            last[entry] = Some(end);
            on_path[entry] = false;
        }
    }
    links.iter().map(|link| link.and_then(|next| last[next.into()].and_then(|end| handle[end]))).collect()
}

fn flavour_of(bundle: &Bundle<'_>) -> Result<StixFlavour, BundleProblem> {
    // STIX 2.0 puts `spec_version` on the bundle, STIX 2.1 on each object; a bundle with neither
    // is read as 2.0, the older convention.
    let declared = bundle
        .spec_version
        .as_deref()
        .or_else(|| bundle.objects.iter().find_map(|o| o.spec_version.as_deref()));
    match declared {
        Some("2.0") | None => Ok(StixFlavour::Stix20),
        Some("2.1") => Ok(StixFlavour::Stix21),
        Some(other) => Err(BundleProblem::UnsupportedSpec { found: other.to_owned() }),
    }
}

/// Objects that carry an ATT&CK ID, sorted by it. When two objects of one type share an ID
/// (ATT&CK keeps a few revoked duplicates), the active one wins and the other is dropped.
fn with_attack_ids<'o, 'a>(objects: &[&'o Object<'a>]) -> Vec<(String, &'o Object<'a>)> {
    let mut list: Vec<(String, &Object<'_>)> =
        objects.iter().filter_map(|o| o.attack_id().map(|id| (id.to_ascii_uppercase(), *o))).collect();
    list.sort_by(|(a, x), (b, y)| a.cmp(b).then(y.is_active().cmp(&x.is_active())).then(x.id.cmp(&y.id)));
    list.dedup_by(|later, earlier| later.0 == earlier.0);
    list
}

fn register(targets: &mut Targets, list: &[(String, &Object<'_>)], make: impl Fn(u32) -> Target) {
    for (i, (_, o)) in list.iter().enumerate() {
        targets.insert(o.id.to_string(), make(i as u32));
    }
}

fn log_sources(raw: &[LogSourceRaw<'_>], components: &HashMap<&str, DataComponentIdx>) -> Vec<LogSource> {
    let mut list: Vec<LogSource> = raw
        .iter()
        .filter_map(|l| {
            Some(LogSource {
                name: l.name.as_deref()?.to_owned(),
                channel: l.channel.as_deref().map(str::to_owned),
                data_component: l
                    .x_mitre_data_component_ref
                    .as_deref()
                    .and_then(|r| components.get(r).copied()),
            })
        })
        .collect();
    list.sort();
    list.dedup();
    list
}

fn aliases(object: &Object<'_>, list: &[Cow<'_, str>]) -> Vec<String> {
    let name = object.name.as_deref().unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for alias in list {
        if alias.as_ref() != name && !out.iter().any(|a| a == alias.as_ref()) {
            out.push(alias.to_string());
        }
    }
    out
}

fn owned(value: &Option<Cow<'_, str>>) -> String {
    value.as_deref().unwrap_or_default().to_owned()
}

fn strings(list: &[Cow<'_, str>]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn sort_dedup<T: Ord>(list: &mut Vec<T>) {
    list.sort();
    list.dedup();
}

#[cfg(test)]
mod tests {
    use super::chain_ends;

    #[test]
    fn chain_ends_follow_chains_and_stop_on_cycles() {
        // 0 → 1 → 2; 3 alone; 4 → 5 → 4 (a cycle); 6 → 4 (into the cycle).
        let links = [Some(1usize), Some(2), None, None, Some(5), Some(4), Some(4)];
        let ends = chain_ends(&links);
        assert_eq!(&ends[..4], &[Some(2), Some(2), None, None]);
        for (i, end) in ends.iter().enumerate().skip(4) {
            assert!(matches!(end, Some(4 | 5)), "entry {i} ends at {end:?}, not on its cycle");
        }
    }

    #[test]
    fn a_long_chain_takes_linear_time() {
        // Quadratic before: 200,000 entries each revoked by the next meant 2·10¹⁰ steps.
        let n = 200_000;
        let links: Vec<Option<usize>> = (0..n).map(|i| (i + 1 < n).then_some(i + 1)).collect();
        let ends = chain_ends(&links);
        assert!(ends[..n - 1].iter().all(|end| *end == Some(n - 1)));
        assert_eq!(ends[n - 1], None);
    }
}
