#!/usr/bin/env bash
# A real Apache Kafka broker for eddy's tests and benchmarks: single node,
# KRaft mode (no ZooKeeper), 127.0.0.1:9092, small heap.
#
#   scripts/kafka.sh start    fetch the jars once (Maven Central, cached in .kafka/lib),
#                             format fresh storage with a new cluster id, start, wait until it listens
#   scripts/kafka.sh stop     stop it and remove its data
#   scripts/kafka.sh status   exit 0 when it is running
#
# EDDY_KAFKA_PORT changes the port (the controller listens on the next one).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/.kafka"
LIB="$DIR/lib"
DATA="$DIR/data"
PORT="${EDDY_KAFKA_PORT:-9092}"
CONTROLLER_PORT=$((PORT + 1))
PID_FILE="$DIR/broker.pid"
LOG="$DIR/broker.log"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

running() {
  [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

fetch() {
  if [ -f "$LIB/.complete" ]; then return; fi
  echo "kafka.sh: fetching Apache Kafka's jars from Maven Central (once; cached in .kafka/lib)…" >&2
  rm -rf "$LIB"
  mkdir -p "$LIB"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB" -DincludeScope=runtime >&2
  touch "$LIB/.complete"
}

write_config() {
  mkdir -p "$DIR"
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
log.segment.bytes=268435456
message.max.bytes=16777216
PROPS
  cat > "$DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}

java_cmd() {
  java -Xms256m -Xmx768m -XX:+UseG1GC -Dkafka.logs.dir="$DIR" -Dlog4j.configuration="file:$DIR/log4j.properties" -cp "$LIB/*" "$@"
}

start() {
  if running && listening; then
    echo "kafka.sh: already running on 127.0.0.1:$PORT" >&2
    return
  fi
  fetch
  write_config
  rm -rf "$DATA"
  local cluster
  cluster=$(java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  java_cmd kafka.tools.StorageTool format -t "$cluster" -c "$DIR/server.properties" >/dev/null
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Dkafka.logs.dir="$DIR" -Dlog4j.configuration="file:$DIR/log4j.properties" \
    -cp "$LIB/*" kafka.Kafka "$DIR/server.properties" > "$LOG" 2>&1 &
  echo $! > "$PID_FILE"
  for _ in $(seq 1 120); do
    if listening; then
      echo "kafka.sh: broker $cluster listening on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))" >&2
      return
    fi
    if ! running; then
      echo "kafka.sh: the broker exited; its log:" >&2
      tail -n 40 "$LOG" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka.sh: the broker did not listen within 60 s; see $LOG" >&2
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  rm -rf "$DATA"
  echo "kafka.sh: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && listening ;;
  *) echo "usage: scripts/kafka.sh start|stop|status" >&2; exit 2 ;;
esac
