"""The GUI layer imports the app services and the core only (design section 2)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "eventdesk" / "gui"
ALLOWED_EVENTDESK = ("eventdesk.app", "eventdesk.core", "eventdesk.gui")
ALLOWED_THIRD_PARTY = ("PySide6", "pyqtgraph", "shiboken6")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(GUI.rglob("*.py")), ids=lambda p: str(p.relative_to(GUI)))
def test_gui_module_imports_only_app_core_qt_and_stdlib(path):
    bad = set()
    for name in imports(path):
        top = name.split(".")[0]
        if name.startswith("eventdesk"):
            if not name.startswith(ALLOWED_EVENTDESK):
                bad.add(name)
        elif top not in sys.stdlib_module_names and not name.startswith(ALLOWED_THIRD_PARTY):
            bad.add(name)
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_modules_stay_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in GUI.rglob("*.py")}
    assert max(sizes.values()) <= 300, sizes
