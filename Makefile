# xiuhua — two commands: `make run` (set up and serve the demo city) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || command -v python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/xiuhua/web/static/vendor/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 (Debian: apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Front-end libraries from the npm registry (package-lock.json), copied into the web app's static files.
$(ASSETS): package.json package-lock.json src/xiuhua/web/vendor.py | $(STAMP)
	scripts/debian-packages npm:/usr/bin/npm
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python -m xiuhua.web.vendor node_modules
	touch $(ASSETS)

setup: $(STAMP) $(ASSETS)

run: setup
	scripts/debian-packages fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
	$(BIN)/xiuhua migrate
	$(BIN)/xiuhua demo --if-empty
	$(BIN)/xiuhua fill_addresses
	$(BIN)/xiuhua accounts
	$(BIN)/xiuhua serve --worker --host $(HOST) --port $(PORT)

test: setup
	scripts/debian-packages chromium:/usr/bin/chromium fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
		fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
	$(BIN)/ruff check src bench tests
	$(BIN)/ruff format --check --quiet src bench tests
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src bench tests
	$(BIN)/ruff format --check src bench tests

# Developers only (needs GNU gettext): refresh the zh_Hans catalogue after changing translatable strings.
messages: setup
	$(BIN)/django-admin makemessages -l zh_Hans --settings=xiuhua.platform.settings \
		-i "$(VENV)/*" -i "node_modules/*" -i "var/*" -i "bench/*" -i "tests/*" -i "*/tests/*" -i "*/migrations/*"
	cd src/xiuhua && ../../$(BIN)/django-admin compilemessages -l zh_Hans --settings=xiuhua.platform.settings

clean:
	rm -rf $(VENV) var
