#!/usr/bin/env bash
# Schemathesis against the live API: a scratch PostgreSQL database with the demo data, the app served by
# gunicorn on a free port, and `schemathesis run` on /api/v1/schema/ with a token of each demo role.
# Fails on any server error (5xx) or any response that does not match the schema.
# Run by .ci/run after the tests; by hand: bash .ci/schemathesis.sh (PostgreSQL on 127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

DB_NAME="${SCHEMATHESIS_DB:-roster_schemathesis}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-10}"
PG="postgres://postgres@127.0.0.1:5432"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The embedded setup, on PostgreSQL: tasks in-process, mail dropped, no throttling in the way.
export DJANGO_SETTINGS_MODULE=config.settings.local
export DATABASE_URL="$PG/$DB_NAME"
export EMAIL_URL="dummymail://"
export ROSTER_MFA_REQUIRED=false
export ROSTER_API_RATE="100000/min" ROSTER_API_ANON_RATE="100000/min"
export PRIVATE_MEDIA_ROOT="$WORK/private"
unset REDIS_URL CELERY_BROKER_URL ROSTER_EMBEDDED_WORKER || true

echo "== schemathesis: database $DB_NAME"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
# a scratch database: no need to wait for each commit to reach the disk
psql -q -h 127.0.0.1 -U postgres -d postgres -c "ALTER DATABASE $DB_NAME SET synchronous_commit = off" >/dev/null
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py api_demo_tokens --out "$WORK/tokens.json" --name schemathesis

PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "== schemathesis: gunicorn on 127.0.0.1:$PORT"
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }

# IPO staff may call every operation: the coverage phase (each operation's boundary and invalid cases)
# runs with their token; every role then fuzzes (random valid and invalid requests) with its own.
status=0
for role in ipo_staff coordinator officer; do
  phases=fuzzing
  [ "$role" = ipo_staff ] && phases=coverage,fuzzing
  token="$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/tokens.json" "$role")"
  echo "== schemathesis: as $role"
  # from the scratch folder, where Schemathesis keeps what it writes
  if ! (cd "$WORK" && "$ROOT/.venv/bin/schemathesis" run "http://127.0.0.1:$PORT/api/v1/schema/" \
      --header "Authorization: Bearer $token" \
      --checks not_a_server_error,response_schema_conformance \
      --phases "$phases" \
      --max-examples "$EXAMPLES" --seed 2026 --workers 2 --request-timeout 30 \
      --suppress-health-check all --generation-database none --no-color); then
    status=1
  fi
done
if grep -q "Traceback" "$WORK/gunicorn.log"; then
  echo "== schemathesis: the server logged errors:"; cat "$WORK/gunicorn.log"; status=1
fi
exit $status
