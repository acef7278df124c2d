"""The read endpoints, batches, /metrics and /openapi.json against a real server."""
from __future__ import annotations

import json

from eventdesk.http.openapi import openapi_document
from eventdesk.http.security import ROUTES


def event(n, source="client_A", day="2024-01-01"):
    return {"source": source, "payload": {"metric": "sale", "amount": f"{n}.25", "timestamp": day}}


def test_batch_as_json_array_and_as_ndjson_reports_every_event_in_order(open_server):
    status, _, body = open_server.post("/api/events/batch", [event(1), event(1), "not an object", event(2)])
    assert status == 200
    assert {k: body[k] for k in ("lines", "accepted", "duplicate", "semantic_duplicate", "rejected", "failed")} == \
        {"lines": 4, "accepted": 2, "duplicate": 1, "semantic_duplicate": 0, "rejected": 1, "failed": 0}
    assert [r["outcome"] for r in body["results"]] == ["accepted", "duplicate", "rejected", "accepted"]
    lines = "\n".join(json.dumps(e) for e in (event(2), event(3))) + "\n\n"
    status, _, body = open_server.post("/api/events/batch", lines, content_type="application/x-ndjson")
    assert status == 200 and [r["outcome"] for r in body["results"]] == ["duplicate", "accepted"]


def test_batch_results_name_the_events_as_stored(open_server):
    variant = {"source": "client_A", "payload": {"metric": "sale", "amount": "1.250", "timestamp": "2024-01-01"}}
    status, _, body = open_server.post("/api/events/batch", [event(1), event(1), variant, "junk", event(2)])
    assert status == 200
    first, repeat, semantic, junk, second = body["results"]
    assert [r["outcome"] for r in body["results"]] == ["accepted", "duplicate", "semantic_duplicate", "rejected",
                                                       "accepted"]
    assert (repeat["raw_id"], repeat["normalized_id"], repeat["duplicate_of"]) == \
        (first["raw_id"], first["normalized_id"], first["raw_id"])
    assert semantic["duplicate_of"] == first["normalized_id"] and semantic["status"] == "duplicate"
    items = {item["id"]: item for item in open_server.get("/api/events/raw?limit=100")[2]["items"]}
    assert set(items) == {first["raw_id"], semantic["raw_id"], junk["raw_id"], second["raw_id"]}
    assert items[first["raw_id"]]["receipts"] == 2 and items[junk["raw_id"]]["status"] == "rejected"
    assert items[semantic["raw_id"]]["status"] == "duplicate"
    assert items[semantic["raw_id"]]["duplicate_of"] == first["normalized_id"]  # what a support person asks
    assert items[first["raw_id"]]["normalized_id"] == first["normalized_id"]
    assert items[junk["raw_id"]]["normalized_id"] is None
    normalized = {item["id"]: item for item in open_server.get("/api/events/normalized?limit=100")[2]["items"]}
    assert {normalized[r["normalized_id"]]["raw_id"] for r in (first, second)} == {first["raw_id"], second["raw_id"]}
    assert len(normalized) == 2
    # the same batch again: every event a duplicate of what it was, nothing new stored
    again = open_server.post("/api/events/batch", [event(1), event(1), variant, "junk", event(2)])[2]
    assert [r["outcome"] for r in again["results"]] == ["duplicate"] * 5
    assert [r["raw_id"] for r in again["results"]] == [first["raw_id"], first["raw_id"], semantic["raw_id"],
                                                       junk["raw_id"], second["raw_id"]]


def test_a_batch_that_is_not_an_array_is_400_and_stores_nothing(open_server):
    assert open_server.post("/api/events/batch", event(1))[0] == 400
    assert open_server.get("/api/events/stats")[2]["raw"]["total"] == 0


def test_an_empty_batch_is_answered(open_server):
    status, _, body = open_server.post("/api/events/batch", [])
    assert status == 200 and body["lines"] == 0 and body["results"] == []


def test_raw_pages_follow_the_cursor_to_the_end_without_gaps(open_server):
    open_server.post("/api/events/batch", [event(n) for n in range(25)])
    open_server.post("/api/events", b"broken")
    seen, after, pages = [], "", 0
    while True:
        status, _, page = open_server.get(f"/api/events/raw?limit=10&source=client_A&after={after}")
        assert status == 200
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if page["next"] is None:
            break
        after = page["next"]
    assert len(seen) == 25 == len(set(seen)) and seen == sorted(seen) and pages == 3
    rejected = open_server.get("/api/events/raw?status=rejected")[2]["items"]
    assert len(rejected) == 1 and rejected[0]["payload"] == "broken"


def test_normalized_filters_and_items_shape(open_server):
    open_server.post("/api/events/batch", [event(1, day="2024-01-01"), event(2, day="2024-02-01"),
                                           event(3, "client_B", "2024-01-15")])
    status, _, page = open_server.get("/api/events/normalized?client_id=client_A&from=2024-01-01&to=2024-01-31")
    assert status == 200 and [i["amount"] for i in page["items"]] == ["1.25"] and page["next"] is None
    assert set(page["items"][0]) == {"id", "raw_id", "client_id", "metric", "amount", "timestamp",
                                     "normalized_hash", "warnings", "reasons"}


def test_aggregates_as_the_cli_prints_them(open_server):
    open_server.post("/api/events/batch", [event(1), event(2), event(3, "client_B")])
    status, _, body = open_server.get("/api/aggregates?client_id=client_A&startDate=2024-01-01&endDate=2024-01-01")
    assert status == 200
    assert body == {"rows": [{"client_id": "client_A", "metric": "sale", "bucket": None, "count": 2,
                              "sum": "3.5", "avg": "1.75", "min": "1.25", "max": "2.25"}]}


def test_metrics_count_events_by_outcome_and_source_and_refusals(open_server):
    open_server.post("/api/events", event(1))
    open_server.post("/api/events", event(1))
    open_server.post("/api/events", event(1), content_type="text/plain")
    status, headers, text = open_server.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert 'eventdesk_events_total{outcome="accepted",source="client_A"} 1.0' in text
    assert 'eventdesk_events_total{outcome="duplicate",source="client_A"} 1.0' in text
    assert 'eventdesk_http_requests_total{code="415",route="/api/events"} 1.0' in text
    assert 'eventdesk_raw_events{status="normalized"} 1.0' in text
    assert 'eventdesk_http_request_seconds_bucket{code="201"' in text


def test_openapi_describes_exactly_the_routes_served(open_server):
    status, _, served = open_server.get("/openapi.json")
    assert status == 200 and served == json.loads(json.dumps(openapi_document()))
    assert set(served["paths"]) == set(ROUTES)
    for path, methods in served["paths"].items():
        for method in methods:
            assert open_server.request(method.upper(), path, b"{}" if method == "post" else None)[0] not in (404, 405)


def test_unknown_path_and_method_are_json_404_405(open_server):
    assert open_server.get("/api/nothing")[0] == 404
    status, _, body = open_server.request("DELETE", "/api/events")
    assert status == 405 and "error" in body


def test_query_filters_read_dates_and_names_as_the_command_line_does(open_server):
    open_server.post("/api/events/batch", [event(1, day="2024-01-01T10:00:00Z"), event(2, day="2024-01-02"),
                                           event(3, " client_B ", "2024-01-01T23:00:00Z")])
    whole_day = "/api/aggregates?startDate=January%201,%202024&endDate=January%201,%202024"
    rows = open_server.get(whole_day)[2]["rows"]
    assert sorted((r["client_id"], r["sum"]) for r in rows) == [("client_A", "1.25"), ("client_B", "3.25")]
    # an all-digit epoch is an instant, not a day: 2024-01-01T10:00:00Z itself is excluded
    epoch_end = open_server.get("/api/aggregates?endDate=1704103200")[2]["rows"]
    assert sum(int(r["count"]) for r in epoch_end) == 0
    names = open_server.get("/api/aggregates?client_id=%20client_B%20&metric=%20%20SALE%20")[2]["rows"]
    assert [(r["client_id"], r["metric"], r["count"]) for r in names] == [("client_B", "sale", 1)]
    page = open_server.get("/api/events/normalized?client_id=client_B&metric=Sale&to=2024-01-01")[2]
    assert [i["amount"] for i in page["items"]] == ["3.25"]
    assert open_server.get("/api/aggregates?metric=%20%20")[0] == 400
