#!/usr/bin/env bash
# End-to-end checks of the antispam binary over its embedded PostgreSQL:
#   - the first start creates a cluster under --data-dir, the second reuses it;
#   - `demo --exit-after-scenario` plays the scripted day against the simulator and prints its
#     summary; `demo` stays up and stops the bot, the simulator and the server cleanly on SIGTERM;
#   - `run` against the simulator judges its chatter and, on SIGTERM, drains, writes the last
#     counters, closes the shards and stops the server, exiting 0;
#   - `migrate` twice: the second applies nothing;
#   - `migrate --dir` with an applied file edited: refused, naming the file;
#   - an invalid configuration value is a clear error;
#   - a configuration file applies under the command line, and a typo in it is an error.
# Usage: cli_e2e.sh <path to antispam>
set -euo pipefail
# shellcheck source=sim_lib.sh
. "$(dirname "$0")/sim_lib.sh"
bin=$(realpath "$1")
work=$(mktemp -d /tmp/antispam-e2e-XXXXXX)
chmod 755 "$work"  # the embedded server runs as an unprivileged user when we are root
data="$work/var"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  for d in "$data" "$work/it's a dir"; do
  if [ -f "$d/postgres/data/postmaster.pid" ]; then
    runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl stop -D "$d/postgres/data" -m immediate >/dev/null 2>&1 ||
      pg_ctl stop -D "$d/postgres/data" -m immediate >/dev/null 2>&1 || true
  fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log "$data"/postgres/*.log; do
    [ -f "$f" ] && { echo "== $f"; tail -25 "$f"; }
  done
  exit 1
}
# Every migration in the repository is embedded in the binary.
n=$(ls "$(dirname "$0")/../../supabase/migrations"/*.sql | wc -l)
run() { timeout 120 "$bin" --data-dir "$data" --log-level info "$@"; }

echo "1. first start creates the embedded cluster"
run demo --exit-after-scenario > "$work/first.log" 2>&1 || { cat "$work/first.log"; fail "first demo run"; }
grep -q "creating a cluster" "$work/first.log" || fail "no cluster was created"
grep -q "$n applied" "$work/first.log" || fail "migrations not applied on first start"
grep -q "raid: 30 fresh accounts joined and posted scams; all restricted" "$work/first.log" ||
  fail "demo raid missing"
grep -qE "^  cases resolved by moderators +2$" "$work/first.log" || fail "demo summary missing"
grep -qE "^  DELETE /channels/:id/messages/:id +[0-9]+$" "$work/first.log" ||
  fail "demo REST calls missing"
[ ! -f "$data/postgres/data/postmaster.pid" ] || fail "server left running after demo"

echo "2. second start reuses it; SIGTERM stops it cleanly"
timeout 120 "$bin" --data-dir "$data" --log-level info demo --members 20 --raiders 5 > "$work/second.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "press Ctrl-C" "$work/second.log" && break; sleep 0.2; done
grep -q "press Ctrl-C" "$work/second.log" || { cat "$work/second.log"; fail "demo did not stay up"; }
grep -q "creating a cluster" "$work/second.log" && fail "second start created a new cluster"
[ -f "$data/postgres/data/postmaster.pid" ] || fail "server not running while the demo stays up"
kill -TERM "$pid"
wait "$pid" || fail "demo exited non-zero after SIGTERM"
grep -q "received SIGTERM" "$work/second.log" || fail "SIGTERM not handled"
[ ! -f "$data/postgres/data/postmaster.pid" ] || fail "server still running after SIGTERM"

echo "2b. run against the simulator; SIGTERM drains and stops it cleanly"
start_sim "$bin" "$work/sim.log" 1 90
url=$sim_url
[ -n "$url" ] || fail "the simulator printed no REST URL"
DISCORD_TOKEN=sim-bot-token timeout 120 "$bin" --data-dir "$data" --log-level info run \
  --discord-api-base-url "$url" > "$work/run.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do grep -q "slash commands registered" "$work/run.log" && break; sleep 0.2; done
grep -q "slash commands registered" "$work/run.log" || fail "run did not come up"
sleep 2  # some chatter to judge
kill -TERM "$pid"
wait "$pid" || fail "run exited non-zero after SIGTERM"
grep -q "received SIGTERM, shutting down" "$work/run.log" || fail "SIGTERM not handled by run"
grep -qE "shutdown: [1-9][0-9]* message\(s\) judged, [0-9]+ detection\(s\); the last counters written" \
  "$work/run.log" || fail "run did not drain and write its counters"
[ ! -f "$data/postgres/data/postmaster.pid" ] || fail "server still running after run's SIGTERM"
kill -TERM "$sim_pid"
wait "$sim_pid" || true
sim_pid=""

echo "3. migrate twice: the second applies nothing"
run migrate > "$work/m1.log" 2>&1 || { cat "$work/m1.log"; fail "migrate"; }
grep -q "^0 applied, $n already applied" "$work/m1.log" || { cat "$work/m1.log"; fail "migrate applied something"; }
run migrate > "$work/m2.log" 2>&1 || fail "second migrate"
grep -q "^0 applied, $n already applied" "$work/m2.log" || fail "second migrate applied something"
run migrate --status | grep -c "^applied" | grep -qx "$n" || fail "migrate --status"

echo "4. an edited applied migration is refused, naming the file"
mkdir "$work/migrations"
cp "$(dirname "$0")/../../supabase/migrations/"*.sql "$work/migrations/"
echo "-- edited after it was applied" >> "$work/migrations/20250401000000_flag_columns.sql"
if run migrate --dir "$work/migrations" > "$work/m3.log" 2>&1; then fail "edited migration accepted"; fi
grep -q "migration 20250401000000_flag_columns.sql was changed after it was applied" "$work/m3.log" ||
  { cat "$work/m3.log"; fail "refusal does not name the file"; }

echo "5. invalid configuration is a clear error"
if "$bin" --pool-size 0 migrate > "$work/bad.log" 2>&1; then fail "pool size 0 accepted"; fi
grep -q "pool-size" "$work/bad.log" || { cat "$work/bad.log"; fail "error does not name --pool-size"; }
if DATABASE_URL="postgresql:///x?host=/nonexistent" "$bin" migrate > "$work/down.log" 2>&1; then
  fail "unreachable database accepted"
fi
grep -q "cannot connect to PostgreSQL" "$work/down.log" || { cat "$work/down.log"; fail "unclear outage error"; }

echo "6. data directories: spaces and quotes work; shell syntax and over-long paths are refused"
spaced="$work/it's a dir"
timeout 120 "$bin" --data-dir "$spaced" migrate > "$work/spaced.log" 2>&1 || fail "data dir with a space"
grep -q "$n applied" "$work/spaced.log" || fail "no migrations in the spaced data dir"
if "$bin" --data-dir "$work/x\$(touch pwned)" migrate > "$work/shell.log" 2>&1; then
  fail "a data dir with shell syntax was accepted"
fi
grep -q "contains a character pg_ctl cannot pass safely" "$work/shell.log" || fail "unclear shell-path error"
[ ! -e pwned ] && [ ! -e "$work/pwned" ] || fail "a data dir path was run by a shell"
long="$work/$(printf 'd%.0s' $(seq 1 120))"
if "$bin" --data-dir "$long" migrate > "$work/long.log" 2>&1; then fail "over-long data dir accepted"; fi
grep -q "too long for a unix socket" "$work/long.log" || { cat "$work/long.log"; fail "unclear long-path error"; }

echo "7. a configuration file: its values apply under the command line; a typo is an error"
printf 'log-level = "warn"\n[migrate]\nstatus = true\n' > "$work/antispam.toml"
run --config "$work/antispam.toml" migrate > "$work/cfg.log" 2>&1 || { cat "$work/cfg.log"; fail "config file run"; }
grep -q "^applied " "$work/cfg.log" || fail "[migrate] status = true from the file not applied"
printf '[migrate]\nstatuz = true\n' > "$work/typo.toml"
if ANTISPAM_CONFIG="$work/typo.toml" run migrate > "$work/typo.log" 2>&1; then fail "a typo in the config file was accepted"; fi
grep -q "unknown setting \[migrate\] statuz" "$work/typo.log" || { cat "$work/typo.log"; fail "unclear config typo error"; }

echo "7 passed, 0 failed"
