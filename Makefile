# Two commands on a fresh machine: `make demo` and `make test`. Each makes .venv if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FUZZ_RUNS ?= 3000

.PHONY: demo test lint typecheck unit conformance fuzz base-install bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m smsc_conformance.demo

test: lint typecheck unit conformance fuzz base-install

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest -q

conformance: $(STAMP)
	$(PY) -m smsc_conformance --transport all

fuzz: $(STAMP)
	$(PY) fuzz/run_all.py --runs $(FUZZ_RUNS)

# A venv with only `pip install ".[urllib3]"`: the smsc command works there.
base-install: $(STAMP)
	.ci/base-install

bench: $(STAMP)
	$(PY) benchmarks/run_benchmarks.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
