# Two commands do all the set-up: `make run` and `make test`. Both create the virtual
# environment on first use and install exactly the versions pinned in requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
UV_VERSION := 0.13.9

export CLAUDE_ANALYTICS_HOME ?= $(CURDIR)/.claude_analytics
export DAGSTER_HOME ?= $(CLAUDE_ANALYTICS_HOME)/dagster
export PATH := $(BIN):$(PATH)

.PHONY: install test-deps run test test-fast check-defs dev lint lint-sql format lock clean bench

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock -e .
	$(BIN)/python -m compileall -q -j 0 claude_analytics benchmarks claude_analytics_tests
	$(BIN)/claude-analytics prepare
	touch $@

install: $(VENV)/.installed

run: install  ## materialise every asset on the configured source (the sample by default)
	$(BIN)/claude-analytics run

test-deps:  ## the real servers and browser the tests use (idempotent)
	bash scripts/install-test-deps.sh

# Two workers: the machines CI and the benchmarks run on have two cores. Tests sharing a
# module's build stay in one worker (`--dist loadgroup`, conftest.py); -p no:cacheprovider
# keeps .pytest_cache out of the repository.
PYTEST_WORKERS ?= 2
test: install test-deps  ## the whole test suite, as CI runs it: lint, `dg check defs`, pytest
	$(MAKE) --no-print-directory --output-sync=target -j 2 lint check-defs
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider --durations=30

check-defs: install  ## `dg check defs` on a temporary home, dbt's artifacts in a temporary copy
	tmp=$$(mktemp -d) && mkdir "$$tmp/dagster" && cp deploy/dagster.yaml "$$tmp/dagster/" && \
	cp -R dbt_project/target "$$tmp/dbt_target" && \
	CLAUDE_ANALYTICS_HOME="$$tmp" DAGSTER_HOME="$$tmp/dagster" DBT_TARGET_PATH="$$tmp/dbt_target" \
	$(BIN)/dg check defs; status=$$?; rm -rf "$$tmp"; exit $$status

test-fast: install  ## the unit tests of the core (no Dagster, no dbt, no servers): seconds
	$(BIN)/pytest claude_analytics_tests/unit -p no:cacheprovider --durations=10

dev: install  ## the Dagster UI on http://localhost:3000, with the daemon (dg dev)
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp deploy/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dg dev

BENCH_ENTRIES ?= 1000000
bench: install  ## time every stage at a million entries against its target (BENCHMARKS.md)
	$(BIN)/python -m benchmarks.run --entries $(BENCH_ENTRIES) --json .benchmarks/latest.json

lint: install lint-sql  ## ruff for the Python, sqlfluff for the SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The dbt models render with the jinja templater (.sqlfluff); the package's .sql files bind
# `$name` parameters, so they take the placeholder templater. dbt_project/macros is not
# linted on its own: a file of macro definitions renders to blank lines (sqlfluff reports
# only indents of its whitespace); the SQL a macro writes is parsed in the models using it.
lint-sql: install  ## sqlfluff (DuckDB dialect) over the dbt models and the package's .sql files
	$(BIN)/sqlfluff lint dbt_project/models
	$(BIN)/sqlfluff lint claude_analytics --templater placeholder

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock:  ## re-resolve requirements.lock after changing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra deploy --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .claude_analytics dbt_project/target
