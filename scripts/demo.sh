#!/usr/bin/env bash
# `make demo`: migrate, load the demo city, then serve it with gunicorn and a task worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
ENTITIES=${DEMO_ENTITIES:-200000}

set -a; source var/demo.env; set +a
# The demo is served over plain http on the loopback: cookies cannot be "secure" there.
export REGULUS_SECURE_COOKIES=0

$BIN/regulus migrate --noinput -v0
$BIN/regulus createcachetable
$BIN/regulus seed_demo --entities "$ENTITIES"
$BIN/regulus collectstatic --noinput -v0

# Background work (imports, exports) runs in the database-backed task worker.
$BIN/regulus db_worker >var/worker.log 2>&1 &
worker=$!

# The periodic sweeps, once a minute as cron or a systemd timer runs them in production
# (docs/install.md). Each run is a child of this loop, so stopping the loop stops a run too
# (a sweep interrupted midway rolls back; the next run does it again).
tick_every_minute() {
  local child=
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM
  while true; do
    $BIN/regulus tick --verbosity 0 >>var/tick.log 2>&1 &
    child=$!
    wait "$child" || true
    sleep 60 &
    child=$!
    wait "$child" || true
  done
}
tick_every_minute &
ticker=$!
trap 'kill $worker $ticker 2>/dev/null || true' EXIT INT TERM

$BIN/regulus demo_banner --url "http://$HOST:$PORT/"
# `regulus serve`: gunicorn in production settings (it refuses debug, a weak key, unapplied
# migrations); regulus/gunicorn_conf.py keeps query strings out of the access log and escapes
# CR, LF and NUL from URLs. Two workers: the demo shares its machine.
$BIN/regulus serve --bind "$HOST:$PORT" --workers 2 --threads 4 --access-log var/access.log
