# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# Running needs the package only; the test extras (Playwright, schemathesis…) only `make test`.
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: demo test coverage lint install browser peers clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Weibao needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-run-*
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $(DEV_STAMP) $(RUN_STAMP)

install: $(DEV_STAMP)

## Run Weibao with demo data on SQLite: web + worker + scheduler, Ctrl-C stops all.
demo: $(RUN_STAMP)
	WEIBAO_MODE=demo $(BIN)/weibao migrate --no-input
	WEIBAO_MODE=demo $(BIN)/weibao collectstatic --no-input --verbosity 0
	WEIBAO_MODE=demo $(BIN)/weibao load_demo
	WEIBAO_MODE=demo $(BIN)/weibao run_all --addr 127.0.0.1:8000

## Run the whole test suite (browser journeys and real peers included) and the linter,
## and print the coverage of weibao/ it measured.
# One test process per core, a whole file (tests/faults: the whole package) per process,
# longest first (tests/conftest.py's scheduler, for the load modes of --dist);
# then, alone, the few tests that restart a server every other test depends on.
# Coverage by SlipCover, which takes its probes out of code once it has run (10–15 %
# slower here; coverage.py's tracer, `make coverage`, about half again): the run
# fails when the total falls below COVERAGE_FLOOR.
PYTEST_PARALLEL ?= -n auto --dist loadscope
COVERAGE_FLOOR ?= 92.0
test: $(DEV_STAMP) browser peers
	$(BIN)/ruff check .
	@mkdir -p var
	$(BIN)/python -m slipcover --source weibao --omit "*/migrations/*" --json --out var/coverage.json \
	  -m pytest $(PYTEST_PARALLEL) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/python tests/coverage_report.py var/coverage.json --floor $(COVERAGE_FLOOR)
	$(BIN)/pytest -m serial $(PYTEST_SERIAL_ARGS)

## The suite with coverage.py's line-by-line report (slower by about half): the total and
## the 20 least covered modules.
coverage: $(DEV_STAMP) browser peers
	rm -f .coverage .coverage.*
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not serial" --cov=weibao --cov-report= $(PYTEST_ARGS)
	$(BIN)/coverage report --skip-covered --sort=cover --precision=1 | { head -2; tail -n 22; }

## Debian's chromium for the browser journeys (no browser download).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

## Debian's dovecot, the real IMAP server the mail tests start on 127.0.0.1 (its own
## throwaway configuration; the system's dovecot service is not used).
peers:
	@command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || { \
	  echo "Installing Debian's dovecot for the IMAP tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dovecot-imapd >/dev/null; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
