#!/usr/bin/env bash
# The four frontwire workers (fetcher, cleaner, enricher, alerting) as background processes on
# this machine, against the local broker (deploy/kafka/kafka.sh) or $KAFKA_BOOTSTRAP_SERVERS.
#
#   deploy/services.sh up [NAME...]      # start (all four by default), wait for /health = 200
#   deploy/services.sh status [NAME...]  # exit 0 when every named worker is up and healthy
#   deploy/services.sh down [NAME...]    # SIGTERM, SIGKILL after a timeout
#
# Each worker: `.venv/bin/frontwire worker NAME`, web port fetcher 6061, cleaner 6062,
# enricher 6063, alerting 6064 (FRONTWIRE_WEB_PORT; shift them all with SERVICES_PORT_BASE,
# default 6060), state in var/state/NAME, log in var/log/NAME.log, pid in var/run/NAME.pid.
#
# Environment: KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), SERVICES_READY_TIMEOUT (120 s),
# SERVICES_STOP_TIMEOUT (30 s), FRONTWIRE (the CLI; default .venv/bin/frontwire),
# FRONTWIRE_VAR_DIR (where var/ is; default <repo>/var).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VAR="${FRONTWIRE_VAR_DIR:-$ROOT/var}"
FRONTWIRE="${FRONTWIRE:-$ROOT/.venv/bin/frontwire}"
PY="$ROOT/.venv/bin/python"
SERVICES_PORT_BASE="${SERVICES_PORT_BASE:-6060}"
SERVICES_READY_TIMEOUT="${SERVICES_READY_TIMEOUT:-120}"
SERVICES_STOP_TIMEOUT="${SERVICES_STOP_TIMEOUT:-30}"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}"

ALL=(fetcher cleaner enricher alerting)

log() { printf 'services.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_of() {
    case "$1" in
        fetcher) echo $((SERVICES_PORT_BASE + 1)) ;;
        cleaner) echo $((SERVICES_PORT_BASE + 2)) ;;
        enricher) echo $((SERVICES_PORT_BASE + 3)) ;;
        alerting) echo $((SERVICES_PORT_BASE + 4)) ;;
        *) die "unknown service '$1' (expected one of: ${ALL[*]})" ;;
    esac
}

pidfile_of() { echo "$VAR/run/$1.pid"; }

# The pid of worker $1 when it is running (a stale pid file counts as not running).
pid_of() {
    local f pid
    f="$(pidfile_of "$1")"
    [[ -f "$f" ]] || return 1
    pid="$(cat "$f")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # No `| grep -q`: under pipefail an early grep exit can fail the pipeline (SIGPIPE).
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"worker $1"* ]] || return 1
    echo "$pid"
}

# HTTP status of http://127.0.0.1:PORT/health, or 000 when nothing answers.
health_code() {
    local url="http://127.0.0.1:$1/health"
    if command -v curl >/dev/null; then
        curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true
    else
        "${PY}" - "$url" <<'PY' 2>/dev/null || echo 000
import sys
import urllib.error
import urllib.request

try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
PY
    fi
}

healthy() { [[ "$(health_code "$(port_of "$1")")" == 200 ]]; }

start_one() {
    local name="$1" port pid
    port="$(port_of "$name")"
    if pid="$(pid_of "$name")"; then
        log "$name already running (pid $pid, port $port)"
        return 0
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port (for $name) is taken by another process"
    fi
    mkdir -p "$VAR/log" "$VAR/run" "$VAR/state/$name"
    log "starting $name on port $port (log: var/log/$name.log)"
    FRONTWIRE_WEB_PORT="$port" FRONTWIRE_STATE_DIR="$VAR/state/$name" \
        setsid nohup "$FRONTWIRE" worker "$name" >>"$VAR/log/$name.log" 2>&1 </dev/null &
    echo $! >"$(pidfile_of "$name")"
}

wait_healthy() {
    local name="$1" deadline=$((SECONDS + SERVICES_READY_TIMEOUT)) pid
    while ((SECONDS < deadline)); do
        if ! pid="$(pid_of "$name")"; then
            log "$name exited while starting; last lines of var/log/$name.log:"
            tail -n 30 "$VAR/log/$name.log" >&2 || true
            return 1
        fi
        if healthy "$name"; then
            log "$name healthy (pid $pid, http://127.0.0.1:$(port_of "$name")/health)"
            return 0
        fi
        sleep 0.25
    done
    log "$name not healthy within ${SERVICES_READY_TIMEOUT}s; last lines of var/log/$name.log:"
    tail -n 30 "$VAR/log/$name.log" >&2 || true
    return 1
}

stop_one() {
    local name="$1" pid deadline
    if ! pid="$(pid_of "$name")"; then
        rm -f "$(pidfile_of "$name")"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + SERVICES_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name still running after ${SERVICES_STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pidfile_of "$name")"
}

cmd_up() {
    [[ -x "$FRONTWIRE" ]] || die "$FRONTWIRE is missing: run 'make install' first"
    local name failed=0
    for name in "$@"; do port_of "$name" >/dev/null; done
    for name in "$@"; do start_one "$name"; done
    for name in "$@"; do wait_healthy "$name" || failed=1; done
    if ((failed)); then
        die "some workers did not become healthy (they are left running: 'deploy/services.sh down')"
    fi
}

cmd_down() {
    local name
    for name in "$@"; do port_of "$name" >/dev/null; done
    for name in "$@"; do stop_one "$name"; done
}

cmd_status() {
    local name pid port rc=0
    for name in "$@"; do
        port="$(port_of "$name")"
        if pid="$(pid_of "$name")"; then
            if healthy "$name"; then
                echo "$name: running (pid $pid), healthy on port $port"
            else
                echo "$name: running (pid $pid), NOT healthy on port $port"
                rc=1
            fi
        else
            echo "$name: not running"
            rc=3
        fi
    done
    return "$rc"
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

cmd="${1:-}"
shift || true
(($# > 0)) || set -- "${ALL[@]}"
case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
