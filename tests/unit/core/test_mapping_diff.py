"""core.mapping_diff: what changed between two mappings documents, per client and setting."""
from eventdesk.core.mapping_diff import mapping_diff

BASE = {"defaults": {"fields": {"amount": ["amount"]}, "timezone": "UTC"},
        "clients": {"client_A": {"fields": {"amount": ["price"], "metric": ["value"]}},
                    "client_D": {"dayfirst": True}}}


def test_first_version_adds_every_client_and_nothing_else():
    diff = mapping_diff(None, BASE)
    assert diff.clients_added == ["client_A", "client_D"]
    assert not (diff.clients_removed or diff.clients_changed or diff.defaults_changed)
    assert diff.summary() == "clients added: client_A, client_D"


def test_same_document_is_no_change():
    assert mapping_diff(BASE, BASE).empty
    assert mapping_diff(BASE, BASE).summary() == "no change"


def test_changed_field_candidates_and_settings_are_named_per_client():
    new = {"defaults": BASE["defaults"],
           "clients": {"client_A": {"fields": {"amount": ["amount", "price"], "metric": ["value"]}},
                       "client_D": {"dayfirst": False, "timezone": "Europe/Berlin"}}}
    diff = mapping_diff(BASE, new)
    assert diff.clients_changed == {"client_A": ["fields.amount"], "client_D": ["dayfirst", "timezone"]}
    assert diff.summary() == "clients changed: client_A (fields.amount), client_D (dayfirst, timezone)"


def test_candidate_order_is_a_change():
    new = {**BASE, "clients": {**BASE["clients"], "client_A": {"fields": {"amount": ["price"], "metric": ["value"]}}}}
    assert mapping_diff(BASE, new).empty
    reordered = {"fields": {"amount": ["price"], "metric": ["value"], "timestamp": ["b", "a"]}}
    before = {**BASE, "clients": {**BASE["clients"], "client_A": {"fields": {**reordered["fields"], "timestamp": ["a", "b"]}}}}
    after = {**BASE, "clients": {**BASE["clients"], "client_A": reordered}}
    assert mapping_diff(before, after).clients_changed == {"client_A": ["fields.timestamp"]}


def test_clients_added_and_removed_and_defaults_changed():
    new = {"defaults": {"fields": {"amount": ["amount", "total"]}, "timezone": "UTC"},
           "clients": {"client_A": BASE["clients"]["client_A"], "client_Z": {}}}
    diff = mapping_diff(BASE, new)
    assert (diff.clients_added, diff.clients_removed) == (["client_Z"], ["client_D"])
    assert diff.defaults_changed == ["fields.amount"]
    assert diff.summary() == ("defaults: fields.amount; clients added: client_Z; clients removed: client_D")


def test_a_field_removed_from_a_client_is_a_change():
    new = {**BASE, "clients": {**BASE["clients"], "client_A": {"fields": {"amount": ["price"]}}}}
    assert mapping_diff(BASE, new).clients_changed == {"client_A": ["fields.metric"]}
