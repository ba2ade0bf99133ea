# DueSpark: `make run` to try it, `make test` to test everything.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DUESPARK := $(VENV)/bin/duespark
# The first interpreter that really runs and is 3.11+ (pyenv shims may exist for versions not selected).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
TEST_WORKERS ?= 2
PORT ?= 8000
export DUESPARK_DATA_DIR ?= $(CURDIR)/data

.PHONY: install lock run test test-backend test-web lint web-build web-dev bench bench-reminders test-faults coverage openapi check-openapi clean security

install: $(STAMP)

# Exact versions with hashes from backend/requirements.lock, then DueSpark itself without resolving again:
# a clone installs next month what the tests passed with today.
$(STAMP): backend/pyproject.toml backend/requirements.lock
	@test -n "$(PYTHON)" || { echo "DueSpark needs Python 3.11 or newer (python3.11, python3.12 or python3)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# pip 23 (what Python 3.11's venv brings) resolves an extra such as pytest-cov's coverage[toml] against the
	@# newest release instead of the lock's pin once a newer one is out, and --require-hashes then refuses it.
	$(PIP) install --quiet --upgrade "pip>=25.1"
	$(PIP) install --quiet --require-hashes -r backend/requirements.lock
	$(PIP) install --quiet --no-deps -e backend
	$(PIP) check
	@touch $(STAMP)

# Re-lock after changing dependencies in backend/pyproject.toml (keeps current versions where they still fit):
# requirements.lock (with the dev tools, for `make install`) and requirements-prod.lock (the Docker image's);
# `make lock UPGRADE=1` moves every package to its newest release. Then `make test`.
lock: $(STAMP)
	cd backend && ../$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade) -o requirements.lock
	cd backend && ../$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet -c requirements.lock -o requirements-prod.lock

web/node_modules/.installed: web/package.json web/package-lock.json
	@if command -v npm >/dev/null; then \
		cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the web app is not built (the API still runs)"; fi

# The web app is rebuilt only when something it is built from changed (a build takes ~20 s).
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package.json web/package-lock.json web/vite.config.ts \
	web/tsconfig.json web/tsconfig.app.json web/postcss.config.cjs -type f 2>/dev/null)

web-build: web/dist/index.html

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	@if [ -d web/node_modules ]; then cd web && npm run --silent build && touch dist/index.html; fi

run: install web-build
	$(DUESPARK) migrate
	$(DUESPARK) serve --host $(HOST) --port $(PORT)

web-dev: install web/node_modules/.installed
	cd web && npm run dev

test: install test-backend security test-web

test-backend:
	cd backend && ../$(VENV)/bin/ruff check src tests
	cd backend && ../$(VENV)/bin/ruff format --check src tests
	cd backend && ../$(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal

# The backend suite under coverage, failing below 85% (a quarter slower: kept out of `make test` so CI fits in 30 min).
coverage: install
	cd backend && ../$(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --cov=duespark --cov-report=term --cov-fail-under=85

# Web: the typed client is current, lint, unit tests, then the browser tests against the real backend.
test-web: check-openapi web-build
	cd web && npm run --silent lint && npm run --silent test
	VENV=$(abspath $(VENV)) E2E_BUILD=0 bash web/scripts/e2e.sh

lint:
	cd backend && ../$(VENV)/bin/ruff check src tests && ../$(VENV)/bin/ruff format --check src tests

# Static checks: bandit fails on a medium or high finding; the dependency audits only report
# (a registry that cannot be reached prints a notice, never fails the build).
security: install
	$(VENV)/bin/bandit -c backend/pyproject.toml -r backend/src -ll -q
	$(PY) backend/scripts/dependency_audit.py --web-dir web --timeout 25

# Every benchmark (API under load, engine at 1,000,000 invoices, planner and dispatcher, insights), each
# printing its table, then one summary table with the targets. `BENCH_ARGS=--quick` for a tenfold smaller run.
bench: install
	$(PY) bench/all.py $(BENCH_ARGS)

bench-reminders: install
	$(PY) bench/reminders_bench.py

openapi: install
	$(PY) -m duespark.openapi > backend/openapi.json.tmp && mv backend/openapi.json.tmp backend/openapi.json
	@if [ -d web/node_modules ]; then cd web && npm run --silent gen-api; fi

# Fails when backend/openapi.json or web/src/api/schema.d.ts is not what the code generates now.
check-openapi: install web/node_modules/.installed
	cd web && VENV=$(abspath $(VENV)) node scripts/check-api.mjs

clean:
	rm -rf $(VENV) web/node_modules web/dist

.PHONY: bench-insights
# Insights at 100,000 invoices on PostgreSQL (DUESPARK_BENCH_POSTGRES_URL): query times and the predictor's backtest.
bench-insights: install
	$(PY) bench/insights_bench.py


# Fault injection (issue #9): SIGKILLed workers at full scale (5,000 reminders, 10 kills), provider outage,
# PostgreSQL restart and Redis stop on servers the tests start themselves. `make test` runs them too.
test-faults: install
	cd backend && DUESPARK_FAULTS_FULL=1 ../$(VENV)/bin/pytest -q -p no:cacheprovider -m faults -s

.PHONY: bench-api bench-engine-scale
# The API under load (50,000 invoices, serve --workers 2): requests/s and p50/p95/p99 per endpoint.
bench-api: install
	$(PY) bench/api_load.py
# Planning and dispatch (200 ms provider) for 1,000,000 open invoices: time and the worker's peak memory.
bench-engine-scale: install
	$(PY) bench/engine_scale.py

