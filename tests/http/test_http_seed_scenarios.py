"""The seed's five scenarios, with the seed's own curl command lines, against a real server
started with --no-auth --allow-simulation."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")

NEW = '{"source": "client_A", "payload": {"value": "purchase", "price": "1200.50", "date": "2024-01-05T10:00:00Z"}}'
SAME_FACT_OTHER_FORMAT = ('{"payload": {"date": "2024-01-05 10:00:00", "price": 1200.5, "value": " Purchase "},'
                          ' "source": "client_A"}')


def curl(served, data: str, path: str = "/api/events") -> tuple[int, dict]:
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-X", "POST",
                          f"http://localhost:{served.port}{path}", "-H", "Content-Type: application/json",
                          "-d", data], capture_output=True, text=True, timeout=30, check=True).stdout
    body, _, code = out.rpartition("\n")
    return int(code), json.loads(body)


def test_a_new_event_is_accepted_with_201(open_server):
    code, body = curl(open_server, NEW)
    assert code == 201
    assert body["outcome"] == "accepted" and body["status"] == "normalized"
    assert body["raw_id"] is not None and body["normalized_id"] is not None and body["duplicate_of"] is None


def test_the_same_event_again_is_a_duplicate_with_200_naming_the_original(open_server):
    _, first = curl(open_server, NEW)
    code, body = curl(open_server, NEW)
    assert code == 200 and body["outcome"] == "duplicate"
    assert (body["raw_id"], body["normalized_id"], body["duplicate_of"]) == (first["raw_id"], first["normalized_id"],
                                                                            first["raw_id"])
    _, _, stats = open_server.get("/api/events/stats")
    assert stats["raw"]["total"] == 1 and stats["normalized"] == 1 and stats["duplicates"]["exact"] == 1


def test_the_same_fact_in_another_format_is_a_semantic_duplicate(open_server):
    _, first = curl(open_server, NEW)
    code, body = curl(open_server, SAME_FACT_OTHER_FORMAT)
    assert code == 200 and body["outcome"] == "semantic_duplicate" and body["status"] == "duplicate"
    assert body["raw_id"] != first["raw_id"] and body["duplicate_of"] == first["normalized_id"]
    _, _, stats = open_server.get("/api/events/stats")
    assert stats["normalized"] == 1 and stats["duplicates"]["semantic"] == 1


@pytest.mark.parametrize("invalid", ['{"payload": {"price": 1}}', '{"source": "client_A", "payload": "text"}',
                                     '{"source": "  ", "payload": {}}', '[1, 2]', '{"source": "x", "payload": {'])
def test_an_invalid_event_is_rejected_with_422_and_stored(open_server, invalid):
    code, body = curl(open_server, invalid)
    assert code == 422 and body["outcome"] == "rejected" and body["error"]
    _, _, page = open_server.get("/api/events/raw?status=rejected")
    assert [item["id"] for item in page["items"]] == [body["raw_id"]]


def test_a_simulated_failure_is_503_and_a_retry_is_accepted_counted_once(open_server):
    failing = NEW[:-1] + ', "simulateFailure": true}'
    code, body = curl(open_server, failing)
    assert code == 503 and body["outcome"] == "failed" and body["status"] == "failed"
    code, again = curl(open_server, NEW)
    assert code == 201 and again["outcome"] == "accepted" and again["raw_id"] == body["raw_id"]
    _, _, stats = open_server.get("/api/events/stats")
    assert stats["raw"]["total"] == 1 and stats["normalized"] == 1


def test_a_failed_event_is_reprocessed_by_the_retry_endpoint(open_server):
    code, body = curl(open_server, NEW[:-1] + ', "simulateFailure": true}')
    assert code == 503
    code, summary = curl(open_server, '{"status": "failed"}', "/api/events/retry")
    assert code == 200 and summary == {"selected": 1, "normalized": 1, "duplicate": 0, "failed": 0}
    _, _, stats = open_server.get("/api/events/stats")
    assert stats["normalized"] == 1 and stats["raw"]["by_status"]["normalized"] == 1


def test_the_503_says_when_to_retry(open_server):
    status, headers, _ = open_server.post("/api/events", NEW[:-1] + ', "simulateFailure": true}')
    assert status == 503 and headers["retry-after"] == "1"
