"""Group commit: each caller gets its own result, batches form under concurrency, nothing hangs."""
from __future__ import annotations

import threading

import pytest

from eventdesk.core.group_commit import GroupCommit
from eventdesk.core.model import Envelope, Outcome, Prepared, SubmitResult


def prepared(tag: str) -> Prepared:
    return Prepared(Envelope(text=tag, content_hash=tag))


def test_every_caller_gets_its_own_result_and_batches_form():
    batches: list[int] = []
    gate = threading.Event()

    def apply(batch):
        gate.wait(1)  # hold the first batch so that the others queue up behind it
        batches.append(len(batch))
        return [SubmitResult(Outcome.ACCEPTED, content_hash=p.envelope.content_hash) for p in batch]

    group = GroupCommit(apply)
    results: dict[str, str] = {}

    def submit(tag: str) -> None:
        results[tag] = group.submit(prepared(tag)).content_hash

    threads = [threading.Thread(target=submit, args=(f"e{i}",)) for i in range(16)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    assert results == {f"e{i}": f"e{i}" for i in range(16)}
    assert sum(batches) == 16 and max(batches) > 1


def test_a_failing_batch_fails_its_callers_and_the_next_submit_still_works():
    calls = {"n": 0}

    def apply(batch):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return [SubmitResult(Outcome.ACCEPTED) for _ in batch]

    group = GroupCommit(apply)
    with pytest.raises(RuntimeError):
        group.submit(prepared("a"))
    assert group.submit(prepared("b")).outcome is Outcome.ACCEPTED
