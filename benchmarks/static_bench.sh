#!/usr/bin/env bash
# Whole-process time of a static map (`rangemap map inf-2020 -o map.png`), two source trees
# interleaved so both see the same load; prints the median of each in ms.
# Run from the repository root with the virtualenv active:
#     bash benchmarks/static_bench.sh OLD_TREE NEW_TREE RUNS
# OLD_TREE is e.g. `git archive COMMIT | tar -x -C OLD_TREE`; NEW_TREE is `.` for this checkout.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") runs=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out"  # `python -m` puts the working folder first on sys.path: not a source tree
for _ in $(seq "$runs"); do
  for side in "$old" "$new"; do
    start=$(date +%s%N)
    PYTHONPATH="$side" python -m rangemap -q map inf-2020 -o "$out/map.png" >/dev/null 2>&1
    echo "$side $(( ($(date +%s%N) - start) / 1000000 ))" >> "$out/times"
  done
done
for side in "$old" "$new"; do
  awk -v s="$side" '$1 == s {print $2}' "$out/times" | sort -n |
    awk -v s="$side" '{a[NR] = $1} END {print s ": median " a[int((NR + 1) / 2)] " ms of " NR}'
done
