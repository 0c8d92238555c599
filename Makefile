# make run   -> virtual environment, index of data/, service on http://127.0.0.1:8000/
# make test  -> virtual environment, system packages (Chromium), every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run index test system-deps bench bench-big clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

run: setup
	$(BIN)/qa serve --host $(HOST) --port $(PORT)

index: setup
	$(BIN)/qa index

system-deps:
	bash scripts/system-deps.sh

test: setup system-deps
	$(BIN)/python -m pytest

bench: setup system-deps
	$(BIN)/python bench/run_all.py

bench-big: setup system-deps          # a million passages: about 15 minutes, 6 GB of disk (not in make bench)
	$(BIN)/python bench/big.py

clean:
	rm -rf $(VENV) index/current index/versions index/cache index/.lock .pytest_cache test-results
