"""The command line (design section 8): parsing, dispatch, and turning errors into one line.

Exit status: 0 when the command did its job; 1 when the store or a file failed us;
2 for a user's mistake in the arguments or the mappings; 3 when a submission failed
(its JSON is still printed); 70 for a defect of ours (the traceback goes to the log file).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from typing import Optional, Sequence

from eventdesk.core.errors import EventdeskError, MappingsError, StoreBug, StoreError
from eventdesk.settings import user_data_dir

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SUBMIT_FAILED, EXIT_BUG = 0, 1, 2, 3, 70
log = logging.getLogger("eventdesk")


class UsageError(Exception):
    """The user asked for something that cannot be done as asked."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, as every other error
        self.exit(EXIT_USAGE, f"eventdesk: error: {message} (see 'eventdesk --help')\n")


def build_parser() -> argparse.ArgumentParser:
    store_help = ("a file path, sqlite:///path or mongodb://...; default: $EVENTDESK_STORE, "
                  "else eventdesk.db in the user data folder")
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: when given only before the command, the command's own default must not erase it
    common.add_argument("--store", metavar="URI", default=argparse.SUPPRESS, help=store_help)
    normalising = argparse.ArgumentParser(add_help=False)
    normalising.add_argument("--mappings", metavar="FILE",
                             help="field mappings to use (becomes the store's current version)")
    parser = _Parser(prog="eventdesk",
                     description="Keep every event, normalise it, count each fact once. "
                                 "Without a command, opens the desktop app.")
    parser.add_argument("--store", metavar="URI", default=None, help=store_help)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = commands.add_parser("ingest", parents=[common, normalising], help="import JSON-lines or JSON-array files")
    p.add_argument("files", nargs="+", metavar="FILE", help="a file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="processes that parse and normalise (default: number of cores)")
    p.add_argument("--batch-size", type=_positive, default=None, metavar="N",
                   help="events per durable transaction (default 5000)")
    p.add_argument("--format", choices=("auto", "jsonl", "array"), default="auto",
                   help="input format (default: auto)")
    p.add_argument("--max-attempts", type=_positive, default=None, metavar="N")

    p = commands.add_parser("submit", parents=[common, normalising], help="submit one event")
    p.add_argument("event", metavar="JSON", help="the event as JSON text, or - for standard input")
    p.add_argument("--simulate-failure", metavar="POINT",
                   help="before_write, mid_transaction or after_commit")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--max-attempts", type=_positive, default=None, metavar="N")

    p = commands.add_parser("stats", parents=[common], help="counts by status and duplicates")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("export", parents=[common], help="write raw or normalized events")
    p.add_argument("kind", choices=("raw", "normalized"))
    p.add_argument("--status", action="append", metavar="S", help="raw events in this status (repeatable)")
    p.add_argument("--client", metavar="C", help="only this client (raw: source)")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")

    p = commands.add_parser("aggregates", parents=[common], help="count, sum, avg, min, max")
    p.add_argument("--client", action="append", metavar="C", help="repeatable")
    p.add_argument("--metric", action="append", metavar="M", help="repeatable")
    p.add_argument("--from", dest="time_from", metavar="DATE", help="from this instant (inclusive)")
    p.add_argument("--to", dest="time_to", metavar="DATE",
                   help="up to this instant (exclusive); a date alone includes that whole day")
    p.add_argument("--bucket", choices=("none", "day", "week", "month"), default="none")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("retry", parents=[common, normalising],
                            help="reprocess failed events with the current mappings")
    p.add_argument("--status", choices=("failed", "dead_letter", "pending", "processing"),
                   action="append", help="default: failed (repeatable)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--max-attempts", type=_positive, default=None, metavar="N")

    p = commands.add_parser("mappings", parents=[common], help="show or set the store's mappings")
    p.add_argument("--set", metavar="FILE", help="validate FILE and make it the current version")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            from eventdesk import __version__
            print(f"eventdesk {__version__}")
            return EXIT_OK
        if args.command is None:
            from eventdesk.cli.commands import run_gui
            return run_gui(args)
        from eventdesk.cli import commands
        return getattr(commands, f"run_{args.command}")(args)
    except (UsageError, MappingsError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except StoreBug as exc:
        return _bug(exc)
    except (StoreError, EventdeskError) as exc:
        return _fail(EXIT_FAILED, str(exc))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(EXIT_FAILED, f"cannot use{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail(130, "interrupted; everything committed before this moment is kept")
    except Exception as exc:  # a defect of ours: one line here, the traceback in the log
        return _bug(exc)


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"eventdesk: error: {message}\n")
    return code


def _bug(exc: BaseException) -> int:
    path = user_data_dir() / "eventdesk.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log_file:
            traceback.print_exception(exc, file=log_file)
        where = f"; details in {path}"
    except OSError:
        where = ""
    if os.environ.get("EVENTDESK_DEBUG"):
        traceback.print_exception(exc)
    return _fail(EXIT_BUG, f"internal error ({type(exc).__name__}: {exc}){where}")


if __name__ == "__main__":
    sys.exit(main())
