# The two commands a new user runs: `make run` and `make test`. Each sets itself up.
#
# Python packages come only from the lock files in requirements/ (exact versions, with
# hashes), installed by uv (itself pinned with hashes in requirements/uv.txt):
#   app.txt  what the image runs (Dockerfile)
#   run.txt  app.txt + the local stand-ins (moto server, the Cognito front): `make run`
#   dev.txt  run.txt + the test, lint and CDK tools: `make test`, `make lint`, CI
# After changing the dependencies in pyproject.toml (or to take newer versions), `make lock`.
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
NPM_DIR := deploy
lock_stamp = $(VENV)/.installed-$(1)-$(shell cksum requirements/$(1).txt | cut -d' ' -f1)
RUN_STAMP := $(call lock_stamp,run)
DEV_STAMP := $(call lock_stamp,dev)
UV_STAMP  := $(call lock_stamp,uv)
UV_INSTALL := $(UV) pip install --quiet --python $(PY) --require-hashes
COMPILE := $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--no-emit-package stratospheric-todo

.PHONY: run test lint format lock tools system-packages clean

$(UV_STAMP): requirements/uv.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.txt
	rm -f $(VENV)/.installed-uv-*
	touch $@

$(RUN_STAMP): requirements/run.txt $(UV_STAMP)
	$(UV_INSTALL) -r requirements/run.txt
	rm -f $(VENV)/.installed-run-*
	touch $@

# dev.txt holds every package of run.txt at the same version: `make run` needs nothing more.
$(DEV_STAMP): requirements/dev.txt $(UV_STAMP)
	$(UV_INSTALL) -r requirements/dev.txt
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-*
	touch $@ $(RUN_STAMP)

## The app with everything it needs, on embedded defaults: http://127.0.0.1:8000
run: $(RUN_STAMP)
	$(PY) -m deploy.local.run

## The whole suite: lint and type checks, then pytest against real PostgreSQL, ActiveMQ,
## moto server and Chromium.
test: $(DEV_STAMP) system-packages $(NPM_DIR)/node_modules/.package-lock.json
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) -m pytest

## The test, lint and CDK tools without running anything (CI's deploy job).
tools: $(DEV_STAMP) $(NPM_DIR)/node_modules/.package-lock.json

## The pinned CDK CLI and the canary's browser library (deploy/package-lock.json).
$(NPM_DIR)/node_modules/.package-lock.json: $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error

## Installs (Debian packages) and starts the services the tests need, where missing.
system-packages:
	bash deploy/local/system-services.sh

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Re-resolves every lock file from pyproject.toml, requirements/uv.in and
## deploy/package.json. Versions already locked are kept unless a new requirement rules them
## out; `make lock UPGRADE=1` takes the newest allowed versions instead.
lock: $(UV_STAMP)
	$(COMPILE) $(if $(UPGRADE),--upgrade) --extra dev -o requirements/dev.txt pyproject.toml
	$(COMPILE) --extra local -c requirements/dev.txt -o requirements/run.txt pyproject.toml
	$(COMPILE) -c requirements/dev.txt -o requirements/app.txt pyproject.toml
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		$(if $(UPGRADE),--upgrade) -o requirements/uv.txt requirements/uv.in
	cd $(NPM_DIR) && npm install --package-lock-only --no-audit --no-fund --loglevel=error

clean:
	rm -rf $(VENV) $(NPM_DIR)/node_modules staticfiles db.sqlite3 build *.egg-info
