"""`eventdesk serve` and `eventdesk tokens`: the HTTP API (design section 10) from the command line."""
from __future__ import annotations

import argparse
import sys

from eventdesk.app import Settings, build_app
from eventdesk.app.http_state import HttpState, parse_sources
from eventdesk.app.paths import user_data_dir
from eventdesk.cli.exits import EXIT_FAILED, EXIT_OK, UsageError


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(store_uri=args.store, mappings_file=getattr(args, "mappings", None))


def run_serve(args: argparse.Namespace) -> int:
    from eventdesk.http.config import PortInUse, ServerConfig, ServerConfigError
    from eventdesk.http.server import ready_line, serve_forever

    config = ServerConfig(args.host, args.port, not args.no_auth, args.allow_simulation,
                          tuple(args.allow_host or ()), tuple(args.cors or ()))
    try:
        config.check()
    except ServerConfigError as exc:
        raise UsageError(str(exc)) from None
    app = build_app(_settings(args))
    try:
        state = HttpState.of(app)
        try:
            if config.auth:
                path = state.tokens.ensure_admin(user_data_dir())
                if path is not None:
                    sys.stderr.write(f"eventdesk: created an admin token, readable only by you, in {path}\n")
            serve_forever(app, state, config, ready_line)
        finally:
            state.close()
    except PortInUse as exc:
        sys.stderr.write(f"eventdesk: error: {exc.strerror}\n")
        return EXIT_FAILED
    finally:
        app.close()
    sys.stderr.write("eventdesk: stopped; every acknowledged event is committed\n")
    return EXIT_OK


def run_tokens(args: argparse.Namespace) -> int:
    app = build_app(_settings(args))
    try:
        state = HttpState.of(app)
        try:
            return _tokens(state, args)
        finally:
            state.close()
    finally:
        app.close()


def _tokens(state: HttpState, args: argparse.Namespace) -> int:
    if args.tokens_command == "add":
        try:
            token = state.tokens.add(args.name, parse_sources(args.sources), args.rate)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(f"token {args.name!r} for sources {args.sources}"
              + (f", at most {args.rate:g} requests/s" if args.rate else "") + "; it is shown only once:")
        print(token)
        return EXIT_OK
    if args.tokens_command == "revoke":
        if not state.tokens.revoke(args.name):
            raise UsageError(f"no live token named {args.name!r}")
        print(f"token {args.name!r} revoked")
        return EXIT_OK
    for record in state.tokens.list():
        rate = f"{record.rate:g}/s" if record.rate else "-"
        status = f"revoked {record.revoked_at}" if record.revoked_at else "active"
        print(f"{record.name:<20} {','.join(record.sources):<30} {rate:>8}  created {record.created_at}  {status}")
    return EXIT_OK
