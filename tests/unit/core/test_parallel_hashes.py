"""Re-normalization's "unchanged" test in worker processes (``ParallelPreparer.plain_hashes``):
the same hashes, in the same order, as ``FastPreparer.plain_hashes`` in this process, however
the texts are cut into parts."""
from __future__ import annotations

import json

import pytest

from eventdesk.core import parallel
from eventdesk.core.compiled import FastPreparer
from eventdesk.core.mappings import Mappings

MAPPINGS = Mappings.from_json(json.dumps({"clients": {"client_A": {
    "fields": {"metric": ["value"], "amount": ["amount"], "timestamp": ["date"]}}}}))


def texts(n: int) -> list[bytes]:
    """Distinct events, with some that read with a warning and some that are no event at all."""
    out = []
    for i in range(n):
        payload = {"value": "clicks", "amount": str(i), "date": f"2024-01-{1 + i % 28:02d}"}
        if i % 7 == 3:
            del payload["amount"]  # a warning: no hash
        out.append(json.dumps({"source": "client_A", "payload": payload}).encode())
    out[5] = b"{not json"
    out[11] = b'["not", "an", "object"]'
    return out


def test_in_process_hashes_are_none_exactly_where_a_row_has_a_warning_or_no_hash():
    preparer = FastPreparer(MAPPINGS)
    given = texts(40)
    rows = preparer.rows(given)
    hashes = preparer.plain_hashes(given)
    assert len(hashes) == len(given)
    assert [h is None for h in hashes] == [r[6] is None or r[13] is not None for r in rows]
    assert sum(h is None for h in hashes) == 2 + len(range(3, 40, 7))
    assert len({h for h in hashes if h is not None}) == 40 - 2 - len(range(3, 40, 7))  # all distinct


@pytest.mark.parametrize("part", [1, 7, 5000])
def test_workers_give_the_same_hashes_in_the_same_order(monkeypatch, part):
    monkeypatch.setattr(parallel, "CHUNK_OF_HASHES", part)  # the parent cuts the parts
    given = texts(123)
    expected = FastPreparer(MAPPINGS).plain_hashes(given)
    with parallel.ParallelPreparer(MAPPINGS, 2) as pool:
        assert pool.plain_hashes(given) == expected
        assert pool.plain_hashes([]) == []
    # negative control: the order matters, and the comparison sees it
    assert list(reversed(expected)) != expected


def test_a_worker_lost_while_hashing_is_said_as_such():
    from eventdesk.core.errors import WorkerLost
    with parallel.ParallelPreparer(MAPPINGS, 2) as pool:
        pool.plain_hashes(texts(20))  # the workers start with the first work
        for process in list(pool._pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()
            process.join()
        with pytest.raises(WorkerLost, match="ended before its work was done.*run renormalize again"):
            pool.plain_hashes(texts(20))
