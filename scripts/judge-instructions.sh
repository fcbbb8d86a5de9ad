#!/usr/bin/env bash
# Instructions per message in Engine::Judge (heuristics only) over the first N messages of the
# benchmark stream, counted by callgrind: the same count on every run, where timings on a shared
# machine vary by a fifth. Needs valgrind and a built stream_driver.
#   scripts/judge-instructions.sh [stream.jsonl] [N] [stream_driver]
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
valgrind --tool=callgrind --callgrind-out-file="$work/out" \
  "--toggle-collect=detect::Engine::Judge(detect::MessageSample const&)" \
  "$driver" "$work/stream.jsonl" > /dev/null 2> "$work/log"
collected=$(awk '/Collected :/ {print $NF}' "$work/log")
awk -v c="$collected" -v n="$n" 'BEGIN { printf "{\"messages\":%d,\"instructions\":%d,\"per_message\":%.1f}\n", n, c, c / n }'
