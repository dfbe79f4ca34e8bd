#!/usr/bin/env bash
# ttpc against a Python reference implementation of the same job (mitreattack-python for ATT&CK,
# pySigma for the rules; bench/reference.py, pinned in bench/requirements.txt), timed side by side
# in one hyperfine run. Both must print the same coverage figures, or the script fails.
#
#   bench/compare.sh      # needs hyperfine, python3 with venv, PyPI, and the shared test data
source "$(dirname "$0")/common.sh"

venv="bench/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r bench/requirements.txt
fi

model="$work/model.yaml"
financial_sigmahq "$model"
as_of=2026-03-15

ours="$("$bin" compile --allow-outside "$model" --attack-data "$bundle" --as-of "$as_of" --format json --color never \
  | python3 -c 'import json,sys; o=json.load(sys.stdin)["overall"]; print("covered=%d gaps=%d accepted=%d out_of_scope=%d percent=%.1f" % (o["covered"], o["gaps"], o["accepted"], o["out_of_scope"], o["percent"]))')" || true
theirs="$("$venv/bin/python" bench/reference.py "$model" "$bundle" "$as_of")"
echo "ttpc:      $ours"
echo "reference: $theirs"
if [ "$ours" != "$theirs" ]; then
  echo "the two implementations disagree" >&2
  exit 1
fi

# A failing target (exit 1) is not a failure of the run: -i.
hyperfine -i --warmup 1 --runs "${RUNS:-5}" --export-markdown "$work/compare.md" \
  -n "ttpc (cold: no caches)" "TTPC_NO_CACHE=1 $bin compile --allow-outside $model --attack-data $bundle --as-of $as_of > /dev/null" \
  -n "ttpc (warm)" "$bin compile --allow-outside $model --attack-data $bundle --as-of $as_of > /dev/null" \
  -n "python reference" "$venv/bin/python bench/reference.py $model $bundle $as_of > /dev/null"
cat "$work/compare.md"
