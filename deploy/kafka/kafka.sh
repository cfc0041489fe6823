#!/usr/bin/env bash
# A real, single-node Apache Kafka (KRaft: broker + controller in one JVM, no ZooKeeper) for
# local development, tests and benchmarks, built from the jars on Maven Central.
#
#   deploy/kafka/kafka.sh install   # mvn copy-dependencies into deploy/kafka/.cache/libs (cached)
#   deploy/kafka/kafka.sh up        # start on 127.0.0.1:$KAFKA_PORT, wait until it answers metadata
#   deploy/kafka/kafka.sh status    # exit 0 when running and answering, 3 when not running
#   deploy/kafka/kafka.sh down      # SIGTERM (SIGKILL after a timeout), then delete the data dir
#
# Environment:
#   KAFKA_PORT                (9092)  client listener on 127.0.0.1
#   KAFKA_CONTROLLER_PORT     (9093)  KRaft controller listener on 127.0.0.1
#   KAFKA_DIR                 (<repo>/var/kafka)  data, config, logs and pid file
#   KAFKA_HEAP_OPTS           (-Xms256m -Xmx512m)
#   KAFKA_READY_TIMEOUT       (90)    seconds `up` waits for the broker to answer
#   KAFKA_STOP_TIMEOUT        (30)    seconds `down` waits after SIGTERM before SIGKILL
#   KAFKA_BOOTSTRAP_SERVERS   when set, an external broker is used: `up`/`status` only check
#                             that it answers, `down` leaves it alone.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
POM="$HERE/pom.xml"
CACHE="$HERE/.cache"
LIBS="$CACHE/libs"
MARKER="$CACHE/installed.sha256"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DIR="${KAFKA_DIR:-$ROOT/var/kafka}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HOST=127.0.0.1

DATA="$KAFKA_DIR/data"
CONF="$KAFKA_DIR/server.properties"
LOG4J="$KAFKA_DIR/log4j.properties"
PIDFILE="$KAFKA_DIR/kafka.pid"
SERVER_LOG="$KAFKA_DIR/server.log"
STDOUT_LOG="$KAFKA_DIR/stdout.log"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

installed() {
    [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(pom_hash)" ]] \
        && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

cmd_install() {
    if installed; then
        return 0
    fi
    command -v java >/dev/null || die "java is not installed (Java 17+ is needed)"
    command -v mvn >/dev/null || die "mvn is not installed (Maven 3.8+ is needed)"
    log "fetching the Kafka jars from Maven Central into $LIBS"
    rm -rf "$LIBS" "$MARKER"
    mkdir -p "$CACHE"
    mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS" \
        -DincludeScope=runtime
    compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null || die "mvn ran but no kafka_2.13 jar is in $LIBS"
    pom_hash >"$MARKER"
    log "installed $(find "$LIBS" -name '*.jar' | wc -l) jars"
}

# The pid of our broker, if it is running (a stale pid file, or a pid now used by something
# else, counts as not running).
our_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # No `| grep -q`: under pipefail an early grep exit can fail the pipeline (SIGPIPE).
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *kafka.Kafka* ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Does the broker at $1 (host:port[,host:port]) answer a metadata request with a live broker
# and an active controller? Uses aiokafka from the project's venv when it is there, else the
# Kafka CLI.
answers_metadata() {
    local bootstrap="$1" py="$ROOT/.venv/bin/python"
    if [[ -x "$py" ]] && "$py" -c 'import aiokafka' 2>/dev/null; then
        "$py" - "$bootstrap" <<'PY' >/dev/null 2>&1
import asyncio
import sys

from aiokafka.client import AIOKafkaClient


async def check(bootstrap: str) -> None:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        if not metadata.brokers() or metadata.controller is None:
            raise SystemExit(1)
    finally:
        await client.close()


asyncio.run(asyncio.wait_for(check(sys.argv[1]), 10))
PY
    else
        installed || return 1
        timeout 30 java -Xmx128m -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --list \
            >/dev/null 2>&1
    fi
}

wait_ready() {
    local bootstrap="$1" pid="${2:-}" deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
    local host="${bootstrap%%,*}"
    local port="${host##*:}"
    host="${host%:*}"
    while ((SECONDS < deadline)); do
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            log "the broker exited while starting; last lines of its logs:"
            tail -n 40 "$STDOUT_LOG" "$SERVER_LOG" >&2 2>/dev/null || true
            return 1
        fi
        if port_open "$host" "$port" && answers_metadata "$bootstrap"; then
            return 0
        fi
        sleep 0.25
    done
    log "no answer from $bootstrap within ${KAFKA_READY_TIMEOUT}s"
    [[ -n "$pid" ]] && tail -n 40 "$SERVER_LOG" >&2 2>/dev/null
    return 1
}

write_config() {
    cat >"$CONF" <<EOF
# Written by deploy/kafka/kafka.sh on every 'up': single-node KRaft, tuned for fast tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA

num.partitions=4
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
log.retention.ms=3600000
log.retention.bytes=268435456
log.segment.bytes=16777216
log.retention.check.interval.ms=60000
EOF
    cat >"$LOG4J" <<EOF
# Written by deploy/kafka/kafka.sh: warnings and errors only, to $SERVER_LOG.
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$SERVER_LOG
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

cmd_up() {
    if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
        log "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS is set: checking that broker"
        wait_ready "$KAFKA_BOOTSTRAP_SERVERS" || die "$KAFKA_BOOTSTRAP_SERVERS does not answer"
        log "ready: $KAFKA_BOOTSTRAP_SERVERS"
        return 0
    fi
    local pid
    if pid="$(our_pid)"; then
        wait_ready "$HOST:$KAFKA_PORT" "$pid" || die "running (pid $pid) but not answering"
        log "already running (pid $pid) on $HOST:$KAFKA_PORT"
        return 0
    fi
    cmd_install
    if port_open "$HOST" "$KAFKA_PORT" || port_open "$HOST" "$KAFKA_CONTROLLER_PORT"; then
        die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on $HOST is taken by another process;" \
            "set KAFKA_PORT/KAFKA_CONTROLLER_PORT, or KAFKA_BOOTSTRAP_SERVERS to use that broker"
    fi
    mkdir -p "$KAFKA_DIR"
    rm -f "$PIDFILE"
    write_config
    local java_log="-Dlog4j.configuration=file:$LOG4J -Dkafka.logs.dir=$KAFKA_DIR"
    if [[ ! -f "$DATA/meta.properties" ]]; then
        rm -rf "$DATA"
        local cluster_id
        # shellcheck disable=SC2086
        cluster_id="$(java -Xmx256m $java_log -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)"
        log "formatting $DATA for the new cluster $cluster_id"
        # shellcheck disable=SC2086
        java -Xmx256m $java_log -cp "$LIBS/*" kafka.tools.StorageTool format \
            -t "$cluster_id" -c "$CONF" >"$KAFKA_DIR/format.log" 2>&1 \
            || { cat "$KAFKA_DIR/format.log" >&2; die "formatting the storage failed"; }
    fi
    log "starting the broker on $HOST:$KAFKA_PORT (controller $HOST:$KAFKA_CONTROLLER_PORT)"
    # setsid: the broker outlives the shell (and a Ctrl-C sent to it) that started it.
    # shellcheck disable=SC2086
    setsid nohup java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS $java_log -cp "$LIBS/*" \
        kafka.Kafka "$CONF" >"$STDOUT_LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PIDFILE"
    local started=$SECONDS
    if ! wait_ready "$HOST:$KAFKA_PORT" "$pid"; then
        cmd_down >/dev/null 2>&1 || true
        die "the broker did not become ready (logs: $SERVER_LOG, $STDOUT_LOG)"
    fi
    log "ready: $HOST:$KAFKA_PORT (pid $pid, $((SECONDS - started))s)"
}

cmd_down() {
    if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" && ! -f "$PIDFILE" ]]; then
        log "KAFKA_BOOTSTRAP_SERVERS is set and no local broker runs: nothing to stop"
        return 0
    fi
    local pid
    if pid="$(our_pid)"; then
        log "stopping the broker (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "still running after ${KAFKA_STOP_TIMEOUT}s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        fi
    else
        log "not running"
    fi
    rm -f "$PIDFILE"
    rm -rf "$DATA"
}

cmd_status() {
    if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
        if answers_metadata "$KAFKA_BOOTSTRAP_SERVERS"; then
            echo "external broker $KAFKA_BOOTSTRAP_SERVERS: answering"
            return 0
        fi
        echo "external broker $KAFKA_BOOTSTRAP_SERVERS: not answering"
        return 1
    fi
    local pid
    if ! pid="$(our_pid)"; then
        echo "kafka: not running"
        return 3
    fi
    if answers_metadata "$HOST:$KAFKA_PORT"; then
        echo "kafka: running (pid $pid) on $HOST:$KAFKA_PORT, answering"
        return 0
    fi
    echo "kafka: running (pid $pid) on $HOST:$KAFKA_PORT, not answering yet"
    return 1
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

case "${1:-}" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
