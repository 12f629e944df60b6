#!/usr/bin/env bash
# Start N dashboard replicas on loopback ports behind nginx (deploy/nginx.conf), or stop them.
#
#   scripts/replicas.sh start [N]   N replicas (default 2) on 127.0.0.1:$FIRST_PORT.., nginx on $PORT
#   scripts/replicas.sh restart I   start replica I (0, 1, ...) again after it died
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

replica() {  # port: start one replica in the background
  "$VENV/bin/python" -m streamlit run streamlit_app.py --server.headless true \
    --server.address 127.0.0.1 --server.port "$1" --server.fileWatcherType none \
    >>"$RUN_DIR/logs/replica-$1.log" 2>&1 &
}

routing() {  # n: the pools and routes deploy/nginx.conf includes (see its header)
  local n=$1 i j
  : >"$RUN_DIR/upstreams.conf"
  {
    echo 'split_clients "$request_id" $new_route {'
    for ((i = 0; i < n - 1; i++)); do echo "    $(awk "BEGIN { printf \"%.2f\", 100 / $n }")% replica_$i;"; done
    echo "    * replica_$((n - 1));"
    echo '}'
    echo 'map $cookie_hub_route $route {'
    for ((i = 0; i < n; i++)); do echo "    replica_$i replica_$i;"; done
    echo '    default $new_route;'
    echo '}'
    echo 'map $upstream_addr $served_route {'
    for ((i = 0; i < n; i++)); do echo "    ~127\\.0\\.0\\.1:$((FIRST_PORT + i))\$ replica_$i;"; done
    echo '    default "";'
    echo '}'
  } >"$RUN_DIR/routes.conf"
  for ((i = 0; i < n; i++)); do
    {
      echo "upstream replica_$i {"
      echo "    server 127.0.0.1:$((FIRST_PORT + i)) max_fails=1 fail_timeout=10s;"
      for ((j = 1; j < n; j++)); do echo "    server 127.0.0.1:$((FIRST_PORT + (i + j) % n)) backup;"; done
      echo "    keepalive 16;"
      echo "}"
    } >>"$RUN_DIR/upstreams.conf"
  done
}

restart() {  # i: start replica i again (after it died), on its port, and wait for it
  local port=$((FIRST_PORT + $1)) pid
  [ -f "$RUN_DIR/replica.pids" ] || { echo "no replicas started from $RUN_DIR" >&2; exit 1; }
  pid=$(sed -n "$(($1 + 1))p" "$RUN_DIR/replica.pids")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "replica $1 (pid $pid) is running" >&2; exit 1; fi
  replica "$port"
  sed -i "$(($1 + 1))s/.*/$!/" "$RUN_DIR/replica.pids"
  wait_healthy "http://127.0.0.1:$port"
  echo "replica $1 on 127.0.0.1:$port again (pid $!)"
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
  for ((i = 0; i < n; i++)); do
    replica "$((FIRST_PORT + i))"
    echo $! >>"$RUN_DIR/replica.pids"
  done
  for ((i = 0; i < n; i++)); do wait_healthy "http://127.0.0.1:$((FIRST_PORT + i))" || { stop; exit 1; }; done
  routing "$n"
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
  [ -f "$RUN_DIR/replica.pids" ] && paste -d' ' <(grep -o 'server 127[^ ;]* max_fails' "$RUN_DIR/upstreams.conf" | sed 's/^server /replica /; s/ max_fails//') "$RUN_DIR/replica.pids"
  return 0
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  restart) restart "${2:?which replica: 0, 1, ...}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | restart I | stop | status" >&2; exit 2 ;;
esac
