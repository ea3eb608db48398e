# Quickstart targets: each creates .venv if missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: bundle test-bundle demo screenshots test test-faults test-faults-long test-faults-loaded lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/releve demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Also as if on Windows and macOS (issue #17): node/, relay/ and clients/ must start there.
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --platform win32 --follow-imports=silent node relay clients
	$(BIN)/mypy --platform darwin --follow-imports=silent node relay clients

# The everyday tiers: protocol and unit tests in memory, integration tests on loopback, and
# the web client in a real Chromium (Debian's chromium; .ci/run installs it; with CI=true a
# missing browser fails the tier, elsewhere it is skipped with the reason).
TIERS := tests/unit tests/integration tests/browser
# The reliability and security suite (faults, bad networks, hostile input): needs root for
# network namespaces; .ci/run installs iproute2 and nftables first.
FAULTS := tests/faults tests/hostile

unit: $(STAMP)
	$(BIN)/pytest -q $(TIERS)

test: lint typecheck
	$(BIN)/pytest -q $(TIERS)

test-faults: $(STAMP)
	$(BIN)/pytest -q $(FAULTS)

# The same suite beside four busy processes (twice the cores here): it must pass on a loaded
# machine, every wait being a wait on a condition.
test-faults-loaded: $(STAMP)
	RELEVE_CPU_HOGS=4 $(BIN)/pytest -q $(FAULTS)

# The same suite with ten times the generated inputs.
test-faults-long: $(STAMP)
	RELEVE_FUZZ_SCALE=10 $(BIN)/pytest -q $(FAULTS)

# The user guide's screenshots of the web client (docs/images/web/): the browser tier draws them
# on every run (tests/browser/test_web_screenshots.py); this writes them into the guide.
screenshots: $(STAMP)
	RELEVE_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser/test_web_screenshots.py \
		tests/browser/test_web_accounts.py::test_guide_screenshots

bench: $(STAMP)
	$(BIN)/python -m bench.crypto
	$(BIN)/python -m bench.direct
	$(BIN)/python -m bench.reads
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.relay
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.clinic

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Installing from a USB key on outage day (issue #17): dist/releve-usb/ and its zip, with every
# wheel for Linux x86_64 and Windows amd64 (from the last commit and PyPI: needs the network),
# install scripts and a one-page sheet. test-bundle installs it offline and runs the demo.
BUNDLE := dist/releve-usb

bundle: $(STAMP)
	$(BIN)/python usb/make_bundle.py --out $(BUNDLE)

test-bundle: bundle
	RELEVE_BUNDLE=$(BUNDLE) $(BIN)/pytest -q tests/bundle
