# Two commands do all set-up: `make lab` opens the course, `make test` runs every test.
# Both build .venv from requirements-lock.txt on first use and reuse it afterwards.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.hwprune-edu-installed
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit notebooks env exercises bench mutation clean-env

# Serve the whole repository (so exercises/ and solutions/ are one click away) and open the start page.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG)

test: unit notebooks

unit: $(STAMP)
	$(PY) -m pytest tests -q

notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval $(NBVAL) notebooks $(wildcard solutions/*.ipynb)
	@if ls exercises/*.ipynb >/dev/null 2>&1; then \
		$(PY) -m pytest -q --nbval-lax --nbval-current-env exercises; fi

env: $(STAMP)

# Rebuilt only when the pinned environment or the package metadata change.
$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

exercises: $(STAMP)
	$(VENV)/bin/hwprune-edu build-exercises

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

# Mutation testing of the NumPy core (tens of minutes; not part of `make test`). Config: [tool.mutmut] in pyproject.toml.
# One torch thread: mutmut forks many test processes, and spinning torch threads would starve them.
mutation: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	rm -rf mutants
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(VENV)/bin/mutmut run
	$(PY) tools/mutation_score.py

clean-env:
	rm -rf $(VENV)
