"""The mappings file (design section 6): validation that names the entry, field-by-field override."""
from __future__ import annotations

import copy
import json
from datetime import timezone

import pytest

from eventdesk.core.errors import MappingsError
from eventdesk.core.mappings import BUILTIN_DEFAULTS, Mappings


def test_the_shipped_file_loads_and_round_trips(shipped_mappings):
    again = Mappings.from_json(shipped_mappings.to_json())
    assert again.document == shipped_mappings.document


def test_the_design_example_loads():
    Mappings({
        "defaults": {"fields": {"metric": ["metric", "value", "type", "event", "kind", "name"],
                                "amount": ["amount", "price", "total", "value"],
                                "timestamp": ["timestamp", "date", "ts", "time", "created_at"]},
                     "dayfirst": False, "decimal_comma": False, "timezone": "UTC"},
        "clients": {"client_A": {"fields": {"metric": ["value", "metric"], "amount": ["price", "amount"],
                                            "timestamp": ["date", "timestamp"]}},
                    "client_D": {"fields": {"amount": ["betrag"], "timestamp": ["zeit"]},
                                 "dayfirst": True, "decimal_comma": True, "timezone": "Europe/Berlin"}}})


def test_client_entries_override_the_defaults_field_by_field(shipped_document):
    shipped_document["clients"]["client_D"] = {"fields": {"amount": ["betrag"], "timestamp": ["zeit"]},
                                               "dayfirst": True}
    mapping = Mappings(shipped_document).for_client("client_D")
    assert mapping.fields["amount"] == (("betrag",),)
    assert mapping.fields["timestamp"] == (("zeit",),)
    assert mapping.fields["metric"] == tuple((n,) for n in BUILTIN_DEFAULTS["fields"]["metric"])
    assert mapping.dayfirst is True
    assert mapping.decimal_comma is False  # not given: the default's
    assert mapping.timezone == "UTC"


def test_shipped_clients(shipped_mappings):
    a = shipped_mappings.for_client("client_A")
    assert a.fields["metric"] == (("value",), ("metric",))
    d = shipped_mappings.for_client("client_D")
    assert (d.dayfirst, d.decimal_comma, d.timezone) == (True, True, "Europe/Berlin")
    assert str(d.zone) == "Europe/Berlin"
    e = shipped_mappings.for_client("client_E")
    assert e.fields["amount"] == (("data", "value"),)


def test_unlisted_clients_get_the_defaults_and_share_them(shipped_mappings):
    one, two = shipped_mappings.for_client("nobody"), shipped_mappings.for_client("somebody")
    assert one is two
    assert one.fields["amount"] == (("amount",), ("price",), ("total",), ("value",))
    assert one.zone is timezone.utc


def test_defaults_in_the_document_override_the_builtin_ones():
    mappings = Mappings({"defaults": {"timezone": "Europe/Berlin", "fields": {"amount": ["sum"]}}})
    mapping = mappings.for_client("x")
    assert mapping.timezone == "Europe/Berlin"
    assert mapping.fields["amount"] == (("sum",),)
    assert mapping.fields["metric"][0] == ("metric",)


def test_a_document_without_defaults_or_clients_uses_the_builtin_defaults():
    assert Mappings({}).for_client("x") == Mappings.builtin().for_client("x")


@pytest.mark.parametrize("zone", ["UTC", "utc", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_zones_are_accepted(zone):
    assert Mappings({"defaults": {"timezone": zone}}).for_client("x").zone is not None


def edit(document: dict, path: str, value) -> dict:
    """A copy of the document with the value at a dotted path set (or removed for ...)."""
    document = copy.deepcopy(document)
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node.setdefault(part, {})
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return document


# (entry to set, bad value, the entry the message must name)
INVALID = [
    ("clients.client_D.timezone", "Mars/Olympus", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "Europe", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "localtime", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "/etc/passwd", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "../../etc/passwd", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "", "clients.client_D.timezone"),
    ("clients.client_D.timezone", "EST ", "clients.client_D.timezone"),
    ("clients.client_D.timezone", 1, "clients.client_D.timezone"),
    ("clients.client_D.dayfirst", "yes", "clients.client_D.dayfirst"),
    ("clients.client_D.decimal_comma", 1, "clients.client_D.decimal_comma"),
    ("clients.client_D.colour", "red", "clients.client_D.colour"),
    ("clients.client_D.fields", ["betrag"], "clients.client_D.fields"),
    ("clients.client_D.fields.amount", "betrag", "clients.client_D.fields.amount"),
    ("clients.client_D.fields.amount", [], "clients.client_D.fields.amount"),
    ("clients.client_D.fields.currency", ["cur"], "clients.client_D.fields.currency"),
    ("defaults.fields.amount", ["amount", 7], "defaults.fields.amount[1]"),
    ("defaults.fields.amount", ["amount", ""], "defaults.fields.amount[1]"),
    ("defaults.fields.amount", ["amount", "data..value"], "defaults.fields.amount[1]"),
    ("defaults.fields.amount", ["amount", ".value"], "defaults.fields.amount[1]"),
    ("defaults.fields.metric", [None], "defaults.fields.metric[0]"),
    ("defaults.timezone", "Nowhere/Special", "defaults.timezone"),
    ("defaults.dayfirst", None, "defaults.dayfirst"),
    ("defaults.fields", None, "defaults.fields"),
    ("defaults.extra", 1, "defaults.extra"),
    ("defaults", [], "defaults"),
    ("clients", [], "clients"),
    ("clients.client_D", "Europe/Berlin", "clients.client_D"),
    ("clients. client_X ", {}, "clients.' client_X '"),
    ("clients.", {}, "clients.''"),
    ("description", 5, "description"),
    ("version", 2, "version"),
]


@pytest.mark.parametrize("path, value, entry", INVALID, ids=[f"{p}={v!r}" for p, v, _ in INVALID])
def test_invalid_documents_are_refused_naming_the_entry(shipped_document, path, value, entry):
    with pytest.raises(MappingsError) as caught:
        Mappings(edit(shipped_document, path, value))
    assert f"mappings entry {entry}:" in str(caught.value)


@pytest.mark.parametrize("text", ["", "{", "[1,2", "{'a': 1}", "\ud800"], ids=["empty", "open", "array", "quotes", "surrogate"])
def test_text_that_is_not_json_is_refused(text):
    with pytest.raises(MappingsError, match="not valid JSON"):
        Mappings.from_json(text)


@pytest.mark.parametrize("value", [[], "x", 1, None], ids=["array", "text", "number", "null"])
def test_a_document_that_is_not_an_object_is_refused(value):
    with pytest.raises(MappingsError, match="JSON object"):
        Mappings.from_json(json.dumps(value))


def test_bytes_are_read_as_utf8():
    assert Mappings.from_json(b'{"defaults": {"timezone": "Europe/Berlin"}}').for_client("x").timezone == "Europe/Berlin"
