#!/usr/bin/env bash
# Rewrites examples/repo/expected/ after an intended change to ttpc's outputs.
#
# Outputs that quote ATT&CK's own prose (detection approaches in assessment.json, report.md,
# report.html and remediation-plan.yaml) are not redistributed here: they are pinned by their
# sha256 in SHA256SUMS and deleted; the layers, matrix.svg and gaps.csv carry only IDs, names,
# scores and colours, and are kept so a reader can look at them.
set -euo pipefail
cd "$(dirname "$0")"
shared="${TTPC_SHARED:-../../../shared}"
out=expected
rm -rf "$out"
cargo run --quiet --release -- compile threat-model.yaml \
    --attack-data "$shared/attack/enterprise-attack-18.1.json" --as-of 2026-03-15 -o "$out"
(cd "$out" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
rm -f "$out"/assessment.json "$out"/report.md "$out"/report.html "$out"/remediation-plan.yaml
