#!/usr/bin/env bash
# End-to-end checks of `antispam train` and `antispam eval` (no database needed):
#   - train on a fold of the project's corpora, eval on the held-out fold: JSON with every field,
#     and the model beats the heuristics alone;
#   - malformed lines are reported with their line number and skipped; counts still add up;
#   - an unreadable file, a bad fold, a missing model and a lists folder without the lists are
#     clear errors with a non-zero exit.
# Usage: eval_e2e.sh <path to antispam> <data dir> <default model>
set -euo pipefail
bin=$(realpath "$1")
data=$(realpath "$2")
default_model="$3"
work=$(mktemp -d /tmp/antispam-eval-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
field() { sed -E "s/.*\"$1\":([0-9.e+-]+).*/\1/" "$2"; }

sms="$data/spam-corpora/sms-spam-collection.dev.tsv"

echo "1. heuristics only, then a model trained without the evaluated fold"
timeout 120 "$bin" --log-level warn eval --tsv "$sms" --fold 0/5 --no-llm > "$work/h.json" 2> "$work/h.err" ||
  { cat "$work/h.err"; fail "eval without a model"; }
for f in n tp fp tn fn precision recall f1 fpr us_per_message; do
  grep -q "\"$f\":" "$work/h.json" || fail "eval JSON lacks $f: $(cat "$work/h.json")"
done
timeout 300 "$bin" --log-level warn train --tsv "$sms" --out "$work/m.ftz" --hold-out 0/5 > "$work/t.log" 2>&1 ||
  { cat "$work/t.log"; fail "train"; }
grep -q "held out" "$work/t.log" || fail "train did not report"
timeout 120 "$bin" --log-level warn eval --tsv "$sms" --fold 0/5 --model "$work/m.ftz" > "$work/m.json" 2>&1 ||
  { cat "$work/m.json"; fail "eval with the model"; }
n=$(field n "$work/m.json"); tp=$(field tp "$work/m.json"); fp=$(field fp "$work/m.json")
tn=$(field tn "$work/m.json"); fn=$(field fn "$work/m.json")
[ "$n" -eq $((tp + fp + tn + fn)) ] || fail "counts do not add up: $(cat "$work/m.json")"
awk -v a="$(field f1 "$work/m.json")" -v b="$(field f1 "$work/h.json")" 'BEGIN { exit !(a > b && a > 0.8) }' ||
  fail "the model does not help: $(cat "$work/m.json") vs $(cat "$work/h.json")"
if [ -f "$default_model" ]; then
  timeout 120 "$bin" --log-level warn eval --tsv "$sms" --model "$default_model" > "$work/d.json" ||
    fail "eval with the default model"
fi

echo "2. malformed lines are reported and skipped"
printf 'label\ttext\nspam\tWIN a prize now\nno tab here\nmaybe\tsome text\nham\tsee you later\n' > "$work/bad.tsv"
timeout 60 "$bin" --log-level warn eval --tsv "$work/bad.tsv" > "$work/b.json" 2> "$work/b.err" || fail "eval of a file with bad lines"
grep -q "bad.tsv:3: no TAB" "$work/b.err" || fail "line 3 not reported: $(cat "$work/b.err")"
grep -q "bad.tsv:4: label must be spam or ham" "$work/b.err" || fail "line 4 not reported"
timeout 60 "$bin" --log-level warn eval --tsv "$work/bad.tsv" --show-errors 5 > /dev/null 2> "$work/s.err" || fail "--show-errors"
grep -q "bad.tsv:2: missed spam: WIN a prize now" "$work/s.err" || fail "missed spam not shown: $(cat "$work/s.err")"
[ "$(field n "$work/b.json")" -eq 2 ] || fail "malformed lines were counted: $(cat "$work/b.json")"

echo "3. errors"
if timeout 60 "$bin" eval --tsv "$work/missing.tsv" > "$work/e1.log" 2>&1; then fail "missing file accepted"; fi
grep -q "cannot read" "$work/e1.log" || fail "unclear error for a missing file: $(cat "$work/e1.log")"
if timeout 60 "$bin" eval --tsv "$sms" --fold 5/5 > "$work/e2.log" 2>&1; then fail "bad fold accepted"; fi
grep -q "fold" "$work/e2.log" || fail "unclear error for a bad fold"
if timeout 60 "$bin" eval --tsv "$sms" --model "$work/missing.ftz" > "$work/e3.log" 2>&1; then fail "missing model accepted"; fi
grep -q "no model file" "$work/e3.log" || fail "unclear error for a missing model: $(cat "$work/e3.log")"
if timeout 60 "$bin" eval --tsv "$sms" --lists-dir "$work" > "$work/e4.log" 2>&1; then fail "empty lists dir accepted"; fi
grep -q "cannot read list file .*combined-domains.txt" "$work/e4.log" || fail "missing list not named: $(cat "$work/e4.log")"
timeout 120 "$bin" --log-level warn eval --tsv "$work/bad.tsv" --lists-dir "$data" > /dev/null 2>&1 || fail "--lists-dir with the project's data"
echo "ok"
