#!/usr/bin/env bash
# Fetches (once, cached) and runs a single-node Apache Kafka broker in KRaft mode.
#   scripts/kafka.sh fetch|start|stop|status
# Kafka is not on apt or npm here; the jars come from Maven Central through infra/kafka/pom.xml.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$repo_root/infra/kafka/pom.xml")"
cache_dir="${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}"
libs_dir="$cache_dir/kafka-$kafka_version/libs"
state_dir="${TESSERA_KAFKA_STATE_DIR:-$cache_dir/kafka-state}"
port="${TESSERA_KAFKA_PORT:-9092}"
controller_port="${TESSERA_KAFKA_CONTROLLER_PORT:-9093}"
# What the broker tells clients to connect to; a test can put a TCP proxy in front of the broker.
advertised_port="${TESSERA_KAFKA_ADVERTISED_PORT:-$port}"
heap="${TESSERA_KAFKA_HEAP:-1G}"
pid_file="$state_dir/kafka.pid"
log_file="$state_dir/kafka.log"

log() { printf '[kafka] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$libs_dir/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn is required to fetch Kafka (apt-get install -y maven)"; exit 1; }
  log "fetching Apache Kafka $kafka_version from Maven Central into $libs_dir"
  rm -rf "$libs_dir"
  mvn -q -B -f "$repo_root/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs_dir" -DincludeScope=runtime
  touch "$libs_dir/.complete"
}

is_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid; pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

write_config() {
  mkdir -p "$state_dir/data"
  cat >"$state_dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$advertised_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$state_dir/data
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=4
PROPS
}

start() {
  if pid="$(running_pid)"; then log "already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  if is_listening; then log "something already listens on 127.0.0.1:$port; using it"; return 0; fi
  fetch
  write_config
  local cp="$libs_dir/*"
  if [ ! -f "$state_dir/data/meta.properties" ]; then
    log "formatting KRaft storage in $state_dir/data"
    java -cp "$cp" kafka.tools.StorageTool format --ignore-formatted \
      --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      --config "$state_dir/server.properties" >/dev/null
  fi
  cat >"$state_dir/log4j.properties" <<L4J
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$log_file
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
L4J
  log "starting Kafka $kafka_version (KRaft, single node) on 127.0.0.1:$port"
  nohup java -Xms256m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$state_dir/log4j.properties" \
    -cp "$cp" kafka.Kafka "$state_dir/server.properties" >>"$state_dir/stdout.log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 120); do
    if is_listening; then log "ready"; return 0; fi
    if ! running_pid >/dev/null; then log "broker exited; see $state_dir/stdout.log and $log_file"; tail -n 30 "$state_dir/stdout.log" >&2 || true; exit 1; fi
    sleep 0.5
  done
  log "broker did not listen within 60s"; exit 1
}

stop() {
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { log "stopped"; rm -f "$pid_file"; return 0; }; sleep 0.5; done
    kill -9 "$pid" || true; rm -f "$pid_file"
  else log "not running"; fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if pid="$(running_pid)"; then echo "running pid $pid port $port"; else echo "stopped"; exit 1; fi ;;
  classpath) fetch; echo "$libs_dir/*" ;;
  *) echo "usage: $0 fetch|start|stop|status|classpath" >&2; exit 2 ;;
esac
