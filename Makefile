# The two commands a new user runs: `make run` and `make test`. Each sets itself up.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint format system-packages clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check '.[dev]'
	rm -rf build *.egg-info $(VENV)/.installed-*
	touch $@

## The app with everything it needs, on embedded defaults: http://127.0.0.1:8000
run: $(STAMP)
	$(PY) -m deploy.local.run

## The whole suite: lint and type checks, then pytest against real PostgreSQL, ActiveMQ,
## moto server and Chromium.
test: $(STAMP) system-packages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) -m pytest

## Installs (Debian packages) and starts the services the tests need, where missing.
system-packages:
	bash deploy/local/system-services.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 build *.egg-info
