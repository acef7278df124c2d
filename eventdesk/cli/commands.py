"""One function per command; each gets its services from the composition root."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from typing import Any, Optional

from eventdesk.app import App, Settings, build_app, load_mappings_file
from eventdesk.cli.export import export_events
from eventdesk.cli.main import EXIT_FAILED, EXIT_OK, EXIT_SUBMIT_FAILED, UsageError
from eventdesk.core.faults import parse_fault_point
from eventdesk.core.model import Outcome
from eventdesk.core.queries import AggregateQuery
from eventdesk.core.timestamps import TimestampParser


def _app(args: argparse.Namespace) -> App:
    max_attempts = getattr(args, "max_attempts", None)
    settings = Settings(store_uri=args.store, mappings_file=getattr(args, "mappings", None))
    if max_attempts:
        settings.max_attempts = max_attempts
    return build_app(settings)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def run_gui(args: argparse.Namespace) -> int:
    try:
        from eventdesk.gui.main import run
    except ImportError as exc:
        raise UsageError(f"the desktop app needs PySide6 and pyqtgraph ({exc})") from None
    return run(args.store)


def run_ingest(args: argparse.Namespace) -> int:
    from eventdesk.cli.ingest import ingest_files
    app = _app(args)
    try:
        summary = ingest_files(app, args.files, workers=args.workers, batch_size=args.batch_size,
                               fmt=args.format, show_progress=not args.json and sys.stderr.isatty())
    finally:
        app.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        rate = summary.lines / summary.seconds if summary.seconds else 0
        print(f"{summary.lines:,} events in {summary.seconds:.2f} s ({rate:,.0f}/s): "
              f"{summary.accepted:,} accepted, {summary.duplicate:,} duplicate, "
              f"{summary.semantic_duplicate:,} semantic duplicate, {summary.rejected:,} rejected, "
              f"{summary.failed:,} failed")
    if summary.errors:
        where = "; stopped, the rest of the input was not read" if summary.stopped else ""
        sys.stderr.write(f"eventdesk: error: {summary.failed:,} events failed and were not all "
                         f"recorded: {summary.errors[0]}{where}\n")
        return EXIT_FAILED
    return EXIT_OK


def run_submit(args: argparse.Namespace) -> int:
    fault = None
    if args.simulate_failure:
        try:
            fault = parse_fault_point(args.simulate_failure)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    received: str | bytes = sys.stdin.buffer.read().rstrip(b"\r\n") if args.event == "-" else args.event
    app = _app(args)
    try:
        result = app.submit(received, fault)
    finally:
        app.close()
    if args.json:
        _print_json(result.to_json())
    else:
        ids = f" raw {result.raw_id}" if result.raw_id is not None else ""
        ids += f", normalized {result.normalized_id}" if result.normalized_id is not None else ""
        print(f"{result.outcome.value}{ids}" + (f": {result.error}" if result.error else ""))
    if result.outcome is Outcome.FAILED:
        sys.stderr.write(f"eventdesk: submission failed: {result.error}\n")
        return EXIT_SUBMIT_FAILED
    return EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        stats = app.store.stats()
    finally:
        app.close()
    if args.json:
        _print_json(stats.to_json())
        return EXIT_OK
    print(f"raw events     {stats.raw_total:>12,}")
    for status, count in stats.by_status.items():
        print(f"  {status:<12} {count:>12,}")
    print(f"normalized     {stats.normalized:>12,}")
    print(f"exact dups     {stats.exact_duplicates:>12,}")
    print(f"semantic dups  {stats.semantic_duplicates:>12,}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        if args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                count = export_events(app.store, args.kind, args.status or [], args.client, args.format, out)
            sys.stderr.write(f"{count:,} {args.kind} events written to {args.out}\n")
        else:
            export_events(app.store, args.kind, args.status or [], args.client, args.format, sys.stdout)
    finally:
        app.close()
    return EXIT_OK


def parse_when(text: Optional[str], end: bool = False) -> Optional[datetime]:
    """A --from/--to value: ISO date or instant (UTC unless it says otherwise).

    A date alone given to --to means the end of that day, so ``--to 2024-01-31`` includes it.
    """
    if text is None:
        return None
    moment, problem = TimestampParser().parse(text)
    if moment is None:
        raise UsageError(f"cannot read the date {text!r}: {problem}")
    if end and len(text.strip()) <= 10 and moment.hour == moment.minute == moment.second == 0:
        moment += timedelta(days=1)
    return moment


def run_aggregates(args: argparse.Namespace) -> int:
    query = AggregateQuery(clients=tuple(args.client or ()), metrics=tuple(m.strip().lower() for m in args.metric or ()),
                           time_from=parse_when(args.time_from), time_to=parse_when(args.time_to, end=True),
                           bucket=args.bucket)
    if query.time_from and query.time_to and query.time_from >= query.time_to:
        raise UsageError("--from must come before --to")
    app = _app(args)
    try:
        rows = app.store.aggregates(query)
    finally:
        app.close()
    if args.json:
        _print_json({"rows": [row.to_json() for row in rows]})
        return EXIT_OK
    print(f"{'client':<14}{'metric':<14}{'bucket':<22}{'count':>9}{'sum':>18}{'avg':>16}")
    for row in rows:
        print(f"{row.client_id:<14}{row.metric or '-':<14}{row.bucket or '-':<22}{row.count:>9,}"
              f"{row.sum:>18}{row.avg:>16}")
    return EXIT_OK


def run_retry(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        summary = app.processor.retry(args.status or ["failed"])
    finally:
        app.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        print(f"{summary.selected:,} reprocessed: {summary.normalized:,} normalized, "
              f"{summary.duplicate:,} duplicate, {summary.failed:,} still failing")
    return EXIT_OK


def run_mappings(args: argparse.Namespace) -> int:
    app = _app(args)
    try:
        if args.set:
            version = app.set_mappings(load_mappings_file(args.set))
            print(f"mappings version {version} is now current")
        else:
            print(f"// version {app.mappings_version}")
            print(app.mappings.to_json())
    finally:
        app.close()
    return EXIT_OK
