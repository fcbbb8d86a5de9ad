#!/usr/bin/env bash
# Installs the Debian 12 packages that antispam's build, tests and demo need: only what is missing,
# so running it again is cheap. Nothing is downloaded from anywhere but Debian's archive.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config ccache git
  libpqxx-dev libpq-dev postgresql postgresql-contrib
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libutf8proc-dev libidn2-dev libhyperscan-dev libfasttext-dev
  libboost-dev libssl-dev zlib1g-dev libsimdjson-dev libsodium-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  afl++
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
