"""Where a MappingsError points, and its line in the JSON text (pure helpers of the workbench)."""
from __future__ import annotations

import json

import pytest

from eventdesk.app import mappings
from eventdesk.gui.workbench import draft
from eventdesk.gui.workbench.entry_path import entry_at_fault, line_of

DOCUMENT = {"defaults": {"timezone": "UTC"},
            "clients": {"client_A": {"timezone": "Europe/Paris"},
                        "client.x": {"fields": {"amount": ["ok", ""]}},
                        "client": {"dayfirst": True}}}


def fault_of(document):
    text = json.dumps(document, indent=2)
    problem = mappings.check_mappings_text(text)
    assert problem is not None
    return entry_at_fault(problem, document), text


@pytest.mark.parametrize("change, client, setting", [
    (lambda d: d["clients"]["client_A"].update(timezone="Mars/Olympus"), "client_A", "timezone"),
    (lambda d: d["clients"]["client"].update(dayfirst="yes"), "client", "dayfirst"),
    (lambda d: d["clients"]["client.x"]["fields"].update(amount=["ok", ""]), "client.x", "fields.amount"),
    (lambda d: d["clients"]["client.x"].update(colour=1), "client.x", "colour"),
    (lambda d: d["defaults"].update(timezone="Europe"), None, "timezone"),
])
def test_the_entry_at_fault_is_found_also_for_client_ids_with_dots(change, client, setting):
    document = json.loads(json.dumps(DOCUMENT))
    document["clients"]["client.x"]["fields"]["amount"] = ["ok"]
    change(document)
    fault, text = fault_of(document)
    assert (fault.client, fault.setting) == (client, setting)
    assert fault.in_defaults == (client is None)
    line = text.splitlines()[line_of(text, fault.keys) - 1]
    assert json.dumps(setting.split(".")[-1]) in line


def test_a_message_naming_no_entry_points_nowhere():
    assert entry_at_fault("mappings are not valid JSON: Expecting value", None) is None
    fault = entry_at_fault("mappings entry colour: unknown top-level entry", {"colour": 1})
    assert fault.keys == ("colour",) and fault.client is None and not fault.in_defaults


def test_a_client_id_with_blanks_is_the_clients_entry():
    fault, text = fault_of({"clients": {" client_A": {}}})
    assert fault.client is None and fault.keys == ("clients",)
    assert line_of(text, fault.keys) == 2


def test_the_line_of_a_key_that_another_client_also_has_is_this_clients():
    document = {"clients": {"a": {"timezone": "UTC"}, "b": {"timezone": "Nowhere/Land"}}}
    fault, text = fault_of(document)
    assert fault.client == "b"
    assert line_of(text, fault.keys) == 7  # b's timezone, not a's on line 4


def test_draft_entries_inherit_the_documents_defaults():
    document = {"defaults": {"timezone": "Europe/Berlin", "fields": {"amount": ["betrag"]}}, "clients": {}}
    base = draft.inherited(document, "client_Z")
    assert base["timezone"] == "Europe/Berlin" and base["fields"]["amount"] == ["betrag"]
    assert base["fields"]["metric"][0] == "metric"
    changed = draft.with_entry(document, "client_Z", {"timezone": "UTC"})
    assert changed["clients"] == {"client_Z": {"timezone": "UTC"}} and document["clients"] == {}
    assert draft.same_document('{"a": 1, "b": 2}', '{"b": 2,\n "a": 1}')
    assert not draft.same_document("{", "{")
