#!/usr/bin/env bash
# run_golden.sh PASSERELLE GOLDEN_DIR [--update]
# For every fixture <name>.<format>.csv: `passerelle check --format <format>
# --json` must print exactly <name>.<format>.expected and exit with the
# status in <name>.<format>.status. --update rewrites both (review the diff!).
set -uo pipefail
bin=$1
dir=$2
update=${3:-}
failed=0
count=0
for csv in "$dir"/*.csv; do
  base=${csv%.csv}
  format=${base##*.}
  count=$((count + 1))
  out=$("$bin" check --format "$format" --partner golden --json "$csv")
  status=$?
  if [ "$update" = "--update" ]; then
    printf '%s\n' "$out" >"$base.expected"
    echo "$status" >"$base.status"
    continue
  fi
  if ! diff -u "$base.expected" <(printf '%s\n' "$out") >/tmp/golden_diff.$$; then
    echo "FAIL $(basename "$csv"): output differs"
    head -40 /tmp/golden_diff.$$
    failed=$((failed + 1))
  elif [ "$status" != "$(cat "$base.status")" ]; then
    echo "FAIL $(basename "$csv"): exit status $status, expected $(cat "$base.status")"
    failed=$((failed + 1))
  fi
  # Two runs on the same file give the same bytes (offer.md).
  again=$("$bin" check --format "$format" --partner golden --json "$csv")
  if [ "$again" != "$out" ]; then
    echo "FAIL $(basename "$csv"): output not stable between runs"
    failed=$((failed + 1))
  fi
  # Rows read on one thread or on several: the same bytes (RowWorkers).
  for threads in 1 4; do
    again=$(PASSERELLE_CHECK_THREADS=$threads "$bin" check --format "$format" --partner golden --json "$csv")
    if [ "$again" != "$out" ]; then
      echo "FAIL $(basename "$csv"): output differs with PASSERELLE_CHECK_THREADS=$threads"
      failed=$((failed + 1))
    fi
  done
done
rm -f /tmp/golden_diff.$$
echo "golden: $((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
