"""Pure helpers of the GUI: error wording, URIs, exact JSON, chart series."""
from __future__ import annotations

from eventdesk.app import redact
from eventdesk.core.errors import StoreBug, StoreUnavailable
from eventdesk.core.queries import AggregateRow
from eventdesk.gui.messages import describe_error, is_defect
from eventdesk.gui.models.aggregate_model import category_series, time_series, undated_count
from eventdesk.gui.pretty import payload_text, pretty_received


def test_errors_in_words():
    assert describe_error(StoreUnavailable("/x.db is locked")) == "/x.db is locked"
    assert not is_defect(StoreUnavailable("x")) and is_defect(StoreBug("x")) and is_defect(KeyError("k"))
    assert describe_error(FileNotFoundError(2, "No such file or directory", "/nope.jsonl")) == \
        "cannot use /nope.jsonl: No such file or directory"
    assert describe_error(KeyError("k")).startswith("internal error (KeyError")
    assert describe_error(KeyError("k")).endswith("; details are in the log")
    assert "details are in the log" not in describe_error(StoreUnavailable("x"))


def test_redact_drops_mongodb_credentials():
    # the shared redact also drops ?options: they may hold a password (authMechanismProperties, ...)
    assert redact("mongodb://bob:pw@db.example:27017/x?tls=true") == "mongodb://db.example:27017/x"
    assert redact("mongodb://db/x?password=secret") == "mongodb://db/x"
    assert redact("mongodb+srv://bob@cluster/x") == "mongodb+srv://cluster/x"
    assert redact("/home/bob/events.db") == "/home/bob/events.db"


def test_pretty_json_keeps_numbers_as_received():
    text = '{"source":"c","payload":{"amount":1200.50,"big":1e400,"n":[1,2.0]}}'
    assert payload_text(text) == '{\n  "amount": 1200.50,\n  "big": 1E+400,\n  "n": [\n    1,\n    2.0\n  ]\n}'
    assert pretty_received(b"\xff not utf-8") == "\\xff not utf-8"
    assert payload_text("[1, 2]") is None


def row(client, metric, bucket, count, total):
    return AggregateRow(client, metric, bucket, count, total, total, total, total)


def test_series_skip_undated_buckets_and_group_by_client_or_metric():
    rows = [row("A", "sales", "2024-01-01T00:00:00Z", 2, "10.5"), row("A", "refunds", "2024-01-01T00:00:00Z", 1, "1"),
            row("B", "sales", "2024-02-01T00:00:00Z", 1, "3"), row("B", None, None, 4, "0")]
    assert time_series(rows, "client", "sum") == {"A": [(1704067200.0, 11.5)], "B": [(1706745600.0, 3.0)]}
    assert time_series(rows, "metric", "count") == {"refunds": [(1704067200.0, 1.0)],
                                                    "sales": [(1704067200.0, 2.0), (1706745600.0, 1.0)]}
    assert undated_count(rows) == 4
    categories, series = category_series(rows, "client", "sum")
    assert categories == ["(no metric)", "refunds", "sales"]
    assert series == {"A": [0.0, 1.0, 10.5], "B": [0.0, 0.0, 3.0]}
