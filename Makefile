# The two commands a new machine needs: `make demo` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAREHOUSE ?= data/demo/acorn.duckdb
# The optional groups the tests need: Spark for the equality test, the deploy set for Postgres and S3.
EXTRAS ?= test,spark,deploy

# The telemetry switches, from their one list (config/settings.py TELEMETRY_OFF): `acorn` and the tests set them
# themselves; `dagster dev` is started by make, so it gets them here. Expanded when a recipe runs, after install.
TELEMETRY_OFF = $(shell $(BIN)/python -c 'from config.settings import TELEMETRY_OFF as t; print(*(f"{k}={v}" for k, v in t.items()))')

.PHONY: demo test lint install browser dagster dashboards bench clean

demo: $(VENV)/.installed
	$(BIN)/acorn demo --warehouse $(WAREHOUSE)

test: lint browser
	$(BIN)/pytest

# The layers contract (pyproject's [tool.importlinter]) and the linter: part of every test run.
lint: $(VENV)/.installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .

install: $(VENV)/.installed

# uv installs the pinned set in seconds; plain venv + pip is the fallback where uv cannot be had. uv, unlike pip,
# does not compile bytecode unless asked: without it every run recompiles Dagster, dbt and Great Expectations
# (about 24 s of imports per demo where PYTHONDONTWRITEBYTECODE keeps Python from caching them).
$(VENV)/.installed: pyproject.toml
	@if $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv==0.9.30; then \
		$(PYTHON) -m uv venv --allow-existing --python $(PYTHON) $(VENV) && \
		$(PYTHON) -m uv pip install --quiet --compile-bytecode --python $(VENV)/bin/python -e '.[$(EXTRAS)]'; \
	else \
		$(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet -e '.[$(EXTRAS)]'; \
	fi
	@# The editable project's own packages (every top-level one) are compiled by neither installer: about 0.5 s
	@# per process.
	@$(BIN)/python -m compileall -q $(patsubst %/__init__.py,%,$(wildcard */__init__.py)) >/dev/null
	@touch $@

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "chromium could not be installed: browser tests will be skipped"; \
		else echo "chromium is not installed (sudo apt-get install chromium): browser tests will be skipped"; fi; }

dagster: $(VENV)/.installed
	@mkdir -p data/dagster_home && cp orchestration/dagster_home/dagster.yaml data/dagster_home/dagster.yaml
	env $(TELEMETRY_OFF) DAGSTER_HOME=$(CURDIR)/data/dagster_home ACORN_WAREHOUSE=$(abspath $(WAREHOUSE)) \
		ACORN_INBOX=$(abspath $(or $(INBOX),$(dir $(WAREHOUSE))inbox)) \
		$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dashboards: $(VENV)/.installed
	$(BIN)/acorn dashboards --warehouse $(WAREHOUSE)

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/pipeline_throughput.py

clean:
	rm -rf data/demo data/dagster_home dbt_project/target dbt_project/logs
