#!/usr/bin/env bash
# How cost grows: rule parsing with 1k, 10k and 100k synthetic rules; a compile with 1 actor up
# to every ATT&CK group; a batch of 1 to 200 models in one process.
#
#   bench/scaling.sh      # needs hyperfine and the shared test data
source "$(dirname "$0")/common.sh"
runs="${RUNS:-5}"

echo "== rules: parse N synthetic Sigma rules (no caches)"
for n in 1000 10000 100000; do
  python3 bench/gen_rules.py "$n" "$work/rules-$n"
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/rules-$n.json" \
    -n "$n rules" "env TTPC_NO_CACHE=1 $bin rules $work/rules-$n --kind sigma --format json" > /dev/null
  python3 -c "import json;r=json.load(open('$work/rules-$n.json'))['results'][0];print(f'$n rules: {r[\"mean\"]*1000:8.1f} ms  {$n/r[\"mean\"]:10.0f} rules/s')"
done

echo "== actors: the financial model's scope and SigmaHQ with 1 to all groups (warm caches)"
"$bin" actors --attack-data "$bundle" --format json | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)))' > "$work/groups.txt"
total=$(wc -l < "$work/groups.txt")
for n in 1 10 50 "$total"; do
  model="$work/actors-$n.yaml"
  financial_sigmahq "$model"
  python3 - "$model" "$work/groups.txt" "$n" <<'PY'
import re, sys
path, groups, n = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
text = open(path).read()
actors = "actors:\n" + "".join(f"  - {{ref: {g}}}\n" for g in groups[:n])
text = re.sub(r"actors:\n(  - .*\n)+", actors, text)
text = re.sub(r"targets:.*?(?=\nremediation)", "targets: {}", text, flags=re.S)
open(path, "w").write(text)
PY
  "$bin" compile --allow-outside "$model" --attack-data "$bundle" --as-of 2026-03-15 > /dev/null 2>&1 || true
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/actors-$n.json" \
    -n "$n actors" "$bin compile --allow-outside $model --attack-data $bundle --as-of 2026-03-15" > /dev/null
  python3 -c "import json;r=json.load(open('$work/actors-$n.json'))['results'][0];print(f'{$n:4d} actors: {r[\"mean\"]*1000:8.1f} ms')"
done

echo "== models: a batch of 1 to 200 financial-style models (warm caches)"
mkdir -p "$work/models"
for i in $(seq 1 200); do
  financial_sigmahq "$work/models/m$(printf %03d "$i").yaml"
done
for n in 1 10 50 200; do
  files=$(ls "$work"/models/m*.yaml | head -n "$n" | tr '\n' ' ')
  "$bin" compile --allow-outside $files --attack-data "$bundle" --as-of 2026-03-15 -o "$work/batch" > /dev/null 2>&1 || true
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/models-$n.json" \
    -n "$n models" "$bin compile --allow-outside $files --attack-data $bundle --as-of 2026-03-15 -o $work/batch" > /dev/null
  python3 -c "import json;r=json.load(open('$work/models-$n.json'))['results'][0];print(f'{$n:4d} models: {r[\"mean\"]*1000:8.1f} ms  ({r[\"mean\"]*1000/$n:6.1f} ms per model)')"
done
