# The two commands of the README: `make demo` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck system-deps install clean

# The virtual environment, rebuilt when the dependencies change.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

system-deps:
	@scripts/ensure-system-deps.sh

# A real CI gate on the reference service: about a minute.
demo: system-deps install
	$(BIN)/loadgate run scenarios/ci.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: system-deps install lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache .mypy_cache .ruff_cache
