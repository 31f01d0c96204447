# Roundtable: `make run` serves the app with its worker and beat; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
WEB_PORT ?= 8000
export WEB_PORT
PIP := PIP_CONSTRAINT=constraints-build.txt PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/pip install --quiet

.PHONY: run test smoke bench backup lock install system-packages lint format clean vendor-tom-select messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Roundtable needs Python 3.13; $(PYTHON) is " + sys.version.split()[0] + ". Install 3.13 (pyenv reads .python-version) or run make PYTHON=/path/to/python3.13.")'
	$(PYTHON) -m venv $(VENV)

# requirements.txt and requirements-test.txt are compiled from the .in files
# (`make lock`): every package pinned, with hashes, so pip installs exactly them.
$(VENV)/.installed: requirements.txt constraints-build.txt | $(BIN)/python
	$(PIP) --require-hashes -r requirements.txt
	$(BIN)/pip check
	@touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PIP) --require-hashes -r requirements-test.txt
	$(BIN)/pip check
	@touch $@

install: $(VENV)/.installed

# One archive of the database and the uploaded files in BACKUP_DIR (var/backups), keeping the newest BACKUP_KEEP.
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup --keep $${BACKUP_KEEP:-14}

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo
	@echo "  Roundtable is starting on http://127.0.0.1:$(WEB_PORT)/"
	@echo "  Log in as organizer@example.org, lead@example.org or member@example.org"
	@echo "  with the password roundtable-demo. E-mails land in var/mail/. Ctrl-C stops everything."
	@echo
	$(BIN)/python -m coordination.devserver $(if $(REDIS_URL),web worker beat)

# What the README tells a newcomer, proven: a fresh clone of this commit, `make
# run` with only requirements.txt, a worker that answers, an e-mail, each demo
# login, and Ctrl-C that leaves nothing behind.
smoke:
	$(PYTHON) tests/smoke.py

# The statewide benchmark (README, "Performance at statewide scale"): builds its
# data set once per scale in a PostgreSQL database of its own, measures every
# main page and the e-mail pipeline (on a Redis database of its own, with the
# test requirements' mail server), writes var/bench/latest.md and .json and the README's tables.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/roundtable_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
SCALE ?= 1
bench: $(VENV)/.installed-test
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench --scale $(SCALE) --readme README.md \
		--reminders --redis-url $(BENCH_REDIS_URL) $(BENCH_ARGS)

# Recompile the locked requirements after editing requirements.in or
# requirements-test.in; `make lock UPGRADE=1` moves every pin to the newest release allowed.
lock: $(VENV)/.installed-test
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.13 --python-platform linux $(if $(UPGRADE),--upgrade) \
		requirements.in -o requirements.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.13 --python-platform linux $(if $(UPGRADE),--upgrade) \
		requirements-test.in -o requirements-test.txt

# Tom Select (the searchable selects) has no Python package that serves it
# without inline scripts, so its built files are kept in static/vendor/tom-select/,
# copied from npm's tom-select package: `make vendor-tom-select` fetches
# TOM_SELECT_VERSION again (needs npm; nothing else does).
TOM_SELECT_VERSION ?= 2.6.2
vendor-tom-select:
	rm -rf var/tom-select && mkdir -p var/tom-select static/vendor/tom-select
	cd var/tom-select && npm pack --silent tom-select@$(TOM_SELECT_VERSION) >/dev/null && tar xzf tom-select-$(TOM_SELECT_VERSION).tgz
	cd var/tom-select/package && cp LICENSE dist/js/tom-select.complete.min.js dist/js/tom-select.complete.min.js.map \
		dist/css/tom-select.bootstrap5.min.css dist/css/tom-select.bootstrap5.min.css.map ../../../static/vendor/tom-select/
	echo "tom-select $(TOM_SELECT_VERSION) (Apache-2.0, LICENSE beside it), from npm by make vendor-tom-select" \
		> static/vendor/tom-select/VERSION
	rm -rf var/tom-select

# The public pages' Spanish: gather the strings marked for translation into
# locale/es/LC_MESSAGES/django.po (translate the new ones there), and compile
# django.mo beside it. Both are committed: make run needs no gettext.
MESSAGES_IGNORE = -i ".venv/*" -i "var/*" -i "tests/*" -i "bench/*" -i "static/*" -i "node_modules/*"
messages: $(VENV)/.installed-test system-packages
	$(BIN)/python manage.py makemessages -l es --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l es --ignore=.venv

# The browser tests drive Debian's chromium; the compose test runs Debian's
# docker-compose; the Spanish catalogue's test runs GNU gettext's xgettext and msgfmt;
# the calendar files' test imports them into khal and calcurse.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v khal >/dev/null || missing="$$missing khal"; \
	command -v calcurse >/dev/null || missing="$$missing calcurse"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "make test needs Debian packages:$$missing  (sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

test: $(VENV)/.installed-test system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
