"""The command line (design section 8): parsing, dispatch, and turning errors into one line.

Exit status: 0 when the command did its job; 1 when the store or a file failed us;
2 for a user's mistake in the arguments or the mappings; 3 when a submission failed
(its JSON is still printed); 70 for a defect of ours (the traceback goes to the log file).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from typing import Any, Optional, Sequence

from eventdesk.app.errors import USER_MISTAKES, describe
from eventdesk.app.paths import user_data_dir
from eventdesk.cli.exits import EXIT_BUG, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError  # noqa: F401
from eventdesk.core.model import ALL_STATUSES

log = logging.getLogger("eventdesk")
#: Where a command's ``run_<name>`` lives when not in ``cli/commands.py``: imported only when
#: run, so that a command does not pay for the others' imports (the web server's: ~15 ms).
_MODULE_OF = {"serve": "serve", "tokens": "serve", "mappings": "mapping_commands",
              "renormalize": "mapping_commands", "triage": "triage"}


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
                   help="events per durable transaction (default 100000 on SQLite, 200000 into a SQLite store"
                        " already holding 500000 events, 30000 on MongoDB)")
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

    p = commands.add_parser(
        "export", parents=[common], help="write raw or normalized events",
        description="Raw rows give the payload exactly as received (its JSON text, numbers and "
                    "keys untouched), or the text as received for a rejected input; an input that "
                    "was not valid UTF-8 is written as \"base64:\" and the base64 of its bytes. "
                    "Amounts are exact decimal text. --out is replaced only when the export is complete.")
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

    _add_serve_parsers(commands, common, normalising)

    p = commands.add_parser("mappings", parents=[common], help="show, set, list or roll back the store's mappings")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--set", metavar="FILE", help="validate FILE and make it the current version")
    action.add_argument("--history", action="store_true", help="every saved version and what it changed")
    action.add_argument("--show", type=_positive, metavar="VERSION", help="print that version's JSON document")
    action.add_argument("--rollback", type=_positive, metavar="VERSION",
                        help="save a new version with the content of VERSION")
    action.add_argument("--preview", metavar="FILE",
                        help="what the draft mappings in FILE would change in stored events (docs/workbench.md)")
    p.add_argument("--client", metavar="C", help="with --preview: only this client's events")
    p.add_argument("--limit", type=_positive, default=None, metavar="N",
                   help="with --preview: the client's newest N events (default 500)")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser(
        "renormalize", parents=[common, normalising],
        help="apply the current mappings to stored events (docs/renormalize.md)",
        description="Recompute the normalized events of normalized and duplicate raw events with the "
                    "current mappings, in chunked transactions; a re-run continues an interrupted one. "
                    "failed and dead_letter events are left to 'retry'.")
    p.add_argument("--client", metavar="C", help="only this client")
    p.add_argument("--from", dest="time_from", metavar="DATE", help="received from this instant (inclusive)")
    p.add_argument("--to", dest="time_to", metavar="DATE",
                   help="received before this instant; a date alone includes that whole day")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="processes that re-read events to tell which changed (default: number of cores "
                        "for a store of 50,000 events or more; 1: none)")
    p.add_argument("--history", action="store_true", help="the runs recorded on this store")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser(
        "triage", parents=[common], help="failed, rejected and with-warnings events grouped by reason",
        description="Groups by reason code, client and field (docs/reasons.md): exact counts, first and "
                    "last seen (received_at), and up to 5 sample raw ids, newest first. Read-only.")
    p.add_argument("--status", choices=ALL_STATUSES, metavar="S",
                   help="only raw events in this status; 'normalized' for the events with warnings")
    p.add_argument("--client", metavar="C", help="only this client (the source, trimmed)")
    p.add_argument("--json", action="store_true")
    return parser


def _add_serve_parsers(commands: Any, common: argparse.ArgumentParser,
                       normalising: argparse.ArgumentParser) -> None:
    p = commands.add_parser("serve", parents=[common, normalising], help="the HTTP API for clients (docs/http.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000; 0 picks a free one)")
    p.add_argument("--no-auth", action="store_true", help="no tokens (only on a loopback address)")
    p.add_argument("--allow-simulation", action="store_true", help="honour simulateFailure and ?simulate=")
    p.add_argument("--allow-host", action="append", metavar="H", help="another Host header to accept")
    p.add_argument("--cors", action="append", metavar="ORIGIN", help="a web origin allowed to call the API")
    p = commands.add_parser("tokens", parents=[common], help="bearer tokens of the HTTP API")
    tokens = p.add_subparsers(dest="tokens_command", parser_class=_Parser, metavar="ACTION", required=True)
    t = tokens.add_parser("add", parents=[common], help="create a token; it is printed once")
    t.add_argument("name")
    t.add_argument("--sources", default="*", metavar="S,S|*", help="sources it may post for (default *)")
    t.add_argument("--rate", type=float, default=None, metavar="N", help="requests per second at most")
    tokens.add_parser("list", parents=[common], help="the tokens (never the tokens' text)")
    t = tokens.add_parser("revoke", parents=[common], help="revoke a token (a running server sees it in 1 s)")
    t.add_argument("name")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at interpreter exit, so that a closed pipe is seen
    except BrokenPipeError:
        _closed_stdout()
        return EXIT_OK
    return code


def _closed_stdout() -> None:
    """The reader went away (``| head``): a normal end. Point stdout at nothing so that the
    interpreter's last flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _main(argv: Optional[Sequence[str]]) -> int:
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
        module = importlib.import_module(f"eventdesk.cli.{_MODULE_OF.get(args.command, 'commands')}")
        return getattr(module, f"run_{args.command}")(args)
    except BrokenPipeError:
        raise  # the reader of our output went away: handled by main
    except KeyboardInterrupt:
        return _fail(130, "interrupted; everything committed before this moment is kept")
    except Exception as exc:  # the one known-error-vs-bug decision is describe's
        text, bug = describe(exc)
        if bug:  # a defect of ours: one line here, the traceback in the log
            return _bug(exc, text)
        return _fail(EXIT_USAGE if isinstance(exc, USER_MISTAKES) else EXIT_FAILED, text)


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"eventdesk: error: {message}\n")
    return code


def _bug(exc: BaseException, text: str) -> int:
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
    return _fail(EXIT_BUG, f"{text}{where}")


if __name__ == "__main__":
    sys.exit(main())
