"""Fixtures of the reliability suite: the figures of the run, written to last_run.json."""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import pytest

LAST_RUN = Path(__file__).resolve().parent / "last_run.json"


class Figures:
    """Numbers the tests report (kills survived, faults injected, ...), merged per test."""

    def __init__(self) -> None:
        self.tests: dict[str, dict] = {}

    def record(self, test: str, **numbers) -> None:
        self.tests.setdefault(test, {}).update(numbers)

    def add(self, test: str, name: str, amount: int = 1) -> None:
        entry = self.tests.setdefault(test, {})
        entry[name] = entry.get(name, 0) + amount


@pytest.fixture(scope="session")
def figures():
    collected = Figures()
    started = time.time()
    yield collected
    if not collected.tests:
        return
    previous = json.loads(LAST_RUN.read_text()) if LAST_RUN.exists() else {}
    tests = {**previous.get("tests", {}), **collected.tests}
    positive = [t for name, t in tests.items() if not name.startswith("negative_control")]
    totals = {key: sum(t.get(key, 0) for t in positive)
              for key in ("kills", "faults_injected", "trials", "inputs_tried", "events_lost",
                          "events_double_counted")}
    totals["negative_controls_that_caught_the_fault"] = sum(
        1 for name, t in tests.items() if name.startswith("negative_control") and t.get("violations_reported"))
    LAST_RUN.write_text(json.dumps({
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seconds": round(time.time() - started, 1),
        "python": platform.python_version(), "totals": totals, "tests": dict(sorted(tests.items())),
    }, indent=1) + "\n")
