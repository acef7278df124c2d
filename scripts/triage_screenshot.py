#!/usr/bin/env python3
"""The Triage tab at 1024x700 over a realistic store, for docs/screenshots/triage.png.

    python scripts/triage_screenshot.py [--out docs/screenshots/triage.png] [--events 6000]

Generated events (shared/bench/gen_events.py) are received over four days, with a mapping that
does not know client_D's "betrag" or client_E's nested amount yet, and a few simulated failures,
so the groups have sparklines of different shapes. Needs fonts (fonts-dejavu-core).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import Shooter, make_events, wait  # noqa: E402

from eventdesk.app import App, shipped_mappings  # noqa: E402
from eventdesk.core.faults import FaultPoint  # noqa: E402
from eventdesk.store.sqlite import SqliteStore  # noqa: E402


def build_store(folder: Path, count: int) -> Path:
    lines = make_events(folder, count).read_text(encoding="utf-8").splitlines()
    path = folder / "triage.db"
    store = SqliteStore(str(path))
    mappings = shipped_mappings()
    app = App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))
    start = datetime(2024, 6, 3, 6, tzinfo=timezone.utc)
    for n, line in enumerate(lines):
        # busier in working hours, a quiet weekend day, a burst of failures on day three
        moment = start + timedelta(minutes=n * 4 * 24 * 60 // len(lines))
        app.processor.clock = lambda m=moment: m.isoformat(timespec="microseconds").replace("+00:00", "Z")
        fault = FaultPoint.MID_TRANSACTION if 2 * 24 * 60 < n * 4 * 24 * 60 // len(lines) < 2 * 24 * 60 + 90 \
            and n % 3 == 0 else None
        app.submit(line, fault)
        if n % 23 == 0 and (n // 100) % 7 < 5:  # field problems a mapping can fix: on working days
            app.submit(json.dumps({"source": "client_D", "payload": {
                "event": "sales", "betrag": f"{n} Euro netto", "zeit": "05.06.2024 10:00", "n": n}}))
        if n % 57 == 0:
            app.submit(json.dumps({"source": "client_B", "payload": {
                "metric": "visits", "amount": n, "timestamp": f"June {1 + n % 28}", "n": n}}))
    app.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "triage.png"))
    parser.add_argument("--events", type=int, default=6000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="eventdesk-triage-shot-"))
    store = build_store(folder, args.events)
    shooter = Shooter(Path(args.out).parent)
    shooter.window.resize(1024, 700)
    shooter.open(str(store))
    tab = shooter.window.triage_tab
    shooter.tab(tab)
    wait(shooter.app, lambda: tab.table.rowCount() > 0)
    shooter.idle()
    warned = [r for r, g in enumerate(tab.groups) if g.field in ("amount", "timestamp")]
    tab.table.selectRow(warned[0] if warned else 0)
    tab.table.setFocus()
    shooter.idle()
    shooter.window.grab().save(args.out)
    print(json.dumps({"saved": args.out, "groups": tab.table.rowCount()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
