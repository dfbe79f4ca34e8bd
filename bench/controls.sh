#!/usr/bin/env bash
# Issue 18: what technique weights and security-control mappings cost. Warm `ttpc compile` of
# the financial-services model with all of SigmaHQ: without them; with CTID's Top ATT&CK
# Techniques weights; with the weights plus all five Mappings Explorer files (AWS, Azure,
# Microsoft 365, NIST SP 800-53, CISA KEV) and a team's selection of capabilities; and with
# every capability of every file selected (the worst case: 8,600 mappings in every output).
#
#   bench/controls.sh              # needs hyperfine (apt-get install hyperfine) and ../shared
#
# The target: a warm compile with the weights and all five mapping files within 15 ms of one
# without (both kinds of file are parsed once and cached like rule sources). The files' own cost
# is the "one capability each" row; a selection adds what it selects to every output (a team's
# 30 NIST controls alone are 2,900 mappings), which is content, not parsing.
source "$(dirname "$0")/common.sh"

ctid="$shared/corpora/ctid"
plain="$work/plain.yaml"
financial_sigmahq "$plain"
weighted="$work/weighted.yaml"
cp "$plain" "$weighted"
printf 'priority:\n  weights:\n    - {kind: ctid-top-techniques, path: "%s"}\n' "$ctid/top-attack-techniques/Techniques.json" >> "$weighted"
controls="$work/controls.yaml"
cp "$weighted" "$controls"
# What a team selects: the cloud capabilities it runs, the NIST SP 800-53 controls it has
# implemented (30, a CSV), the known exploited CVEs its scanner found (25, a CSV).
me="$ctid/mappings-explorer"
python3 - "$me" "$work" <<'PY'
import json, sys
me, work = sys.argv[1], sys.argv[2]
nist = json.load(open(f"{me}/nist_800_53-rev5_attack-16.1-enterprise.json"))["mapping_objects"]
controls = sorted({m["capability_id"] for m in nist if m.get("capability_id")})[:30]
open(f"{work}/nist.csv", "w").write("control\n" + "".join(c + "\n" for c in controls))
kev = json.load(open(f"{me}/kev-07.28.2025_attack-16.1-enterprise.json"))["mapping_objects"]
cves = sorted({m["capability_id"] for m in kev if m.get("capability_id")})[:25]
open(f"{work}/scanner.csv", "w").write("host,cve\n" + "".join(f"host{i},{c}\n" for i, c in enumerate(cves)))
PY
cat > "$work/mapping-sources" <<YAML
  - {kind: mappings-explorer, path: "$me/aws-12.12.2024_attack-16.1-enterprise.json", capabilities: [amazon_guardduty, aws_config, aws_web_application_firewall, aws_network_firewall, aws_identity_and_access_management]}
  - {kind: mappings-explorer, path: "$me/azure-04.26.2025_attack-16.1-enterprise.json", capabilities: [microsoft_sentinel, alerts_for_windows_machines, defender_for_resource_manager, azure_network_security_groups]}
  - {kind: mappings-explorer, path: "$me/m365-07.18.2025_attack-16.1-enterprise.json", capabilities: [m365-defender, entra-id]}
  - {kind: mappings-explorer, path: "$me/nist_800_53-rev5_attack-16.1-enterprise.json", capabilities: {path: "$work/nist.csv"}}
  - {kind: mappings-explorer, path: "$me/kev-07.28.2025_attack-16.1-enterprise.json", capabilities: {path: "$work/scanner.csv"}}
YAML
# The files' own cost: all five loaded, one capability of each selected.
one="$work/one-each.yaml"
cp "$weighted" "$one"
cat > "$work/one-sources" <<YAML
  - {kind: mappings-explorer, path: "$me/aws-12.12.2024_attack-16.1-enterprise.json", capabilities: [amazon_guardduty]}
  - {kind: mappings-explorer, path: "$me/azure-04.26.2025_attack-16.1-enterprise.json", capabilities: [microsoft_sentinel]}
  - {kind: mappings-explorer, path: "$me/m365-07.18.2025_attack-16.1-enterprise.json", capabilities: [eop]}
  - {kind: mappings-explorer, path: "$me/nist_800_53-rev5_attack-16.1-enterprise.json", capabilities: [SI-04]}
  - {kind: mappings-explorer, path: "$me/kev-07.28.2025_attack-16.1-enterprise.json", capabilities: [CVE-2024-34102]}
YAML
sed -i "/^rules:/r $work/one-sources" "$one"
everything="$work/everything.yaml"
cp "$weighted" "$everything"
for f in "$me"/*_attack-16.1-enterprise.json; do
  printf '  - {kind: mappings-explorer, path: "%s", capabilities: all}\n' "$f"
done > "$work/all-sources"
sed -i "/^rules:/r $work/all-sources" "$everything"
# The mapping sources join the model's rule sources.
sed -i "/^rules:/r $work/mapping-sources" "$controls"

run() { echo "$bin compile --allow-outside $1 --attack-data $bundle --as-of 2026-03-15 --color never"; }
for m in "$plain" "$weighted" "$one" "$controls" "$everything"; do $(run "$m") > /dev/null 2>&1 || true; done
echo "== warm compile: plain, with CTID weights, with weights and the five mapping files"
hyperfine -N -i --warmup 3 --runs "${RUNS:-20}" --export-json "$work/controls.json" \
  -n plain "$(run "$plain")" -n weights "$(run "$weighted")" \
  -n "weights + 5 mapping files, one capability each" "$(run "$one")" \
  -n "weights + 5 mapping files, a team's selection" "$(run "$controls")" \
  -n "weights + 5 mapping files, every capability" "$(run "$everything")"
python3 - "$work/controls.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
plain = r["plain"]["median"] * 1000
for name in ("weights", "weights + 5 mapping files, one capability each", "weights + 5 mapping files, a team's selection",
             "weights + 5 mapping files, every capability"):
    d = r[name]["median"] * 1000 - plain
    print(f"{name}: {d:+.1f} ms over plain ({plain:.1f} ms median); within 15 ms: {'yes' if d <= 15 else 'no'}")
PY
