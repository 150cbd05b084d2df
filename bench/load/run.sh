#!/usr/bin/env bash
# The load test of issue 14 (`make load`; docs/benchmarks.md, "Load test (issue 14)").
#
# Builds its own PostgreSQL database on 127.0.0.1 (przystan_load_<pid>), migrates it, seeds the
# demo, starts LOAD_INSTANCES gunicorn instances with config/gunicorn.conf.py on consecutive
# ports from LOAD_PORT, runs locust headless for LOAD_SECONDS with LOAD_USERS users spread over
# the instances, prints the figures next to the aims, then stops gunicorn and drops the database
# whatever happened (trap on exit). Exits non-zero when any request failed.
#
# Knobs: LOAD_USERS (60), LOAD_SECONDS (120), LOAD_SPAWN_RATE (users a second, 2),
# LOAD_INSTANCES (1), LOAD_PORT (8711), LOAD_PG (postgres://postgres@127.0.0.1:5432),
# LOAD_WAIT_MIN/LOAD_WAIT_MAX (think time, s), GUNICORN_* (config/gunicorn.conf.py);
# LOAD_CLIENT=burst (`make load-burst`) measures a burst of sign-ins instead (bench/load/burst.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

USERS="${LOAD_USERS:-60}"
SECONDS_TO_RUN="${LOAD_SECONDS:-120}"
SPAWN_RATE="${LOAD_SPAWN_RATE:-2}"
INSTANCES="${LOAD_INSTANCES:-1}"
PORT="${LOAD_PORT:-8711}"
PG="${LOAD_PG:-postgres://postgres@127.0.0.1:5432}"
DB="przystan_load_$$"
PY=.venv/bin/python
WORK="$(mktemp -d /tmp/przystan-load.XXXXXX)"
GUNICORN_PIDS=()
SAMPLER_PID=""

# Start LOAD_INSTANCES gunicorn instances (config/gunicorn.conf.py; GUNICORN_* as exported).
start_servers() {
  GUNICORN_PIDS=()
  HOSTS=()
  for ((i = 0; i < INSTANCES; i++)); do
    port=$((PORT + i))
    GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG="$WORK/access-$port.log" \
      .venv/bin/gunicorn -c config/gunicorn.conf.py >>"$WORK/gunicorn-$port.log" 2>&1 &
    GUNICORN_PIDS+=($!)
    HOSTS+=("http://127.0.0.1:$port")
  done
  for host in "${HOSTS[@]}"; do
    for _ in $(seq 1 60); do
      curl -fsS -o /dev/null "$host/login/" 2>/dev/null && break
      sleep 1
    done
    curl -fsS -o /dev/null "$host/login/" || { echo "gunicorn at $host does not answer" >&2; exit 1; }
  done
  step "gunicorn: $INSTANCES instance(s), ${GUNICORN_WORKER_CLASS:-gthread}, workers ${GUNICORN_WORKERS:-2} x threads ${GUNICORN_THREADS:-4}: ${HOSTS[*]}"
}

stop_servers() {
  for pid in "${GUNICORN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${GUNICORN_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  GUNICORN_PIDS=()
}

cleanup() {
  local rc=$?
  stop_servers
  [ -n "$SAMPLER_PID" ] && kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  # Bounded: DROP DATABASE waits until every backend of the server has closed the database's
  # files, and one stuck elsewhere (another run's COPY waiting on its client) holds it for ever.
  if ! timeout 120 dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB" 2>/dev/null; then
    echo "!!! The database $DB was not dropped within 120 s: dropdb -h 127.0.0.1 -U postgres $DB" >&2
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT INT TERM

step() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# The demo as `make run` has it (DEBUG off), its secrets and files in the run's own folder.
"$PY" -m config.demo_keys "$WORK/var" 2>/dev/null
export PRZYSTAN_DEMO=true DEBUG=false HTTPS_ONLY=false PRZYSTAN_VAR_DIR="$WORK/var" \
  SECRET_KEY_FILE="$WORK/var/secret_key" ALLOWED_HOSTS=127.0.0.1,localhost \
  PRZYSTAN_KEKS_FILE="$WORK/var/keks" PRZYSTAN_INDEX_KEY_FILE="$WORK/var/index.key" \
  PRZYSTAN_AUDIT_KEY_FILE="$WORK/var/audit.key" DATABASE_URL="$PG/$DB" \
  DJANGO_SETTINGS_MODULE=config.settings

step "database $DB: create, migrate, seed the demo"
createdb -h 127.0.0.1 -U postgres "$DB"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py seed_demo >"$WORK/seed.log"
"$PY" -m bench.load.setup_demo >/dev/null

# LOAD_CLIENT=burst: sign-ins at once beside the board, for each worker configuration of
# LOAD_BURST_CONFIGS (class:workers:threads), on one instance (bench/load/burst.py).
if [ "${LOAD_CLIENT:-locust}" = burst ]; then
  rc=0
  for config in ${LOAD_BURST_CONFIGS:-sync:4:1 gthread:2:4}; do
    IFS=: read -r worker_class workers threads <<<"$config"
    export GUNICORN_WORKER_CLASS="$worker_class" GUNICORN_WORKERS="$workers" GUNICORN_THREADS="$threads"
    INSTANCES=1 start_servers
    "$PY" -m bench.load.burst "${HOSTS[0]}" || rc=1
    stop_servers
  done
  exit "$rc"
fi

start_servers
# LOAD_USERS may name several counts ("60 100"): one run each, on the same servers and data.
overall=0
for USERS in $USERS; do
"$PY" -m bench.load.cpu "$WORK/cpu.json" "$DB" "${GUNICORN_PIDS[@]}" &
SAMPLER_PID=$!
step "locust: $USERS users (spawned $SPAWN_RATE a second) for ${SECONDS_TO_RUN} s"
set +e
LOAD_HOSTS="$(IFS=,; echo "${HOSTS[*]}")" LOAD_SUMMARY="$WORK/summary.json" \
  .venv/bin/locust -f bench/load/locustfile.py --headless --only-summary --loglevel WARNING \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "${SECONDS_TO_RUN}s" --stop-timeout 10 \
  --host "${HOSTS[0]}" >"$WORK/locust.log" 2>&1
set -e
kill -TERM "$SAMPLER_PID"
wait "$SAMPLER_PID" || true
SAMPLER_PID=""

if [ ! -s "$WORK/summary.json" ]; then
  echo "locust wrote no summary:" >&2
  tail -30 "$WORK/locust.log" >&2
  exit 1
fi
step "figures for $USERS users (pages: every kind but the sign-in and its second factor)"
set +e
"$PY" -m bench.load.report "$WORK/summary.json" "$WORK/cpu.json" "$USERS"
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  overall=1
  echo "Errors (locust's report, then the servers' log):" >&2
  sed -n '/Error report/,$p' "$WORK/locust.log" >&2
  grep -h "ERROR" "$WORK"/gunicorn-*.log | head -20 >&2 || true
fi
rm -f "$WORK/summary.json"
done
exit "$overall"
