#!/usr/bin/env bash
# Regenerates data/tlds.txt from Debian's publicsuffix package: the top-level domains of the ICANN
# section of the Public Suffix List, wildcards reduced to their TLD, in IDNA A-label form.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
psl=/usr/share/publicsuffix/public_suffix_list.dat
sed -n '/===BEGIN ICANN DOMAINS===/,/===END ICANN DOMAINS===/p' "$psl" \
  | grep -vE '^(//|$)' | sed 's/^\*\.//' | grep -v '\.' | grep -vE '^[*!]' \
  | idn2 --quiet 2>/dev/null | tr 'A-Z' 'a-z' | LC_ALL=C sort -u > "$root/data/tlds.txt"
wc -l "$root/data/tlds.txt"
