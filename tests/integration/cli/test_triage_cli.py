"""`eventdesk triage` and the exported `reasons` on a generated messy file (design 8 and 12)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from eventdesk.core.reasons import CODES

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = ROOT / "tests" / "data" / "gen_events.py"
FIELDS = {None, "source", "payload", "metric", "amount", "timestamp"}
EXTRA = [  # events with warnings under the generated mappings, one per field problem
    {"source": "client_D", "payload": {"event": "sale", "betrag": "zwölf", "zeit": "2024-03"}},
    {"source": "client_B", "payload": {"metric": "sale", "amount": True, "timestamp": "5 PST"}},
    {"source": "client_B", "payload": {"metric": 7, "amount": "1e999"}},
]


def eventdesk(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True,
                          timeout=120, input=stdin)


def cli_json(*args: str) -> dict:
    done = eventdesk(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("triage")
    events, mappings = folder / "events.jsonl", folder / "mappings.json"
    subprocess.run([sys.executable, str(GENERATOR), "--n", "3000", "--seed", "7", "--out", str(events),
                    "--truth", str(folder / "truth.json"), "--mappings", str(mappings)],
                   check=True, capture_output=True)
    with events.open("a", encoding="utf-8") as out:
        for event in EXTRA:
            out.write(json.dumps(event) + "\n")
    path = str(folder / "store.db")
    done = eventdesk("ingest", str(events), "--store", path, "--mappings", str(mappings), "--json")
    assert done.returncode == 0, done.stderr
    failed = json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": 1, "timestamp": 1}})
    assert eventdesk("submit", failed, "--simulate-failure", "mid_transaction", "--store", path).returncode == 3
    return path


def exported(store: str, kind: str) -> list[dict]:
    done = eventdesk("export", kind, "--store", store)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def groups_from_exports(store: str) -> dict:
    raws = {row["id"]: row for row in exported(store, "raw")}
    items = [(row["source"].strip() if row["source"] else None, row["reasons"], row["id"])
             for row in raws.values() if row["status"] in ("failed", "rejected", "dead_letter")]
    items += [(row["client_id"], row["reasons"], row["raw_id"]) for row in exported(store, "normalized")]
    groups: dict = {}
    for client, reasons, raw_id in items:
        for code, field in {(r["code"], r["field"]) for r in reasons}:
            seen = raws[raw_id]["received_at"]
            group = groups.setdefault((code, client, field), [0, seen, seen, []])
            group[0] += 1
            group[1], group[2] = min(group[1], seen), max(group[2], seen)
            group[3].append(raw_id)
    return {k: (v[0], v[1], v[2], sorted(v[3], reverse=True)[:5]) for k, v in groups.items()}


def test_triage_json_counts_equal_what_the_store_holds(store):
    result = cli_json("triage", "--json", "--store", store)
    assert list(result) == ["groups"]
    for group in result["groups"]:
        assert list(group) == ["code", "client_id", "field", "count", "first_seen", "last_seen",
                               "sample_raw_ids", "timeline"]  # timeline: added by issue 13.6
        assert sum(group["timeline"]["counts"]) == group["count"]
    found = {(g["code"], g["client_id"], g["field"]): (g["count"], g["first_seen"], g["last_seen"],
                                                       g["sample_raw_ids"]) for g in result["groups"]}
    assert found == groups_from_exports(store)
    stats = cli_json("stats", "--json", "--store", store)
    rejected = sum(g["count"] for g in result["groups"] if g["field"] not in ("metric", "amount", "timestamp")
                   and not g["code"].startswith("simulated."))
    assert rejected == stats["raw"]["by_status"]["rejected"] > 0  # one reason per rejected event
    codes = {g["code"] for g in result["groups"]}
    assert {"amount.unparseable", "timestamp.no_day", "amount.not_number", "timestamp.zone_abbreviation",
            "metric.not_text", "amount.out_of_range", "timestamp.missing", "simulated.mid_transaction"} <= codes


def test_triage_filters_by_status_and_client(store):
    rejected = cli_json("triage", "--status", "rejected", "--json", "--store", store)["groups"]
    stats = cli_json("stats", "--json", "--store", store)
    assert sum(g["count"] for g in rejected) == stats["raw"]["by_status"]["rejected"]
    failed = cli_json("triage", "--status", "failed", "--json", "--store", store)["groups"]
    assert [(g["code"], g["count"]) for g in failed] == [("simulated.mid_transaction", 1)]
    only_d = cli_json("triage", "--client", "client_D", "--json", "--store", store)["groups"]
    assert only_d and {g["client_id"] for g in only_d} == {"client_D"}


def test_every_exported_reason_is_valid_and_names_the_clients_key(store):
    raws = {row["id"]: row for row in exported(store, "raw")}
    seen = Counter()
    for row in exported(store, "normalized"):
        assert len(row["reasons"]) == len(row["warnings"])
        payload = raws[row["raw_id"]]["payload"]
        for reason in row["reasons"]:
            assert list(reason) == ["code", "field", "key"] and reason["code"] in CODES
            assert reason["field"] in FIELDS and reason["code"].startswith(reason["field"] + ".")
            if reason["key"] is not None:  # the client's own key, read from this very payload
                node = payload
                for part in reason["key"].split("."):
                    node = node[part]
            else:
                assert reason["code"].endswith(".missing")
            seen[reason["code"]] += 1
    for row in raws.values():
        assert (row["reasons"] != []) == (row["status"] in ("rejected", "failed", "dead_letter"))
        for reason in row["reasons"]:
            assert reason["code"] in CODES and reason["field"] in FIELDS
    assert seen["amount.unparseable"] >= 1


def test_csv_exports_carry_reasons_as_json_text(store):
    done = eventdesk("export", "normalized", "--format", "csv", "--store", store)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert all(isinstance(json.loads(r["reasons"]), list) for r in rows)
    assert any(json.loads(r["reasons"]) for r in rows)


def test_triage_table_and_bad_arguments(store):
    done = eventdesk("triage", "--store", store)
    assert done.returncode == 0 and done.stdout.splitlines()[0].split()[:3] == ["count", "code", "client"]
    bad = eventdesk("triage", "--status", "nonsense", "--store", store)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


def test_triage_of_an_empty_store(tmp_path):
    path = str(tmp_path / "empty.db")
    assert cli_json("triage", "--json", "--store", path) == {"groups": []}
    assert "no failed" in eventdesk("triage", "--store", path).stdout


def test_triage_never_waits_for_a_writer(store):
    code = ("import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            " c.execute('BEGIN IMMEDIATE'); c.execute(\"INSERT INTO meta VALUES ('held', 'x')\");"
            " print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, store], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        done = eventdesk("triage", "--json", "--store", store)
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
