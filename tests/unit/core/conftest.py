"""Fixtures for the pure core's unit tests: the shipped mappings and the event generator."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer

ROOT = Path(__file__).resolve().parents[3]
SHIPPED_MAPPINGS = ROOT / "resources" / "mappings.json"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_gen_events() -> ModuleType:
    """The generator module, found where tests/conftest.py's gen_events_script() says."""
    top = _load("_eventdesk_tests_conftest", ROOT / "tests" / "conftest.py")
    return _load("_eventdesk_gen_events", top.gen_events_script())


@pytest.fixture(scope="session")
def gen_events() -> ModuleType:
    return load_gen_events()


@pytest.fixture(scope="session")
def shipped_mappings() -> Mappings:
    return Mappings.from_json(SHIPPED_MAPPINGS.read_text(encoding="utf-8"))


@pytest.fixture()
def normalizer(shipped_mappings: Mappings) -> Normalizer:
    return Normalizer(shipped_mappings)


@pytest.fixture()
def shipped_document() -> dict:
    """The shipped mappings as a fresh, editable document."""
    return json.loads(SHIPPED_MAPPINGS.read_text(encoding="utf-8"))
