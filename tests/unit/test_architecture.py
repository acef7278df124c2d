"""The layers of design section 2: the core stays pure, imports point down only."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "eventdesk"
FORBIDDEN_IN_CORE = ("PySide6", "pyqtgraph", "pymongo", "bson", "sqlite3", "eventdesk.gui", "eventdesk.cli",
                     "eventdesk.store.sqlite", "eventdesk.store.mongo", "eventdesk.app")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_qt_and_no_driver(path):
    bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN_IN_CORE)}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("layer", ["store", "core"])
def test_lower_layers_never_import_the_gui_or_cli(layer):
    for path in (PACKAGE / layer).rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.startswith(("eventdesk.gui", "eventdesk.cli", "PySide6"))}
        assert not bad, f"{path} imports {bad}"


def test_core_imports_with_qt_and_drivers_unavailable():
    code = ("import sys\n"
            "for name in ('PySide6', 'pyqtgraph', 'pymongo', 'bson', 'sqlite3', '_sqlite3'):\n"
            "    sys.modules[name] = None\n"
            "import eventdesk.core.processor, eventdesk.core.ingest, eventdesk.core.normalizer\n"
            "import eventdesk.core.aggregation, eventdesk.core.intake\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
