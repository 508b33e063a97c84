#!/usr/bin/env bash
# Stops the services `scripts/up.sh` started (SIGTERM, so each drains its consumers and commits
# offsets; SIGKILL only after the grace period).
#   scripts/down.sh          stop the four services
#   scripts/down.sh --all    also stop the local Kafka broker (Postgres and Redis are system services: left alone)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

state_dir=".tessera"
pid_dir="$state_dir/pids"
grace_seconds="${TESSERA_STOP_GRACE_SECONDS:-30}"
services=(ingest identity profile-store consent)

log() { printf '[down] %s\n' "$*" >&2; }

# Only signal a pid that still runs this service's entry point: pid files outlive reboots and
# the pid may belong to something else by now.
owned_pid() {
  local name="$1" file="$pid_dir/$1.pid" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "services/$name/dist/main.js" || return 1
  echo "$pid"
}

stop_service() {
  local name="$1" pid
  if ! pid="$(owned_pid "$name")"; then
    rm -f "$pid_dir/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((grace_seconds * 10)) ]; then
      log "$name (pid $pid) did not stop within ${grace_seconds}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$pid_dir/$name.pid"
  log "stopped $name (pid $pid)"
}

stop_all_kafka=0
for arg in "$@"; do
  case "$arg" in
    --all) stop_all_kafka=1 ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (usage: $0 [--all])" >&2; exit 2 ;;
  esac
done

# Stop in parallel: each service's shutdown is bounded on its own, no need to add them up.
for name in "${services[@]}"; do stop_service "$name" & done
wait

if [ "$stop_all_kafka" = 1 ]; then
  bash scripts/kafka.sh stop
fi
