# The two commands of the quick start: `make run` and `make test`. Everything else they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install services bench train clean

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

# Training stays out of the runtime install and out of `make test`: its own venv, torch's CPU build first.
TRAIN_VENV := .venv-train
train:
	test -d $(TRAIN_VENV) || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q torch==2.13.0
	$(TRAIN_VENV)/bin/pip install -q -r training/text/requirements-train.txt
	PATH="$(abspath $(TRAIN_VENV))/bin:$$PATH" training/text/run_all.sh

clean:
	rm -rf $(VENV) $(TRAIN_VENV) .mypy_cache .pytest_cache .ruff_cache training/text/work
