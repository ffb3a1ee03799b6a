# Two commands do all set-up: `make lab` opens the course, `make test` runs every test.
# Both build .venv from requirements-lock.txt on first use and reuse it afterwards.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
STAMP  := $(VENV)/.hwprune-edu-installed
# The instructor extra (nbgrader) on top: `make test` needs it for nbgrader's round trip; `make lab` does not.
INSTRUCTOR := $(VENV)/.hwprune-edu-instructor
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# Which PyTorch build. The lock pins the version; this picks the wheel.
#   TORCH=cpu  (default) on Linux, the CPU-only wheel from PyTorch's own index (TORCH_CPU_INDEX): PyPI's
#              Linux wheel is the CUDA build, which pulls a dozen CUDA runtime packages. If that index cannot
#              be reached, torch comes from the default index instead (the README says what that costs).
#   TORCH=cuda the default index's wheel: the CUDA build on Linux. TORCH_INDEX=URL takes torch from URL,
#              e.g. a CUDA-version index such as https://download.pytorch.org/whl/cu130.
# macOS and Windows wheels on PyPI are CPU builds already, so there the default index is used as it is.
# Changing the build later: `make clean-env`, then `make env TORCH=...`.
TORCH           ?= cpu
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_INDEX     ?= $(if $(filter cpu,$(TORCH)),$(if $(filter Linux,$(shell uname -s)),$(TORCH_CPU_INDEX)))
TORCH_VERSION   := $(shell sed -n 's/^torch==//p' requirements-lock.txt)
# A quick look at the index first (15 s at most), so an unreachable one costs seconds, not pip's retries.
export REACHABLE := import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)

# What `make quiz`, `make demo` and `make grade` pass on: e.g. make quiz ARGS="--tag roofline -n 5".
ARGS ?=
# `make grade` grades the notebooks in DIR (your workspace unless told otherwise).
DIR  ?= workspace

.PHONY: lab workspace test unit notebooks env instructor exercises quiz demo grade bench mutation clean-env

# Serve the whole repository (lessons, your workspace/, solutions/ one click away) and open the start page.
# LAB_SETTINGS holds JupyterLab's overrides.json: no "receive Jupyter news?" pop-up over the start page and no
# update check (the lock pins JupyterLab); news_url=None: the server fetches no news either.
LAB_SETTINGS := $(CURDIR)/hwprune_edu/course/jupyterlab
lab: $(STAMP)
	@$(VENV)/bin/hwprune-edu workspace
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		--LabApp.app_settings_dir="$(LAB_SETTINGS)" --LabApp.news_url=None $(ROOT_FLAG)

# Your copies of the exercises, in the git-ignored workspace/: new ones are copied, yours are never overwritten.
workspace: $(STAMP)
	@$(VENV)/bin/hwprune-edu workspace

test: unit notebooks

# nbgrader's round trip must run here, never be skipped: HWPRUNE_EDU_REQUIRE_NBGRADER makes a missing nbgrader fail.
unit: $(INSTRUCTOR)
	HWPRUNE_EDU_REQUIRE_NBGRADER=1 $(PY) -m pytest tests -q

notebooks: $(STAMP)
	$(PY) -m pytest -q --nbval $(NBVAL) notebooks $(wildcard solutions/*.ipynb)
	@if ls exercises/*.ipynb >/dev/null 2>&1; then \
		$(PY) -m pytest -q --nbval-lax --nbval-current-env exercises; fi

env: $(STAMP)

# Rebuilt only when the pinned environment or the package metadata change.
# torch goes first, alone, from TORCH_INDEX (when set); the lock then finds it installed (2.13.0+cpu satisfies
# torch==2.13.0) and installs the rest from the default index.
$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if [ -n "$(TORCH_INDEX)" ]; then \
		echo "Installing torch $(TORCH_VERSION) from $(TORCH_INDEX)"; \
		if $(PY) -c "$$REACHABLE" "$(TORCH_INDEX)/torch/" 2>$(VENV)/torch-index.log \
			&& $(PIP) install --quiet --no-deps --index-url "$(TORCH_INDEX)" "torch==$(TORCH_VERSION)" \
				2>>$(VENV)/torch-index.log; then :; else \
			echo "note: could not install torch from $(TORCH_INDEX) (see $(VENV)/torch-index.log), so it comes" \
				"from the default index instead. On Linux that is usually the CUDA build: a 527 MB wheel plus" \
				"CUDA runtime packages. To avoid that, point TORCH_INDEX at a reachable PyTorch CPU index."; \
		fi; \
	fi
	$(PIP) install --quiet -r requirements-lock.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# nbgrader 0.9.6 and what it needs (requirements-instructor.txt), beside the course's lock, which it leaves unchanged.
instructor: $(INSTRUCTOR)

$(INSTRUCTOR): $(STAMP) requirements-instructor.txt
	$(PIP) install --quiet -r requirements-instructor.txt
	@touch $(INSTRUCTOR)

exercises: $(STAMP)
	$(VENV)/bin/hwprune-edu build-exercises

# An interview drill in the terminal (make quiz ARGS="--tag roofline -n 5"; ARGS=--list-tags lists the topics).
quiz: $(STAMP)
	@$(VENV)/bin/hwprune-edu quiz $(ARGS)

# The whole story without Jupyter: train, prune three ways, simulate, measure (ARGS=--quick: about 12 s).
demo: $(STAMP)
	@$(VENV)/bin/hwprune-edu demo $(ARGS)

# Grade the notebooks in DIR in fresh kernels (default: your workspace/), e.g. make grade DIR=submissions ARGS="--csv grades.csv --jobs 2".
grade: $(STAMP)
	@$(VENV)/bin/hwprune-edu grade $(DIR) $(ARGS)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

# Mutation testing of the NumPy core (tens of minutes; not part of `make test`). Config: [tool.mutmut] in pyproject.toml.
# One torch thread: mutmut forks many test processes, and spinning torch threads would starve them.
# MUTMUT_ARGS passes options and mutant names on, e.g. MUTMUT_ARGS="--max-children 1 'hwprune_edu.hardware.cost.*'"
# on a shared machine (the score script then counts the mutants not run apart).
MUTMUT_ARGS ?=
mutation: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	rm -rf mutants
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(VENV)/bin/mutmut run $(MUTMUT_ARGS)
	$(PY) tools/mutation_score.py

clean-env:
	rm -rf $(VENV)
