#!/usr/bin/env bash
# Wall time (hyperfine) and peak memory (/usr/bin/time -v) of `ttpc compile` on the
# financial-services model's actors with all of SigmaHQ as the rule source, against ATT&CK 18.1.
#
#   bench/compile.sh            # needs hyperfine (apt-get install hyperfine) and ../shared
#
# TTPC_SHARED points at the shared test data (default: ../shared beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${TTPC_SHARED:-$(cd .. && pwd)/shared}"
shared="$(cd "$shared" && pwd)"
bundle="$shared/attack/enterprise-attack-18.1.json"

cargo build --release --locked --quiet
bin="$PWD/target/release/ttpc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sed -e "s|^rules:.*||" -e "/^  - {kind: .*examples\/rules/d" -e "s|^outputs:.*|outputs: {dir: $work/out}|" \
  models/financial-services.yaml > "$work/model.yaml"
cat >> "$work/model.yaml" <<YAML
rules:
  - {kind: sigma, path: "$shared/corpora/sigmahq", name: SigmaHQ}
YAML

run=("$bin" compile "$work/model.yaml" --attack-data "$bundle" --as-of 2026-03-15 --color never)
"${run[@]}" > /dev/null || true   # warm the page cache; a failing target (exit 1) is fine here

echo "== wall time"
hyperfine --warmup 2 --runs "${RUNS:-10}" -i --export-markdown "$work/compile.md" "${run[*]} > /dev/null"
echo "== peak memory"
/usr/bin/time -v "${run[@]}" 2>&1 >/dev/null | grep -E "Maximum resident set size|Elapsed \(wall clock\)" || true
