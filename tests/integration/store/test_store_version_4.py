"""Schema version 4: a store written by the previous release opens, upgrades once, and keeps its
counts, sums, ids, statuses, receipts and hashes; the new bulk write path then carries on in it.

The store in ``tests/data/stores`` was written by the previous release itself (git af4a518,
schema version 3), with what its command line said of it at the time (``*.expected.json.gz``).
"""
from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "stores"


def eventdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True, timeout=120)


def cli_json(*args: str):
    done = eventdesk(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def expected():
    with gzip.open(DATA / "v3-release.expected.json.gz", "rt") as f:
        return json.load(f)


@pytest.fixture
def old_store(tmp_path) -> Path:
    path = tmp_path / "release.db"
    with gzip.open(DATA / "v3-release.db.gz", "rb") as f, open(path, "wb") as out:
        shutil.copyfileobj(f, out)
    return path


def exported(store: Path, kind: str, tmp_path: Path) -> list[dict]:
    out = tmp_path / f"{kind}.jsonl"
    done = eventdesk("export", kind, "--store", str(store), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text().splitlines()]


def as_then(rows: list[dict], then: list[dict]) -> list[dict]:
    """The rows with the fields the previous release exported (later releases add fields)."""
    assert len(rows) == len(then)
    return [{key: row[key] for key in old} for row, old in zip(rows, then)]


def links_are_kept(raws: list[dict], normalized: list[dict]) -> None:
    """The fields added since: each raw row names its own normalized event, or the one it equals."""
    own = {n["raw_id"]: n["id"] for n in normalized}
    ids = {n["id"] for n in normalized}
    for raw in raws:
        assert raw["normalized_id"] == own.get(raw["id"]), raw
        assert (raw["duplicate_of"] in ids) if raw["status"] == "duplicate" else raw["duplicate_of"] is None, raw


def test_the_previous_release_store_is_upgraded_once_and_reads_as_it_did(old_store, expected, tmp_path):
    before = sqlite3.connect(old_store).execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert before == ("3",)
    first = eventdesk("stats", "--json", "--store", str(old_store))
    assert first.returncode == 0, first.stderr
    assert "upgraded the store" in first.stderr and "from schema version 3 to 4" in first.stderr
    assert Path(f"{old_store}.bak-v3").exists()
    assert json.loads(first.stdout) == expected["stats"]
    again = eventdesk("stats", "--json", "--store", str(old_store))
    assert "upgraded" not in again.stderr  # once
    conn = sqlite3.connect(old_store)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("4",)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"mapping_notes", "renormalize_runs", "raw_duplicate_of"} <= tables
    conn.close()
    assert cli_json("aggregates", "--bucket", "day", "--json", "--store", str(old_store)) == expected["aggregates_by_day"]
    raws = exported(old_store, "raw", tmp_path)
    assert as_then(raws, expected["raw"]) == expected["raw"]  # ids, hashes, statuses, receipts
    links_are_kept(raws, exported(old_store, "normalized", tmp_path))
    assert exported(old_store, "normalized", tmp_path) == expected["normalized"]
    assert cli_json("mappings", "--history", "--json", "--store", str(old_store)) == expected["history"]
    groups = cli_json("triage", "--json", "--store", str(old_store))
    strip = lambda doc: json.dumps(doc, sort_keys=True)  # noqa: E731
    assert strip(_without(groups, "timeline")) == strip(_without(expected["triage"], "timeline"))


def test_the_new_write_path_carries_on_in_an_upgraded_store(old_store, expected, tmp_path):
    events = tmp_path / "events.jsonl"
    with gzip.open(DATA / "v3-release.events.jsonl.gz", "rb") as f, open(events, "wb") as out:
        shutil.copyfileobj(f, out)
    resent = cli_json("ingest", str(events), "--json", "--store", str(old_store))
    assert resent["lines"] == 3000 and resent["duplicate"] == 3000  # every line was there: receipts only
    stats = cli_json("stats", "--json", "--store", str(old_store))
    want = dict(expected["stats"], duplicates={"exact": expected["stats"]["duplicates"]["exact"] + 3000,
                                               "semantic": expected["stats"]["duplicates"]["semantic"]})
    assert stats == want
    assert cli_json("aggregates", "--bucket", "day", "--json", "--store", str(old_store)) == expected["aggregates_by_day"]
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"source": "client_B", "payload": {"metric": "upgrade", "amount": "1.25",
                                                                  "timestamp": "2024-06-01T00:00:00Z"}}) + "\n")
    assert cli_json("ingest", str(new), "--json", "--store", str(old_store))["accepted"] == 1
    raws = exported(old_store, "raw", tmp_path)
    assert as_then(raws[:-1], expected["raw"]) == [dict(r, receipts=r["receipts"] + _resends(r, expected))
                                                   for r in expected["raw"]]
    assert raws[-1]["id"] > max(r["id"] for r in expected["raw"])
    retried = cli_json("retry", "--json", "--store", str(old_store))
    assert retried["selected"] == 1 and retried["normalized"] == 1


def _resends(raw: dict, expected: dict) -> int:
    """Receipts the re-sent file adds to a raw event: one per line of it with that content."""
    counts = expected.setdefault("_lines", _line_counts())
    return counts.get(raw["content_hash"], 0)


def _line_counts() -> dict[str, int]:
    from eventdesk.core.intake import read_envelope
    counts: dict[str, int] = {}
    with gzip.open(DATA / "v3-release.events.jsonl.gz", "rb") as f:
        for line in f.read().splitlines():
            if line.strip():
                digest = read_envelope(line).content_hash
                counts[digest] = counts.get(digest, 0) + 1
    return counts


def _without(value, key: str):
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value
