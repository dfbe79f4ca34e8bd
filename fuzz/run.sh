#!/usr/bin/env bash
# Runs one fuzz target for a while: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# The corpus is fuzz/corpus/TARGET (run fuzz/seed.sh first); findings land in
# fuzz/artifacts/TARGET/ and make the run fail. Needs nightly and cargo-fuzz.
# TTPC_FUZZ_NO_BUILD=1 runs the binary `cargo +nightly fuzz build` made last instead of rebuilding.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))

# The dictionary: the syntaxes the target's parser reads.
case $target in
    model | rules_sigma | rules_splunk_content | atomics) dicts=(yaml) ;;
    rules_sentinel) dicts=(yaml json) ;;
    stix | rules_navigator) dicts=(json) ;;
    rules_elastic) dicts=(toml json) ;;
    rules_splunk_conf) dicts=(conf) ;;
    rules_csv | results) dicts=(csv) ;;
    *) dicts=() ;;
esac
flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
if [ ${#dicts[@]} -gt 0 ]; then
    mkdir -p target/dict
    dict=$PWD/target/dict/$target.dict
    for d in "${dicts[@]}"; do cat "dict/$d.dict"; done >"$dict"
    flags+=(-dict="$dict")
fi
mkdir -p "corpus/$target"
if [ -n "${TTPC_FUZZ_NO_BUILD:-}" ]; then
    # Reuse the binary `cargo fuzz build` left, e.g. while the sources are being edited.
    mkdir -p "artifacts/$target"
    exec "target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release/$target" \
        -artifact_prefix="$PWD/artifacts/$target/" "${flags[@]}" "$@" "corpus/$target"
fi
exec cargo +nightly fuzz run "$target" "corpus/$target" -- "${flags[@]}" "$@"
