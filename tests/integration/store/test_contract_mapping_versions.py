"""MappingsStore contract, versions: history (append-only, oldest first), one version, who saved it."""
from __future__ import annotations

import pytest

from eventdesk.app import mappings as services
from eventdesk.app.errors import UsageError


def test_history_lists_every_version_oldest_first_with_text_exactly_as_saved(store):
    texts = ['{"clients": {}}', '{"clients": {"a": {}}}\n', '{ "clients" : {} }']
    versions = [store.save_mappings(t, f"2024-01-0{i + 1}T00:00:00Z") for i, t in enumerate(texts)]
    assert versions == [1, 2, 3]
    history = store.mappings_history()
    assert [(v.version, v.text, v.saved_at) for v in history] == [
        (1, texts[0], "2024-01-01T00:00:00Z"), (2, texts[1], "2024-01-02T00:00:00Z"),
        (3, texts[2], "2024-01-03T00:00:00Z")]
    assert store.mappings_version(2).text == texts[1]
    assert store.current_mappings() == (3, texts[2])


def test_unknown_version_is_none(store):
    assert store.mappings_version(1) is None
    store.save_mappings("{}", "2024-01-01T00:00:00Z")
    assert store.mappings_version(0) is None and store.mappings_version(2) is None
    assert store.mappings_history()[0].saved_by is None


def test_saved_by_and_note_are_kept_per_version(store):
    store.save_mappings("{}", "2024-01-01T00:00:00Z")
    store.save_mappings("{}", "2024-01-02T00:00:00Z", saved_by="alice", note="rollback to 1")
    first, second = store.mappings_history()
    assert (first.saved_by, first.note) == (None, None)
    assert (second.saved_by, second.note) == ("alice", "rollback to 1")
    assert store.mappings_version(2).saved_by == "alice"


def test_rollback_appends_a_version_with_the_old_content_and_the_app_uses_it(app):
    first_text = services.show_version(app, 1)
    services.save_mappings_text(app, '{"clients": {"client_A": {"fields": {"amount": ["betrag"]}}}}')
    new = services.rollback(app, 1)
    assert new == 3 and app.mappings_version == 3 and app.processor.mapping_version == 3
    assert services.show_version(app, 3) == first_text
    entries = services.history(app)
    assert [e.saved.version for e in entries] == [1, 2, 3]
    assert [e.current for e in entries] == [False, False, True]
    assert entries[1].changes.clients_changed["client_A"] == ["fields.amount", "fields.metric", "fields.timestamp"]
    assert entries[2].saved.note == "rollback to 1"
    result = app.submit('{"source":"client_A","payload":{"value":"x","price":"3","date":"2024-01-01"}}')
    assert app.store.get_normalized(result.normalized_id).mapping_version == 3


def test_show_or_rollback_of_an_unknown_version_is_a_usage_error(app):
    with pytest.raises(UsageError, match="no mappings version 7"):
        services.show_version(app, 7)
    with pytest.raises(UsageError, match="no mappings version 7"):
        services.rollback(app, 7)
    assert [v.version for v in app.store.mappings_history()] == [1]


LINE = '{"source":"client_A","payload":{"value":"x","price":"%s","date":"2024-01-01"}}'


def test_every_write_path_stamps_the_version_in_use(app):
    from eventdesk.core.faults import FaultPoint
    from eventdesk.core.queries import NormalizedQuery, Page

    submitted = app.submit(LINE % 1)
    failed = app.submit(LINE % 2, FaultPoint.MID_TRANSACTION)
    assert failed.status == "failed"
    services.save_mappings_text(app, services.show_version(app, 1))  # version 2, same content
    retried = app.processor.retry(("failed",))
    assert retried.normalized == 1
    import io
    app.ingest(io.BytesIO(((LINE % 3) + "\n" + (LINE % 4) + "\n").encode()))
    versions = {n.amount: n.mapping_version for n in app.store.query_normalized(NormalizedQuery(), Page())}
    assert versions == {"1": 1, "2": 2, "3": 2, "4": 2}
    assert app.store.get_normalized(submitted.normalized_id).mapping_version == 1


def test_ingest_with_worker_processes_stamps_the_version(app, tmp_path):
    from eventdesk.core.queries import NormalizedQuery, Page
    if getattr(app.store, "path", None) is None:
        pytest.skip("worker processes are exercised once, on the SQLite store")
    services.save_mappings_text(app, services.show_version(app, 1))
    preparer = app.parallel_preparer(2)
    try:
        import io
        app.ingest(io.BytesIO("\n".join(LINE % i for i in range(50)).encode()), preparer=preparer)
    finally:
        preparer.close()
    assert {n.mapping_version for n in app.store.query_normalized(NormalizedQuery(), Page())} == {2}


BETRAG = '{"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["betrag"], "timestamp": ["date"]}}}}'
EVENT = '{"source":"client_A","payload":{"value":"x","price":"3","betrag":"4","date":"2024-01-01"}}'


def test_an_app_follows_a_version_made_current_elsewhere_and_stamps_what_made_each_event(app):
    prepared = app.processor.prepare(EVENT)  # prepared with version 1 (price), written after the change
    assert app.follow_store_mappings() is False
    made = app.store.save_mappings(BETRAG, "2024-01-02T00:00:00Z", "another process")
    assert app.follow_store_mappings() is True and app.mappings_version == made == 2
    old = app.processor.submit_prepared(prepared)
    new = app.submit(EVENT.replace('"x"', '"y"'))
    got = [app.store.get_normalized(r.normalized_id) for r in (old, new)]
    assert [(str(n.amount), n.mapping_version) for n in got] == [("3", 1), ("4", 2)]
    assert app.follow_store_mappings() is False
