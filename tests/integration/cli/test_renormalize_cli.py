"""`eventdesk renormalize` (design 8, 12) through the real command line: the JSON shape, a dry
run that leaves the store file's bytes as they were, and kill -9 in the middle of a run, then a
re-run, ending exactly as an uninterrupted run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

KEYS = ("examined", "changed", "unchanged", "now_semantic_duplicate", "no_longer_duplicate", "mapping_version")
PRICE_FIRST = {"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["price", "amount"],
                                                   "timestamp": ["date"]}}}}
AMOUNT_FIRST = {"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["amount", "price"],
                                                    "timestamp": ["date"]}}}}


def eventdesk(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True, check=check)


def events(n: int) -> str:
    """Events whose amount depends on which key comes first, with many semantic duplicates."""
    lines = []
    for i in range(n):
        payload = {"value": "clicks", "date": f"2024-01-{1 + i % 5:02d}", "n": i}
        if i % 3 != 1:
            payload["price"] = str(i % 7)
        if i % 3 != 0:
            payload["amount"] = str(i % 4)
        lines.append(json.dumps({"source": "client_A", "payload": payload}))
    return "\n".join(lines) + "\n"


@pytest.fixture
def prepared(tmp_path):
    """A store ingested with PRICE_FIRST, whose current mappings are now AMOUNT_FIRST."""
    def make(n: int, name: str = "s.db") -> str:
        store = str(tmp_path / name)
        (tmp_path / "events.jsonl").write_text(events(n))
        (tmp_path / "old.json").write_text(json.dumps(PRICE_FIRST))
        (tmp_path / "new.json").write_text(json.dumps(AMOUNT_FIRST))
        eventdesk("ingest", str(tmp_path / "events.jsonl"), "--mappings", str(tmp_path / "old.json"),
                  "--workers", "1", "--store", store)
        eventdesk("mappings", "--set", str(tmp_path / "new.json"), "--store", store)
        return store
    return make


def table_dump(path: str) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {
            "raw": conn.execute("SELECT id, status, duplicate_of, attempts FROM raw_events ORDER BY id").fetchall(),
            "normalized": conn.execute("SELECT * FROM normalized_events ORDER BY id").fetchall(),
            "daily": conn.execute("SELECT * FROM daily_totals ORDER BY 1, 2, 3").fetchall(),
            "status": conn.execute("SELECT * FROM status_counts WHERE n != 0 ORDER BY 1").fetchall(),
        }
    finally:
        conn.close()


def file_bytes(path: str) -> tuple[bytes, bytes]:
    """The store file and its write-ahead log (an empty log is what any reader leaves)."""
    wal = path + "-wal"
    return open(path, "rb").read(), open(wal, "rb").read() if os.path.exists(wal) else b""


def test_json_shape_and_dry_run_leaves_the_file_as_it_was(prepared):
    store = prepared(60)
    before = file_bytes(store)
    dry = json.loads(eventdesk("renormalize", "--dry-run", "--json", "--store", store).stdout)
    assert file_bytes(store) == before
    assert tuple(dry) == KEYS and dry["mapping_version"] == 2 and dry["changed"] > 0
    real = json.loads(eventdesk("renormalize", "--json", "--store", store).stdout)
    assert real == dry
    again = json.loads(eventdesk("renormalize", "--json", "--store", store).stdout)
    assert again["changed"] == 0 and again["examined"] == real["examined"]
    history = json.loads(eventdesk("renormalize", "--history", "--json", "--store", store).stdout)["runs"]
    assert [(r["state"], r["mapping_version"], r["changed"]) for r in history] == [
        ("finished", 2, real["changed"]), ("finished", 2, 0)]
    assert all(r["started_at"] and r["finished_at"] for r in history)


def test_result_matches_a_fresh_ingest_with_the_new_mappings(prepared, tmp_path):
    store = prepared(90)
    eventdesk("renormalize", "--store", store)
    fresh = str(tmp_path / "fresh.db")
    eventdesk("ingest", str(tmp_path / "events.jsonl"), "--mappings", str(tmp_path / "new.json"),
              "--workers", "1", "--store", fresh)
    for command in (["stats", "--json"], ["aggregates", "--json", "--bucket", "day"]):
        assert eventdesk(*command, "--store", store).stdout == eventdesk(*command, "--store", fresh).stdout


@pytest.mark.parametrize("args, message", [
    (["--from", "yesterday-ish"], "cannot read the date"),
    (["--client", " "], "client filter is empty"),
    (["--from", "2024-02-01", "--to", "2024-01-01"], "later than"),
])
def test_bad_scope_is_one_line_and_exit_2(prepared, args, message):
    store = prepared(3)
    done = eventdesk("renormalize", *args, "--store", store, check=False)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1


KILLED_RUN = textwrap.dedent("""
    import sys
    from eventdesk.app import Settings, build_app
    from eventdesk.app import renormalize as service
    app = build_app(Settings(store_uri=sys.argv[1]))
    service.renormalize(app, service.scope_of(), chunk_size=int(sys.argv[2]),
                        progress=lambda counts: print(counts["examined"], flush=True))
    print("finished", flush=True)
""")


def test_kill_9_in_the_middle_then_a_rerun_equals_an_uninterrupted_run(prepared, tmp_path):
    store = prepared(4000)
    twin = str(tmp_path / "twin.db")
    shutil.copy(store, twin)
    eventdesk("renormalize", "--store", twin)
    expected = table_dump(twin)
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, store, "150"], stdout=subprocess.PIPE, text=True)
    seen = [process.stdout.readline() for _ in range(3)]
    os.kill(process.pid, signal.SIGKILL)  # somewhere in the fourth chunk or later
    process.wait()
    process.stdout.close()
    assert all(line.strip().isdigit() for line in seen), seen
    mid = json.loads(eventdesk("renormalize", "--history", "--json", "--store", store).stdout)["runs"]
    assert mid[-1]["state"] == "running" and mid[-1]["last_raw_id"] is not None
    assert mid[-1]["examined"] < 4000
    stats = json.loads(eventdesk("stats", "--json", "--store", store).stdout)  # exact in the middle too
    assert stats["normalized"] + stats["raw"]["by_status"]["duplicate"] == stats["raw"]["total"] - \
        stats["raw"]["by_status"]["rejected"]
    eventdesk("renormalize", "--store", store, "--json")
    assert table_dump(store) == expected
    runs = json.loads(eventdesk("renormalize", "--history", "--json", "--store", store).stdout)["runs"]
    assert [(r["state"], r["examined"]) for r in runs] == [("finished", 4000)]


def test_dry_run_of_a_draft_previews_it_without_saving_it(prepared, tmp_path):
    store = prepared(30)
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(PRICE_FIRST))  # what the events were made with: nothing would change
    before = file_bytes(store)
    preview = json.loads(eventdesk("renormalize", "--dry-run", "--json", "--mappings", str(draft),
                                   "--store", store).stdout)
    assert file_bytes(store) == before
    assert preview["mapping_version"] == 0 and preview["changed"] == 0  # 0: not the current version
    draft.write_text(json.dumps({"clients": {"client_A": {"fields": {"amount": ["nothing"]}}}}))
    preview = json.loads(eventdesk("renormalize", "--dry-run", "--json", "--mappings", str(draft),
                                   "--store", store).stdout)
    assert preview["mapping_version"] == 0 and preview["changed"] > 0
    assert file_bytes(store) == before
    versions = json.loads(eventdesk("mappings", "--history", "--json", "--store", store).stdout)["versions"]
    assert len(versions) == 2


def test_workers_end_exactly_as_one_process_and_are_an_option(prepared, tmp_path):
    store = prepared(900)
    twin = str(tmp_path / "twin.db")
    shutil.copy(store, twin)
    alone = json.loads(eventdesk("renormalize", "--workers", "1", "--json", "--store", twin).stdout)
    shared = json.loads(eventdesk("renormalize", "--workers", "2", "--json", "--store", store).stdout)
    assert shared == alone and alone["changed"] > 0
    assert table_dump(store) == table_dump(twin)
    done = eventdesk("renormalize", "--workers", "0", "--store", store, check=False)
    assert done.returncode == 2 and "--workers" in done.stderr
    assert "--workers" in eventdesk("renormalize", "--help").stdout


def test_workers_in_many_parts_and_chunks_end_as_one_process(prepared, tmp_path, monkeypatch):
    from eventdesk.app import Settings, build_app
    from eventdesk.app import renormalize as service
    from eventdesk.core import parallel
    store = prepared(700)
    twin = str(tmp_path / "twin.db")
    shutil.copy(store, twin)
    eventdesk("renormalize", "--workers", "1", "--store", twin)
    monkeypatch.setattr(parallel, "CHUNK_OF_HASHES", 13)  # parts cut in this process
    app = build_app(Settings(store_uri=store))
    try:
        summary = service.renormalize(app, service.scope_of(), chunk_size=97, workers=2)
    finally:
        app.close()
    assert summary.counts["examined"] == 700
    assert table_dump(store) == table_dump(twin)


def test_negative_control_hashes_from_stale_mappings_leave_changed_events_as_they_were(prepared, tmp_path):
    """Workers given the old mappings would call every changed event unchanged: the comparison
    the tests above rely on sees that."""
    from eventdesk.app import Settings, build_app
    from eventdesk.app import renormalize as service
    from eventdesk.core.compiled import FastPreparer
    from eventdesk.core.mappings import Mappings
    from eventdesk.core.renormalize import Renormalizer
    store = prepared(300)
    twin = str(tmp_path / "twin.db")
    shutil.copy(store, twin)
    eventdesk("renormalize", "--store", twin)
    app = build_app(Settings(store_uri=store))
    try:
        stale = FastPreparer(Mappings.from_json(json.dumps(PRICE_FIRST))).plain_hashes
        engine = Renormalizer(app.store, app.processor.normalizer, app.mappings_version, hashes=stale)
        summary = engine.run(service.scope_of())
    finally:
        app.close()
    assert summary.counts["changed"] == 0
    assert table_dump(store)["normalized"] != table_dump(twin)["normalized"]


def test_a_worker_lost_in_the_middle_keeps_the_chunks_done_and_a_rerun_finishes(prepared, tmp_path):
    from eventdesk.app import Settings, build_app
    from eventdesk.app import renormalize as service
    from eventdesk.app.errors import describe
    from eventdesk.core.compiled import FastPreparer
    from eventdesk.core.errors import WorkerLost
    from eventdesk.core.renormalize import Renormalizer
    store = prepared(500)
    twin = str(tmp_path / "twin.db")
    shutil.copy(store, twin)
    eventdesk("renormalize", "--store", twin)
    app = build_app(Settings(store_uri=store))
    real, calls = FastPreparer(app.processor.normalizer.mappings).plain_hashes, []

    def lost_on_the_third(texts):
        calls.append(len(texts))
        if len(calls) == 3:
            raise WorkerLost("a worker process reading events again ended before its work was done")
        return real(texts)
    try:
        engine = Renormalizer(app.store, app.processor.normalizer, app.mappings_version, chunk_size=100,
                              hashes=lost_on_the_third)
        with pytest.raises(WorkerLost) as caught:
            engine.run(service.scope_of())
    finally:
        app.close()
    text, bug = describe(caught.value)
    assert not bug and "worker process" in text
    runs = json.loads(eventdesk("renormalize", "--history", "--json", "--store", store).stdout)["runs"]
    assert runs[-1]["state"] == "running" and runs[-1]["examined"] == 200  # two chunks kept, the third not
    eventdesk("renormalize", "--store", store)
    assert table_dump(store) == table_dump(twin)
