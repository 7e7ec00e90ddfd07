# The two commands of the README are `make run` and `make test`; each sets up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck unit build bench bench-quick clean fmt venv

venv: $(STAMP)

# Re-install only when the project's metadata changes: quick when already done.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

build: venv
	$(BIN)/itugraph build

run: venv build
	$(BIN)/itugraph serve --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check itugraph tests bench
	$(BIN)/mypy
	$(BIN)/itugraph fmt --check

unit: venv
	$(BIN)/python -m pytest

test: venv lint unit

fmt: venv
	$(BIN)/itugraph fmt

bench: venv
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-quick: venv
	$(MAKE) bench BENCH_ARGS=--quick

clean:
	rm -rf $(VENV) .itugraph build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
	       node_modules itugraph/web/static/vendor bench/results test-artifacts
