"""`aggregates` and `export` filters, read as the normalizer reads events (issue 8, item 6)."""
from __future__ import annotations

import json

import pytest

from eventdesk.cli.main import main

EVENTS = [
    {"source": " client_A ", "payload": {"metric": "  Page   Views", "amount": 1, "timestamp": "2024-01-01T12:00:00Z"}},
    {"source": "client_A", "payload": {"metric": "page views", "amount": 2, "timestamp": "2024-01-02T00:00:00Z"}},
    {"source": "client_A", "payload": {"metric": "sales", "amount": 4, "timestamp": "2024-01-02T12:00:00Z"}},
    {"source": "client_A", "payload": {"metric": "sales", "amount": 8, "timestamp": "2023-12-31T23:59:59Z"}},
]


@pytest.fixture()
def store(tmp_path, capsys):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in EVENTS) + "\n", encoding="utf-8")
    uri = str(tmp_path / "store.db")
    assert main(["ingest", str(path), "--store", uri, "--json"]) == 0
    capsys.readouterr()
    return uri


def total(capsys, store, *args: str) -> int:
    assert main(["aggregates", "--json", "--store", store, *args]) == 0
    return sum(int(r["sum"]) for r in json.loads(capsys.readouterr().out)["rows"])


@pytest.mark.parametrize("to, expected", [
    ("2024-01-01", 1), ("January 1, 2024", 1), ("Jan 1, 2024", 1), ("01/01/2024", 1), ("1 January 2024", 1),
    ("2024-01-02", 1 + 2 + 4), ("1704153600", 1), ("2024-01-02T00:00:00Z", 1), ("2024-01-02T00:00:01Z", 1 + 2),
])
def test_to_is_the_whole_day_for_a_date_and_exclusive_for_an_instant(capsys, store, to, expected):
    assert total(capsys, store, "--from", "2024-01-01", "--to", to) == expected


@pytest.mark.parametrize("metric", ["page views", "  PAGE   views ", "Page\tViews"])
def test_metric_filter_is_normalised_like_the_metric(capsys, store, metric):
    assert total(capsys, store, "--metric", metric) == 3


def test_client_filter_is_trimmed_like_the_source(capsys, store):
    assert total(capsys, store, "--client", "  client_A ") == 15


def test_export_client_filter_is_trimmed_like_the_source(capsys, store):
    assert main(["export", "normalized", "--client", " client_A  ", "--store", store]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


@pytest.mark.parametrize("args", [["--metric", "   "], ["--client", " "], ["--to", "2024-03"]])
def test_a_filter_no_event_could_match_is_a_usage_error(capsys, store, args):
    assert main(["aggregates", "--json", "--store", store, *args]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1


def test_export_raw_client_filter_matches_the_source_as_received(capsys, store):
    assert main(["export", "raw", "--client", " client_A ", "--store", store]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["export", "raw", "--client", "client_A", "--store", store]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
