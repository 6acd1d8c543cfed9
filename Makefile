# pubmirror — the two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOME_DIR ?= $(CURDIR)/.home
PUBMIRROR := $(VENV)/bin/pubmirror --home $(HOME_DIR)
STAMP  := $(VENV)/.installed

.PHONY: run test bench venv lint typecheck clean

$(STAMP): pyproject.toml setup.py $(wildcard src/pubmirror/*/*.pyx src/pubmirror/*/*.pxi)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	# Byte-compile our sources once: editable installs do not, and with PYTHONDONTWRITEBYTECODE
	# every command would compile them again (0.1 s of each CLI start, measured).
	$(PY) -m compileall -q src > /dev/null
	touch $(STAMP)

venv: $(STAMP)

## make run: set up, fetch the real sample, ingest it, then search it and show stats.
run: $(STAMP)
	$(PUBMIRROR) sample
	$(PUBMIRROR) ingest $$($(PUBMIRROR) sample --print-paths)
	$(PUBMIRROR) search 'lupus erythematosus, systemic[mh] AND review[pt]' --details --limit 5
	$(PUBMIRROR) stats

## make test: set up, fetch the real sample (cached), and run the whole suite.
test: $(STAMP)
	$(PUBMIRROR) sample
	PUBMIRROR_SAMPLE=$(HOME_DIR)/sample $(PY) -m pytest -q
	$(VENV)/bin/mypy

## make bench: ingest both sample files into a fresh home; figures go to docs/benchmarks.md.
bench: $(STAMP)
	$(PUBMIRROR) sample
	$(PY) bench/ingest_bench.py --sample $(HOME_DIR)/sample --out docs/benchmarks.md
	$(PY) bench/ingest_stages.py --sample $(HOME_DIR)/sample --out docs/benchmarks.md
	$(PY) bench/query_bench.py --sample $(HOME_DIR)/sample --out docs/benchmarks.md
	$(PY) bench/similar_bench.py --sample $(HOME_DIR)/sample --out docs/benchmarks.md

clean:
	rm -rf $(VENV) $(HOME_DIR)
