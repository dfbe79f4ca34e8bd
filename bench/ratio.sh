#!/usr/bin/env bash
# The speed targets of docs/performance.md, measured in one hyperfine run: `ttpc compile` of the
# financial model's three actors over all of SigmaHQ, warm (caches filled) and cold (no caches),
# against the yardstick, a bare `serde_json::Value` parse of the enterprise 18.1 bundle by a
# program of its own (benches/bare_parse.rs). Prints each as a multiple of the yardstick.
#
#   bench/ratio.sh              # needs hyperfine (apt-get install hyperfine) and ../shared
source "$(dirname "$0")/common.sh"

model="$work/model.yaml"
financial_sigmahq "$model"
bare="$(cargo bench --locked --bench bare_parse --no-run --message-format=json 2>/dev/null \
    | grep '"executable":"[^"]*bare_parse' | sed 's/.*"executable":"\([^"]*\)".*/\1/' | tail -1)"
[ -x "$bare" ] || { echo "could not build benches/bare_parse.rs" >&2; exit 2; }
run="$bin compile --allow-outside $model --attack-data $bundle --as-of 2026-03-15 --color never -o $work/out"
$run > /dev/null || true   # fill the caches

hyperfine -N -i --warmup 3 --runs "${RUNS:-30}" --export-json "$work/ratio.json" \
    -n "bare serde_json::Value parse" "$bare $bundle" \
    -n "ttpc compile, warm" "$run" \
    -n "ttpc compile, cold" "env TTPC_NO_CACHE=1 $run"
python3 - "$work/ratio.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["bare serde_json::Value parse"]["mean"]
for name, r in results.items():
    print(f"{name:32} {r['mean'] * 1000:8.1f} ms  {r['mean'] / base:5.2f} × the bare parse")
PY
