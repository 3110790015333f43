# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Readable log lines at a terminal; servers behind a balancer log JSON lines (the default).
# An exported GLOSSA_LOG_FORMAT wins.
LOG_FORMAT ?= $(or $(GLOSSA_LOG_FORMAT),text)
COMPILE := $(BIN)/uv pip compile --generate-hashes --universal --python-version 3.11 \
	--index-url https://pypi.org/simple --no-header --quiet
LOCK := $(COMPILE) pyproject.toml

.PHONY: serve test test-semantic lint build check migrate install install-test lock clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions with hashes from the lock files; pyproject.toml keeps the ranges.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

serve: install
	GLOSSA_LOG_FORMAT=$(LOG_FORMAT) $(BIN)/glossa serve --host $(HOST) --port $(PORT) --watch

build: install
	$(BIN)/glossa build

check: install
	$(BIN)/glossa check

migrate: install
	$(BIN)/glossa migrate

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The optional semantic extra's tests and relevance figures, in an environment of their own (the
# default install's tests run without the extra): the test environment, plus the extra.
SEMANTIC_VENV := .venv-semantic
$(SEMANTIC_VENV)/.installed: requirements-dev.lock requirements-semantic.lock pyproject.toml
	$(PYTHON) -m venv $(SEMANTIC_VENV)
	$(SEMANTIC_VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	$(SEMANTIC_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-semantic.lock
	touch $@

test-semantic: $(SEMANTIC_VENV)/.installed
	$(SEMANTIC_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/search/test_semantic.py tests/relevance

lint: install-test
	$(BIN)/ruff check app tests bench deploy
	$(BIN)/ruff format --check app tests bench deploy
	$(BIN)/mypy

# Refresh the lock files after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(LOCK) -o requirements.lock
	$(LOCK) --extra test --extra lint --extra postgres -o requirements-dev.lock
	$(COMPILE) requirements-semantic.in --no-deps -o requirements-semantic.lock

bench: install-test
	$(BIN)/python bench/search_bench.py

# Derived data only: the state folder (learners' data) is never removed here.
clean:
	rm -rf $(VENV) $(SEMANTIC_VENV) data .pytest_cache .mypy_cache .ruff_cache
