"""One function per command; each gets its services from the composition root."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from eventdesk.app import App, Settings, build_app, check_store_uri, events, exporting, queries
from eventdesk.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_SUBMIT_FAILED, UsageError
from eventdesk.cli.progress import ProgressBar
from eventdesk.core.faults import parse_fault_point
from eventdesk.core.filters import client_filter, metric_filter, time_bound
from eventdesk.core.model import Outcome
from eventdesk.core.queries import AggregateQuery


def _app(args: argparse.Namespace, read_only: bool = False) -> App:
    if args.store is not None:  # checked here so that the message can name the option
        check_store_uri(args.store, "--store")
    settings = Settings(store_uri=args.store, mappings_file=getattr(args, "mappings", None),
                        read_only=read_only)
    max_attempts = getattr(args, "max_attempts", None)
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
    try:  # the window's "Listen for clients"; without the web server the window says so
        from eventdesk.http.server import BackgroundServer
    except ImportError:
        return run(args.store)
    return run(args.store, server_factory=BackgroundServer)


def run_ingest(args: argparse.Namespace) -> int:
    app = _app(args)
    bar = ProgressBar(not args.json and sys.stderr.isatty())
    try:
        summary = events.ingest_files(app, args.files, workers=args.workers, batch_size=args.batch_size,
                                      fmt=args.format, progress=bar)
    finally:
        bar.finish()
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
        result = events.submit(app, received, fault)
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
    app = _app(args, read_only=True)
    try:
        stats = queries.stats(app)
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
    # normalized rows hold the trimmed client id; raw rows the source exactly as received
    client = _user_filter(client_filter, args.client) if args.kind == "normalized" else args.client
    exporting.check_export_args(args.kind, args.status or [])
    app = _app(args, read_only=True)
    try:
        if args.out:
            count = exporting.export_to_file(app, args.kind, args.status or [], client, args.format, args.out)
            sys.stderr.write(f"{count:,} {args.kind} events written to {args.out}\n")
        else:
            exporting.export_events(app, args.kind, args.status or [], client, args.format, sys.stdout)
    finally:
        app.close()
    return EXIT_OK


def parse_when(text: str | None, end: bool = False) -> datetime | None:
    """A --from/--to value, read as the normalizer reads timestamps (UTC, month first).

    A date alone given to --to means the end of that day, so ``--to 2024-01-31`` includes it.
    """
    return _user_filter(time_bound, text, end)


def _user_filter(read: Any, text: str | None, *more: Any) -> Any:
    """A filter argument read by its core function; text no event could match is a usage error."""
    if text is None:
        return None
    try:
        return read(text, *more)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run_aggregates(args: argparse.Namespace) -> int:
    query = AggregateQuery(clients=tuple(_user_filter(client_filter, c) for c in args.client or ()),
                           metrics=tuple(_user_filter(metric_filter, m) for m in args.metric or ()),
                           time_from=parse_when(args.time_from), time_to=parse_when(args.time_to, end=True),
                           bucket=args.bucket)
    if query.time_from and query.time_to and query.time_from >= query.time_to:
        raise UsageError("--from must come before --to")
    app = _app(args, read_only=True)
    try:
        rows = queries.aggregates(app, query)
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
        summary = events.retry(app, args.status or ["failed"])
    finally:
        app.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        print(f"{summary.selected:,} reprocessed: {summary.normalized:,} normalized, "
              f"{summary.duplicate:,} duplicate, {summary.failed:,} still failing")
    return EXIT_OK
