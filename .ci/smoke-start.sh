#!/usr/bin/env bash
# Starts the built server the way `npm start` does, on a fresh data folder: checks the console,
# API docs and readiness, a second start reusing the data, clean Ctrl-C (no orphaned postgres),
# and one-line configuration errors with a non-zero exit.
set -euo pipefail
data=$(mktemp -d)
[ "$(id -u)" = 0 ] && chmod 711 "$data"
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
pgport=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
log=$(mktemp)
trap 'kill -INT $pid 2>/dev/null || true; rm -rf "$data"' EXIT

start() {
  DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" node dist/api/backend/src/main.js >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return 0
    kill -0 $pid 2>/dev/null || { cat "$log"; echo "server exited early" >&2; exit 1; }
    sleep 0.5
  done
  cat "$log"; echo "server not ready in 60 s" >&2; exit 1
}
stop() {
  kill -INT $pid
  for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
  if kill -0 $pid 2>/dev/null; then echo "server did not stop on SIGINT" >&2; exit 1; fi
  if pgrep -f "$data/pg" >/dev/null; then echo "orphaned postgres after SIGINT" >&2; pgrep -af "$data/pg"; exit 1; fi
}

start
grep -q "password:" "$log" || { cat "$log"; echo "first start did not print the generated admin password" >&2; exit 1; }
curl -sf "http://127.0.0.1:$port/" | grep -q "<sb-root\|<app-root" || { echo "console not served at /" >&2; exit 1; }
curl -sf "http://127.0.0.1:$port/api/docs" | grep -qi swagger || { echo "API docs not served" >&2; exit 1; }
curl -sf "http://127.0.0.1:$port/api/docs-json" | grep -q '"openapi"' || { echo "OpenAPI JSON not served" >&2; exit 1; }
stop
start
if grep -q "password:" "$log"; then echo "second start printed a password again" >&2; exit 1; fi
stop
echo "start, reuse and clean stop: ok"

set +e
out=$(PORT=eighty node dist/api/backend/src/main.js 2>&1); code=$?
set -e
[ $code -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "PORT" || { echo "bad PORT: exit $code, output: $out" >&2; exit 1; }
set +e
out=$(DATABASE_URL=postgres://nobody:pw@127.0.0.1:1/x node dist/api/backend/src/main.js 2>&1); code=$?
set -e
[ $code -ne 0 ] && echo "$out" | grep -q "^switchboard: DATABASE_URL: cannot connect" || { echo "unreachable DATABASE_URL: exit $code, output: $out" >&2; exit 1; }
echo "configuration errors: ok"
