#!/usr/bin/env bash
# Start N dashboard replicas on loopback ports behind nginx (deploy/nginx.conf), or stop them.
#
#   scripts/replicas.sh start [N]   N replicas (default 2) on 127.0.0.1:$FIRST_PORT.., nginx on $PORT
#   scripts/replicas.sh stop        stop the nginx and the replicas this script started
#   scripts/replicas.sh status      what runs, and where
#
# Every replica reads the same extracts ($DASHBOARD_DATA_DIR). Process ids, logs and the nginx
# files live in $RUN_DIR; `stop` ends exactly the processes listed there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
RUN_DIR=${RUN_DIR:-/tmp/hub-replicas}
PORT=${PORT:-8080}
FIRST_PORT=${FIRST_PORT:-8601}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
export DASHBOARD_DATA_DIR=${DASHBOARD_DATA_DIR:-data/clean}
START_TIMEOUT=${START_TIMEOUT:-90}  # seconds for a replica to answer /_stcore/health (2 cores, N at once)

wait_healthy() {  # url
  local deadline=$((SECONDS + START_TIMEOUT))
  until curl -fsS -o /dev/null "$1/_stcore/health" 2>/dev/null; do
    if ((SECONDS > deadline)); then echo "no answer from $1 after ${START_TIMEOUT}s" >&2; return 1; fi
    sleep 0.5
  done
}

stop() {
  if [ -f "$RUN_DIR/nginx.pid" ]; then
    kill "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$RUN_DIR/nginx.pid"
  fi
  if [ -f "$RUN_DIR/replica.pids" ]; then
    for pid in $(cat "$RUN_DIR/replica.pids"); do kill "$pid" 2>/dev/null || true; done
    for pid in $(cat "$RUN_DIR/replica.pids"); do
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    done
    rm -f "$RUN_DIR/replica.pids"
  fi
}

start() {
  local n=${1:-2}
  command -v "$NGINX" >/dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
  [ -f "$DASHBOARD_DATA_DIR/report.json" ] || echo "warning: $DASHBOARD_DATA_DIR has no report.json" >&2
  stop
  mkdir -p "$RUN_DIR/logs" "$RUN_DIR/tmp"
  : > "$RUN_DIR/replica.pids"
  : > "$RUN_DIR/upstreams.conf"
  for ((i = 0; i < n; i++)); do
    local port=$((FIRST_PORT + i))
    "$VENV/bin/python" -m streamlit run streamlit_app.py --server.headless true \
      --server.address 127.0.0.1 --server.port "$port" --server.fileWatcherType none \
      >"$RUN_DIR/logs/replica-$port.log" 2>&1 &
    echo $! >>"$RUN_DIR/replica.pids"
    echo "server 127.0.0.1:$port;" >>"$RUN_DIR/upstreams.conf"
  done
  for ((i = 0; i < n; i++)); do wait_healthy "http://127.0.0.1:$((FIRST_PORT + i))" || { stop; exit 1; }; done
  cp deploy/nginx.conf "$RUN_DIR/nginx.conf"
  echo "listen 127.0.0.1:$PORT;" >"$RUN_DIR/listen.conf"
  "$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"
  "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g "daemon off;" >"$RUN_DIR/logs/nginx.out" 2>&1 &
  echo $! >"$RUN_DIR/nginx.pid"
  wait_healthy "http://127.0.0.1:$PORT" || { stop; exit 1; }
  echo "http://127.0.0.1:$PORT" >"$RUN_DIR/url"
  echo "$n replicas behind nginx at http://127.0.0.1:$PORT (data: $DASHBOARD_DATA_DIR; files: $RUN_DIR)"
}

status() {
  [ -f "$RUN_DIR/url" ] && echo "nginx: $(cat "$RUN_DIR/url") pid $(cat "$RUN_DIR/nginx.pid" 2>/dev/null || echo -)"
  [ -f "$RUN_DIR/replica.pids" ] && paste -d' ' <(sed 's/^server /replica /' "$RUN_DIR/upstreams.conf") "$RUN_DIR/replica.pids"
  return 0
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac
