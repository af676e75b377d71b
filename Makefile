# The README's commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install production migrate data i18n i18n-compile i18n-check lint check bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[dev]'  # quiet: no setuptools banners
	touch $@

install: $(VENV)/.installed

## make production: what an app server needs (README, "Production"): the install, the compiled
## translations, and the byte code for PYTHONOPTIMIZE=2 (deploy/systemd/feedback.service), written
## here because the service cannot write under /srv
production: i18n-compile
	$(BIN)/python -OO -m compileall -q -j0 feedback $(VENV)/lib > /dev/null

i18n-compile: install
	$(FLASK) i18n compile

migrate: install
	$(BIN)/alembic upgrade head

data: migrate
	$(FLASK) load-reference-data

## make run: install, migrate, load the real reference data, serve on http://127.0.0.1:5000
## make run DEMO=1: the same with a synthetic two-year history (marked as demonstration data; `flask demo clear`)
run: i18n-compile data
	$(if $(DEMO),$(FLASK) demo seed --if-absent)
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: the whole suite (SQLite unless TEST_DATABASE_URL or DATABASE_URL names another database)
test: i18n-compile
	$(BIN)/pytest

## make i18n: extract messages and merge them into the ky and ru catalogs
i18n: install
	$(FLASK) i18n extract
	$(FLASK) i18n update

i18n-check: install
	$(FLASK) i18n check

lint: install
	$(BIN)/ruff check feedback tests migrations

## make check: what CI checks besides the tests
check: lint i18n-check
	$(BIN)/alembic upgrade head
	$(BIN)/alembic check

clean:
	rm -rf $(VENV) instance *.egg-info

## make bench: every main route as a ratio to a bare Flask route in the same series, SQLite and
## PostgreSQL, 50 k and 5 M ratings (needs wrk); make bench BENCH_ARGS=--quick while developing
bench: i18n-compile
	bench/run $(BENCH_ARGS)
	$(if $(wildcard bench/scorecard_context.py),$(BIN)/python bench/scorecard_context.py)
	$(if $(wildcard bench/search_speed.py),$(BIN)/python bench/search_speed.py)
