#!/usr/bin/env bash
# End-to-end tests against the real backend: starts `duespark serve` on a free port with a
# throwaway SQLite database, serving the built web app (web/dist), runs Playwright, stops the server.
#
#   bash web/scripts/e2e.sh [playwright args...]      (npm run e2e:real -- [args] from web/)
#
# VENV        virtualenv with DueSpark installed (default: <repo>/.venv)
# PYTHONPATH  passed through; the checkout's backend/src is put first so its code is what runs
# E2E_BUILD=0 skip `npm run build` (use the existing web/dist)
# E2E_KEEP=1  keep the temporary data directory (server log, database) for inspection
#
# Every test signs up from 127.0.0.1, so the sign-up and sign-in limits are raised here; the
# limits themselves are tested in backend/tests/ops/test_ratelimit.py.
set -euo pipefail

web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_dir="$(cd "$web_dir/.." && pwd)"
venv="${VENV:-$repo_dir/.venv}"
duespark="$venv/bin/duespark"
python="$venv/bin/python"

if [[ ! -x "$duespark" ]]; then
  echo "e2e: $duespark not found. Run 'make install' at the repository root, or set VENV." >&2
  exit 2
fi

cd "$web_dir"
if [[ "${E2E_BUILD:-1}" != "0" ]]; then
  npm run --silent build -- --logLevel=warn
fi
if [[ ! -f dist/index.html ]]; then
  echo "e2e: web/dist/index.html is missing; run npm run build first." >&2
  exit 2
fi

rm -rf test-results/screenshots
data_dir="$(mktemp -d "${TMPDIR:-/tmp}/duespark-e2e.XXXXXX")"
server_pid=""
cleanup() {
  local status=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$data_dir/server.log" ]]; then
    echo "--- last lines of the server log ($data_dir/server.log) ---" >&2
    tail -n 40 "$data_dir/server.log" >&2 || true
  fi
  if [[ "${E2E_KEEP:-0}" == "1" || $status -ne 0 ]]; then
    echo "e2e: data kept in $data_dir" >&2
  else
    rm -rf "$data_dir"
  fi
  exit $status
}
trap cleanup EXIT INT TERM

# A free port: bind to port 0 and let the kernel choose.
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base_url="http://127.0.0.1:$port"

export PYTHONPATH="$repo_dir/backend/src${PYTHONPATH:+:$PYTHONPATH}"
# The demo account (demo@example.com, see README) for the dashboard's tests and screenshots.
DUESPARK_DATA_DIR="$data_dir" DUESPARK_ENV=development DUESPARK_DATABASE_URL="sqlite:///$data_dir/e2e.db" \
  "$duespark" demo >"$data_dir/demo.log" 2>&1 || { cat "$data_dir/demo.log" >&2; exit 1; }
DUESPARK_DATA_DIR="$data_dir" \
DUESPARK_ENV=development \
DUESPARK_DATABASE_URL="sqlite:///$data_dir/e2e.db" \
DUESPARK_WEB_DIST_DIR="$web_dir/dist" \
DUESPARK_RUN_WORKER_IN_PROCESS=false \
DUESPARK_RATE_LIMIT_REGISTER=200/minute \
DUESPARK_RATE_LIMIT_SIGN_IN=200/minute \
DUESPARK_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true \
DUESPARK_XERO_CLIENT_ID=e2e-xero-app \
DUESPARK_ACCOUNTING_TIMEOUT_SECONDS=3 \
DUESPARK_INBOUND_DOMAIN=in.duespark.test \
DUESPARK_INBOUND_WEBHOOK_USERNAME=inbound \
DUESPARK_INBOUND_WEBHOOK_PASSWORD=inbound-password-e2e-0123456789 \
  "$duespark" serve --host 127.0.0.1 --port "$port" >"$data_dir/server.log" 2>&1 &
server_pid=$!

echo "e2e: waiting for DueSpark on $base_url (pid $server_pid)"
for _ in $(seq 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the server exited before it was ready." >&2
    exit 1
  fi
  if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$base_url/health" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
"$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base_url/health" >/dev/null 2>&1 || {
  echo "e2e: $base_url/health did not answer within 60 s." >&2
  exit 1
}

# Specs that move time (answers.spec.ts) run `duespark worker --once --now ...` on the same database.
E2E_BASE_URL="$base_url" E2E_DUESPARK="$duespark" E2E_DATA_DIR="$data_dir" E2E_DATABASE_URL="sqlite:///$data_dir/e2e.db" \
  npx playwright test "$@"
