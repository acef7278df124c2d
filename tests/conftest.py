"""Shared fixtures. Qt runs offscreen in every test run (set before any Qt import)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench" / "gen_events.py"
LOCAL_BENCH = ROOT / "tests" / "data" / "gen_events.py"


def gen_events_script() -> Path:
    """The shared generator when it is beside the checkout, else the project's pinned copy."""
    return SHARED_BENCH if SHARED_BENCH.is_file() else LOCAL_BENCH


@pytest.fixture(scope="session")
def generate(tmp_path_factory):
    """generate(n, seed) -> (events path, truth dict, mappings path), cached per (n, seed)."""
    import json

    cache: dict = {}

    def make(n: int, seed: int = 1, **rates):
        key = (n, seed, tuple(sorted(rates.items())))
        if key not in cache:
            folder = tmp_path_factory.mktemp(f"gen{n}_{seed}")
            events, truth, mappings = folder / "events.jsonl", folder / "truth.json", folder / "mappings.json"
            extra = []
            for name, value in rates.items():
                extra += [f"--{name.replace('_', '-')}", str(value)]
            subprocess.run([sys.executable, str(gen_events_script()), "--n", str(n), "--seed", str(seed),
                            "--out", str(events), "--truth", str(truth), "--mappings", str(mappings), *extra],
                           check=True)
            cache[key] = (events, json.loads(truth.read_text()), mappings)
        return cache[key]

    return make
