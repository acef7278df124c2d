"""Test harness: the command line in a child process, apps over stores, acknowledgement logs."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from eventdesk.app import UNSAFE_NO_DEDUP_ENV, App, current_mappings
from eventdesk.store.sqlite import SqliteStore
from reliability.invariants import Ack

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "eventdesk"]
# children keep their user data (the defect log of an internal error) out of the user's folder
_DATA_HOME = tempfile.mkdtemp(prefix="eventdesk-test-data-")
atexit.register(shutil.rmtree, _DATA_HOME, True)


def child_env(guard: bool = True, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != UNSAFE_NO_DEDUP_ENV}
    env.pop("EVENTDESK_STORE", None)
    env["XDG_DATA_HOME"] = _DATA_HOME
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if not guard:
        env[UNSAFE_NO_DEDUP_ENV] = "1"  # test-only switch: stores without their unique indexes
    env.update(extra)
    return env


def run_cli(args: Sequence[str], guard: bool = True, timeout: float = 120, **kwargs: Any):
    """``eventdesk ARGS`` in a child process; returns the CompletedProcess (text)."""
    env = kwargs.pop("env", None) or child_env(guard)
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env, **kwargs)


def cli_json(args: Sequence[str], **kwargs: Any) -> Any:
    proc = run_cli(args, **kwargs)
    assert proc.returncode == 0, f"eventdesk {' '.join(map(str, args))}: exit {proc.returncode}: {proc.stderr}"
    return json.loads(proc.stdout)


def assert_one_line_error(proc, *phrases: str) -> str:
    """Non-zero exit, exactly one line on stderr, no traceback; returns that line."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode not in (0, None), f"exit 0; stdout={proc.stdout!r} stderr={proc.stderr!r}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {proc.stderr!r}"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert lines[0].startswith("eventdesk: "), lines[0]
    lowered = lines[0].lower()
    assert any(p in lowered for p in phrases) if phrases else True, f"{lines[0]!r} names none of {phrases}"
    return lines[0]


def open_app(path: str | Path, mappings_file: Optional[str | Path] = None, unique: bool = True,
             **options: Any) -> App:
    """An App over a SQLite store, as ``build_app`` wires it (``unique=False``: the guard removed)."""
    store = SqliteStore(str(path), unique_indexes=unique, **options)
    try:
        mappings, version = current_mappings(store, None if mappings_file is None else str(mappings_file))
    except BaseException:
        store.close()
        raise
    return App(store, mappings, version)


def with_store(app: App, store: Any) -> App:
    """The same services over another store (e.g. a FaultyStore around the app's own)."""
    return App(store, app.mappings, app.mappings_version, app.processor.max_attempts)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a child started with ``start_new_session=True`` and any workers it started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def read_acks(path: Path) -> list[Ack]:
    """Acknowledgements written by submitter.py; a line cut short by a kill is no ack."""
    acks = []
    if not path.exists():
        return acks
    for line in path.read_bytes().split(b"\n")[:-1]:
        record = json.loads(line)
        acks.append(Ack(record["h"], record["o"], record["r"], record["n"]))
    return acks


@dataclass(frozen=True)
class Told:
    """What bulk ingest told about one line: ``counted`` in a batch that committed, or ``failed``
    with the batch's error (it reports counts per batch, never ids)."""

    content_hash: str
    outcome: str
    error: Optional[str] = None


def record_ingest(app, told: list):
    """Make ``app`` record what every line of its ingests is told; returns the undo."""
    from eventdesk.core.rows import CONTENT_HASH
    apply_rows = app.processor.apply_rows

    def recording(rows, *args, **kwargs):
        outcome = apply_rows(rows, *args, **kwargs)
        failed = bool(outcome.counts.get("failed"))
        told.extend(Told(row[CONTENT_HASH].hex(), "failed" if failed else "counted",
                         outcome.error if failed else None) for row in rows)
        return outcome
    app.processor.apply_rows = recording
    return lambda: delattr(app.processor, "apply_rows")
