"""Each normalized event records the mappings version that made it, also when the mappings
change while it is on its way; an App takes up a version another process made current."""
from __future__ import annotations

import io
import json
import sqlite3

import pytest

from eventdesk.app import Settings, build_app, http_events
from eventdesk.core.mappings import Mappings

OLD = {"clients": {"client_Z": {"fields": {"metric": ["metric"], "amount": ["amount"], "timestamp": ["ts"]}}}}
NEW = {"clients": {"client_Z": {"fields": {"metric": ["metric"], "amount": ["betrag"], "timestamp": ["ts"]}}}}


def line(n: int) -> bytes:
    return json.dumps({"source": "client_Z", "payload": {"metric": "sale", "amount": f"{n}.5", "betrag": f"{n}.75",
                                                         "ts": "2024-03-01T10:00:00Z"}}).encode()


def versions(path) -> dict[str, list]:
    """normalized amount -> the mapping versions stamped on the events with it."""
    conn = sqlite3.connect(path)
    found: dict[str, list] = {}
    for amount, version in conn.execute("SELECT amount, mapping_version FROM normalized_events ORDER BY id"):
        found.setdefault(amount, []).append(version)
    conn.close()
    return found


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "s.db"
    app = build_app(Settings(store_uri=str(path)))
    app.set_mappings(Mappings(OLD))
    app.close()
    return path


def test_an_event_prepared_before_a_change_keeps_the_version_that_made_it(path):
    app = build_app(Settings(store_uri=str(path)))
    before = app.mappings_version
    prepared = app.processor.prepare(line(1))  # e.g. parsed by the server's loop, queued for the commit
    after = app.set_mappings(Mappings(NEW))
    app.processor.submit_prepared(prepared)
    app.submit(line(2))
    app.close()
    # negative control: stamping the writer's version would give [after] for 1.5
    assert versions(path) == {"1.5": [before], "2.75": [after]}


def test_an_app_takes_up_a_version_another_process_made_current(path):
    server = build_app(Settings(store_uri=str(path)))
    assert server.follow_store_mappings() is False  # nothing new
    elsewhere = build_app(Settings(store_uri=str(path)))  # ``eventdesk mappings --set`` in another process
    made = elsewhere.set_mappings(Mappings(NEW))
    elsewhere.close()
    server.submit(line(1))  # not looked yet: the old mappings, and their version
    assert server.follow_store_mappings() is True and server.mappings_version == made
    server.submit(line(2))
    body = b"\n".join([line(3), line(4)])
    assert http_events.post_batch(server, body, True, 100, None, False, None).body["accepted"] == 2
    server.close()
    assert versions(path) == {"1.5": [made - 1], "2.75": [made], "3.75": [made], "4.75": [made]}


def test_an_import_writes_its_rows_with_the_version_that_prepared_them(path):
    app = build_app(Settings(store_uri=str(path)))
    started_with = app.mappings_version
    elsewhere = build_app(Settings(store_uri=str(path)))
    switched = []

    def progress(*_args) -> None:
        if not switched:  # mid-import, another process publishes new mappings and this app follows
            switched.append(elsewhere.set_mappings(Mappings(NEW)))
            assert app.follow_store_mappings()
    data = b"\n".join(line(n) for n in range(1, 41)) + b"\n"
    app.ingest(io.BytesIO(data), batch_size=10, progress=progress)
    elsewhere.close()
    app.close()
    assert switched and {v for vs in versions(path).values() for v in vs} == {started_with}
    assert set(versions(path)) == {f"{n}.5" for n in range(1, 41)}  # all read with the old mapping


def test_a_batch_prepared_before_a_change_keeps_the_version_that_made_it(path):
    app = build_app(Settings(store_uri=str(path)))
    before = app.mappings_version
    snapshot = app.row_preparer

    def then_a_change():  # the follower takes up new mappings while the batch is being prepared
        made = snapshot()
        app.set_mappings(Mappings(NEW))
        return made
    app.row_preparer = then_a_change  # type: ignore[method-assign]
    assert http_events.post_batch(app, line(1), True, 100, None, False, None).body["accepted"] == 1
    app.close()
    assert versions(path) == {"1.5": [before]}  # read with the old mapping, and said so


def test_a_store_that_cannot_be_read_leaves_the_mappings_in_use(path):
    from eventdesk.core.errors import StoreUnavailable
    app = build_app(Settings(store_uri=str(path)))
    in_use = app.mappings_version

    def away():
        raise StoreUnavailable("the store is away")
    app.store.current_mappings = away  # type: ignore[method-assign]
    assert app.follow_store_mappings() is False and app.mappings_version == in_use
    app.close()


def test_the_desktop_apps_services_take_up_new_mappings_before_they_write(path, tmp_path):
    from eventdesk.app import events
    app = build_app(Settings(store_uri=str(path)))  # kept open, as the desktop app keeps it
    elsewhere = build_app(Settings(store_uri=str(path)))
    made = elsewhere.set_mappings(Mappings(NEW))
    elsewhere.close()
    events.submit_and_read_back(app, line(1).decode(), None)
    assert app.mappings_version == made
    elsewhere = build_app(Settings(store_uri=str(path)))
    again = elsewhere.set_mappings(Mappings(OLD))
    elsewhere.close()
    file = tmp_path / "in.jsonl"
    file.write_bytes(line(2) + b"\n")
    events.ingest_files(app, [str(file)], workers=0)
    app.close()
    assert versions(path) == {"1.75": [made], "2.5": [again]}


def test_renormalize_in_a_kept_open_app_applies_the_stores_current_mappings(path):
    from eventdesk.app import renormalize
    app = build_app(Settings(store_uri=str(path)))  # the desktop app, open before the change
    app.submit(line(1))
    elsewhere = build_app(Settings(store_uri=str(path)))
    made = elsewhere.set_mappings(Mappings(NEW))
    elsewhere.close()
    summary = renormalize.renormalize(app, renormalize.RenormalizeScope(None, None, None))
    app.close()
    assert summary.counts["changed"] == 1 and summary.mapping_version == made
    assert versions(path) == {"1.75": [made]}


def test_a_draft_previewed_read_only_is_never_replaced_by_the_stores_version(path, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(NEW))
    preview = build_app(Settings(store_uri=str(path), mappings_file=str(draft), read_only=True))
    assert preview.mappings_version == 0  # unsaved
    assert preview.follow_store_mappings() is False and preview.mappings.document == NEW
    preview.close()


def test_a_look_that_read_an_older_version_never_takes_it(path):
    """The follower reads version N, the app saves N + 1, the follower's answer arrives: N stays out."""
    app = build_app(Settings(store_uri=str(path)))
    older = app.store.current_mappings()
    app.set_mappings(Mappings(NEW))
    newest = app.mappings_version
    app.store.current_mappings = lambda: older  # type: ignore[method-assign]
    assert app.follow_store_mappings() is False and app.mappings_version == newest
    app.close()
