#!/usr/bin/env bash
# Peak memory and wall time of the release binary on each hostile input of tests/it/hostile.rs
# (and the sizes they are bounded by), measured with GNU time. Prints a Markdown table.
#
#   bench/hostile.sh            # builds --release first
#
# The inputs are generated in a temporary folder; nothing is written to the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cargo build --release --locked --quiet
ttpc="$root/target/release/ttpc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TTPC_NO_CACHE=1 NO_COLOR=1 TTPC_CACHE="$work/.cache"

repo() { # repo NAME EXTRA_YAML: a throw-away repository with a model and the mini bundle
    local dir="$work/$1"
    mkdir -p "$dir/.git" "$dir/models"
    cp "$root/tests/fixtures/attack/mini-enterprise-2.1.json" "$dir/attack.json"
    printf 'ttpc: 1\nname: Hostile\nattack: {domain: enterprise-attack, version: "18.1"}\nactors:\n  - ref: FIN7\n%s' "$2" >"$dir/models/model.yaml"
    echo "$dir"
}

measure() { # measure LABEL DIR ARGS...: one table row
    local label=$1 dir=$2
    shift 2
    local code=0
    (cd "$dir" && /usr/bin/time -f '%M %e' -o "$work/time" "$ttpc" "$@" >/dev/null 2>"$work/stderr") || code=$?
    # GNU time puts "Command exited with non-zero status N" first; the figures are last.
    read -r kib secs < <(tail -n 1 "$work/time")
    local diag
    diag=$(grep -oE 'ttpc::[a-z_:]+' "$work/stderr" | sort -u | tr '\n' ' ' || true)
    printf '| %s | %s | %.1f MiB | %s s | %s |\n' "$label" "$code" "$(echo "$kib / 1024" | bc -l)" "$secs" "${diag:-—}"
}

compile=(compile models/model.yaml --attack-data attack.json --as-of 2026-03-15)

echo "| hostile input | exit | peak memory | wall | diagnostics |"
echo "|---|---|---|---|---|"

bomb=$(python3 -c '
print("lol0: &a0 [" + ", ".join(["lol"] * 9) + "]")
for i in range(1, 10):
    print(f"lol{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]")')
d=$(repo alias-bomb "$bomb"$'\n')
measure "model: YAML alias bomb (10⁹ strings expanded)" "$d" "${compile[@]}"

d=$(repo deep "x: $(python3 -c 'print("["*100000 + "]"*100000)')"$'\n')
measure "model: 100,000 nested flow sequences" "$d" "${compile[@]}"

d=$(repo long-line "description: $(python3 -c 'print("a"*200000)'): b: c"$'\n')
measure "model: error at column 200,007" "$d" "${compile[@]}"

d=$(repo huge-model "")
truncate -s 2G "$d/models/model.yaml"
measure "model: 2 GiB file" "$d" "${compile[@]}"

d=$(repo huge-bundle "")
truncate -s 2G "$d/attack.json"
measure "ATT&CK bundle: 2 GiB file" "$d" "${compile[@]}"

d=$(repo huge-rule $'rules:\n  - {kind: sigma, path: ../rules}\n')
mkdir -p "$d/rules"
truncate -s 2G "$d/rules/huge.yml"
measure "rule source: 2 GiB Sigma file" "$d" "${compile[@]}"

d=$(repo deep-rule $'rules:\n  - {kind: sigma, path: ../rules}\n')
mkdir -p "$d/rules"
python3 -c 'print("title: Deep\ndetection: " + "{a: "*50000 + "}"*50000)' >"$d/rules/deep.yml"
measure "rule source: 50,000 nested flow mappings" "$d" "${compile[@]}"

d=$(repo loop $'rules:\n  - {kind: sigma, path: ../rules}\n')
mkdir -p "$d/rules/a"
ln -s .. "$d/rules/a/loop"
ln -s loop2 "$d/rules/loop1"
ln -s loop1 "$d/rules/loop2"
measure "rule source: directory symlink loops" "$d" "${compile[@]}"

d=$(repo tiny $'rules:\n  - {kind: csv, path: ../rules}\n')
python3 - "$d/rules" <<'EOF'
import os, sys
root = sys.argv[1]
for folder in range(100):
    sub = os.path.join(root, f"{folder:03}")
    os.makedirs(sub)
    for n in range(1000):
        with open(os.path.join(sub, f"{n:04}.csv"), "w") as f:
            f.write(f"id,techniques\nR{folder}-{n},T1059.001\n")
EOF
measure "rule source: 100,000 tiny files" "$d" "${compile[@]}" -o out
measure "rule source: 100,000 tiny files, --max-files 50000" "$d" "${compile[@]}" --max-files 50000

d=$(repo million "")
python3 - "$root/tests/fixtures/attack/mini-enterprise-2.1.json" "$d/attack.json" <<'EOF'
import json, sys
bundle = json.load(open(sys.argv[1]))
objs = bundle["objects"]
group = next(o["id"] for o in objs if o["type"] == "intrusion-set")
tech = next(o["id"] for o in objs if o["type"] == "attack-pattern")
with open(sys.argv[2], "w") as out:
    out.write('{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[')
    out.write(",".join(json.dumps(o) for o in objs))
    for i in range(1_000_000):
        out.write(',{"type":"relationship","spec_version":"2.1","id":"relationship--00000000-0000-4000-8000-%012d","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","relationship_type":"uses","source_ref":"%s","target_ref":"%s"}' % (i, group, tech))
    out.write("]}")
EOF
measure "ATT&CK bundle: 1,000,000 relationships ($(du -h "$d/attack.json" | cut -f1))" "$d" actors --attack-data attack.json
measure "ATT&CK bundle: same, compile" "$d" "${compile[@]}"

for t in loop recurse include flood; do
    case $t in
    loop) src='{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}' ;;
    recurse) src='{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}' ;;
    include) src="{% include '/etc/passwd' %}" ;;
    flood) src="{% set s = 'x' * 10000000 %}{% for i in range(100) %}{{ s }}{% endfor %}" ;;
    esac
    d=$(repo "template-$t" "outputs: {report: {template: ../templates/$t.md.j2}}"$'\n')
    mkdir -p "$d/templates"
    printf '%s' "$src" >"$d/templates/$t.md.j2"
    measure "template: $t" "$d" "${compile[@]}"
done
