"""Store versions (design section 11): newer refused, older upgraded, readers never wait."""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from eventdesk.app import Settings, build_app
from eventdesk.core.errors import StoreError
from eventdesk.core.ports import StoreVersionError
from eventdesk.store.sqlite import SqliteStore, schema

EVENTS = [json.dumps({"source": "client_B", "payload": {"metric": "sales", "amount": a, "timestamp": t}})
          for a, t in [("10.5", "2024-03-01T10:00:00Z"), ("-3.25", "2024-03-02T10:00:00Z"),
                       ("0.00001", "2024-03-02T11:00:00Z"), ("7", None)]] + ["not json"]

# the schema of version 1 (git HEAD before daily_totals split its sums), as older stores have it
V1_DAILY_TOTALS = """CREATE TABLE daily_totals(client_id TEXT NOT NULL, metric TEXT NOT NULL,
    day INTEGER NOT NULL, n INTEGER NOT NULL, n_amount INTEGER NOT NULL, n_exotic INTEGER NOT NULL,
    sum_units INTEGER NOT NULL, min_units INTEGER, max_units INTEGER,
    PRIMARY KEY (client_id, metric, day)) WITHOUT ROWID"""


def eventdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True,
                          timeout=60)


def filled(path) -> str:
    app = build_app(Settings(store_uri=str(path)))
    try:
        for text in EVENTS:
            app.submit(text)
        app.submit(EVENTS[0])  # an exact duplicate
    finally:
        app.close()
    return str(path)


def snapshot(path: str) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {"raw": conn.execute("SELECT id, status, content_hash, receipts FROM raw_events ORDER BY id").fetchall(),
                "normalized": conn.execute("SELECT id, raw_id, amount, normalized_hash FROM normalized_events"
                                           " ORDER BY id").fetchall()}
    finally:
        conn.close()


def cli_json(*args: str) -> dict:
    done = eventdesk(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def as_version_1(path: str, sum_as_real: bool = False) -> None:
    """Rewrite a store into the version 1 layout (the day totals of HEAD's schema)."""
    conn = sqlite3.connect(path, isolation_level=None)
    rows = conn.execute("SELECT client_id, metric, day, n, n_amount, n_exotic, sum_high * 4294967296 + sum_low,"
                        " min_units, max_units FROM daily_totals").fetchall()
    conn.execute("DROP TABLE daily_totals")
    conn.execute(V1_DAILY_TOTALS)
    for row in rows:  # an overflowed v1 sum had become a float: the upgrade must not trust it
        row = row[:6] + ((float(row[6]) + 0.5) if sum_as_real else row[6],) + row[7:]
        conn.execute("INSERT INTO daily_totals VALUES (?,?,?,?,?,?,?,?,?)", row)
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()


def test_newer_store_is_refused_with_one_line_and_left_unchanged(tmp_path):
    path = filled(tmp_path / "new.db")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(schema.SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    before = open(path, "rb").read()
    with pytest.raises(StoreVersionError, match="newer eventdesk"):
        SqliteStore(path)
    with pytest.raises(StoreVersionError):
        SqliteStore(path, read_only=True)
    for args in (["stats", "--json"], ["submit", EVENTS[0]], ["aggregates", "--json"], ["export", "raw"]):
        done = eventdesk(*args, "--store", path)
        assert done.returncode != 0 and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and "newer eventdesk" in done.stderr
    assert open(path, "rb").read() == before


def test_older_store_is_upgraded_once_with_a_copy_and_one_line(tmp_path):
    path = filled(tmp_path / "old.db")
    stats_before = cli_json("stats", "--json", "--store", path)
    aggregates_before = cli_json("aggregates", "--bucket", "day", "--json", "--store", path)
    rows_before = snapshot(path)
    as_version_1(path, sum_as_real=True)
    done = eventdesk("stats", "--json", "--store", path)  # a read-only command opens it first
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == stats_before
    (line,) = done.stderr.strip().splitlines()
    assert "upgraded" in line and f"version 1 to {schema.SCHEMA_VERSION}" in line and "old.db.bak-v1" in line
    assert os.path.exists(path + ".bak-v1")
    assert sqlite3.connect(path + ".bak-v1").execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    assert cli_json("aggregates", "--bucket", "day", "--json", "--store", path) == aggregates_before
    assert snapshot(path) == rows_before
    again = eventdesk("stats", "--json", "--store", path)
    assert again.returncode == 0 and again.stderr == ""  # once only


def test_upgrade_runs_in_one_transaction(tmp_path, monkeypatch):
    path = filled(tmp_path / "old.db")
    as_version_1(path)
    from eventdesk.store.sqlite import versions

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(versions, "after_tables", broken)
    with pytest.raises(StoreError):
        SqliteStore(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    assert "sum_units" in [r[1] for r in conn.execute("PRAGMA table_info(daily_totals)")]


def hold_write_lock(path: str) -> subprocess.Popen:
    code = ("import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            " c.execute('BEGIN IMMEDIATE'); c.execute(\"INSERT INTO meta VALUES ('held', 'x')\");"
            " print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, path], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_read_only_commands_do_not_wait_for_a_writer(tmp_path):
    path = filled(tmp_path / "busy.db")
    expected = cli_json("stats", "--json", "--store", path)
    holder = hold_write_lock(path)
    try:
        for args in (["stats", "--json"], ["aggregates", "--json"], ["export", "normalized"]):
            started = time.monotonic()
            done = eventdesk(*args, "--store", path)
            assert done.returncode == 0, done.stderr
            assert time.monotonic() - started < 2, args
        assert cli_json("stats", "--json", "--store", path) == expected
    finally:
        holder.kill()
        holder.wait()


@contextlib.contextmanager
def read_only_folder(folder):
    """chmod a-w for a user; a read-only bind mount for root, whom permissions do not stop."""
    if os.geteuid() != 0:
        for path in [*folder.iterdir(), folder]:
            os.chmod(path, stat.S_IMODE(path.stat().st_mode) & ~0o222)
        try:
            yield
        finally:
            for path in [folder, *folder.iterdir()]:
                os.chmod(path, stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)
        return
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
        pytest.skip("running as root and cannot bind-mount the folder read-only")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root and cannot remount the folder read-only")
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("kept_wal", [False, True])
def test_read_only_copy_is_readable_and_unchanged(tmp_path, kept_wal):
    folder = tmp_path / "copy"
    folder.mkdir()
    path = filled(folder / "ro.db")
    expected = cli_json("stats", "--json", "--store", path)
    if kept_wal:  # a copy taken with its (checkpointed, empty) WAL beside it
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        open(path + "-wal", "wb").close()
        conn.close()
    before = open(path, "rb").read()
    with read_only_folder(folder):
        assert cli_json("stats", "--json", "--store", path) == expected
        assert len(cli_json("aggregates", "--json", "--store", path)["rows"]) == 1
        assert eventdesk("export", "raw", "--store", path).returncode == 0
        assert eventdesk("submit", EVENTS[0], "--store", path).returncode != 0  # writes are refused
    assert open(path, "rb").read() == before


def test_read_only_open_writes_nothing_not_even_mappings(tmp_path):
    path = filled(tmp_path / "seedless.db")
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM mappings")
    conn.commit()
    conn.close()
    before = open(path, "rb").read()
    app = build_app(Settings(store_uri=path, read_only=True))
    try:
        assert app.store.stats().normalized == 4
        assert app.mappings_version == 0 and app.mappings.document  # the shipped file, unsaved
        assert app.submit(EVENTS[0]).outcome.value == "failed"  # the store refuses writes
    finally:
        app.close()
    assert open(path, "rb").read() == before
    assert sqlite3.connect(path).execute("SELECT count(*) FROM mappings").fetchone() == (0,)


def test_read_only_command_on_a_new_store_reads_it_empty(tmp_path):
    path = str(tmp_path / "new.db")
    stats = cli_json("stats", "--json", "--store", path)  # created on first use, as before
    assert stats["raw"]["total"] == 0 and stats["normalized"] == 0
    assert cli_json("aggregates", "--json", "--store", path) == {"rows": []}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM mappings").fetchone() == (0,)
