#!/usr/bin/env bash
# Instructions per message in Engine::Judge (heuristics only) over the first N messages of the
# benchmark stream, counted by callgrind: the same count on every run, where timings on a shared
# machine vary by a fifth. Needs valgrind and a built stream_driver.
#   [BRANCH_SIM=1] scripts/judge-instructions.sh [stream.jsonl] [N] [stream_driver]
# BRANCH_SIM=1 also counts the conditional branches callgrind's simple predictor gets wrong per
# message (slower; a model, not the CPU's predictor, but it ranks the places that mispredict).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
stream="${1:-$root/build/stream.jsonl}"
n="${2:-50000}"
driver="${3:-$root/build/bench/stream_driver}"
[ -r "$stream" ] || { echo "no stream at $stream: make stream-bench writes one" >&2; exit 1; }
work=$(mktemp -d /tmp/antispam-instr-XXXXXX)
trap 'rm -rf "$work"' EXIT
head -n "$n" "$stream" > "$work/stream.jsonl"
n=$(wc -l < "$work/stream.jsonl")
sim=()
[ "${BRANCH_SIM:-0}" = 1 ] && sim=(--branch-sim=yes)
valgrind --tool=callgrind "${sim[@]}" --callgrind-out-file="$work/out" \
  "--toggle-collect=detect::Engine::Judge(detect::MessageSample const&)" \
  "$driver" "$work/stream.jsonl" > /dev/null 2> "$work/log"
# Ir, then (with the branch simulation) Bc Bcm Bi Bim.
read -r -a totals < <(awk '/Collected :/ {for (i = 4; i <= NF; i++) printf "%s ", $i; print ""}' "$work/log")
if [ "${BRANCH_SIM:-0}" = 1 ]; then
  awk -v c="${totals[0]}" -v m="${totals[2]}" -v n="$n" 'BEGIN { printf "{\"messages\":%d,\"instructions\":%d,\"per_message\":%.1f,\"mispredicted_per_message\":%.1f}\n", n, c, c / n, m / n }'
else
  awk -v c="${totals[0]}" -v n="$n" 'BEGIN { printf "{\"messages\":%d,\"instructions\":%d,\"per_message\":%.1f}\n", n, c, c / n }'
fi
