"""The HTTP server's single-event path: the commit queue (results only after the commit, batches
under concurrency, no hang on a defect), one parse per event, and the batch splitter's fast path
(the same elements as the general reader, for every body)."""
from __future__ import annotations

import asyncio
import io
import json
import threading
import time

import pytest

from eventdesk.app import Settings, build_app, http_events
from eventdesk.app.http_state import EventCommits
from eventdesk.core.group_commit import CommitQueue
from eventdesk.core.input_reader import read_events
from eventdesk.core.model import Envelope, Outcome, Prepared, SubmitResult


def prepared(tag: str) -> Prepared:
    return Prepared(Envelope(text=tag, content_hash=tag))


def accepted(batch) -> list[SubmitResult]:
    return [SubmitResult(Outcome.ACCEPTED, content_hash=p.envelope.content_hash) for p in batch]


def test_results_are_handed_over_only_after_the_batch_is_committed_and_batches_form():
    committed: set[str] = set()
    delivered: list[tuple[object, SubmitResult]] = []
    gate, done = threading.Event(), threading.Event()
    early: list[str] = []

    def apply(batch):
        gate.wait(2)  # hold the first commit, so that the others queue behind it
        committed.update(p.envelope.content_hash for p in batch)
        return accepted(batch)

    def deliver(pairs):
        early.extend(r.content_hash for _, r in pairs if r.content_hash not in committed)
        delivered.extend(pairs)
        if len(delivered) == 32:
            done.set()

    queue = CommitQueue(apply, deliver)
    for i in range(32):
        queue.put(i, prepared(f"e{i}"))
    gate.set()
    assert done.wait(5)
    queue.close()
    assert not early
    assert sorted((t, r.content_hash) for t, r in delivered) == sorted((i, f"e{i}") for i in range(32))


def test_a_failing_commit_fails_its_events_unacknowledged_and_the_queue_goes_on():
    calls = []

    def apply(batch):
        calls.append(len(batch))
        if len(calls) == 1:
            raise RuntimeError("a defect")
        return accepted(batch)

    got: list[SubmitResult] = []
    queue = CommitQueue(apply, lambda pairs: got.extend(r for _, r in pairs))
    queue.put("a", prepared("a"))
    _wait_for(lambda: len(got) == 1)
    queue.put("b", prepared("b"))
    _wait_for(lambda: len(got) == 2)
    queue.close()
    assert got[0].outcome is Outcome.FAILED and "a defect" in (got[0].error or "")
    assert got[1].outcome is Outcome.ACCEPTED


def test_a_receiver_that_fails_does_not_stop_the_writer():
    got: list[str] = []
    failed = threading.Event()

    def deliver(pairs):
        if pairs[0][0] == "gone":
            failed.set()
            raise RuntimeError("Event loop is closed")
        got.extend(t for t, _ in pairs)

    queue = CommitQueue(accepted, deliver)
    queue.put("gone", prepared("x"))
    assert failed.wait(5)
    queue.put("here", prepared("y"))
    _wait_for(lambda: got == ["here"])
    queue.close()


def test_close_commits_what_is_queued_and_refuses_more():
    got: list[object] = []
    gate = threading.Event()

    def apply(batch):
        gate.wait(2)
        return accepted(batch)

    queue = CommitQueue(apply, lambda pairs: got.extend(t for t, _ in pairs))
    for i in range(5):
        queue.put(i, prepared(str(i)))
    closer = threading.Thread(target=queue.close)
    closer.start()
    gate.set()
    closer.join(5)
    assert sorted(got) == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError):
        queue.put(9, prepared("9"))


def test_event_commits_wake_each_awaiting_request_with_its_own_result():
    batches: list[int] = []

    def apply(batch):
        time.sleep(0.01)  # a commit takes a while, so concurrent requests share the next
        batches.append(len(batch))
        return accepted(batch)

    commits = EventCommits(apply)

    async def main() -> list[str | None]:
        results = await asyncio.gather(*(commits.submit(prepared(f"e{i}")) for i in range(40)))
        return [r.content_hash for r in results]

    try:
        assert asyncio.run(main()) == [f"e{i}" for i in range(40)]
    finally:
        commits.close()
    assert sum(batches) == 40 and len(batches) < 40


def test_a_single_event_over_http_is_parsed_once(tmp_path):
    app = build_app(Settings(store_uri=str(tmp_path / "once.db")))
    calls = []
    real = app.processor.prepare

    def counting(received):
        calls.append(received)
        return real(received)

    app.processor.prepare = counting  # type: ignore[method-assign]
    body = b'{"source": "client_A", "payload": {"metric": "m", "amount": 1, "timestamp": "2024-01-01"}}'
    try:
        posted = http_events.post_event(app, body, None, False, None)
    finally:
        app.close()
    assert posted.status == 201 and len(calls) == 1


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert condition()


# -- the batch splitter: fast path or not, the same events as the general reader

EVENT = {"source": "client_A", "payload": {"metric": "m", "amount": "1.5", "timestamp": "2024-01-01"}}
WELL_FORMED = [
    b"[]", b" [ ] \n", json.dumps([EVENT]).encode(), json.dumps([EVENT] * 3, indent=2).encode(),
    b'[{"source":"a","payload":{"k":"]},[{\\"x"}}, {"source":"b","payload":{"list":[[1],[2,{"z":[]}]]}}]',
    '[{"source": "é", "payload": {"note": "日本 \\ud83d\\ude00 ]"}}]'.encode(),
    b'\t[\r\n{"source":"a","payload":{}}\r\n,\r\n{"source":"b","payload":{"n":1e5}}\r\n]\r\n',
    b'[{"source":"a","payload":{"nan":NaN}}]',  # not JSON for intake, but split all the same
    b"[" + b'{"a":' * 300 + b"1" + b"}" * 300 + b"]",  # too deep for intake, split all the same
]
MALFORMED = [
    b'[{"source":"a"}{"source":"b"}]', b'[{"source":"a"},]', b'[{"source":"a"}] trailing',
    b'\xef\xbb\xbf[{"source":"a"}]', b'[1, {"source":"a"}]', b'[{"source":"a"', b'[{"a":"\xff"}]',
    b'[{"a":"line\nbreak"}]', b'[{"a":1}, "text"]', b'[{"a":1}] [{"b":2}]', b'[{"a":1}]\n{"b":2}',
]


@pytest.mark.parametrize("body", WELL_FORMED + [b for b in MALFORMED if b.lstrip().startswith(b"[")])
def test_split_batch_gives_the_general_readers_elements(body):
    general = list(read_events(io.BytesIO(body), "array"))
    assert http_events.split_batch(body, False, 10_000) == general


@pytest.mark.parametrize("body", WELL_FORMED)
def test_well_formed_arrays_take_the_fast_path(body):
    assert http_events.array_elements(body) == list(read_events(io.BytesIO(body), "array"))


@pytest.mark.parametrize("body", MALFORMED)
def test_anything_else_goes_to_the_general_reader(body):
    assert http_events.array_elements(body) is None


def test_the_batch_limit_holds_on_the_fast_path():
    with pytest.raises(http_events.Refused) as refused:
        http_events.split_batch(json.dumps([EVENT] * 11).encode(), False, 10)
    assert refused.value.status == 413


def test_the_benchmarks_bodies_are_the_lua_scripts():
    import re

    from eventdesk.bench.http_load import WRK_SCRIPT, wrk_body
    template = "".join(re.findall(r"'([^']*)'", WRK_SCRIPT.split("function setup")[0]))
    assert (template % (3, 7, 7)).encode() == wrk_body(3, 7)
    assert json.loads(wrk_body(3, 7)) != json.loads(wrk_body(3, 8)) != json.loads(wrk_body(4, 7))
