"""Tokens and Idempotency-Key records: the same contract on every store."""
from __future__ import annotations

import threading
import time

import pytest

from eventdesk.core.ports import DONE, IN_FLIGHT, IdempotencyRecord, TokenRecord
from eventdesk.store import http_records_for


@pytest.fixture
def records(store):
    records = http_records_for(store)
    yield records
    records.close()


def _token(name="alice", digest="a" * 64, sources=("client_A",), rate=None):
    return TokenRecord(name, digest, sources, rate, "2024-01-01T00:00:00Z")


def test_token_round_trip_and_lookup_by_hash(records):
    records.add_token(_token(sources=("client_A", "client_B"), rate=2.5))
    found = records.token_by_hash("a" * 64)
    assert found == _token(sources=("client_A", "client_B"), rate=2.5)
    assert records.token_by_hash("b" * 64) is None
    assert [t.name for t in records.tokens()] == ["alice"]


def test_a_second_token_of_the_same_name_is_refused(records):
    records.add_token(_token())
    with pytest.raises(ValueError, match="alice"):
        records.add_token(_token(digest="b" * 64))
    assert len(records.tokens()) == 1


def test_revoke_marks_the_token_once(records):
    records.add_token(_token())
    assert records.revoke_token("alice", "2024-01-02T00:00:00Z") is True
    assert records.token_by_hash("a" * 64).revoked_at == "2024-01-02T00:00:00Z"
    assert records.revoke_token("alice", "2024-01-03T00:00:00Z") is False
    assert records.revoke_token("nobody", "2024-01-03T00:00:00Z") is False


def test_admin_token_allows_every_source(records):
    records.add_token(_token(sources=("*",)))
    assert records.token_by_hash("a" * 64).admin


NOW = time.time()  # the Mongo TTL index expires records 48 h after created_at


def _claim(scope="alice", key="k1", fingerprint="f1", owner="server-1", at=0.0):
    return IdempotencyRecord(scope, key, fingerprint, IN_FLIGHT, owner, created_at=NOW + at)


def test_first_claim_wins_and_a_repeat_sees_it_in_flight(records):
    assert records.claim_key(_claim()) is None
    existing = records.claim_key(_claim(fingerprint="f2", owner="server-2"))
    assert existing.state == IN_FLIGHT and existing.fingerprint == "f1" and existing.owner == "server-1"


def test_completed_key_replays_status_and_body(records):
    records.claim_key(_claim())
    records.complete_key("alice", "k1", 201, b'{"outcome": "accepted"}')
    existing = records.claim_key(_claim())
    assert (existing.state, existing.status, existing.body) == (DONE, 201, b'{"outcome": "accepted"}')


def test_keys_are_scoped_to_the_token(records):
    records.claim_key(_claim(scope="alice"))
    assert records.claim_key(_claim(scope="bob")) is None


def test_release_frees_only_the_owners_in_flight_claim(records):
    records.claim_key(_claim())
    records.release_key("alice", "k1", "server-2")
    assert records.claim_key(_claim()) is not None
    records.release_key("alice", "k1", "server-1")
    assert records.claim_key(_claim()) is None


def test_take_over_of_an_abandoned_claim_happens_once(records):
    records.claim_key(_claim(owner="dead"))
    assert records.take_over_key(_claim(owner="new-1", fingerprint="f2", at=20.0), "dead") is True
    assert records.take_over_key(_claim(owner="new-2", at=20.0), "dead") is False
    taken = records.claim_key(_claim())
    assert (taken.owner, taken.fingerprint) == ("new-1", "f2")


def test_purge_removes_only_old_completed_keys(records):
    records.claim_key(_claim(key="old", at=-100.0))
    records.complete_key("alice", "old", 200, b"{}")
    records.claim_key(_claim(key="young", at=0.0))
    records.complete_key("alice", "young", 200, b"{}")
    records.claim_key(_claim(key="flying", at=-100.0))
    assert records.purge_keys(older_than=NOW - 50) == 1
    assert records.claim_key(_claim(key="old")) is None
    assert records.claim_key(_claim(key="young")).state == DONE
    assert records.claim_key(_claim(key="flying")).state == IN_FLIGHT


def test_concurrent_claims_of_one_key_have_exactly_one_winner(records):
    winners = []
    barrier = threading.Barrier(8)

    def claim(n):
        barrier.wait()
        if records.claim_key(_claim(owner=f"server-{n}")) is None:
            winners.append(n)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
