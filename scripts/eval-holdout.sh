#!/usr/bin/env bash
# Content detection on held-out data, by 5-fold cross-validation over the project's dev corpora:
# for each fold k, train on the other four folds (`train --hold-out k/5`) and evaluate on fold k
# (`eval --fold k/5`), then add up the counts per corpus. Folds are by a hash of the normalised
# text, so duplicates never straddle training and evaluation.
# The word evidence counts each YouTube comment twice beside the SMS, as the default model does
# (CMakeLists.txt, target model); WORDS_WEIGHT="1 1" measures without.
# Usage: [TRAIN_ARGS="--minn 3 --maxn 5"] [EVAL_ARGS="--set classifier.spam_at=0.8"] [MODEL_EXT=ftz]
#        [WORDS_WEIGHT="1 2"] scripts/eval-holdout.sh [antispam] [folds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/antispam}"
folds="${2:-5}"
work=$(mktemp -d /tmp/antispam-holdout-XXXXXX)
trap 'rm -rf "$work"' EXIT
sms="$root/data/spam-corpora/sms-spam-collection.dev.tsv"
yt="$root/data/spam-corpora/youtube-spam-collection.dev.tsv"
for k in $(seq 0 $((folds - 1))); do
  echo "fold $k/$folds: training" >&2
  # shellcheck disable=SC2086 # TRAIN_ARGS and WORDS_WEIGHT are lists
  "$bin" --log-level warn train --tsv "$sms" "$yt" --words-weight ${WORDS_WEIGHT:-1 2} \
    --out "$work/m$k.${MODEL_EXT:-bin}" --hold-out "$k/$folds" ${TRAIN_ARGS:-} >&2
  for c in sms yt; do
    f=$sms; [ $c = yt ] && f=$yt
    # shellcheck disable=SC2086 # EVAL_ARGS is a list of options
    "$bin" --log-level warn eval --tsv "$f" --fold "$k/$folds" --model "$work/m$k.${MODEL_EXT:-bin}" ${EVAL_ARGS:-} >> "$work/$c.model.jsonl"
    "$bin" --log-level warn eval --tsv "$f" --fold "$k/$folds" >> "$work/$c.heuristics.jsonl"
  done
done
for f in "$work"/*.jsonl; do
  name=$(basename "$f" .jsonl)
  awk -v name="$name" '
    { for (i = 1; i <= split($0, kv, ","); i++) { split(kv[i], p, ":"); gsub(/[{}"]/, "", p[1]); v[p[1]] += p[2] }
      us += v["us_per_message"]; v["us_per_message"] = 0; rows++ }
    END { tp = v["tp"]; fp = v["fp"]; tn = v["tn"]; fn = v["fn"];
          pr = tp + fp ? tp / (tp + fp) : 0; rc = tp + fn ? tp / (tp + fn) : 0;
          printf "{\"set\":\"%s\",\"n\":%d,\"tp\":%d,\"fp\":%d,\"tn\":%d,\"fn\":%d,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"fpr\":%.4f,\"us_per_message\":%.2f}\n",
                 name, tp + fp + tn + fn, tp, fp, tn, fn, pr, rc, pr + rc ? 2 * pr * rc / (pr + rc) : 0,
                 fp + tn ? fp / (fp + tn) : 0, us / rows }' "$f"
done
