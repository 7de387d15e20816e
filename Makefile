# The two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test demo plan lint bench-solomon clean

install: $(STAMP)

# Re-install only when the project's dependencies change; `touch` makes it quick otherwise.
$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sample]'
	@touch $(STAMP)

# Load the sample company once (an existing database is kept), plan next week, serve.
run: install
	$(BIN)/rounds demo --if-empty
	$(BIN)/rounds plan --week next --time-limit 20 --if-missing
	$(BIN)/rounds run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

# Side-by-side benchmark against the peers (needs the `bench` extra and ../shared/benchmarks).
bench-solomon: install
	$(BIN)/python -m pip install --quiet -e '.[dev,sample,bench]'
	$(BIN)/python -m benchmarks run ../shared/benchmarks/solomon/*.txt --time-limit 10 --out benchmarks/out/solomon --peers

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache
