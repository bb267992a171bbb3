# Roadshow — `make run` serves the demo on http://127.0.0.1:5000; `make test` runs every test.
# Both install what they need first (into .venv/), and skip that when it is up to date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRANSLATIONS := roadshow/translations
# The keywords besides Babel's defaults (_, gettext, ngettext …); tests/test_i18n_catalogue.py uses the same.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -c Translators: --project=Roadshow

export FLASK_APP := wsgi

.PHONY: install translations run serve load test lint format babel-extract babel-update clean

install: $(STAMP) translations node_modules/.installed

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Roadshow needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Mozilla's ical.js, used by the tests as an independent calendar parser (skipped without npm).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the ical.js checks will be skipped"; fi

# Compiled catalogues (.mo) are not committed; building them takes a fraction of a second.
translations: $(STAMP)
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -f --statistics

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data
	@echo "Serving on http://127.0.0.1:5000/ (Ctrl-C stops it)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# A production-like server; give it ROADSHOW_ENV=production, SECRET_KEY and DATABASE_URL.
# gunicorn.conf.py: sync workers (WEB_CONCURRENCY, else CPUs + 1) on GUNICORN_BIND (127.0.0.1:8000).
serve: install
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Load figures on loopback (needs wrk, nginx, PostgreSQL; see benchmarks/load/README.md).
load: install
	$(BIN)/python benchmarks/load/run.py $(LOAD_ARGS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .

babel-extract: $(STAMP)
	$(EXTRACT) -o $(TRANSLATIONS)/messages.pot .

babel-update: babel-extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find $(TRANSLATIONS) -name '*.mo' -delete
