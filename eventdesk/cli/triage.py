"""`eventdesk triage` (design sections 8 and 12): problem events grouped by reason, read-only."""
from __future__ import annotations

import argparse
import json
import sys

from eventdesk.app import Settings, build_app, check_store_uri, queries
from eventdesk.cli.exits import EXIT_OK

_COLUMNS = ("count", "code", "client", "field", "first seen", "last seen", "samples")


def run_triage(args: argparse.Namespace) -> int:
    if args.store is not None:  # checked here so that the message can name the option
        check_store_uri(args.store, "--store")
    app = build_app(Settings(store_uri=args.store, read_only=True))  # never takes the write lock
    try:
        groups = queries.triage(app, args.status, args.client)
    finally:
        app.close()
    if args.json:
        sys.stdout.write(json.dumps({"groups": [g.to_json() for g in groups]}, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not groups:
        print("no failed, rejected, dead-letter or with-warnings events")
        return EXIT_OK
    rows = [(f"{g.count:,}", g.code, g.client_id or "-", g.field or "-", g.first_seen, g.last_seen,
             " ".join(str(i) for i in g.sample_raw_ids)) for g in groups]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(_COLUMNS)]
    for row in [_COLUMNS, *rows]:
        cells = [row[0].rjust(widths[0])] + [cell.ljust(w) for cell, w in zip(row[1:], widths[1:])]
        print("  ".join(cells).rstrip())
    return EXIT_OK
