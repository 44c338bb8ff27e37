# tinkc — run `make help` for the targets.
# Every target installs what it needs itself (a virtual environment in .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install tinkc with its test tools

# The emitted SDKs are built with their own toolchains: Elixir/OTP (+ jiffy) from Debian, Node from
# the machine (typescript comes from npm inside the tests); Graphviz renders `tinkc graph`. Installed
# once, when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
toolchains: ## install the SDK toolchains the tests need (Debian: elixir erlang-jiffy graphviz)
	@command -v mix >/dev/null && [ -n "$$(ls -d /usr/lib/erlang/lib/jiffy-* 2>/dev/null)" ] && command -v dot >/dev/null || { \
	  echo "installing elixir erlang-jiffy graphviz (Debian)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq elixir erlang-jiffy graphviz >/dev/null; }
	@command -v node >/dev/null || { echo "node is missing: install Node.js 20 (Debian: nodejs npm)"; \
	  $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }

build: $(STAMP) ## compile the bundled Tinker manifest to every target into out/
	$(BIN)/tinkc check
	$(BIN)/tinkc build --target all --out $(OUT)

check: $(STAMP) ## validate the bundled manifest
	$(BIN)/tinkc check

# Two workers (pytest-xdist): most of the suite waits on SDK drivers, node, mix and the mock, so two
# processes keep both cores busy. `loadgroup`: the tests of a module sharing one expensive fixture
# stay on one worker (tests/conftest.py). The slowest tests are listed, to see where the time goes.
test: $(STAMP) toolchains ## run the whole test suite (on two workers)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=30

# The markers are declared in pyproject.toml ([tool.pytest.ini_options]).
quick: $(STAMP) ## the fast tests, on every core: no SDK toolchain, conformance driver, soak or slow test (make test runs them all)
	$(BIN)/python -m pytest -q -n auto -m "not toolchain and not conformance and not soak and not slow"

typecheck: $(STAMP) ## mypy --strict over tinkc's own code (the paths of [tool.mypy] files in pyproject.toml)
	$(BIN)/python tests/test_typecheck.py

conformance: $(STAMP) toolchains ## run the conformance scenarios against every backend's driver and the mock server
	$(BIN)/python -m pytest tests/conformance

soak: $(STAMP) toolchains ## soak every SDK against tinkc mock with random faults: thousands of calls, 200 at once
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP) ## hunt for compiler crashes (FUZZ_EXAMPLES=5000 random manifests) through every stage and backend; prints inputs tried and crashes
	TINKC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/property/test_fuzz.py -q -p no:cacheprovider

DIFF_EXAMPLES ?= 200
differential: $(STAMP) toolchains ## build random valid manifests' SDKs in every language and compare their behaviour (TINKC_DIFF_EXAMPLES=200); prints counts
	TINKC_DIFF_EXAMPLES=$${TINKC_DIFF_EXAMPLES:-$(DIFF_EXAMPLES)} $(BIN)/python tests/differential/diff_runner.py

snapshots: $(STAMP) ## regenerate the snapshots (diagnostics, pass IR dumps, emitted SDK trees) for review
	TINKC_UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest tests/test_broken_manifests.py tests/passes tests/targets/test_snapshots.py tests/conformance/test_packaged.py tests/test_optimizations.py -q
	git status --short tests/snapshots tests/passes/expected compiler/conformance/fixtures

bench: $(STAMP) ## measure tinkc (bundled, synthetic 1x/10x/100x) and the anchors side by side: openapi-generator, the real tinker SDK vs each generated SDK (writes bench/results.json)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean: ## remove generated output and caches (keeps .venv)
	rm -rf $(OUT) .pytest_cache .hypothesis

.PHONY: help install toolchains build check test quick typecheck conformance soak fuzz differential snapshots bench clean
