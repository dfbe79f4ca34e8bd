#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's own fixtures and examples, plus every past
# finding in tests/fixtures/fuzz/<target>/. corpus/ is gitignored: run this before fuzzing.
#
# With TTPC_SHARED (or ../shared beside the repository) present, a sample of its third-party rule
# corpora is added too, to the local corpus only; nothing from it may be committed.
# TTPC_FUZZ_SHARED_MAX caps the files taken per target from it (default 300; 0 disables).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
corpus=fuzz/corpus

# seed <target> <file-or-folder>... [-- find predicates]: copies matching files, named after
# their path so two fixtures with the same file name do not collide.
seed() {
    local target=$1
    shift
    local sources=() predicates=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        sources+=("$1")
        shift
    done
    if [ $# -gt 0 ]; then
        shift
        predicates=("$@")
    fi
    mkdir -p "$corpus/$target"
    local src file name
    for src in "${sources[@]}"; do
        [ -e "$src" ] || continue
        while IFS= read -r -d '' file; do
            name=$(printf '%s' "$file" | tr '/ ' '__')
            cp -- "$file" "$corpus/$target/$name"
        done < <(find "$src" -type f -size -1048576c ${predicates[@]+"${predicates[@]}"} -print0)
    done
}

fx=tests/fixtures
seed model "$fx/models" "$fx/compile/model.yaml" "$fx/emulation/model.yaml" models \
    examples/repo/threat-model.yaml -- -name '*.yaml'
seed stix "$fx/attack" -- -name '*.json'
seed rules_sigma "$fx/rules/sigma" "$fx/rules/hostile" "$fx/compile/rules" examples/rules/ics-sigma \
    examples/repo/detections/sigma
seed rules_splunk_conf "$fx/rules/splunk/conf" examples/repo/detections/splunk -- -name '*.conf'
seed rules_splunk_content "$fx/rules/splunk/content" examples/repo/detections/splunk -- -name '*.yml'
seed rules_elastic "$fx/rules/elastic" examples/rules/elastic
seed rules_sentinel "$fx/rules/sentinel" examples/rules/sentinel
seed rules_csv "$fx/rules/csv" examples/rules/edr-vendor.csv examples/repo/detections/edr.csv
seed rules_navigator "$fx/rules/navigator"
seed rules_mappings "$fx/controls" examples/controls -- -name '*.json'
seed atomics "$fx/atomics" examples/atomics -- -name '*.yaml'
seed results "$fx/emulation/results.csv" examples/emulation/results.csv "$fx/rules/csv"

# Past findings: each target replays its own.
for dir in "$fx"/fuzz/*/; do
    [ -d "$dir" ] || continue
    seed "$(basename "$dir")" "$dir"
done

# Third-party corpora, local only.
shared=${TTPC_SHARED:-$repo/../shared}
max=${TTPC_FUZZ_SHARED_MAX:-300}
if [ "$max" -gt 0 ] && [ -d "$shared/corpora" ]; then
    sample() {
        local target=$1 dir=$2 pattern=$3
        [ -d "$dir" ] || return 0
        mkdir -p "$corpus/$target"
        local file
        find "$dir" -type f -name "$pattern" -size -65536c | LC_ALL=C sort | awk -v n="$max" '
            { lines[NR] = $0 } END { step = NR > n ? NR / n : 1; for (i = 1; i <= NR; i += step) print lines[int(i)] }' |
            while IFS= read -r file; do
                cp -- "$file" "$corpus/$target/shared_$(printf '%s' "${file#"$dir"/}" | tr '/ ' '__')"
            done
    }
    sample rules_sigma "$shared/corpora/sigmahq" '*.yml'
    sample rules_elastic "$shared/corpora/elastic" '*.toml'
    sample atomics "$shared/corpora/atomic-red-team" '*.yaml'
    echo "seed.sh: added a sample of $shared/corpora (local corpus only)"
fi

for dir in "$corpus"/*/; do
    printf '%-22s %5d files\n' "$(basename "$dir")" "$(find "$dir" -type f | wc -l)"
done
