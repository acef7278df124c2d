"""Test doubles live in tests/fakes: the package imports neither them nor test-only libraries."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "eventdesk"
TEST_ONLY = ("mongomock", "fakes", "pytest", "hypothesis")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_module_of_the_package_imports_a_test_helper():
    offenders = {str(path.relative_to(PACKAGE.parent)): sorted(name for name in imported_modules(path)
                                                               if name.split(".")[0] in TEST_ONLY)
                 for path in PACKAGE.rglob("*.py")}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_mongomock_patches_are_not_shipped():
    assert not (PACKAGE / "store" / "mongo" / "testing.py").exists()
