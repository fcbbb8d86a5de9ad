#!/usr/bin/env bash
# Builds fuzz/codecs_fuzz.cpp with AFL++ (afl-g++: GCC with assembler-level instrumentation) and fuzzes it for a bounded time.
# Fails if AFL++ finds a crash (a parser that crashed or broke its round-trip oracle).
#   scripts/fuzz.sh [seconds] [work dir]
set -euo pipefail
seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$root/build/fuzz}
mkdir -p "$work"
# The Discord model: every source but the tests.
model=()
for f in "$root"/src/discord/model/*.cpp "$root"/src/discord/model/detail/*.cpp; do
  [[ -e $f && $f != *_test.cpp ]] && model+=("$f")
done
"${AFL_CXX:-afl-g++}" -std=c++23 -O1 -g -I "$root/src" \
  "$root/fuzz/codecs_fuzz.cpp" "$root/src/core/id.cpp" "$root/src/core/result.cpp" \
  "$root/src/core/redact.cpp" "$root/src/store/records.cpp" "$root/src/store/pg/detail/params.cpp" \
  "$root/src/detect/normalize.cpp" "$root/src/detect/links.cpp" "$root/src/detect/phrase_matcher.cpp" \
  "$root/src/net/zlib_stream.cpp" \
  "${model[@]}" -lfmt -lutf8proc -lidn2 -lz -lsimdjson -o "$work/codecs_fuzz" 2> "$work/build.log" || { cat "$work/build.log"; exit 1; }
rm -rf "$work/out"
# No UI; tolerate this sandbox's core_pattern and CPU governor; stop after $seconds.
AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -i "$root/fuzz/seeds/codecs" -o "$work/out" \
  -- "$work/codecs_fuzz" > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log"; exit 1; }
stats="$work/out/default/fuzzer_stats"
execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats")
crashes=$(awk -F: '/^saved_crashes/ {gsub(/ /,"",$2); print $2}' "$stats")
echo "fuzz: $execs executions in ${seconds}s, $crashes crashes"
if [ "$crashes" != "0" ]; then
  ls "$work/out/default/crashes"
  exit 1
fi
