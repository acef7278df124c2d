"""Benchmark: re-normalizing the large store after a mapping change, as a user would.

Target: ``eventdesk renormalize`` runs at no less than half the bulk ingest rate measured in the
same run. The mapping change is real: client_D's time zone becomes UTC, so every event of its
primary format (local times) gets another timestamp and hash, and pairs that were semantic
duplicates of their +01:00 twins split. Afterwards stats and aggregates must equal a fresh
ingest of the same file with the new mappings (truth-exact), or the figure does not count.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

from eventdesk.bench.measures import Generated
from eventdesk.bench.report import Report
from eventdesk.core.queries import AggregateQuery
from eventdesk.store.sqlite import SqliteStore

CHANGED_CLIENT = "client_D"
REAL_SHARE = 0.05  # at least this share of the examined events must change, or nothing was measured


def new_mappings(data: Generated, folder: Path) -> Path:
    """The generator's mappings with client_D read as UTC instead of Europe/Berlin."""
    mappings = json.loads(data.mappings.read_text())
    mappings["clients"][CHANGED_CLIENT]["timezone"] = "UTC"
    path = folder / f"{data.events.stem}.mappings.utc.json"
    path.write_text(json.dumps(mappings, indent=1))
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"eventdesk {args[0]} failed: {done.stderr.strip()}")
    return done


def store_figures(path: Path) -> dict[str, Any]:
    """What must agree between two stores of the same events: stats and aggregates, exactly."""
    store = SqliteStore(str(path))
    try:
        return {"stats": store.stats().to_json(),
                "aggregates": [r.to_json() for r in store.aggregates(AggregateQuery())],
                "by_day": [r.to_json() for r in store.aggregates(AggregateQuery(bucket="day"))]}
    finally:
        store.close()


def differences(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    return [name for name in left if left[name] != right.get(name)]


def reference_rate(report: Report) -> Optional[float]:
    """The bulk ingest rate of this run; the large ingest's when only that one ran."""
    bulk = getattr(report, "bulk_rate", None)
    if bulk:
        return float(bulk)
    rates = [r.value for r in report.rows if r.name.startswith("ingest ") and r.unit == "events/s"]
    return rates[-1] if rates else None


def run(report: Report, data: Generated, store: Path, workers: Optional[int] = None) -> None:
    """Change the mappings of ``store`` (holding ``data``'s ingest), time `eventdesk renormalize`,
    and check the result against a fresh ingest with the new mappings."""
    mappings = new_mappings(data, store.parent)
    _cli("mappings", "--set", str(mappings), "--store", str(store))
    print(f"renormalize of {store.name} after a mapping change ...", flush=True)
    started = time.perf_counter()
    done = _cli("renormalize", "--json", "--store", str(store))
    wall = time.perf_counter() - started
    counts = json.loads(done.stdout)
    rate = counts["examined"] / wall if wall else 0.0
    reference = reference_rate(report)
    report.add(f"renormalize {counts['examined']:,} events", rate, "events/s",
               reference / 2 if reference else None,
               note=f"{wall:.1f} s wall incl. start-up; goal: half of ingest "
                    f"({reference or 0:,.0f}/s); {counts['changed']:,} changed")
    report.check("renormalize changed a real share of events",
                 counts["changed"] >= REAL_SHARE * max(counts["examined"], 1), json.dumps(counts))
    fresh = store.parent / f"{store.stem}-renormalize-fresh.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(fresh) + suffix).unlink(missing_ok=True)
    command = ["ingest", str(data.events), "--json", "--mappings", str(mappings), "--store", str(fresh)]
    _cli(*command, *(["--workers", str(workers)] if workers else []))
    wrong = differences(store_figures(fresh), store_figures(store))
    report.check("renormalized store equals a fresh ingest with the new mappings", not wrong,
                 "differ: " + ", ".join(wrong) if wrong else "stats, aggregates, per day")
