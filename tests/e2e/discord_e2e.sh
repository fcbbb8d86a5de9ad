#!/usr/bin/env bash
# End-to-end checks of `antispam sim` and `antispam connect` over real sockets:
#   - the simulator prints its URLs and token, chats, and stops cleanly on SIGTERM;
#   - connect discovers the gateway through the REST URL, identifies, and logs READY, a
#     GUILD_CREATE per guild and the messages;
#   - a wrong token, a shard outside the count, an unknown intent and a missing token are clear
#     errors with a non-zero exit, quickly (no reconnect loop).
# Usage: discord_e2e.sh <path to antispam>
set -euo pipefail
# shellcheck source=sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"
bin=$(realpath "$1")
work=$(mktemp -d /tmp/antispam-discord-e2e-XXXXXX)
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "1. the simulator starts and prints where it is"
start_sim "$bin" "$work/sim.out" 2 60
url=$sim_url
[ -n "$url" ] || fail "no REST URL printed: $(cat "$work/sim.out")"
grep -q "token    sim-bot-token" "$work/sim.out" || fail "no token printed"

echo "2. connect: READY, both guilds, messages"
DISCORD_TOKEN=sim-bot-token timeout 60 "$bin" --log-level warn connect \
  --discord-api-base-url "$url" --for 4 > "$work/connect.out" 2>&1 ||
  { cat "$work/connect.out"; fail "connect exited non-zero"; }
grep -q "running 0-0 of 1" "$work/connect.out" || fail "no shard plan: $(cat "$work/connect.out")"
grep -q "shard 0: READY" "$work/connect.out" || fail "no READY: $(cat "$work/connect.out")"
[ "$(grep -c 'GUILD_CREATE 1' "$work/connect.out")" -eq 2 ] ||
  fail "expected 2 GUILD_CREATE: $(cat "$work/connect.out")"
grep -Eq "^MESSAGE_CREATE +[1-9]" "$work/connect.out" || fail "no messages: $(cat "$work/connect.out")"

echo "3. clear errors, no loops"
start=$(date +%s)
if DISCORD_TOKEN=wrong timeout 30 "$bin" connect --discord-api-base-url "$url" > "$work/bad.out" 2>&1; then
  fail "a wrong token was accepted"
fi
grep -q "token was rejected" "$work/bad.out" || fail "wrong token: $(cat "$work/bad.out")"
if DISCORD_TOKEN=sim-bot-token timeout 30 "$bin" connect --discord-api-base-url "$url" \
  --shards 2 --shard-count 2 > "$work/shard.out" 2>&1; then
  fail "shard 2 of 2 was accepted"
fi
grep -q "shard 2 is not below the shard count 2" "$work/shard.out" || fail "shards: $(cat "$work/shard.out")"
if DISCORD_TOKEN=sim-bot-token timeout 30 "$bin" connect --discord-api-base-url "$url" \
  --intents GUILDS,NOPE > "$work/intents.out" 2>&1; then
  fail "an unknown intent was accepted"
fi
grep -q 'unknown intent "NOPE"' "$work/intents.out" || fail "intents: $(cat "$work/intents.out")"
if env -u DISCORD_TOKEN timeout 30 "$bin" connect --discord-api-base-url "$url" > "$work/none.out" 2>&1; then
  fail "no token was accepted"
fi
grep -q "no bot token" "$work/none.out" || fail "no token: $(cat "$work/none.out")"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "the refusals took too long"

echo "4. the simulator stops on SIGTERM"
kill -TERM "$sim_pid"
for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$sim_pid" 2>/dev/null; then fail "the simulator did not stop"; fi
wait "$sim_pid" || fail "the simulator exited non-zero"
sim_pid=""
grep -q "simulator stopping: [1-9][0-9]* REST calls" "$work/sim.out" || fail "no summary: $(cat "$work/sim.out")"
echo "discord e2e: ok"
