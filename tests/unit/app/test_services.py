"""The service layer's own rules: the one ingest driver, the one export, describe, redact."""
from __future__ import annotations

import io
import json
import threading

import pytest

from eventdesk.app import Settings, build_app, describe, events, exporting, mappings, queries, redact
from eventdesk.app.errors import UsageError
from eventdesk.core.errors import MappingsError, StoreBug, StoreUnavailable
from eventdesk.core.queries import Page, RawQuery


def line(n: int, source: str = "client_A") -> str:
    return json.dumps({"source": source, "payload": {"metric": "sale", "amount": n, "timestamp": 1700000000 + n}})


@pytest.fixture
def app(tmp_path):
    app = build_app(Settings(store_uri=str(tmp_path / "s.db")))
    yield app
    app.close()


@pytest.mark.parametrize("total, workers, expected", [
    (0, 4, 0), (events.PARALLEL_MIN_BYTES - 1, 4, 0), (events.PARALLEL_MIN_BYTES, 4, 4),
    (None, 4, 4),            # standard input: size unknown, may be large
    (10 ** 9, 1, 0),         # one worker is no pool
])
def test_the_one_worker_pool_rule(total, workers, expected):
    assert events.pool_size(total, workers) == expected


def test_the_desktop_app_parses_in_one_worker_beside_its_import_process():
    assert events.pool_size(events.PARALLEL_MIN_BYTES, 1, smallest=1) == 1
    assert events.pool_size(events.PARALLEL_MIN_BYTES - 1, 1, smallest=1) == 0


def test_ingest_files_sums_every_file_and_reports_progress_over_all_of_them(app, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.json"
    first.write_text("\n".join(line(n) for n in range(3)) + "\n\n")
    second.write_text("[" + ",".join(line(n) for n in range(2, 6)) + "]")  # 2 repeats of the first file
    seen = []
    summary = events.ingest_files(app, [str(first), str(second)], workers=1, batch_size=2,
                                  progress=lambda s, done, total: seen.append((s.lines, done, total)))
    # 0,1,2 then 2,3,4,5: 6 facts, the second 2 an exact duplicate (the same content)
    assert (summary.lines, summary.accepted, summary.duplicate) == (7, 6, 1)
    total = first.stat().st_size + second.stat().st_size
    assert seen and all(t == total for _, _, t in seen) and seen[-1][1] <= total
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_ingest_files_opens_every_file_before_reading_any(app, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(line(1) + "\n")
    with pytest.raises(FileNotFoundError):
        events.ingest_files(app, [str(good), str(tmp_path / "missing.jsonl")], workers=1)
    assert queries.stats(app).raw_total == 0


def test_ingest_cancelled_before_the_start_stores_nothing(app, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(line(n) for n in range(10)))
    cancel = threading.Event()
    cancel.set()
    summary = events.ingest_files(app, [str(path)], workers=1, cancel=cancel)
    assert summary.cancelled and summary.lines == 0 and queries.stats(app).raw_total == 0


def test_retry_texts_reprocesses_without_a_receipt(app):
    events.submit(app, line(1))
    raw = queries.raw_page(app, RawQuery(), Page("id", False, None, 10))[0]
    assert events.retry_texts(app, [raw.text]) == {"normalized": 1}
    assert queries.raw_details(app, raw.id)[0].receipts == 1


def test_export_to_file_is_whole_and_cancel_leaves_the_old_file(app, tmp_path):
    for n in range(3):
        events.submit(app, line(n))
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    cancel = threading.Event()
    cancel.set()
    assert exporting.export_query_to_file(app, "raw", RawQuery(), "csv", str(out), cancel) is None
    assert out.read_text() == "precious\n" and [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []
    assert exporting.export_to_file(app, "normalized", [], None, exporting.format_for_path(str(out)), str(out)) == 3
    assert out.read_text().splitlines()[0].startswith("id,raw_id,client_id")


def test_export_refuses_a_bad_status_or_kind_as_a_usage_error(app):
    with pytest.raises(UsageError):
        exporting.export_events(app, "normalized", ["failed"], None, "jsonl", io.StringIO())
    with pytest.raises(UsageError):
        exporting.export_events(app, "raw", ["nope"], None, "jsonl", io.StringIO())
    with pytest.raises(UsageError):
        exporting.check_export_args("everything", [])


def test_mappings_save_text_names_the_entry_at_fault_and_keeps_the_version(app):
    version, _ = mappings.load_current(app)
    with pytest.raises(MappingsError):
        mappings.save_mappings_text(app, '{"clients": {"x": {"fields": 3}}}')
    assert mappings.load_current(app)[0] == version == mappings.in_use(app)[0]


@pytest.mark.parametrize("exc, bug", [
    (StoreUnavailable("the store is locked"), False), (MappingsError("clients.x: bad"), False),
    (UsageError("--to before --from"), False), (FileNotFoundError(2, "No such file", "a.json"), False),
    (json.JSONDecodeError("Expecting value", "x", 0), False), (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), False),
    (StoreBug("index missing"), True), (KeyError("x"), True), (AssertionError(), True),
])
def test_describe_tells_a_known_error_from_a_bug(exc, bug):
    text, is_bug = describe(exc)
    assert is_bug is bug and "\n" not in text and text
    assert text.startswith("internal error") is bug


@pytest.mark.parametrize("uri, shown", [
    ("mongodb://bob:pw@db.example:27017/x?tls=true&authSource=admin", "mongodb://db.example:27017/x"),
    ("mongodb+srv://bob@cluster/x", "mongodb+srv://cluster/x"),
    ("MONGODB://bob:pw@h/x", "MONGODB://h/x"),
    ("mongodb://bob:p%40ss@h1:1,h2:2/db?replicaSet=rs", "mongodb://h1:1,h2:2/db"),
    ("/home/bob/events.db", "/home/bob/events.db"),
    ("sqlite:///home/bob/a:b@c.db", "sqlite:///home/bob/a:b@c.db"),
    ("ftp://bob:pw@x/y", "ftp://***@x/y"),
])
def test_one_redaction_for_every_message_and_screen(uri, shown):
    assert redact(uri) == shown


def test_the_default_batch_grows_with_a_large_sqlite_store(app, monkeypatch):
    import dataclasses

    from eventdesk.core import ingest
    assert events._default_batch(app) == ingest.BULK_BATCH_SIZE
    stats = app.store.stats()
    large = dataclasses.replace(stats, raw_total=ingest.LARGE_STORE_EVENTS)
    monkeypatch.setattr(app.store, "stats", lambda: large)
    assert events._default_batch(app) == ingest.LARGE_STORE_BATCH_SIZE
    monkeypatch.setattr(app.store, "bulk_rows", False)
    assert events._default_batch(app) == ingest.DEFAULT_BATCH_SIZE
