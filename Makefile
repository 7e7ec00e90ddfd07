# The two commands of the README are `make run` and `make test`; each sets up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck unit build bench bench-quick bench-views clean fmt venv report lock audit

venv: $(STAMP)

# Python dependencies come from the lock files in requirements/ (every package pinned, with
# the SHA-256 of each of its files; `make lock` writes them from pyproject.toml): pip checks
# every download against them and resolves nothing itself (--no-deps). The project goes in
# last, without dependencies and with the locked setuptools (--no-build-isolation: no
# unpinned build environment). Re-installed only when the lock or the metadata changes.
LOCK_DEV   := requirements/dev.txt
LOCK_BENCH := requirements/bench.txt
LOCK_RUN   := requirements/run.txt
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r
PIP_SELF   := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

$(STAMP): pyproject.toml $(LOCK_DEV)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) $(LOCK_DEV)
	$(PIP_SELF)
	@touch $@

# Refresh every lock: the newest versions pyproject.toml and package.json allow, with their
# hashes (uv resolves for every platform and Python >= 3.11 at once: --universal). The three
# Python sets agree on every version: bench.txt (all extras) constrains dev.txt, which
# constrains run.txt. npm: package-lock.json (integrity hashes) within package.json's pins.
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --upgrade --generate-hashes --universal \
  --python-version 3.11 --custom-compile-command 'make lock'
lock: venv
	$(UV_COMPILE) --all-extras -o $(LOCK_BENCH)
	$(UV_COMPILE) --extra dev -c $(LOCK_BENCH) -o $(LOCK_DEV)
	$(UV_COMPILE) -c $(LOCK_DEV) -o $(LOCK_RUN)
	npm update --package-lock-only --ignore-scripts --no-audit --no-fund

# Known vulnerabilities of the locked sets: pip-audit (PyPI's advisories) over the Python
# locks, `npm audit` over package-lock.json. Findings are printed and kept in test-artifacts/;
# a critical one fails (a Python finding has no severity: every one fails). A service that
# cannot be reached is said so loudly and does not fail, unless AUDIT_STRICT=1
# (docs/decisions.md, "Issue 18: vulnerability audits").
audit: venv
	@mkdir -p test-artifacts
	$(BIN)/python .ci/audit.py --out test-artifacts $(if $(AUDIT_STRICT),--strict) $(LOCK_BENCH)

build: venv
	$(BIN)/itugraph build

run: venv ui build
	$(BIN)/itugraph serve --host $(HOST) --port $(PORT)

# Style and dead code are not review topics: ruff (lint and format), mypy over the package
# and the bench, vulture (names only frameworks use are listed in .ci/vulture_whitelist.py).
lint: venv
	$(BIN)/ruff check itugraph tests bench .ci/audit.py
	$(BIN)/ruff format --check itugraph tests bench .ci/audit.py
	$(BIN)/mypy
	$(BIN)/mypy bench .ci/audit.py
	$(BIN)/vulture itugraph tests bench .ci/audit.py .ci/vulture_whitelist.py --min-confidence 60
	$(BIN)/itugraph fmt --check

# The suite on every core (pytest-xdist; tests sharing one live server keep to one worker:
# --dist loadgroup), measuring line and branch coverage of itugraph in the pytest processes.
# The floor is what the suite reached (84.9% of lines and branches together, 2026-12-06).
unit: venv ui browser stores
	$(BIN)/python -m pytest -n auto --dist loadgroup --cov=itugraph --cov-branch \
	  --cov-report=term-missing:skip-covered --cov-fail-under=84

test: venv lint audit unit report

# The data-quality report (classes, coverage against tests/data/inventories/, conflicts,
# low-confidence claims, warnings): printed, and kept as JSON for CI artefacts.
report: venv
	@mkdir -p test-artifacts
	$(BIN)/itugraph report --format json -o test-artifacts/data-quality.json
	$(BIN)/itugraph report

fmt: venv
	$(BIN)/itugraph fmt

# wrk drives the c=8 cells: the Python fallback client is slower than the servers it
# measures (it caps Oxigraph's figures). Installed from Debian when we may; else a warning.
# Then the load-and-soak run (bench/soak.py, issue 18): 32 clients for five minutes on
# loopback (SOAK_ARGS=--seconds N; --quick: 30 s); it fails on an unexpected error or on
# memory growth beyond the caches' bound.
bench: venv stores
	$(PIP_LOCKED) $(LOCK_BENCH)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get install -y --no-install-recommends wrk >/dev/null 2>&1; } || \
	  echo "bench: wrk not installed (apt-get install wrk): c=8 cells use the slower Python client"
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
	@mkdir -p bench/results
	$(BIN)/python -m bench.backends --json bench/results/backends-real.json
	$(MAKE) bench-views

# Time to interactive of the home page and each view in headless Chromium (issue 16).
bench-views: venv ui browser
	$(BIN)/python -m bench.views

bench-quick: venv
	$(MAKE) bench BENCH_ARGS=--quick SOAK_ARGS=--quick

# Query UI (docs/query-ui.md) and the views (issue 16): YASGUI, Cytoscape.js, d3 and axe-core
# (the accessibility check of the browser tests) from the npm registry, pinned by
# package-lock.json (every package with its sha512 integrity, which `npm ci` checks; `make
# lock` refreshes it, `make audit` audits it). `npm ci` runs only when the lockfile is newer than node_modules; the dist
# files are copied into the git-ignored vendor folder served by Flask from our own origin.
.PHONY: ui browser stores
UI_VENDOR := itugraph/web/static/vendor
UI_FILES  := yasgui.min.js yasgui.min.js.map yasgui.min.css
VIEW_FILES := cytoscape.min.js d3.min.js axe.min.js

ui: $(addprefix $(UI_VENDOR)/,$(UI_FILES) $(VIEW_FILES))

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(addprefix $(UI_VENDOR)/,$(UI_FILES)): $(UI_VENDOR)/%: node_modules/.package-lock.json
	@mkdir -p $(UI_VENDOR)
	cp node_modules/@zazuko/yasgui/build/$* $@

$(UI_VENDOR)/cytoscape.min.js: node_modules/.package-lock.json
	@mkdir -p $(UI_VENDOR)
	cp node_modules/cytoscape/dist/cytoscape.min.js $@

$(UI_VENDOR)/d3.min.js: node_modules/.package-lock.json
	@mkdir -p $(UI_VENDOR)
	cp node_modules/d3/dist/d3.min.js $@

$(UI_VENDOR)/axe.min.js: node_modules/.package-lock.json
	@mkdir -p $(UI_VENDOR)
	cp node_modules/axe-core/axe.min.js $@

# Headless Chromium for the browser tests (tests/test_web_ui_browser.py): Debian's package.
browser:
	@if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/noto ] && [ -d /usr/share/fonts/opentype/noto ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-core fonts-noto-cjk; \
	else echo "browser: /usr/bin/chromium is missing and we are not root;" \
	  "install Debian's chromium (browser tests fail under CI=true, skip otherwise)"; fi

# Virtuoso Open Source 7 and HAProxy for the store and replica tests, nginx for the document
# cache test (tests/stores.py, bench/nginx.py start them on loopback with temporary files):
# Debian's packages; Virtuoso's server binary and isql only, no system service. Oxigraph
# server comes from PyPI with the test extra.
stores:
	@if [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ] && [ -x /usr/sbin/haproxy ] \
	    && [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    virtuoso-opensource-7-bin haproxy nginx-light; \
	else echo "stores: virtuoso-t, haproxy or nginx is missing and we are not root; install Debian's" \
	  "virtuoso-opensource-7-bin, haproxy and nginx-light (their tests fail under CI=true, skip otherwise)"; fi

clean:
	rm -rf $(VENV) .itugraph build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
	       node_modules itugraph/web/static/vendor bench/results test-artifacts
