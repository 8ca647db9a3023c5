# The two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test migrate seed lint worker clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

install: $(STAMP)
install-test: $(TEST_STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The benchmark (README, "Benchmark"; 7 to 9 minutes, not part of `make test`): DROPS AND RECREATES the
# PostgreSQL database BENCH_DATABASE_URL (its name must contain "bench"), loads the scale data set, serves
# the app with gunicorn and measures it with wrk beside a raw-SQL floor. E.g. BENCH_ARGS="--seconds 20".
# The quick in-process timing of the pages on the configured database: $(BIN)/python manage.py bench_pages
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/roster_bench
.PHONY: bench
bench: install-test
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python manage.py bench_pages --full $(BENCH_ARGS)

# The web server in the foreground, a Celery worker with beat beside it (log: var/log/worker.log)
# on a folder broker (var/broker/) and the same SQLite database; Ctrl-C stops both.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: seed
	@$(BIN)/python manage.py demo_logins
	ROSTER_EMBEDDED_WORKER=true $(BIN)/python manage.py serve 127.0.0.1:$(PORT)

# Translations: the compiled .mo files are committed, so a fresh machine needs no gettext.
messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=tests --ignore=var
	$(BIN)/python manage.py compilemessages -l fr --ignore=.venv

CHROMIUM ?= /usr/bin/chromium
# The suite runs in two passes: first every test but those that start their own servers and
# workers, spread over TEST_WORKERS processes (pytest-xdist, a file per process at a time), then
# those (tests/integration, tests/embedded) one at a time, since they measure real timings. A pass
# with nothing to run (the integration tests on SQLite, a -k that matches none) is not a failure.
TEST_WORKERS ?= 2
SERIAL_TESTS := tests/integration tests/embedded
PYTEST_PASSES = \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(addprefix --ignore=,$(SERIAL_TESTS)) -m "$$MARK" $(PYTEST_ARGS); \
	first=$$?; [ $$first = 5 ] && first=0; \
	$(BIN)/python -m pytest $(SERIAL_TESTS) -m "$$MARK" $(PYTEST_ARGS); \
	second=$$?; [ $$second = 5 ] && second=0; \
	[ $$first = 0 ] && [ $$second = 0 ]

# The browser tests drive Debian's Chromium. As root on Debian, `make test` installs it when
# it is missing; elsewhere they are left out with a notice (CI always has it).
test: install-test
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's Chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "Could not install chromium."; \
	fi
	@if [ -x "$(CHROMIUM)" ]; then \
		export CHROMIUM_PATH="$(CHROMIUM)"; MARK=""; \
	else \
		echo "NOTE: $(CHROMIUM) is missing, so the browser tests are left out (apt-get install chromium)."; \
		MARK="not browser"; \
	fi; \
	$(PYTEST_PASSES)

lint: install-test
	$(BIN)/ruff check .

worker: install
	$(BIN)/celery -A config worker -B --loglevel=info

clean:
	rm -rf $(VENV) var
