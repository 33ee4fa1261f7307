# Kompetenslyft: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install demo test lint format messages clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kompetenslyft demo --port $(PORT)

test: $(STAMP) browser
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

# The browser tests drive Debian's Chromium; on a Debian machine where we are root, install it.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
