# `make run` and `make test` are the whole set-up on a fresh machine (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app reviewhub
TRANSLATIONS := reviewhub/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

.PHONY: run test lint format translations extract-messages bench clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(CATALOGUES:.po=.mo)

$(TRANSLATIONS)/%.mo: $(TRANSLATIONS)/%.po $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# `make run PORT=5001` serves on another port; links the commands print (invitations) use it.
PORT ?= 5000
RUN_ENV = REVIEWHUB_BASE_URL="$${REVIEWHUB_BASE_URL:-http://127.0.0.1:$(PORT)}"
run: $(BIN)/activate translations
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) demo
	@# The job queue's worker (mail) runs beside the web server and stops with it.
	$(RUN_ENV) $(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The checks `make test` runs first; the same as the pre-commit hooks (.pre-commit-config.yaml).
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint translations
	$(BIN)/pytest $(PYTEST_ARGS)

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the catalogues after changing user-facing strings; then fill in the Dutch.
extract-messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --width 100 -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench_publish.py
	$(BIN)/python bench/bench_compare.py
	$(BIN)/python bench/bench_bounds.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
