# The two commands of the quick start: `make run` and `make test`. Everything else they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install services bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/beffroi init
	$(BIN)/beffroi serve

services:
	@scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: install services lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
