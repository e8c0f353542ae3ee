# The two commands a new machine needs: `make run` and `make test`. Everything else is set-up they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
GUNICORN_CONF ?= kiosk/gunicorn_conf.py
export FLASK_APP := kiosk

.PHONY: run test setup setup-test preflight assets translations database chromium java postgres lint bench wrk messages clean

run: setup
	$(BIN)/gunicorn --config $(GUNICORN_CONF) --bind 127.0.0.1:$(PORT) 'kiosk:create_app()'

# The whole suite on SQLite, then the database tests (not the browser ones) again on a throwaway
# PostgreSQL server that .ci/with-postgres provides (installing Debian's package when root).
test: setup-test chromium java
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest
	bash .ci/with-postgres $(BIN)/python -m pytest --ignore=tests/browser -p no:cacheprovider

# In one process (kiosk/prepare.py): first a check that says in one sentence what stops the kiosk (a
# read-only or missing data folder, an unreadable database, a full disk) instead of the traceback of the
# first command that trips over it, then the hashed static files, the migrations and the default content.
setup: $(VENV)/.installed static/vendor/htmx.min.js static/vendor/basemap.svg static/build/.built translations
	@$(BIN)/python -m kiosk.prepare

preflight: $(VENV)/.installed
	@$(BIN)/python -m kiosk.health

setup-test: setup $(VENV)/.installed-test

# Python: a virtualenv with the package and every dependency pinned by requirements.lock.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable '.[test]'
	touch $@

# Front-end: third-party assets come from the npm registry at exact versions and are copied
# into static/vendor, which git ignores.
# Then every static file gets a content-hashed, pre-compressed copy in static/dist (the app also does
# this at start-up if one is missing).
assets: static/vendor/htmx.min.js static/vendor/basemap.svg static/build/.built $(VENV)/.installed
	@$(BIN)/flask assets

# Our own scripts and stylesheets (the kiosk's modules under frontend/js/kiosk/, its analytics and Places
# scripts, the service worker, the admin's script): bundled and minified by esbuild (npm, pinned) into
# static/build/, which git ignores. Rebuilt only when a source changes. The visitor addresses the scripts
# share with the server are written from kiosk/timeline/addresses.py first (frontend/generated/, ignored).
FRONTEND_SOURCES := $(shell find frontend -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' \))
SERVER_ADDRESSES := frontend/generated/addresses.json
static/build/.built: node_modules/.installed $(SERVER_ADDRESSES) $(FRONTEND_SOURCES)
	node frontend/build.mjs
	touch $@

$(SERVER_ADDRESSES): kiosk/timeline/addresses.py kiosk/timeline/for_scripts.py kiosk/languages/choice.py kiosk/web/assets.py $(VENV)/.installed
	$(BIN)/python -m kiosk.timeline.for_scripts $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# The Places view's base map, drawn from Natural Earth land (world-atlas) in the kiosk's own projection.
static/vendor/basemap.svg: node_modules/.installed kiosk/timeline/basemap.py kiosk/content/places.py $(VENV)/.installed
	$(BIN)/python -m kiosk.timeline.basemap node_modules/world-atlas/land-50m.json $@

# Interface translations: the .po files are the source; the .mo files gettext reads are built here
# (git ignores them).
translations: $(VENV)/.installed
	@set -o pipefail; $(BIN)/pybabel compile --directory kiosk/translations --domain messages --statistics 2>&1 | grep -v '^compiling'

# Database: migrations, then the default content (only into an empty database).
database: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed

chromium:
	@bash .ci/ensure-chromium

# The Nu HTML Checker (vnu-jar from npm) runs on Java: Debian's default-jre-headless when root.
java:
	@bash .ci/ensure-java

# Benchmarks (bench/README.md): each prints its ratios; none is a test.
bench: setup-test chromium wrk
	$(BIN)/python bench/server_throughput.py
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/tap_latency.py
	$(BIN)/python bench/offline_copy.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/first_page.py
	$(BIN)/python bench/speech.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/import_large.py
	$(BIN)/python bench/analytics_load.py

# The load generator: Debian's wrk when root; otherwise bench/ falls back to its own stdlib generator.
wrk:
	@command -v wrk >/dev/null || [ "$$(id -u)" -ne 0 ] || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Translations: extract every gettext string, then update or start a language (LANG_CODE=ru make messages).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping babel.cfg --keywords _l --output kiosk/translations/messages.pot .
	@if [ -n "$(LANG_CODE)" ]; then \
	  if [ -f kiosk/translations/$(LANG_CODE)/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i kiosk/translations/messages.pot -d kiosk/translations -l $(LANG_CODE); \
	  else $(BIN)/pybabel init -i kiosk/translations/messages.pot -d kiosk/translations -l $(LANG_CODE); fi; fi

clean:
	rm -rf $(VENV) node_modules static/vendor static/build static/dist frontend/generated
