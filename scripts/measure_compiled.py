"""Microseconds per event of rows.rows_of and of FastPreparer.rows on one generated file (best of 3).

    python3 ../shared/bench/gen_events.py --n 50000 --seed 1 --out /tmp/x.jsonl \
        --truth /tmp/x.truth.json --mappings /tmp/x.mappings.json
    .venv/bin/python scripts/measure_compiled.py /tmp/x.jsonl /tmp/x.mappings.json

Both run in the same process, one after the other, so their ratio holds on a busy machine.
Prints the share of inputs the exact path prepared and fails (exit 1) if any row differs.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from eventdesk.core.compiled import FastPreparer
from eventdesk.core.input_reader import read_inputs
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.rows import rows_of


def main(events: str, mappings_path: str) -> int:
    with open(events, "rb") as stream:
        items = list(read_inputs(stream, "auto"))
    text = Path(mappings_path).read_text(encoding="utf-8")
    exact_s = fast_s = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        expected = rows_of(Normalizer(Mappings.from_json(text)), items)
        exact_s = min(exact_s, time.perf_counter() - start)
        preparer = FastPreparer(Mappings.from_json(text))  # fresh caches each round
        start = time.perf_counter()
        rows = preparer.rows(items)
        fast_s = min(fast_s, time.perf_counter() - start)
    n = len(items)
    wrong = sum(a != b for a, b in zip(rows, expected))
    print(f"{n} inputs: rows_of {exact_s / n * 1e6:.2f} us/event, FastPreparer {fast_s / n * 1e6:.2f} us/event "
          f"({exact_s / fast_s:.2f}x); exact path for {preparer.fallbacks} ({preparer.fallbacks / n:.2%}); "
          f"rows that differ: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
