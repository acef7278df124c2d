"""The worker pool (``core/parallel.py``): workers run below the writer's priority, and a pool
that hands staged chunks on yields them before they are ready (the writer waits for each)."""
from __future__ import annotations

import os
import time

import pytest

from eventdesk.core import parallel
from eventdesk.core.mappings import Mappings

pytestmark = pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities here")


def test_workers_run_below_the_writer():
    with parallel.ParallelPreparer(Mappings.from_json("{}"), 2) as pool:
        rows = list(pool.prepare([[b'{"source": "a", "payload": {"amount": "1"}}']]))
        assert len(rows) == 1 and len(rows[0]) == 1
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        wanted = min(19, mine + parallel.WORKER_NICENESS)
        deadline = time.monotonic() + 10  # a worker that took no work may still be starting up
        while True:
            theirs = {os.getpriority(os.PRIO_PROCESS, pid) for pid in pool._pool._processes}  # type: ignore[attr-defined]
            if theirs == {wanted} or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert theirs == {wanted}


def test_staged_chunks_are_handed_on_as_pending(tmp_path):
    from eventdesk.store.sqlite import chunks
    lines = [b'{"source": "a", "payload": {"amount": "%d"}}' % n for n in range(10)]
    with parallel.ParallelPreparer(Mappings.from_json("{}"), 2, chunks.write_chunk, 8) as pool:
        handed = list(pool.prepare([lines[:5], lines[5:]], staged=True, per_batch=2))
        assert [type(p) for p in handed] == [parallel.PendingChunk] * 2
        assert [p.count for p in handed] == [5, 5]
        files = [p.get() for p in handed]
        assert [len(f.rows()) for f in files] == [5, 5]
        for pending in handed:
            pending.discard()
    assert not any(os.path.exists(f.path) for f in files)
