"""The command line end to end on a generated file: the store must equal the truth file."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest


def eventdesk(*args: str, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], input=stdin, capture_output=True,
                          check=check)


def as_json(*args: str):
    return json.loads(eventdesk(*args).stdout)


def check_against_truth(store: str, truth: dict) -> None:
    stats = as_json("stats", "--json", "--store", store)
    assert stats["normalized"] == truth["normalized"]
    assert stats["raw"]["by_status"]["rejected"] == truth["rejected"]
    assert stats["duplicates"]["semantic"] == truth["semantic_duplicates"]
    rows = as_json("aggregates", "--json", "--store", store)["rows"]
    by_metric = {f"{r['client_id']}|{r['metric']}": {"count": r["count"], "sum": r["sum"]} for r in rows}
    assert by_metric == {k: {"count": v["count"], "sum": _canon(v["sum"])} for k, v in truth["by_client_metric"].items()}
    days = as_json("aggregates", "--json", "--bucket", "day", "--store", store)["rows"]
    by_day = Counter()
    for r in days:
        by_day[f"{r['client_id']}|{r['bucket'][:10]}"] += r["count"]
    assert dict(by_day) == truth["by_client_day"]
    total = sum((Decimal(r["sum"]) for r in rows), Decimal(0))
    assert total == Decimal(truth["total_sum"])


def _canon(text: str) -> str:
    value = format(Decimal(text), "f")
    return value.rstrip("0").rstrip(".") if "." in value else value


@pytest.mark.slow
def test_ingest_20k_equals_truth_and_reingest_only_counts_receipts(generate, tmp_path):
    events, truth, mappings = generate(20_000, seed=7)
    store = str(tmp_path / "e2e.db")
    summary = as_json("ingest", str(events), "--json", "--mappings", str(mappings), "--store", store)
    assert summary["lines"] == truth["lines"]
    assert (summary["accepted"], summary["rejected"], summary["semantic_duplicate"], summary["duplicate"]) == (
        truth["normalized"], truth["rejected"], truth["semantic_duplicates"], truth["exact_duplicates"])
    assert summary["failed"] == 0
    check_against_truth(store, truth)
    before = as_json("stats", "--json", "--store", store)

    again = as_json("ingest", str(events), "--json", "--store", store)
    assert again["duplicate"] == truth["lines"] and again["accepted"] == 0
    after = as_json("stats", "--json", "--store", store)
    assert after["normalized"] == before["normalized"]
    assert after["duplicates"]["exact"] == before["duplicates"]["exact"] + truth["lines"]
    check_against_truth(store, truth)


def test_ingest_reads_stdin_and_json_arrays(tmp_path):
    store = str(tmp_path / "s.db")
    lines = b'{"source":"a","payload":{"metric":"m","amount":1,"timestamp":"2024-01-01"}}\n\n' \
            b'{"source":"a","payload":{"metric":"m","amount":2,"timestamp":"2024-01-01"}}\n'
    summary = json.loads(eventdesk("ingest", "-", "--json", "--store", store, stdin=lines).stdout)
    assert (summary["lines"], summary["accepted"]) == (2, 2)
    array = tmp_path / "a.json"
    array.write_text('[\n {"source":"b","payload":{"metric":"m","amount":"1,5","timestamp":1704067200}},\n'
                     ' {"source":"b","payload":{"metric":"m","amount":3,"timestamp":"2024-01-01"}}, [1,2]\n]\n')
    summary = as_json("ingest", str(array), "--json", "--store", store)
    assert (summary["lines"], summary["accepted"], summary["rejected"]) == (3, 2, 1)


def test_submit_json_shape_and_seed_scenarios(tmp_path):
    store = str(tmp_path / "s.db")
    seed = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'
    first = as_json("submit", seed, "--json", "--store", store)
    assert set(first) == {"outcome", "raw_id", "normalized_id", "status", "error"}
    assert first["outcome"] == "accepted"
    assert as_json("submit", seed, "--json", "--store", store)["outcome"] == "duplicate"
    failing = eventdesk("submit", '{"source":"x","payload":{"metric":"m","amount":1,"timestamp":"2024-01-01"}}',
                        "--simulate-failure", "mid_transaction", "--json", "--store", store, check=False)
    assert failing.returncode == 3 and json.loads(failing.stdout)["status"] == "failed"
    retry = as_json("retry", "--json", "--store", store)
    assert retry["normalized"] == 1


def test_export_formats(tmp_path):
    store = str(tmp_path / "s.db")
    eventdesk("submit", '{"source":"a","payload":{"metric":"m","amount":"1.50","timestamp":"2024-01-01"}}',
              "--store", store)
    eventdesk("submit", "nonsense", "--store", store)
    raw = [json.loads(line) for line in eventdesk("export", "raw", "--store", store).stdout.splitlines()]
    assert [r["status"] for r in raw] == ["normalized", "rejected"]
    assert set(raw[0]) == {"id", "source", "payload", "status", "content_hash", "error", "attempts",
                           "receipts", "received_at",
                           "reasons", "normalized_id", "duplicate_of"}  # extensions: design 12, what it led to
    assert (raw[0]["normalized_id"], raw[0]["duplicate_of"], raw[1]["normalized_id"]) == (1, None, None)
    assert raw[1]["payload"] == "nonsense" and raw[1]["reasons"] == [{"code": "json.invalid", "field": None,
                                                                      "key": None}]
    rejected = eventdesk("export", "raw", "--status", "rejected", "--store", store).stdout.splitlines()
    assert len(rejected) == 1
    csv_text = eventdesk("export", "normalized", "--format", "csv", "--store", store).stdout.decode()
    header, row = csv_text.splitlines()
    assert header == "id,raw_id,client_id,metric,amount,timestamp,normalized_hash,warnings,reasons"
    assert ",a,m,1.5,2024-01-01T00:00:00Z," in row


@pytest.mark.parametrize("args, message", [
    (["ingest", "/no/such/file.jsonl"], "/no/such/file.jsonl"),
    (["submit", "{}", "--simulate-failure", "sideways"], "unknown fault point"),
    (["aggregates", "--from", "yesterday-ish"], "cannot read the date"),
    (["stats", "--json", "--store", "/no/such/folder/x.db"], "cannot be opened"),
    (["ingest", "x", "--mappings", "/no/such/mappings.json"], "cannot read mappings file"),
])
def test_user_mistakes_get_one_clear_line(tmp_path, args, message):
    if "--store" not in args:
        args = args + ["--store", str(tmp_path / "s.db")]
    if args[0] == "ingest" and args[1] == "x":
        (tmp_path / "x").write_text("")
        args[1] = str(tmp_path / "x")
    result = eventdesk(*args, check=False)
    assert result.returncode != 0
    err = result.stderr.decode()
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_invalid_mappings_file_names_the_entry(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"clients": {"client_D": {"timezone": "Mars/Olympus"}}}')
    result = eventdesk("submit", "{}", "--mappings", str(bad), "--store", str(tmp_path / "s.db"), check=False)
    assert result.returncode == 2
    assert "clients.client_D.timezone" in result.stderr.decode()


def test_store_option_works_before_and_after_the_command(tmp_path):
    before, after = str(tmp_path / "before.db"), str(tmp_path / "after.db")
    event = '{"source":"a","payload":{"metric":"m","amount":1,"timestamp":"2024-01-01"}}'
    eventdesk("--store", before, "submit", event)
    eventdesk("submit", event, "--store", after)
    assert as_json("--store", before, "stats", "--json")["normalized"] == 1
    assert as_json("stats", "--json", "--store", after)["normalized"] == 1
