#!/usr/bin/env python3
"""The job `ttpc compile` does, done the way most teams do it today: mitreattack-python for the
ATT&CK side, pySigma for the rules. Used by bench/compare.sh to time ttpc against it and to check
both print the same coverage figures.

    python3 bench/reference.py MODEL.yaml ATTACK_BUNDLE.json YYYY-MM-DD

Reads the same model as ttpc (actors by ID, name or alias; via_software; scope.platforms;
coverage.count_status; accepted) with a single Sigma rule source, applies ttpc's documented
semantics (profiles = group uses + attributed campaigns (+ software); revoked/deprecated
techniques dropped; a rule on a sub-technique covers its parent; accepted risks left out), and
prints one line: `covered=N gaps=N accepted=N out_of_scope=N percent=P`.
"""
import datetime
import os
import sys

import yaml
from mitreattack.stix20 import MitreAttackData
from sigma.collection import SigmaCollection


V19_MOVES = [
    ("T1070.001", "T1685.005"), ("T1070.002", "T1685.006"), ("T1562", "T1685"), ("T1562.001", "T1685"),
    ("T1562.002", "T1685.001"), ("T1562.003", "T1690"), ("T1562.004", "T1686"), ("T1562.006", "T1685"),
    ("T1562.007", "T1686.001"), ("T1562.008", "T1685.002"), ("T1562.009", "T1688"), ("T1562.010", "T1689"),
    ("T1562.011", "T1685.003"), ("T1562.012", "T1685.004"), ("T1562.013", "T1686.002"), ("T1656", "T1684.001"),
    ("T1672", "T1684.002"),
]
NEW_IN_19_WITH_18_PARENT = {"T1027.018"}


def attack_id(obj):
    for ref in obj.get("external_references", []):
        if ref.get("source_name") == "mitre-attack":
            return ref.get("external_id")
    return None


def active(obj):
    return not obj.get("revoked", False) and not obj.get("x_mitre_deprecated", False)


def main(model_path, bundle_path, as_of):
    model = yaml.safe_load(open(model_path))
    as_of = datetime.date.fromisoformat(as_of)
    data = MitreAttackData(bundle_path)

    groups = [g for g in data.get_groups(remove_revoked_deprecated=True)]

    def find_group(ref):
        ref_lower = ref.lower()
        for g in groups:
            if (attack_id(g) or "").lower() == ref_lower or g["name"].lower() == ref_lower:
                return g
        for g in groups:
            if any(a.lower() == ref_lower for a in g.get("aliases", [])):
                return g
        raise SystemExit(f"unknown actor {ref}")

    def technique_ids(entries):
        return {attack_id(e["object"]) for e in entries if active(e["object"])}

    union = {}
    for actor in model["actors"]:
        group = find_group(actor["ref"])
        ids = technique_ids(data.get_techniques_used_by_group(group["id"]))
        for campaign in data.get_campaigns_attributed_to_group(group["id"]):
            if active(campaign["object"]):
                ids |= technique_ids(data.get_techniques_used_by_campaign(campaign["object"]["id"]))
        if actor.get("via_software"):
            software = list(data.get_software_used_by_group(group["id"]))
            for campaign in data.get_campaigns_attributed_to_group(group["id"]):
                if active(campaign["object"]):
                    software += data.get_software_used_by_campaign(campaign["object"]["id"])
            for sw in software:
                if active(sw["object"]):
                    ids |= technique_ids(data.get_techniques_used_by_software(sw["object"]["id"]))
        for t in ids:
            union[t] = True

    platforms = {}
    for t in data.get_techniques(remove_revoked_deprecated=True):
        platforms[attack_id(t)] = t.get("x_mitre_platforms", [])
    scope = set(model.get("scope", {}).get("platforms", []))

    counted = set(model.get("coverage", {}).get("count_status") or [])
    (source,) = [r for r in model["rules"] if r["kind"] == "sigma"]
    path = source["path"]
    if not os.path.isabs(path):
        path = os.path.join(os.path.dirname(model_path), path)
    rules = SigmaCollection.load_ruleset([path])
    ruled = set()
    for rule in rules:
        status = str(rule.status.name).lower() if rule.status else None
        if counted and status is not None and status not in counted:
            continue
        for tag in rule.tags:
            if tag.namespace == "attack" and tag.name[:1].lower() == "t" and tag.name[1:5].isdigit():
                ruled.add(tag.name.upper())

    # SigmaHQ tags ATT&CK 19.0 IDs; like ttpc, count each for the 18.x techniques it revoked
    # (MITRE's v19 release notes), a new sub-technique through its parent.
    inverse = {}
    for old, new in V19_MOVES:
        inverse.setdefault(new, []).append(old)
    for tag in list(ruled):
        if tag in platforms:
            continue
        parent = tag.split(".")[0]
        # A new parent whose sub-techniques revoked techniques stands for all of them.
        through_subs = [o for new, olds in inverse.items() if "." not in tag and new.startswith(tag + ".") for o in olds]
        olds = inverse.get(tag) or through_subs or inverse.get(parent)
        if olds:
            ruled.update(olds)
        elif tag in NEW_IN_19_WITH_18_PARENT:
            ruled.add(parent)

    accepted = {a["technique"].upper() for a in model.get("accepted", [])
                if datetime.date.fromisoformat(str(a["expires"])) >= as_of}

    covered = gaps = acc = out = 0
    for t in union:
        in_scope = not scope or not platforms.get(t) or any(p in scope for p in platforms.get(t, []))
        is_covered = t in ruled or ("." not in t and any(r.startswith(t + ".") for r in ruled))
        if not in_scope:
            out += 1
        elif is_covered:
            covered += 1
        elif t in accepted:
            acc += 1
        else:
            gaps += 1
    percent = round(covered * 1000 / (covered + gaps)) / 10 if covered + gaps else 0.0
    print(f"covered={covered} gaps={gaps} accepted={acc} out_of_scope={out} percent={percent:.1f}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
