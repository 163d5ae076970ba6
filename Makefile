# bangfu — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# compile .pyc at install: where PYTHONDONTWRITEBYTECODE is set (as on this project's
# machines) every process would otherwise recompile dbt, GX and pandas from source
# (measured: importing GX + dbt 13.1 s CPU without, 6.6 s with)
export UV_COMPILE_BYTECODE := 1
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
DEMO_DIR ?= demo
DEMO_QUARTER ?= 2026Q3

.PHONY: install demo demo-cli test test-fast lint bench docs clean

install:  ## create .venv from uv.lock (installs uv itself if missing)
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

demo: install  ## synthetic landing -> the whole chain through Airflow (SQLite, DuckDB) -> bulletin
	rm -rf $(DEMO_DIR)
	$(UV) run --frozen bash scripts/airflow-demo.sh $(DEMO_DIR) $(DEMO_QUARTER)

demo-cli: install  ## the same chain with the command line alone (`bangfu run`)
	rm -rf $(DEMO_DIR)
	$(UV) run --frozen bangfu synth --out $(DEMO_DIR)/landing --seed 42
	$(UV) run --frozen bangfu run --landing $(DEMO_DIR)/landing --quarter $(DEMO_QUARTER) \
		--warehouse $(DEMO_DIR)/warehouse/bangfu.duckdb --out $(DEMO_DIR)/out
	@echo "bulletin: $$(ls -d $(DEMO_DIR)/out/$(DEMO_QUARTER)/v* | tail -1)"

test: install  ## the whole test suite (lint included)
	$(UV) run --frozen pytest -q

test-fast: install  ## the suite without the slow end-to-end tests
	$(UV) run --frozen pytest -q -m "not slow"

docs: install  ## dbt docs (offline) for the analysts
	$(UV) run --frozen bangfu docs --warehouse $(DEMO_DIR)/warehouse/bangfu.duckdb

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen sqlfluff lint dbt_project

bench: install  ## big-scale benchmark (not part of the tests)
	$(UV) run --frozen python -m bangfu.bench

clean:
	rm -rf $(DEMO_DIR) warehouse out .pytest_cache dbt_project/target dbt_project/logs
