# `make run` and `make test` set everything up themselves in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint clean

run: $(VENV)/.runtime
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo "Parley is running on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Two pytest-xdist workers (the machine's two cores); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Parley needs Python 3.11 or newer; set PYTHON=python3.12 (for example).")'
	$(PYTHON) -m venv $(VENV)

# Parley itself goes in editable (pyproject.toml), so blogapp and config import from
# anywhere: bench/, a script, a shell.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $(VENV)/.runtime $@

clean:
	rm -rf $(VENV) .pytest_cache
