"""Idempotency-Key as design section 10 says, against a real server."""
from __future__ import annotations

import json
import threading
import time

import pytest
from http_served import cli

from eventdesk.app.http_state import IdempotencyKeys
from eventdesk.store import http_records_for
from eventdesk.store.sqlite import SqliteStore

EVENT = {"source": "client_A", "payload": {"metric": "sale", "amount": "5", "timestamp": "2024-01-01"}}


def stats(store):
    return json.loads(cli(store, "stats", "--json").stdout)


def test_a_repeat_with_the_same_key_and_body_replays_the_stored_response(open_server):
    first = open_server.post("/api/events", EVENT, headers={"Idempotency-Key": "k-1"})
    again = open_server.post("/api/events", EVENT, headers={"Idempotency-Key": "k-1"})
    assert first[0] == again[0] == 201 and first[2] == again[2]  # not 200 duplicate: the stored reply
    assert "idempotent-replayed" not in first[1] and again[1]["idempotent-replayed"] == "true"
    assert stats(open_server.store)["duplicates"]["exact"] == 0  # a replay is not even a receipt


def test_the_same_key_with_another_body_is_422_and_stores_nothing(open_server):
    open_server.post("/api/events", EVENT, headers={"Idempotency-Key": "k-2"})
    changed = {**EVENT, "payload": {**EVENT["payload"], "sent_at": "later"}}
    status, _, body = open_server.post("/api/events", changed, headers={"Idempotency-Key": "k-2"})
    assert status == 422 and "another body" in body["error"]
    assert stats(open_server.store)["raw"]["total"] == 1


def test_a_rejected_event_replays_its_422(open_server):
    first = open_server.post("/api/events", b"nonsense", headers={"Idempotency-Key": "k-3"})
    again = open_server.post("/api/events", b"nonsense", headers={"Idempotency-Key": "k-3"})
    assert first[0] == again[0] == 422 and first[2] == again[2] and again[1]["idempotent-replayed"] == "true"


def test_a_failed_attempt_is_not_replayed_the_retry_runs_again(open_server):
    failing = {**EVENT, "simulateFailure": True}
    assert open_server.post("/api/events?simulate=before_write", EVENT, headers={"Idempotency-Key": "k-4"})[0] == 503
    status, headers, body = open_server.post("/api/events", EVENT, headers={"Idempotency-Key": "k-4"})
    assert status == 201 and "idempotent-replayed" not in headers
    assert open_server.post("/api/events", failing, headers={"Idempotency-Key": "k-5"})[0] == 503


def test_batches_take_keys_too(open_server):
    batch = [EVENT, {"source": "client_B", "payload": {"metric": "x", "amount": 1}}]
    first = open_server.post("/api/events/batch", batch, headers={"Idempotency-Key": "b-1"})
    again = open_server.post("/api/events/batch", batch, headers={"Idempotency-Key": "b-1"})
    assert first[0] == again[0] == 200 and first[2] == again[2] and again[2]["accepted"] == 2


def test_keys_are_scoped_to_the_token(make_server, tmp_path):
    store = tmp_path / "scoped.db"
    tokens = [cli(store, "tokens", "add", name).stdout.strip().splitlines()[-1] for name in ("one", "two")]
    served = make_server(store=store)
    other = {**EVENT, "payload": {"amount": 7}}
    a = served.post("/api/events", EVENT, headers={"Idempotency-Key": "same", "Authorization": f"Bearer {tokens[0]}"})
    b = served.post("/api/events", other, headers={"Idempotency-Key": "same", "Authorization": f"Bearer {tokens[1]}"})
    assert a[0] == b[0] == 201 and "idempotent-replayed" not in b[1]


@pytest.mark.parametrize("key", ["", "x" * 256, "bad key", "ünicode"])
def test_an_unreadable_key_is_400(open_server, key):
    status, _, _ = open_server.post("/api/events", EVENT, headers={"Idempotency-Key": key.encode().decode("latin-1")})
    assert status == 400
    assert stats(open_server.store)["raw"]["total"] == 0


def test_a_repeat_while_the_first_is_in_flight_is_409(tmp_path):
    store = SqliteStore(str(tmp_path / "k.db"))
    records = http_records_for(store)
    keys = IdempotencyKeys(records)
    try:
        assert keys.begin("t", "k", b"body").action == "process"
        assert keys.begin("t", "k", b"body").action == "in_flight"
        keys.finish("t", "k", 201, b"{}")
        replay = keys.begin("t", "k", b"body")
        assert (replay.action, replay.status, replay.body) == ("replay", 201, b"{}")
    finally:
        records.close()
        store.close()


def test_a_claim_left_by_a_crashed_server_is_taken_over(tmp_path):
    store = SqliteStore(str(tmp_path / "k.db"))
    records = http_records_for(store)
    try:
        crashed, restarted = IdempotencyKeys(records), IdempotencyKeys(records)
        assert crashed.begin("t", "k", b"body").action == "process"  # then the process died
        # nothing was answered: a retry runs, even with a fresh body (a new sent_at, say) ...
        assert restarted.begin("t", "k", b"other").action == "process"
        assert restarted.begin("t", "k", b"other").action == "in_flight"
        restarted.finish("t", "k", 201, b"{}")
        # ... and the key is bound to the body that was answered
        assert restarted.begin("t", "k", b"body").action == "mismatch"
        assert restarted.begin("t", "k", b"other").action == "replay"
    finally:
        records.close()
        store.close()


def test_409_over_http_while_a_slow_request_holds_the_key(open_server):
    # encoded once, and sent by four clients at once, so that repeats arrive while one is stored
    big_batch = json.dumps([{"source": "client_A", "payload": {"metric": "m", "amount": n,
                                                               "timestamp": "2024-01-01"}}
                            for n in range(10_000)]).encode()
    seen: list[tuple[int, str | None]] = []

    def client() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # 409 means "send again later"; 200 is the answer
            status, headers, _ = open_server.post("/api/events/batch", big_batch, headers={"Idempotency-Key": "slow"})
            replayed = {k.lower(): v for k, v in headers.items()}.get("idempotent-replayed")
            seen.append((status, replayed))
            if status != 409:
                return

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    assert (409, None) in seen
    assert seen.count((200, None)) == 1  # processed once; every other final answer is the replay
    assert set(seen) <= {(409, None), (200, None), (200, "true")}
    assert stats(open_server.store)["normalized"] == 10_000
