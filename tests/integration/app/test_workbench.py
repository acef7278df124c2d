"""app.workbench: explain an event with a draft, the newest raw event of a client, preview a draft.

The preview's central property: over a whole store, what it says each event would become (its
fields, and whether it is a semantic duplicate) is what a renormalize with the draft then does.
"""
from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from fakes.memory_store import MemoryStore
from hypothesis import HealthCheck, given, settings
from renormalize_support import mappings_of

from eventdesk.app import App, Settings, build_app
from eventdesk.app import renormalize as renormalizing
from eventdesk.app.errors import UsageError
from eventdesk.app.workbench import explain_event, latest_raw, preview_draft
from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.errors import MappingsError
from eventdesk.core.faults import FaultPoint
from eventdesk.core.preview import canonical_of
from eventdesk.core.queries import Page, RawQuery
from tests.integration.test_renormalize_properties import documents, events, ingested, lines_of
from tests.unit.core.conftest import load_gen_events

EVERYTHING = 10**5


def ev(client, **payload):
    return json.dumps({"source": client, "payload": payload})


def check_preview_is_what_renormalize_does(app: App, draft: dict) -> None:
    text = json.dumps(draft)
    preview = preview_draft(app, text, limit=EVERYTHING, examples=EVERYTHING)
    assert preview.examined == preview.changed + preview.unchanged
    app.set_mappings(mappings_of(draft))
    renormalizing.renormalize(app, renormalizing.scope_of())
    by_id = {e.raw_id: e for e in preview.examples}
    assert len(by_id) == preview.examined
    for raw in app.store.query_raw(RawQuery(statuses=("normalized", "duplicate")), Page(limit=EVERYTHING)):
        example = by_id[raw.id]
        assert example.duplicate_after == (raw.status == "duplicate"), (raw, example)
        held = app.store.get_normalized(raw.duplicate_of if raw.status == "duplicate" else raw.normalized_id)
        now, after = canonical_of(held), example.after
        assert (now.metric, now.amount, now.timestamp) == (after.metric, after.amount, after.timestamp)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events, documents(), documents())
def test_preview_is_what_renormalize_then_does_on_the_memory_store(drawn, old, new):
    check_preview_is_what_renormalize_does(ingested(MemoryStore(), lines_of(drawn), old), new)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events, documents(), documents())
def test_preview_is_what_renormalize_then_does_on_sqlite(drawn, old, new):
    with tempfile.TemporaryDirectory() as folder:
        app = ingested(__import__("eventdesk.store.sqlite", fromlist=["SqliteStore"]).SqliteStore(
            str(Path(folder) / "p.db")), lines_of(drawn), old)
        check_preview_is_what_renormalize_does(app, new)
        app.close()


@pytest.fixture
def app(tmp_path):
    app = build_app(Settings(store_uri=str(tmp_path / "w.db")))
    yield app
    app.close()


@pytest.fixture
def gen_mappings():
    return copy.deepcopy(load_gen_events().MAPPINGS)


def with_mappings(app: App, document: dict) -> App:
    app.set_mappings(mappings_of(document))
    return app


def test_preview_of_generated_history_on_sqlite_agrees_with_renormalize(app, generate, gen_mappings):
    events_path, _truth, _mappings = generate(1500, seed=31)
    with_mappings(app, gen_mappings)
    for line in events_path.read_bytes().splitlines():
        app.submit(line)
    draft = copy.deepcopy(gen_mappings)
    draft["clients"]["client_D"]["decimal_comma"] = False        # breaks client D's amounts
    draft["clients"]["client_A"]["fields"]["timestamp"] = ["ts"]  # breaks client A's dates
    check_preview_is_what_renormalize_does(app, draft)


def test_preview_reads_the_clients_newest_events_of_every_source_that_trims_to_it(app, gen_mappings):
    with_mappings(app, gen_mappings)
    for n in range(6):
        source = "client_D" if n % 2 else " client_D "
        app.submit(ev(source, event="e", betrag=f"{n},5", zeit="05.01.2024 10:00"))
    app.submit(ev("client_B", metric="m", amount=1, timestamp=1_700_000_000))
    app.submit("{not json")
    app.submit(ev("client_D", event="e", betrag="99", zeit="05.01.2024 10:00"), FaultPoint.MID_TRANSACTION)
    draft = copy.deepcopy(gen_mappings)
    draft["clients"]["client_D"]["decimal_comma"] = False
    preview = preview_draft(app, json.dumps(draft), client="client_D", limit=4)
    assert preview.examined == 4 and preview.broken == 4  # the failed and rejected ones are not history
    assert sorted(e.raw_id for e in preview.examples) == [3, 4, 5, 6]
    everything = preview_draft(app, json.dumps(draft), client=" client_D ")
    assert everything.examined == 6 and everything.unchanged == 0
    assert preview_draft(app, json.dumps(draft), client="client_B").unchanged == 1
    assert preview_draft(app, json.dumps(draft), client="nobody").examined == 0
    assert preview_draft(app, json.dumps(draft), time_to="2000-01-01").examined == 0
    assert preview_draft(app, json.dumps(draft), time_from="2000-01-01").examined == 7


@pytest.mark.parametrize("kwargs, message", [
    ({"limit": 0}, "limit"), ({"limit": 10**9}, "limit"), ({"examples": -1}, "examples"),
    ({"client": "  "}, "client"), ({"time_from": "soon"}, "soon"),
    ({"time_from": "2024-02-01", "time_to": "2024-01-01"}, "later"),
])
def test_preview_refuses_what_no_preview_can_do(app, kwargs, message):
    with pytest.raises(UsageError, match=message):
        preview_draft(app, app.mappings.to_json(), **kwargs)


@pytest.mark.parametrize("draft, entry", [
    ('{"clients": {"client_D": {"timezone": "Mars/Base"}}}', "clients.client_D.timezone"),
    ('{"defaults": {"fields": {"amount": []}}}', "defaults.fields.amount"),
    ("{not json", "not valid JSON"),
])
def test_an_invalid_draft_is_refused_naming_the_entry(app, draft, entry):
    with pytest.raises(MappingsError, match=entry.replace(".", r"\.")):
        explain_event(app, draft, ev("client_D", betrag="1"))
    with pytest.raises(MappingsError, match=entry.replace(".", r"\.")):
        preview_draft(app, draft)


def test_explain_event_uses_the_draft_not_the_stored_mappings(app, gen_mappings):
    line = ev("client_D", event="Sales", betrag="1.200,50 EUR", zeit="05.01.2024 10:00")
    explanation = explain_event(app, json.dumps(gen_mappings), line)
    assert explanation.mapping_entry == "clients.client_D"
    assert [t.value for t in explanation.fields] == ["sales", "1200.5", "2024-01-05T09:00:00Z"]
    bare = explain_event(app, '{"clients": {}}', line)  # the built-in defaults read no betrag
    assert bare.fields[1].reason == "amount.missing" and bare.mapping_entry == "defaults"
    result = with_mappings(app, gen_mappings).submit(line)
    assert explanation.normalized_hash == result.normalized_hash
    assert (amount_text(result.canonical.amount), timestamp_text(result.canonical.timestamp)) == \
        ("1200.5", "2024-01-05T09:00:00Z")


def test_latest_raw_is_the_clients_newest_of_any_status_and_source(app):
    assert latest_raw(app, "client_A") is None
    app.submit(ev("client_A", metric="m", amount=1))
    app.submit(ev(" client_A ", metric="m", amount=2))
    app.submit(ev("client_B", metric="m", amount=3))
    app.submit('{"source": "client_A", "payload": 5}')
    newest = latest_raw(app, "client_A ")
    assert newest is not None and newest.status == "rejected" and newest.id == 4
    assert latest_raw(app, "client_B").id == 3
    with pytest.raises(UsageError):
        latest_raw(app, "")
