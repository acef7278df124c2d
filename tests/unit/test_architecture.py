"""The layers of design section 2: the core stays pure, imports point down only, no cycles.

The import-linter contracts in pyproject.toml (run by ``make lint``) enforce the same layers
with the whole import graph; these tests say it again where a plain pytest run sees it.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "eventdesk"
FORBIDDEN_IN_CORE = ("PySide6", "pyqtgraph", "pymongo", "bson", "sqlite3", "starlette", "uvicorn",
                     "eventdesk.gui", "eventdesk.cli", "eventdesk.http", "eventdesk.store", "eventdesk.app",
                     "eventdesk.bench")
FRONT_ENDS = ("cli", "http", "gui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules_of("core"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_no_qt_no_driver_and_nothing_above_it(path):
    bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN_IN_CORE)}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("layer", ["store", "core"])
def test_lower_layers_never_import_the_front_ends(layer):
    for path in modules_of(layer):
        bad = {m for m in imported_modules(path)
               if m.startswith(("eventdesk.gui", "eventdesk.cli", "eventdesk.http", "eventdesk.app", "PySide6"))}
        assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_never_import_a_store_or_a_driver(front_end):
    for path in modules_of(front_end):
        bad = {m for m in imported_modules(path) if m.startswith(("eventdesk.store", "pymongo", "sqlite3"))}
        assert not bad, f"{path} imports {bad}"


def reaches_into_the_engine(path: Path) -> list[str]:
    """``app.store.<anything>``, ``self.app.processor.<anything>``: the App's engine, not its services."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                and node.value.attr in ("store", "processor") and _is_app(node.value.value):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} app.{node.value.attr}.{node.attr}")
    return found


def _is_app(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "app") or (isinstance(node, ast.Attribute) and node.attr == "app")


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_reach_the_store_and_processor_only_through_services(front_end):
    found = [hit for path in modules_of(front_end) for hit in reaches_into_the_engine(path)]
    assert not found, "\n".join(found)


def test_no_import_cycles_inside_eventdesk():
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("eventdesk")  # function-level and TYPE_CHECKING imports count too
    cycles = strongly_connected(graph, sorted(m for m in graph.modules if m.startswith("eventdesk")))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle():
    class Graph:  # a -> b -> c -> a, d alone
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, name):
            return self.edges[name]
    assert strongly_connected(Graph(), ["a", "b", "c", "d"]) == [["a", "b", "c"]]


def strongly_connected(graph, modules: list[str]) -> list[list[str]]:
    """The groups of modules that import each other (Tarjan), each of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return groups


def test_core_imports_with_qt_and_drivers_unavailable():
    code = ("import sys\n"
            "for name in ('PySide6', 'pyqtgraph', 'pymongo', 'bson', 'sqlite3', '_sqlite3', 'starlette', 'uvicorn'):\n"
            "    sys.modules[name] = None\n"
            "import eventdesk.core.processor, eventdesk.core.ingest, eventdesk.core.normalizer\n"
            "import eventdesk.core.aggregation, eventdesk.core.intake, eventdesk.core.ports\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
