"""`eventdesk mappings` (set, history, show, rollback) and `eventdesk renormalize` (design 8, 12)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eventdesk.app import App, Settings, build_app, check_store_uri, mappings, renormalize, workbench
from eventdesk.app.errors import UsageError
from eventdesk.cli.exits import EXIT_OK
from eventdesk.core.errors import MappingsError
from eventdesk.core.preview import Preview, PreviewExample


def _open(args: argparse.Namespace, read_only: bool = False) -> App:
    if args.store is not None:  # checked here so that the message can name the option
        check_store_uri(args.store, "--store")
    return build_app(Settings(store_uri=args.store, mappings_file=getattr(args, "mappings", None),
                              read_only=read_only))


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def run_mappings(args: argparse.Namespace) -> int:
    preview = getattr(args, "preview", None)
    if preview is None and (getattr(args, "client", None) is not None or getattr(args, "limit", None) is not None):
        raise UsageError("--client and --limit go with --preview FILE")
    draft = _read_draft(preview) if preview is not None else None  # a missing file: before opening the store
    app = _open(args, read_only=args.history or args.show is not None or draft is not None)  # these never write
    try:
        if draft is not None:
            _print_preview(args, workbench.preview_draft(app, draft, args.client, args.limit or 500))
        elif args.set:
            version = mappings.save_mappings_file(app, args.set)
            _say(args, {"version": version}, f"mappings version {version} is now current")
        elif args.rollback is not None:
            version = mappings.rollback(app, args.rollback)
            _say(args, {"version": version, "content_of": args.rollback},
                 f"mappings version {version} is now current (the content of version {args.rollback})")
        elif args.history:
            _print_history(args, mappings.history(app))
        elif args.show is not None:
            text = mappings.show_version(app, args.show)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            version, text = mappings.in_use(app)
            print(f"// version {version}")
            print(text)
    finally:
        app.close()
    return EXIT_OK


def _say(args: argparse.Namespace, value: dict[str, Any], line: str) -> None:
    if args.json:
        _print_json(value)
    else:
        print(line)


def _print_history(args: argparse.Namespace, entries: list[mappings.VersionEntry]) -> None:
    if args.json:
        _print_json({"versions": [e.to_json() for e in entries]})
        return
    for entry in entries:
        saved = entry.saved
        mark = "*" if entry.current else " "
        note = f" [{saved.note}]" if saved.note else ""
        print(f"{mark} {saved.version:>4}  {saved.saved_at}  {saved.saved_by or '(unknown)'}  "
              f"{entry.changes.summary()}{note}")


def run_renormalize(args: argparse.Namespace) -> int:
    scope = renormalize.scope_of(args.client, args.time_from, args.time_to)
    app = _open(args, read_only=args.history or args.dry_run)  # a dry run writes nothing, not even a seed
    try:
        if args.history:
            runs = renormalize.renormalize_history(app)
            if args.json:
                _print_json({"runs": [run.to_json() for run in runs]})
            for run in [] if args.json else runs:
                print(_run_line(run))
            return EXIT_OK
        summary = renormalize.renormalize(app, scope, dry_run=args.dry_run, workers=args.workers)
    finally:
        app.close()
    if args.json:
        _print_json(summary.to_json())
    else:
        c = summary.counts
        verb = "would change" if summary.dry_run else "changed"
        print(f"{c['examined']:,} examined with mappings version {summary.mapping_version}: {verb} "
              f"{c['changed']:,}, unchanged {c['unchanged']:,}; {c['now_semantic_duplicate']:,} now a "
              f"semantic duplicate, {c['no_longer_duplicate']:,} no longer one"
              + ("" if not summary.dry_run else " (dry run: nothing written)"))
    return EXIT_OK


def _run_line(run: renormalize.RenormalizeRun) -> str:
    c = run.counts
    scope = ", ".join(f"{k}={v}" for k, v in run.scope.to_json().items() if v is not None) or "all"
    return (f"{run.run_id:>4}  {run.state:<10}  version {run.mapping_version}  {run.started_at} -> "
            f"{run.finished_at or '...'}  {run.started_by or '(unknown)'}  scope {scope}  "
            f"examined {c.get('examined', 0):,} changed {c.get('changed', 0):,}")


# -- mappings --preview FILE (docs/workbench.md)

_SHOWN_EXAMPLES = 5  # in text; --json gives all the preview's examples


def _read_draft(path: str) -> str:
    """The draft's text; a file that cannot be read is refused as ``--set`` refuses it (exit 2)."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else exc
        raise MappingsError(f"cannot read mappings file {path}: {reason}") from None


def _print_preview(args: argparse.Namespace, preview: Preview) -> None:
    if args.json:
        _print_json(preview.to_json())
        return
    p = preview
    print(f"{p.examined:,} examined with the draft: would change {p.changed:,}, unchanged {p.unchanged:,}; "
          f"fixed {p.fixed:,}, broken {p.broken:,}; amount {p.amount_changed:,}, timestamp "
          f"{p.timestamp_changed:,}, metric {p.metric_changed:,}; {p.became_duplicate:,} would become a "
          f"semantic duplicate, {p.stopped_duplicate:,} would stop being one (nothing written)")
    for example in [e for e in p.examples if e.kinds or e.warnings_changed][:_SHOWN_EXAMPLES]:
        print(_example_line(example))


def _example_line(example: PreviewExample) -> str:
    shown = example.to_json()
    before, after = shown["before"] or {}, shown["after"] or {}
    changes = [f"{name} {_shown(before.get(name))} -> {_shown(after.get(name))}"
               for name in ("metric", "amount", "timestamp") if before.get(name) != after.get(name)]
    kinds = ", ".join(example.kinds) or "warnings"
    return f"  raw {example.raw_id}: {kinds}" + (f"  ({'; '.join(changes)})" if changes else "")


def _shown(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)
