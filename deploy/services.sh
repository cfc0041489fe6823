#!/usr/bin/env bash
# The four frontwire workers (fetcher, cleaner, enricher, alerting) as background processes on
# this machine, against the local broker (deploy/kafka/kafka.sh) or $KAFKA_BOOTSTRAP_SERVERS.
#
#   deploy/services.sh up [NAME...]      # start (all four by default), wait for /health = 200
#   deploy/services.sh status [NAME...]  # exit 0 when every named worker is up and healthy
#   deploy/services.sh down [NAME...]    # SIGTERM, SIGKILL after a timeout; no restart
#
# Each worker: `.venv/bin/frontwire worker NAME`, web port fetcher 6061, cleaner 6062,
# enricher 6063, alerting 6064 (FRONTWIRE_WEB_PORT; shift them all with SERVICES_PORT_BASE,
# default 6060), state in var/state/NAME, log in var/log/NAME.log, pid in var/run/NAME.pid.
#
# Supervision: each worker runs under a supervisor (this script, pid in
# var/run/NAME.supervisor.pid, log in var/log/NAME.supervisor.log) that starts it again when
# it exits for any reason but `down`, after a back-off: SERVICES_BACKOFF_MIN (1 s), doubled
# at each restart up to SERVICES_BACKOFF_MAX (60 s), back to the minimum once the worker has
# stayed up SERVICES_BACKOFF_RESET (60 s). Each restart is logged with the exit status (in
# both logs); `status` shows the restart count and the last exit status.
#
# Environment: KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), SERVICES_READY_TIMEOUT (120 s),
# SERVICES_STOP_TIMEOUT (30 s), SERVICES_BACKOFF_MIN / _MAX / _RESET (1, 60, 60 s),
# FRONTWIRE (the CLI; default .venv/bin/frontwire), FRONTWIRE_VAR_DIR (where var/ is;
# default <repo>/var).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VAR="${FRONTWIRE_VAR_DIR:-$ROOT/var}"
FRONTWIRE="${FRONTWIRE:-$ROOT/.venv/bin/frontwire}"
PY="$ROOT/.venv/bin/python"
SERVICES_PORT_BASE="${SERVICES_PORT_BASE:-6060}"
SERVICES_READY_TIMEOUT="${SERVICES_READY_TIMEOUT:-120}"
SERVICES_STOP_TIMEOUT="${SERVICES_STOP_TIMEOUT:-30}"
SERVICES_BACKOFF_MIN="${SERVICES_BACKOFF_MIN:-1}"
SERVICES_BACKOFF_MAX="${SERVICES_BACKOFF_MAX:-60}"
SERVICES_BACKOFF_RESET="${SERVICES_BACKOFF_RESET:-60}"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
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
supervisor_pidfile_of() { echo "$VAR/run/$1.supervisor.pid"; }
# The supervisor's record of restarts: "COUNT LAST_STATUS LAST_EXIT_EPOCH".
restarts_file_of() { echo "$VAR/run/$1.restarts"; }

# The pid in file $1 when that process runs and its command line contains $2 (a stale pid
# file, or a pid reused by another program, counts as not running).
running_pid() {
    local f="$1" want="$2" pid cmdline
    [[ -f "$f" ]] || return 1
    pid="$(cat "$f" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # No `| grep -q`: under pipefail an early grep exit can fail the pipeline (SIGPIPE).
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$want"* ]] || return 1
    echo "$pid"
}

# The pid of worker $1 when it is running.
pid_of() { running_pid "$(pidfile_of "$1")" "worker $1"; }

# The pid of the supervisor of worker $1 when it is running.
supervisor_pid_of() { running_pid "$(supervisor_pidfile_of "$1")" "services.sh _supervise $1"; }

# "COUNT STATUS EPOCH" of worker $1's restarts ("0 - -" when none).
restarts_of() {
    local f line
    f="$(restarts_file_of "$1")"
    line="$(cat "$f" 2>/dev/null)" || line=""
    [[ "$line" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] || line="0 - -"
    echo "$line"
}

# "exit status 1" / "killed by SIGKILL (exit status 137)" for a status as bash's wait gives it.
describe_status() {
    local rc="$1" signame
    if ((rc > 128)) && signame="$(kill -l "$((rc - 128))" 2>/dev/null)"; then
        echo "killed by SIG$signame (exit status $rc)"
    else
        echo "exit status $rc"
    fi
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

# The supervisor of worker $1 (runs as `services.sh _supervise NAME`, in a session of its
# own): starts the worker, waits for it, and starts it again after a back-off whenever it
# exits, until SIGTERM (from `down`), which it passes on to the worker before it exits.
supervise() {
    local name="$1" port log child="" sleeper="" stopping=0 rc started uptime
    local delay="$SERVICES_BACKOFF_MIN" restarts=0
    port="$(port_of "$name")"
    log="$VAR/log/$name.log"
    # shellcheck disable=SC2317  # invoked by the trap
    on_stop() {
        stopping=1
        [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
        [[ -n "$sleeper" ]] && kill -TERM "$sleeper" 2>/dev/null
        return 0
    }
    trap on_stop TERM INT
    echo "$$" >"$(supervisor_pidfile_of "$name")"
    rm -f "$(restarts_file_of "$name")"
    log "supervising $name (pid $$, port $port)"
    while ((!stopping)); do
        FRONTWIRE_WEB_PORT="$port" FRONTWIRE_STATE_DIR="$VAR/state/$name" \
            "$FRONTWIRE" worker "$name" >>"$log" 2>&1 </dev/null &
        child=$!
        echo "$child" >"$(pidfile_of "$name")"
        ((stopping)) && { kill -TERM "$child" 2>/dev/null || true; }
        started=$SECONDS
        # A trapped signal interrupts `wait` (status > 128) with the worker still there (or a
        # zombie): wait again until it has really exited.
        while :; do
            rc=0
            wait "$child" || rc=$?
            kill -0 "$child" 2>/dev/null || break
        done
        child=""
        if ((stopping)); then
            log "$name stopped ($(describe_status "$rc"))"
            break
        fi
        uptime=$((SECONDS - started))
        if ((uptime >= SERVICES_BACKOFF_RESET)); then
            delay="$SERVICES_BACKOFF_MIN"
        fi
        restarts=$((restarts + 1))
        echo "$restarts $rc $(date +%s)" >"$(restarts_file_of "$name")"
        local message
        message="$name exited ($(describe_status "$rc")) after ${uptime}s; restart $restarts in ${delay}s"
        log "$message"
        printf 'services.sh: %s\n' "$message" >>"$log"
        ((stopping)) && break
        sleep "$delay" &
        sleeper=$!
        ((stopping)) && { kill -TERM "$sleeper" 2>/dev/null || true; }
        wait "$sleeper" || true
        sleeper=""
        delay=$((delay * 2))
        ((delay > SERVICES_BACKOFF_MAX)) && delay="$SERVICES_BACKOFF_MAX"
    done
    rm -f "$(pidfile_of "$name")" "$(supervisor_pidfile_of "$name")"
}

start_one() {
    local name="$1" port pid
    port="$(port_of "$name")"
    if pid="$(supervisor_pid_of "$name")"; then
        log "$name already running (supervisor pid $pid, port $port)"
        return 0
    fi
    if pid="$(pid_of "$name")"; then
        log "$name already running (pid $pid, port $port, not supervised)"
        return 0
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port (for $name) is taken by another process"
    fi
    mkdir -p "$VAR/log" "$VAR/run" "$VAR/state/$name"
    rm -f "$(restarts_file_of "$name")" "$(pidfile_of "$name")"
    log "starting $name on port $port (log: var/log/$name.log)"
    setsid nohup "$SELF" _supervise "$name" >>"$VAR/log/$name.supervisor.log" 2>&1 </dev/null &
    echo $! >"$(supervisor_pidfile_of "$name")"
}

# Wait until worker $1 is healthy; fail when it exits first (the supervisor then keeps
# restarting it with back-off, until `down`).
wait_healthy() {
    local name="$1" deadline=$((SECONDS + SERVICES_READY_TIMEOUT)) pid count baseline
    read -r baseline _ <<<"$(restarts_of "$name")"
    while ((SECONDS < deadline)); do
        read -r count _ <<<"$(restarts_of "$name")"
        if ((count > baseline)) \
            || { ! supervisor_pid_of "$name" >/dev/null && ! pid_of "$name" >/dev/null; }; then
            log "$name exited while starting; last lines of var/log/$name.log:"
            tail -n 30 "$VAR/log/$name.log" >&2 || true
            return 1
        fi
        if pid="$(pid_of "$name")" && healthy "$name"; then
            log "$name healthy (pid $pid, http://127.0.0.1:$(port_of "$name")/health)"
            return 0
        fi
        sleep 0.25
    done
    log "$name not healthy within ${SERVICES_READY_TIMEOUT}s; last lines of var/log/$name.log:"
    tail -n 30 "$VAR/log/$name.log" >&2 || true
    return 1
}

# Wait up to $2 seconds for pid $1 to exit; 0 when it has.
wait_exit() {
    local pid="$1" deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    ! kill -0 "$pid" 2>/dev/null
}

stop_one() {
    local name="$1" pid sup
    pid="$(pid_of "$name")" || pid=""
    if sup="$(supervisor_pid_of "$name")"; then
        # The supervisor passes SIGTERM on to the worker and does not restart it.
        log "stopping $name (supervisor pid $sup${pid:+, worker pid $pid})"
        kill -TERM "$sup" 2>/dev/null || true
    elif [[ -n "$pid" ]]; then
        log "stopping $name (pid $pid, not supervised)"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    if [[ -n "$pid" ]] && ! wait_exit "$pid" "$SERVICES_STOP_TIMEOUT"; then
        log "$name still running after ${SERVICES_STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    if [[ -n "$sup" ]] && ! wait_exit "$sup" 10; then
        log "$name's supervisor still running: SIGKILL"
        kill -KILL "$sup" 2>/dev/null || true
    fi
    rm -f "$(pidfile_of "$name")" "$(supervisor_pidfile_of "$name")" "$(restarts_file_of "$name")"
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
    local name pid sup port rc=0 count last at restarts
    for name in "$@"; do
        port="$(port_of "$name")"
        read -r count last at <<<"$(restarts_of "$name")"
        restarts="restarts $count"
        if ((count > 0)); then
            restarts+=" (last: $(describe_status "$last") at $(date -u -d "@$at" +%FT%TZ))"
        fi
        if sup="$(supervisor_pid_of "$name")"; then
            restarts="supervisor pid $sup, $restarts"
        else
            restarts="not supervised"
        fi
        if pid="$(pid_of "$name")"; then
            if healthy "$name"; then
                echo "$name: running (pid $pid), healthy on port $port; $restarts"
            else
                echo "$name: running (pid $pid), NOT healthy on port $port; $restarts"
                rc=1
            fi
        elif [[ -n "$sup" ]]; then
            echo "$name: restarting (waiting out the back-off); $restarts"
            rc=1
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

for setting in SERVICES_BACKOFF_MIN SERVICES_BACKOFF_MAX SERVICES_BACKOFF_RESET; do
    [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a whole number of seconds >= 1"
done

cmd="${1:-}"
shift || true
(($# > 0)) || set -- "${ALL[@]}"
case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    _supervise) (($# == 1)) || die "_supervise takes one name"; port_of "$1" >/dev/null; supervise "$1" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
