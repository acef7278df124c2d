"""Killed or interrupted ingests (issue 8, item 7): worker processes end with their parent,
whatever ends it, and Ctrl-C gives one line, exit status 130, and keeps every committed batch."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds worker processes in /proc")
CLI = [sys.executable, "-m", "eventdesk"]
LINES = 60_000  # ~12 MB: well over the size at which ingest starts worker processes
BATCH = ["--batch-size", "10000"]  # commits all through the run (the default batch is the whole file)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    for child in list(found):
        found += descendants(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def committed(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return conn.execute("SELECT count(*) FROM raw_events").fetchone()[0]
    except sqlite3.Error:
        return 0


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_group(proc: subprocess.Popen) -> None:
    """Leave nothing behind, even when a test fails: workers share the child's process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def workers_started(proc: subprocess.Popen, least: int) -> list[int]:
    assert wait_until(lambda: len(descendants(proc.pid)) >= least, 60), "no worker processes started"
    return descendants(proc.pid)


def stats(db: Path) -> dict:
    return json.loads(subprocess.run([*CLI, "stats", "--json", "--store", str(db)], capture_output=True,
                                     check=True).stdout)


@pytest.fixture(scope="module")
def events(generate):
    return generate(LINES, seed=11)


def test_kill_9_of_ingest_takes_its_workers_with_it(events, tmp_path):
    path, _, mappings = events
    db = tmp_path / "k.db"
    proc = start([*CLI, "ingest", str(path), "--workers", "2", "--mappings", str(mappings), "--store", str(db),
                  *BATCH])
    try:
        workers_started(proc, 2)
        assert wait_until(lambda: committed(db) > 0, 60)
        workers = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 5), \
            [pid for pid in workers if alive(pid)]
    finally:
        kill_group(proc)


@pytest.mark.parametrize("moment", ["start-up", "writing"])
def test_ctrl_c_gives_one_line_and_130_and_keeps_what_was_committed(moment, events, tmp_path):
    path, truth, mappings = events
    db = tmp_path / "i.db"
    command = [*CLI, "ingest", str(path), "--workers", "2", "--mappings", str(mappings), "--store", str(db),
               "--json", *BATCH]
    subprocess.run([*CLI, "mappings", "--set", str(mappings), "--store", str(db)], check=True,
                   capture_output=True)
    proc = start(command)
    try:
        workers_started(proc, 1)
        if moment == "writing":
            assert wait_until(lambda: committed(db) > 0, 60)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends: the whole process group
        _out, err = proc.communicate(timeout=60)
    finally:
        kill_group(proc)
    message = err.decode()
    assert proc.returncode == 130, message
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1 and message.startswith("eventdesk: "), message
    assert wait_until(lambda: not descendants(proc.pid), 5)

    before = stats(db)
    kept = before["raw"]["total"] + before["duplicates"]["exact"]  # inputs committed by the first run
    again = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    assert again["lines"] == truth["lines"]
    after = stats(db)
    assert after["normalized"] == truth["normalized"]
    assert after["raw"]["by_status"]["rejected"] == truth["rejected"]
    assert after["duplicates"]["semantic"] == truth["semantic_duplicates"]
    assert after["duplicates"]["exact"] == truth["exact_duplicates"] + kept  # each kept one re-sent once


GUI_STAND_IN = textwrap.dedent("""
    import sys, threading
    from eventdesk.gui.ingest_process import ingest_in_process
    if __name__ == "__main__":
        ingest_in_process(sys.argv[1], 5, sys.argv[2], threading.Event(), lambda p: None)
""")


@pytest.mark.parametrize("victim", ["import process", "window"])
def test_the_gui_import_process_and_its_workers_end_with_their_parent(victim, events, tmp_path):
    path, _, mappings = events
    db = tmp_path / "g.db"
    subprocess.run([*CLI, "mappings", "--set", str(mappings), "--store", str(db)], check=True,
                   capture_output=True)
    script = tmp_path / "window.py"
    script.write_text(GUI_STAND_IN)
    proc = start([sys.executable, str(script), f"sqlite:///{db}", str(path)])
    try:
        assert wait_until(lambda: any(children(c) for c in children(proc.pid)), 60), "no import workers"
        importer = next(c for c in children(proc.pid) if children(c))
        doomed = [importer, *descendants(importer)]
        if victim == "window":
            doomed = descendants(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.kill(importer, signal.SIGKILL)
        assert wait_until(lambda: not any(alive(pid) for pid in doomed), 5), [p for p in doomed if alive(p)]
    finally:
        kill_group(proc)
