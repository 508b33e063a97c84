#!/usr/bin/env bash
# Brings up the infrastructure the platform and its tests use, unattended:
#   Kafka (fetched from Maven Central once, cached; single-node KRaft), PostgreSQL and Redis.
# DATABASE_URL / REDIS_URL / KAFKA_BROKERS, when set, are used as they are and nothing is started.
#   scripts/infra.sh up|down
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[infra] %s\n' "$*" >&2; }
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

up() {
  if [ -z "${KAFKA_BROKERS:-}" ]; then bash scripts/kafka.sh start; else log "using KAFKA_BROKERS=$KAFKA_BROKERS"; fi

  if [ -z "${DATABASE_URL:-}" ]; then
    if ! listening 127.0.0.1 5432; then
      log "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    fi
    for _ in $(seq 1 60); do listening 127.0.0.1 5432 && break; sleep 0.5; done
    listening 127.0.0.1 5432 || { log "PostgreSQL is not listening on 127.0.0.1:5432"; exit 1; }
  fi

  if [ -z "${REDIS_URL:-}" ]; then
    if ! listening 127.0.0.1 6379; then
      log "starting Redis"
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/tessera.log
    fi
    for _ in $(seq 1 60); do listening 127.0.0.1 6379 && break; sleep 0.5; done
    listening 127.0.0.1 6379 || { log "Redis is not listening on 127.0.0.1:6379"; exit 1; }
  fi
  log "infrastructure is up"
}

case "${1:-up}" in
  up) up ;;
  down) bash scripts/kafka.sh stop ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
