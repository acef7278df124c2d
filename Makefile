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

# offscreen shots of every tab, then the real X window ones (Xvfb + xdotool) into docs/screenshots
screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py
	EVENTDESK_SCREENSHOTS=docs/screenshots $(VENV)/bin/python -m pytest -q -m realwindow tests/gui/test_real_window.py

# ruff, mypy and import-linter come with the test extra (scripts/setup.sh); settings in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check eventdesk tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The one-folder desktop build in dist/eventdesk (docs/packaging.md); PyInstaller is the dev extra
.PHONY: dist dist-check
dist: setup
	@$(VENV)/bin/python -c "import PyInstaller" 2>/dev/null \
		|| $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,dev]"
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN build_spec.spec

# The built app, started offscreen: window, CLI ingest, one HTTP request; sizes and start-up time
dist-check: dist
	PYTHON=$(VENV)/bin/python scripts/dist_check.sh dist/eventdesk
