# Shared by the e2e scripts (sourced, not run).
# start_sim BIN LOG GUILDS SECONDS: runs `antispam sim` in the background with a little chatter
# (5 members a guild, 20 messages/s), waits until it prints its REST URL, and sets sim_pid and
# sim_url (empty if it never came up).
start_sim() {
  "$1" --log-level warn sim --for "$4" --heartbeat-ms 1000 --guilds "$3" --members 5 \
    --messages-per-second 20 > "$2" 2>&1 &
  sim_pid=$!
  for _ in $(seq 50); do grep -q "REST" "$2" && break; sleep 0.1; done
  sim_url=$(grep -o 'http://127.0.0.1:[0-9]*/api/v10' "$2" | head -1)
}
