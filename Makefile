# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV ?= .venv

.PHONY: setup run test bench screenshots lint

setup:
	@scripts/setup.sh

run: setup
	$(VENV)/bin/eventdesk

test: setup
	$(VENV)/bin/python -m pytest -q

bench: setup
	$(VENV)/bin/python -m eventdesk.bench

screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py

lint: setup
	$(VENV)/bin/python -m pip install --quiet ruff mypy import-linter
	$(VENV)/bin/ruff check eventdesk tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
