# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV ?= .venv

.PHONY: setup run test bench screenshots lint

setup:
	@scripts/setup.sh

run: setup
	$(VENV)/bin/eventdesk

# lint first: a layering violation, a ruff finding or a mypy error fails `make test` (and .ci/run)
test: setup lint
	$(VENV)/bin/python -m pytest -q

bench: setup
	$(VENV)/bin/python -m eventdesk.bench

screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py

# ruff, mypy and import-linter come with the test extra (scripts/setup.sh); settings in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check eventdesk tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
