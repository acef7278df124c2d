"""Schema version 3 (reasons, mapping_version): a version 2 store opens, upgrades once, and
keeps its counts, sums, ids, statuses and hashes; a MongoDB of version 1 reads as before."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from eventdesk.app import App, Settings, build_app, shipped_mappings
from eventdesk.core.model import Reason
from eventdesk.store.sqlite import SqliteStore, schema

EVENTS = [json.dumps({"source": "client_D", "payload": {"event": "sale", "betrag": b, "zeit": z}})
          for b, z in [("1.200,50", "05.01.2024 10:00"), ("-3,25", "2024-03"), ("abc", "06.01.2024")]]
EVENTS += ["not json", json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": 7}})]

# the two event tables as schema version 2 wrote them (git HEAD before version 3)
V2_TABLES = """
CREATE TABLE raw_events(
    id INTEGER PRIMARY KEY, source TEXT, body NOT NULL, status TEXT NOT NULL,
    content_hash BLOB NOT NULL, error TEXT, attempts INTEGER NOT NULL DEFAULT 1,
    receipts INTEGER NOT NULL DEFAULT 1, received_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    duplicate_of INTEGER);
CREATE TABLE normalized_events(
    id INTEGER PRIMARY KEY, raw_id INTEGER NOT NULL, client_id TEXT NOT NULL, metric TEXT,
    amount TEXT, amount_units INTEGER, ts INTEGER, timestamp TEXT, normalized_hash BLOB NOT NULL,
    warnings TEXT);
"""
RAW_V2 = ("id, source, body, status, content_hash, error, attempts, receipts, received_at, updated_at,"
          " duplicate_of")
NORMALIZED_V2 = "id, raw_id, client_id, metric, amount, amount_units, ts, timestamp, normalized_hash, warnings"


def eventdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True,
                          timeout=60)


def as_version_2(path: str) -> None:
    """Rewrite the event tables of a store in the version 2 layout, rows unchanged."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for table in ("raw_events", "normalized_events"):
        conn.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
    for index in [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'"
                                             " AND sql IS NOT NULL")]:
        conn.execute(f"DROP INDEX {index}")
    for statement in V2_TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"INSERT INTO raw_events SELECT {RAW_V2} FROM old_raw_events")
    conn.execute(f"INSERT INTO normalized_events SELECT {NORMALIZED_V2} FROM old_normalized_events")
    conn.execute("DROP TABLE old_raw_events")
    conn.execute("DROP TABLE old_normalized_events")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    conn.close()


def snapshot(path: str) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {"raw": conn.execute("SELECT id, status, content_hash, receipts, error, received_at"
                                    " FROM raw_events ORDER BY id").fetchall(),
                "normalized": conn.execute("SELECT id, raw_id, amount, amount_units, ts, normalized_hash,"
                                           " warnings FROM normalized_events ORDER BY id").fetchall(),
                "totals": conn.execute("SELECT * FROM daily_totals ORDER BY 1, 2, 3").fetchall()}
    finally:
        conn.close()


def cli_json(*args: str) -> dict:
    done = eventdesk(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def v2_store(tmp_path) -> str:
    path = str(tmp_path / "v2.db")
    app = build_app(Settings(store_uri=path))
    try:
        for text in EVENTS:
            app.submit(text)
        app.submit(EVENTS[0])  # one more receipt
    finally:
        app.close()
    as_version_2(path)
    return path


def test_a_version_2_store_is_upgraded_once_and_keeps_every_fact(v2_store):
    before = snapshot(v2_store)
    stats = cli_json("stats", "--json", "--store", v2_store + ".fresh")  # stats of another store: unused
    assert stats["raw"]["total"] == 0
    done = eventdesk("aggregates", "--json", "--store", v2_store)  # a read-only command opens it first
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "upgraded" in line and f"version 2 to {schema.SCHEMA_VERSION}" in line and "v2.db.bak-v2" in line
    assert os.path.exists(v2_store + ".bak-v2")
    backup = sqlite3.connect(v2_store + ".bak-v2")
    assert backup.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    assert "reasons" not in [r[1] for r in backup.execute("PRAGMA table_info(normalized_events)")]
    assert snapshot(v2_store) == before
    conn = sqlite3.connect(v2_store)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(schema.SCHEMA_VERSION),)
    # events made before version 3: no codes, no known mappings version (none is guessed)
    assert conn.execute("SELECT count(*) FROM normalized_events WHERE reasons IS NULL"
                        " AND mapping_version IS NULL").fetchone() == (len(before["normalized"]),)
    assert conn.execute("SELECT count(*) FROM raw_events WHERE reasons IS NULL").fetchone() == (len(before["raw"]),)
    again = eventdesk("stats", "--json", "--store", v2_store)
    assert again.returncode == 0 and again.stderr == ""  # once only


def test_the_upgraded_store_reads_old_events_and_writes_new_ones_with_reasons(v2_store):
    store = SqliteStore(v2_store)
    try:
        old = store.get_normalized(2)  # "-3,25" at "2024-03": no day
        assert old is not None and old.reasons == [] and old.mapping_version is None and old.warnings
        mappings = shipped_mappings()
        app = App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))
        result = app.submit(json.dumps({"source": "client_D", "payload": {"event": "x", "betrag": "y"}}))
        new = store.get_normalized(result.normalized_id)
        assert new.reasons[0] == Reason("amount.unparseable", "amount", "betrag")
        assert new.mapping_version == app.mappings_version
        assert store.stats().raw_total == len(EVENTS) + 1
    finally:
        store.close()


def test_a_failed_upgrade_leaves_the_version_2_store_as_it_was(v2_store, monkeypatch):
    from eventdesk.core.errors import StoreError
    from eventdesk.store.sqlite import versions

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(versions, "after_tables", broken)
    with pytest.raises(StoreError):
        SqliteStore(v2_store)
    conn = sqlite3.connect(v2_store)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    assert "reasons" not in [r[1] for r in conn.execute("PRAGMA table_info(normalized_events)")]


def test_schema_version_is_4():
    assert schema.SCHEMA_VERSION == 4


def test_a_mongo_database_of_version_1_reads_as_before_and_records_version_2():
    pytest.importorskip("mongomock")
    from fakes.mongo import mongomock_client

    from eventdesk.store.mongo import MongoStore, versions
    client = mongomock_client()
    db = client["eventdesk_v1"]
    db["raw_events"].insert_one({"_id": 1, "source": "c", "body": "x", "status": "rejected",
                                 "content_hash": "ab" * 32, "error": "not valid JSON", "attempts": 1,
                                 "receipts": 1, "received_at": "2024-01-01T00:00:00Z",
                                 "updated_at": "2024-01-01T00:00:00Z", "duplicate_of": None})
    db["normalized_events"].insert_one({"_id": 1, "raw_id": 1, "client_id": "c", "metric": None,
                                        "amount": "1", "amount_units": 10000, "ts": None, "timestamp": None,
                                        "normalized_hash": "cd" * 32, "warnings": ["metric: missing"]})
    db[versions.META].insert_one({"_id": "schema", "version": 1})
    store = MongoStore("mongodb://localhost/eventdesk_v1", client=client)
    assert versions.stored_version(db) == versions.SCHEMA_VERSION == 2
    raw, normalized = store.get_raw(1), store.get_normalized(1)
    assert raw.reasons == [] and raw.error == "not valid JSON"
    assert normalized.reasons == [] and normalized.mapping_version is None
    assert normalized.warnings == ["metric: missing"] and normalized.amount == "1"
    assert store.stats().raw_total == 1
