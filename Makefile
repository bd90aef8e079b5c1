# Village: one command per task. A fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: lock demo test test-postgres lint format messages browser-deps translation-deps test-deps bench-family bench-gradebook clean bench-import bench-digest bench-outbox bench-inbox bench-messaging bench-family-goals bench-goals

$(STAMP): requirements/dev.txt requirements/base.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $(STAMP)

messages: $(STAMP)
	cd village && ../$(BIN)/village compilemessages --ignore=.venv -v 0

## Run Village with the demo school on http://$(HOST):$(PORT) (SQLite under var/). The demo runs
## as people see Village: without DEBUG (Village's own error pages, static files from WhiteNoise);
## `make demo DEMO_DEBUG=1` shows Django's debugging pages instead. HOST=0.0.0.0 listens on every
## interface: Village then answers to this machine's addresses and name too, and the address
## printed is http://127.0.0.1:$(PORT)/. VILLAGE_ALLOWED_HOSTS, when set, is used as it is.
DEMO_DEBUG ?= 0
DEMO_EVERYWHERE = $(filter 0.0.0.0,$(HOST))
DEMO_ADDRESS = http://$(if $(DEMO_EVERYWHERE),127.0.0.1,$(HOST)):$(PORT)/
# (IPv4 only: runserver on 0.0.0.0 does not answer on IPv6)
DEMO_OWN_NAMES = $(if $(DEMO_EVERYWHERE),$(shell hostname 2>/dev/null) \
  $(foreach address,$(shell hostname -I 2>/dev/null),$(if $(findstring :,$(address)),,$(address))))
_empty :=
_space := $(_empty) $(_empty)
_comma := ,
demo: export VILLAGE_DEBUG = $(DEMO_DEBUG)
demo: export VILLAGE_ALLOWED_HOSTS ?= $(subst $(_space),$(_comma),$(strip 127.0.0.1 localhost $(filter-out 0.0.0.0 127.0.0.1 localhost,$(HOST) $(DEMO_OWN_NAMES))))
demo: $(STAMP) messages
	$(BIN)/village migrate --no-input -v 0
	$(BIN)/village collectstatic --no-input -v 0
	$(BIN)/village demo --address $(DEMO_ADDRESS)
	@echo "Starting the workers (mail, background tasks) and the web server on $(DEMO_ADDRESS)$(if $(DEMO_EVERYWHERE), (listening on all interfaces))"
	@echo "Host names answered: $(VILLAGE_ALLOWED_HOSTS) (Ctrl-C stops all)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/village worker --sleep 2 & \
	  $(BIN)/village db_worker --interval 1 & \
	  $(BIN)/village runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).
test: $(STAMP) messages test-deps
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/village} $(MAKE) test

## Lint: the locks exact and complete, ruff, formatting, mypy (django-stubs), import boundaries,
## migrations in sync.
lint: $(STAMP)
	$(BIN)/python tools/lockcheck.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy village conftest.py tests bench tools
	$(BIN)/lint-imports
	$(BIN)/village makemigrations --check --dry-run -v 1

## Re-compile the locks after editing requirements/*.in (keeps every existing pin it can;
## UPGRADE=1 moves every package to its newest release). Installing never resolves: only this does.
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet --no-header --generate-hashes --python-version 3.11 \
	  $(if $(UPGRADE),--upgrade) requirements/base.in -o requirements/base.txt
	$(BIN)/uv pip compile --quiet --no-header --generate-hashes --python-version 3.11 \
	  $(if $(UPGRADE),--upgrade) requirements/dev.in -o requirements/dev.txt
	$(BIN)/python tools/lockcheck.py

## Time a district-sized OneRoster import on PostgreSQL (DATABASE_URL, default .../village_bench).
bench-import: $(STAMP)
	$(BIN)/python bench/import_roster.py $(BENCH_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Browser tests drive Debian's Chromium; install it when we may (root on Debian).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped (install Debian's chromium package)"; fi; }

## Machine translation is tested with Apertium itself: Debian's apertium and its English-Spanish
## pair, installed when we may (root on Debian).
translation-deps:
	@{ command -v apertium >/dev/null 2>&1 && apertium -l 2>/dev/null | grep -qx ' *eng-spa'; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's apertium and apertium-eng-spa for the translation tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apertium apertium-eng-spa >/dev/null; \
	  else echo "apertium with apertium-eng-spa not found: translation tests will be skipped (install both Debian packages)"; fi; }

## Calendar feeds are checked with two parsers Village does not write: libical (Debian's
## gir1.2-ical-3.0, used from the system Python) and ical.js (npm, pinned in tests/ical).
test-deps: browser-deps translation-deps tests/ical/node_modules/.installed
	@ls /usr/lib/*/girepository-1.0/ICalGLib-3.0.typelib >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's libical introspection data for the calendar tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gir1.2-ical-3.0 python3-gi >/dev/null; \
	  else echo "gir1.2-ical-3.0 not found: install it for the calendar parser tests"; fi; }

tests/ical/node_modules/.installed: tests/ical/package.json tests/ical/package-lock.json
	npm ci --prefix tests/ical --no-audit --no-fund --loglevel=error
	touch $@

## The family home page under load beside a one-query view (PostgreSQL; wrk from Debian).
bench-family: $(STAMP) messages
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/family_home.py $(BENCH_ARGS)

## Guardians' child pages with their child's learning goals (a set of 30 goals, 20 efforts), in
## the family benchmark's district, against the trivial view (target: at least 20 %).
bench-family-goals: $(STAMP) messages
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/family_child.py $(BENCH_ARGS)

## The messages inbox under load beside a one-query view (PostgreSQL; the family benchmark's
## district; wrk from Debian).
bench-inbox: $(STAMP) messages
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/inbox.py $(BENCH_ARGS)

## The weekly family digest and the missing-work sweep for a 50,000-student district
## (PostgreSQL; DATABASE_URL, default .../village_bench_digest).
bench-digest: $(STAMP) messages
	$(BIN)/python bench/digest.py $(BENCH_ARGS)

## A district-wide announcement to every guardian of a 50,000-student district, urgent (emailed
## to all) and ordinary, at once and by the sweep (PostgreSQL; DATABASE_URL, default
## .../village_bench_announcements).
bench-messaging: $(STAMP) messages
	$(BIN)/python bench/messaging.py $(BENCH_ARGS)

## Server time of the gradebook for 35 students x 40 assignments.
bench-gradebook: $(STAMP) messages
	$(BIN)/python bench/gradebook.py $(BENCH_ARGS)

## The notification outbox on PostgreSQL (DATABASE_URL, default .../village_bench_outbox): 20,000
## emails drained to a local SMTP sink by 1 and 2 workers, beside the floor without a database.
bench-outbox: $(STAMP)
	$(BIN)/python bench/outbox.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

## Server time of the goals class overview, 35 students x 30 goals x 20 efforts (PostgreSQL).
bench-goals: $(STAMP) messages
	$(BIN)/python bench/goals.py $(BENCH_ARGS)
