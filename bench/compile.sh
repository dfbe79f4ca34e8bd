#!/usr/bin/env bash
# Wall time (hyperfine) and peak memory (/usr/bin/time -v) of `ttpc compile` on the
# financial-services model's actors with all of SigmaHQ as the rule source, against ATT&CK 18.1.
#
#   bench/compile.sh            # needs hyperfine (apt-get install hyperfine) and ../shared
#
# TTPC_SHARED points at the shared test data (default: ../shared beside the repository).
source "$(dirname "$0")/common.sh"

model="$work/model.yaml"
financial_sigmahq "$model"
run=("$bin" compile --allow-outside "$model" --attack-data "$bundle" --as-of 2026-03-15 --color never)

echo "== cold: no caches"
TTPC_NO_CACHE=1 hyperfine -N -i --warmup 1 --runs "${RUNS:-10}" "${run[*]}"
echo "== warm: index and rule caches filled"
"${run[@]}" > /dev/null || true
hyperfine -N -i --warmup 2 --runs "${RUNS:-20}" "${run[*]}"
echo "== peak memory, cold and warm"
TTPC_NO_CACHE=1 /usr/bin/time -v "${run[@]}" 2>&1 >/dev/null | grep -E "Maximum resident set size|Elapsed \(wall clock\)" || true
/usr/bin/time -v "${run[@]}" 2>&1 >/dev/null | grep -E "Maximum resident set size|Elapsed \(wall clock\)" || true
