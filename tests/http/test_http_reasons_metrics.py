"""/metrics counts the reason codes of submitted events (design 12): single events and batches."""
from __future__ import annotations


def test_metrics_count_reasons_by_code(open_server):
    open_server.post("/api/events", {"source": "client_D", "payload": {"event": "x", "betrag": "zwölf"}})
    open_server.post("/api/events", {"source": "client_B"})  # rejected: payload missing
    open_server.post("/api/events/batch", [
        {"source": "client_B", "payload": {"metric": "m", "amount": "bad", "timestamp": "2024-01-01"}},
        "not an object", {"source": "client_B", "payload": {"metric": "m", "amount": "1", "timestamp": "2024-01-02"}}])
    status, _, text = open_server.get("/metrics")
    assert status == 200
    assert 'eventdesk_reasons_total{code="amount.unparseable"} 2.0' in text
    assert 'eventdesk_reasons_total{code="timestamp.missing"} 1.0' in text
    assert 'eventdesk_reasons_total{code="payload.missing"} 1.0' in text
    assert 'eventdesk_reasons_total{code="input.not_object"} 1.0' in text
    assert text.count("eventdesk_reasons_total{") == 4  # the clean event adds none
