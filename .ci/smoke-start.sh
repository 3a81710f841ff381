#!/usr/bin/env bash
# Starts the built server the way `npm start` does, on a fresh data folder: checks the console,
# API docs and readiness, a second start reusing the data, clean Ctrl-C (no orphaned postgres),
# one-line configuration errors with a non-zero exit, and refusing to start on existing data with a
# wrong secret key or with the key file gone (then starting again once the key is back).
set -euo pipefail
data=$(mktemp -d)
[ "$(id -u)" = 0 ] && chmod 711 "$data"
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
pgport=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
log=$(mktemp)
keep=$(mktemp -d)
trap 'kill -INT $pid 2>/dev/null || true; rm -rf "$data" "$keep"' EXIT

start() {
  env "$@" DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" node dist/api/backend/src/main.js >"$log" 2>&1 &
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
# A provider with a stored (encrypted) API key, for the secret-key checks below.
email=$(sed -n 's/.*email: *\([^ │]*\).*/\1/p' "$log" | head -1)
password=$(sed -n 's/.*password: *\([^ │]*\).*/\1/p' "$log" | head -1)
token=$(curl -sf -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
  "http://127.0.0.1:$port/api/v1/auth/login" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).access_token))')
curl -sf -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"Smoke","kind":"openai","api_key":"sk-smoke-stored-key"}' "http://127.0.0.1:$port/api/v1/providers" >/dev/null ||
  { echo "could not store a provider key" >&2; exit 1; }
stop
start
if grep -q "password:" "$log"; then echo "second start printed a password again" >&2; exit 1; fi
stop
echo "start, reuse and clean stop: ok"

# refuses NAME ENV...: starting on the existing data exits non-zero with one line on stderr naming
# the problem (matching NAME), and leaves no postgres running.
refuses() {
  local pattern=$1 err code
  shift
  set +e
  err=$(env "$@" DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" node dist/api/backend/src/main.js 2>&1 >/dev/null); code=$?
  set -e
  [ $code -ne 0 ] && [ "$(echo "$err" | wc -l)" -eq 1 ] && echo "$err" | grep -q "^switchboard: .*$pattern" ||
    { echo "expected a one-line refusal matching '$pattern': exit $code, stderr: $err" >&2; exit 1; }
  if pgrep -f "$data/pg" >/dev/null; then echo "postgres left running after a refused start" >&2; pgrep -af "$data/pg"; exit 1; fi
  echo "  $err"
}
refuses "SWITCHBOARD_SECRET_KEY" SWITCHBOARD_SECRET_KEY="$(head -c 32 /dev/urandom | base64)"
mv "$data/secret.key" "$keep/secret.key"
refuses "key file .*secret.key is missing" -u SWITCHBOARD_SECRET_KEY
[ ! -e "$data/secret.key" ] || { echo "a refused start left a new key file behind" >&2; exit 1; }
mv "$keep/secret.key" "$data/secret.key"
start
stop
echo "wrong or missing secret key refused, and the right one still starts: ok"

# Cluster mode: two workers serve one port; Ctrl-C stops them and then the database. With the port
# taken, the workers cannot start and the primary gives up (exit 1) instead of re-forking forever.
start WORKERS=2
for _ in $(seq 1 60); do grep -q "ready with 2 workers" "$log" && break; sleep 0.5; done
grep -q "ready with 2 workers" "$log" || { cat "$log"; echo "WORKERS=2: not ready with 2 workers" >&2; exit 1; }
stop
node -e "require('net').createServer().listen($port, '0.0.0.0'); setTimeout(() => process.exit(0), 90000)" &
holder=$!
sleep 0.5
set +e
timeout 90 env WORKERS=2 DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" node dist/api/backend/src/main.js >"$log" 2>&1; code=$?
set -e
kill $holder 2>/dev/null || true
[ $code -eq 1 ] && grep -q "a worker failed to start" "$log" && grep -q "PORT $port is already in use" "$log" ||
  { cat "$log"; echo "WORKERS=2 with the port taken: expected exit 1, got $code" >&2; exit 1; }
if pgrep -f "$data/pg" >/dev/null; then echo "postgres left running after the workers failed" >&2; exit 1; fi
echo "cluster mode starts, stops, and gives up when workers cannot start: ok"

set +e
out=$(PORT=eighty node dist/api/backend/src/main.js 2>&1); code=$?
set -e
[ $code -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "PORT" || { echo "bad PORT: exit $code, output: $out" >&2; exit 1; }
set +e
out=$(DATABASE_URL=postgres://nobody:pw@127.0.0.1:1/x node dist/api/backend/src/main.js 2>&1); code=$?
set -e
[ $code -ne 0 ] && echo "$out" | grep -q "^switchboard: DATABASE_URL: cannot connect" || { echo "unreachable DATABASE_URL: exit $code, output: $out" >&2; exit 1; }
echo "configuration errors: ok"
