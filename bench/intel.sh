#!/usr/bin/env bash
# Issue 17: what the team's own intelligence costs. Warm `ttpc compile` of the financial-services
# model with all of SigmaHQ, without intelligence, with the 64 Unit 42 playbooks and the MISP
# galaxy as sources, and with three of their actors added; then `ttpc actors --match` over every
# ATT&CK group (warm: the knowledge-base index cached).
#
#   bench/intel.sh              # needs hyperfine (apt-get install hyperfine) and ../shared
#
# The target: the playbooks cost at most 10 ms on a warm compile, and --match answers in
# under 100 ms warm.
source "$(dirname "$0")/common.sh"

plain="$work/plain.yaml"
financial_sigmahq "$plain"
with="$work/with-intelligence.yaml"
cp "$plain" "$with"
printf 'intelligence:\n  - {kind: stix, path: "%s"}\n  - {kind: misp-galaxy, path: "%s"}\n' \
  "$shared/corpora/unit42-playbooks" "$shared/corpora/misp-galaxy/threat-actor.json" >> "$with"
actors="$work/with-actors.yaml"
sed -e 's|^actors:|actors:\n  - {ref: Rancor Taurus}\n  - {ref: Trident Ursa New}\n  - {ref: PUNCH COMET}|' "$with" > "$actors"

run() { echo "$bin compile --allow-outside $1 --attack-data $bundle --as-of 2026-03-15 --color never"; }
for m in "$plain" "$with" "$actors"; do $(run "$m") > /dev/null 2>&1 || true; done
echo "== warm compile: without intelligence, with the playbooks and MISP, with three of their actors"
hyperfine -N -i --warmup 3 --runs "${RUNS:-20}" "$(run "$plain")" "$(run "$with")" "$(run "$actors")"

echo "== actors --match over every group (warm)"
match=("$bin" actors --attack-data "$bundle" --match "T1566.001,T1204.002,T1059.001,T1547.001,T1055,T1003.001,T1071.001,T1105" --format json)
"${match[@]}" > /dev/null
hyperfine -N --warmup 3 --runs "${RUNS:-20}" "${match[*]}"
