# Needs only python3 (3.11+), pip, make and git. uv is installed into .tools/ on first use.
PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
RUN    := $(UV) run --frozen --no-sync
CREDIT := $(RUN) credit
export UV_COMPILE_BYTECODE := 1

.PHONY: install train test test-fast lint docs docs-build docs-pictures bench bench-scale bench-tune bench-quality ui server server-stop clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# pip --target needs neither venv nor ensurepip (absent from some system Pythons).
$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS) "uv>=0.5,<1"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	@touch $@

install: .venv/.synced  ## create .venv with every dependency (bytecode compiled)
	@.venv/bin/python -m compileall -q src  # our own modules too: PYTHONDONTWRITEBYTECODE may be set

train: install  ## the main job: train all models on the shipped data (no network), local store
	$(CREDIT) train --model all

test: install  ## run the whole test suite
	$(RUN) pytest

test-fast: install  ## the unit tests that fit no model, start no process and open no browser
	$(RUN) pytest tests/unit -q -m "not slow and not browser"

lint: install  ## ruff, mypy and the import rules (import-linter contracts in pyproject.toml)
	$(RUN) ruff check src tests benchmarks docgen
	$(RUN) ruff format --check src tests benchmarks docgen
	$(RUN) mypy
	$(RUN) lint-imports

docs: install  ## serve the documentation site on http://127.0.0.1:8000 (reloads on edits)
	$(RUN) mkdocs serve --dev-addr 127.0.0.1:8000

docs-build: install  ## build the documentation site into site/ (strict: a broken link fails)
	$(RUN) mkdocs build --strict

docs-pictures: install  ## regenerate docs/images/ from a real run on the shipped data (trains: minutes)
	$(RUN) python -m docgen.pictures

bench: install  ## speed figures (medians of several runs), printed as a table
	$(RUN) python benchmarks/run.py
bench-describe: install  ## credit data describe on 1M rows (ARGS="--rows 20000" to run small)
	$(RUN) python benchmarks/describe.py $(ARGS)
bench-tune: install  ## credit tune --trials 40: one worker against two sharing the study
	$(RUN) python benchmarks/run.py --only tune --repeats 1

bench-scale: install  ## cost growth with rows (1k..1M; pass ARGS="--sizes 1000,10000 ..." to run small)
	$(RUN) python benchmarks/scale.py $(ARGS)
	$(RUN) python benchmarks/forest_growth.py  # the random forest's fold task, scaled defaults
	$(RUN) python benchmarks/spark_train.py $(SPARK_ARGS)  # --engine spark (SPARK_ARGS="--sizes 100000")

bench-quality: install  ## model quality under the fixed protocol (shipped data or CREDIT_DATA__PATH; long)
	$(RUN) python benchmarks/quality.py
	$(RUN) python benchmarks/scorecard.py  # the scorecard, the four-model mean, paired tests
	$(RUN) python benchmarks/quality_own.py  # three data sets of other shapes, plain baselines

ui: install  ## open the MLflow UI on the local store (http://127.0.0.1:5000)
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(RUN) mlflow ui --workers 1 \
		--backend-store-uri sqlite:///$(CURDIR)/.credit/mlflow.db --host 127.0.0.1 --port 5000

server: install  ## start a team tracking server on 127.0.0.1:5000 (PostgreSQL if reachable, else sqlite)
	$(CREDIT) server start --port 5000

server-stop: install  ## stop the server started by make server
	$(CREDIT) server stop

clean:  ## remove the environment and the local store (asks nothing: the store holds your runs)
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache site
