"""Issue 13.6: GET /api/triage answers as `eventdesk triage --json` on the same store."""
from __future__ import annotations

import json
import urllib.parse

import pytest
from http_served import cli
from test_http_security import add_token

from eventdesk.http.openapi import openapi_document


def event(source, **payload):
    return {"source": source, "payload": payload}


PROBLEMS = [
    event("client_D", event="sale", betrag="zwölf", zeit="05.01.2024 10:00"),
    event("client_D", event="sale", betrag="x2", zeit="05.01.2024 11:00"),
    event(" client_D ", event="sale", betrag="1,5", zeit="2024-02"),
    event("client_B", metric="m", amount="1"),
    event("client_B", metric="m", amount="oops", timestamp="2024-01-01"),
    "not an object",
]


def fill(served):
    assert served.post("/api/events/batch", PROBLEMS)[0] == 200
    assert served.post("/api/events", b"{broken")[0] == 422
    assert served.post("/api/events", {"payload": {}})[0] == 422
    failing = event("client_C", metric="m", amount="3", timestamp="2024-01-05T10:00:00Z")
    assert served.post("/api/events?simulate=mid_transaction", failing)[0] == 503


def cli_triage(store, *args):
    out = cli(store, "triage", "--json", *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("params", [
    {}, {"status": "rejected"}, {"status": "failed"}, {"status": "normalized"}, {"status": "dead_letter"},
    {"client": "client_D"}, {"client": "client_B", "status": "normalized"}, {"client": "nobody"},
    {"status": "duplicate"},
])
def test_body_equals_the_cli_json_on_the_same_store(open_server, params):
    fill(open_server)
    status, headers, body = open_server.get("/api/triage?" + urllib.parse.urlencode(params))
    assert status == 200 and headers["content-type"].startswith("application/json")
    args = [a for name, value in params.items() for a in (f"--{name}", value)]
    assert body == cli_triage(open_server.store, *args)
    if not params:
        assert len(body["groups"]) >= 5 and {"json.invalid", "simulated.mid_transaction"} <= {
            g["code"] for g in body["groups"]}


def test_empty_parameters_mean_no_filter(open_server):
    fill(open_server)
    assert open_server.get("/api/triage?status=&client=")[2] == cli_triage(open_server.store)


@pytest.mark.parametrize("bad", ["nonsense", "FAILED", "failed,rejected", " failed"])
def test_a_bad_status_is_400_with_a_clear_message(open_server, bad):
    status, _, body = open_server.get("/api/triage?" + urllib.parse.urlencode({"status": bad}))
    assert status == 400
    assert body["error"].startswith("status:") and "is not one of" in body["error"] and "dead_letter" in body["error"]


def test_a_repeated_parameter_is_400(open_server):
    for query in ("status=failed&status=rejected", "client=a&client=b"):
        status, _, body = open_server.get("/api/triage?" + query)
        assert status == 400 and "give it once" in body["error"], query


def test_read_only_a_post_is_refused(open_server):
    fill(open_server)
    before = cli(open_server.store, "stats", "--json").stdout
    assert open_server.post("/api/triage", {})[0] == 405
    open_server.get("/api/triage")
    assert cli(open_server.store, "stats", "--json").stdout == before


def test_same_auth_as_the_other_read_endpoints(make_server, tmp_path):
    store = tmp_path / "secured.db"
    admin = add_token(store, "root", "--sources", "*")
    bound = add_token(store, "poster", "--sources", "client_A")
    served = make_server(store=store)
    for path in ("/api/triage", "/api/events/stats"):
        assert served.get(path)[0] == 401, path
        assert served.get(path, headers={"Authorization": "Bearer wrong"})[0] == 401, path
        assert served.get(path, headers={"Authorization": f"Bearer {bound}"})[0] == 403, path
        assert served.get(path, headers={"Authorization": f"Bearer {admin}"})[0] == 200, path


def test_openapi_describes_the_route():
    document = openapi_document()
    triage = document["paths"]["/api/triage"]["get"]
    assert [p["name"] for p in triage["parameters"]] == ["status", "client"]
    assert set(triage["responses"]) >= {"200", "400", "401", "403"}
    group = triage["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["groups"]["items"]
    assert group["required"][:7] == ["code", "client_id", "field", "count", "first_seen", "last_seen",
                                     "sample_raw_ids"]
