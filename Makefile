# Kompetenslyft: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install demo demo-oidc test lint format messages clean browser oidc-provider npm

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kompetenslyft demo --port $(PORT)

demo-oidc: $(STAMP)
	$(BIN)/kompetenslyft demo-oidc --port $(PORT)

test: $(STAMP) browser oidc-provider npm
	$(BIN)/ruff check kompetenslyft tests conftest.py
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check kompetenslyft tests conftest.py
	$(BIN)/ruff format --check kompetenslyft tests conftest.py
	$(BIN)/mypy kompetenslyft

format: $(STAMP)
	$(BIN)/ruff format kompetenslyft tests conftest.py
	$(BIN)/ruff check --fix kompetenslyft tests

messages: $(STAMP)
	cd kompetenslyft && ../$(BIN)/kompetenslyft makemessages -l sv -l nb -l en --no-obsolete
	cd kompetenslyft && ../$(BIN)/kompetenslyft compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The sign-in tests run the npm package oidc-provider (tests/oidc-provider): npm ci from the lock
# file into $KOMPETENSLYFT_VAR_DIR/oidc-provider (again only when the lock file changes).
oidc-provider: $(STAMP)
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Debian's nodejs and npm for the sign-in tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	$(BIN)/python -m kompetenslyft.signin.local_provider install

# The LRS client tests drive real xAPI/cmi5 clients from the npm registry (tests/npm: the lock
# is committed, node_modules is not). npm ci runs only when the lock changed.
NPM_STAMP := tests/npm/node_modules/.package-lock.json
$(NPM_STAMP): tests/npm/package-lock.json tests/npm/package.json
	cd tests/npm && npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

npm: $(NPM_STAMP)

# The browser tests drive Debian's Chromium; on a Debian machine where we are root, install it.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
