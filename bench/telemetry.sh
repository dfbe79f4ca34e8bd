#!/usr/bin/env bash
# Issue 21: what judging every rule's telemetry costs on a warm compile. The financial-services
# model's actors with all of SigmaHQ, once without telemetry or policy (no telemetry account) and once with
# `require_telemetry`, `count_levels` and `count_hunting: false` over its telemetry; caches warm.
#
#   bench/telemetry.sh          # needs hyperfine (apt-get install hyperfine) and ../shared
source "$(dirname "$0")/common.sh"

plain="$work/plain.yaml"
policy="$work/policy.yaml"
financial_sigmahq "$work/base.yaml"
# Without telemetry nor policy: no telemetry account at all, the figures of before issue 21.
sed -e "/^telemetry:/d" "$work/base.yaml" > "$plain"
sed -e "s|^coverage:.*|coverage: {require_telemetry: true, count_levels: [critical, high, medium], count_hunting: false}|" "$work/base.yaml" > "$policy"
grep -q "require_telemetry" "$policy" || printf 'coverage: {require_telemetry: true, count_levels: [critical, high, medium], count_hunting: false}\n' >> "$policy"
run() { echo "$bin compile --allow-outside $1 --attack-data $bundle --as-of 2026-03-15 --color never -o $work/out-$(basename "$1" .yaml)"; }
# Fill the caches once for each.
eval "$(run "$plain")" > /dev/null || true
eval "$(run "$policy")" > /dev/null || true
hyperfine -N -i --warmup 2 --runs "${RUNS:-20}" -n "no telemetry policy" "$(run "$plain")" -n "telemetry policy" "$(run "$policy")"
