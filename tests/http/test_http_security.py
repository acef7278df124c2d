"""Refusals of design section 10, each against a real server, each storing nothing."""
from __future__ import annotations

import json
import os
import stat
import time

import pytest
from http_served import cli

EVENT = {"source": "client_A", "payload": {"metric": "sale", "amount": "5", "timestamp": "2024-01-01"}}


def add_token(store, name, *extra):
    out = cli(store, "tokens", "add", name, *extra)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def raw_total(served):
    out = cli(served.store, "stats", "--json")
    return json.loads(out.stdout)["raw"]["total"]


@pytest.fixture
def secured(make_server, tmp_path):
    store = tmp_path / "secured.db"
    tokens = {"admin": add_token(store, "root", "--sources", "*"),
              "a": add_token(store, "poster_a", "--sources", "client_A,client_B"),
              "slow": add_token(store, "slow", "--sources", "*", "--rate", "2")}
    served = make_server(store=store)
    served.tokens = tokens
    return served


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_tokens_add_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(tmp_path):
    store = tmp_path / "t.db"
    token = add_token(store, "alice", "--sources", "client_A")
    assert token.startswith("edk_") and " " not in token and len(token) > 30
    listing = cli(store, "tokens", "list")
    assert "alice" in listing.stdout and "client_A" in listing.stdout and token not in listing.stdout
    assert token.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))


def test_tokens_add_refuses_a_second_token_of_one_name_and_revoke_of_an_unknown(tmp_path):
    store = tmp_path / "t.db"
    add_token(store, "alice")
    again = cli(store, "tokens", "add", "alice")
    assert again.returncode == 2 and "exists already" in again.stderr and "edk_" not in again.stdout
    assert cli(store, "tokens", "revoke", "nobody").returncode == 2


def test_first_serve_writes_an_admin_token_to_a_file_only_the_user_can_read(make_server):
    served = make_server()
    notes = "".join(served.stderr_lines)
    path = notes.split("\n")[0].rsplit(" in ", 1)[1].strip()
    assert os.path.isfile(path) and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    token = open(path).read().strip()
    assert token not in notes
    assert served.get("/api/events/stats", headers=bearer(token))[0] == 200
    assert served.post("/api/events", EVENT, headers=bearer(token))[0] == 201


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer edk_nonsense"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_no_or_unknown_token_is_401_and_stores_nothing(secured, headers):
    status, hdrs, body = secured.post("/api/events", EVENT, headers=headers)
    assert status == 401 and hdrs["www-authenticate"] == "Bearer" and "error" in body
    assert secured.get("/api/events/raw", headers=headers)[0] == 401
    assert raw_total(secured) == 0


def test_a_token_bound_to_sources_cannot_post_for_another_403_nothing_stored(secured):
    other = {"source": "client_C", "payload": {"metric": "sale", "amount": "5"}}
    assert secured.post("/api/events", other, headers=bearer(secured.tokens["a"]))[0] == 403
    assert secured.post("/api/events", b"not json", headers=bearer(secured.tokens["a"]))[0] == 403
    batch = [EVENT, other]
    assert secured.post("/api/events/batch", batch, headers=bearer(secured.tokens["a"]))[0] == 403
    assert raw_total(secured) == 0
    assert secured.post("/api/events", EVENT, headers=bearer(secured.tokens["a"]))[0] == 201


def test_a_token_names_clients_a_padded_source_is_its_client_valid_or_rejected(secured):
    """The client id is the source trimmed (design 5): a token for client_B may post " client_B",
    a valid event and a rejected one alike, and " client_C" is refused either way."""
    headers = bearer(secured.tokens["a"])
    valid = {"source": " client_B", "payload": {"metric": "x", "amount": "1"}}
    rejected = {"source": " client_B", "payload": 5}
    assert secured.post("/api/events", valid, headers=headers)[0] == 201
    assert secured.post("/api/events", rejected, headers=headers)[0] == 422
    assert secured.post("/api/events/batch", [{**valid, "payload": {"amount": "2"}}, {**rejected, "payload": 6}],
                        headers=headers)[0] == 200
    for foreign in ({**valid, "source": " client_C"}, {**rejected, "source": " client_C"}):
        assert secured.post("/api/events", foreign, headers=headers)[0] == 403
        assert secured.post("/api/events/batch", [foreign], headers=headers)[0] == 403
    assert raw_total(secured) == 4


def test_a_bound_token_may_not_read_or_retry(secured):
    headers = bearer(secured.tokens["a"])
    for path in ("/api/events/raw", "/api/events/normalized", "/api/aggregates", "/api/events/stats", "/metrics"):
        assert secured.get(path, headers=headers)[0] == 403, path
    assert secured.post("/api/events/retry", {"status": "failed"}, headers=headers)[0] == 403


def test_over_the_rate_is_429_with_retry_after(secured):
    headers = bearer(secured.tokens["slow"])
    codes = []
    for n in range(6):
        status, hdrs, _ = secured.post("/api/events", {**EVENT, "payload": {"amount": n}}, headers=headers)
        codes.append(status)
        if status == 429:
            assert int(hdrs["retry-after"]) >= 1
    assert codes[:2] == [201, 201] and 429 in codes
    assert raw_total(secured) == codes.count(201)


def test_a_revoked_token_is_refused_by_the_running_server_within_a_second(secured):
    headers = bearer(secured.tokens["a"])
    assert secured.post("/api/events", EVENT, headers=headers)[0] == 201
    assert cli(secured.store, "tokens", "revoke", "poster_a").returncode == 0
    time.sleep(1.0)
    second = {**EVENT, "payload": {"amount": 99}}
    assert secured.post("/api/events", second, headers=headers)[0] == 401
    assert raw_total(secured) == 1


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost.evil.example"])
def test_a_dns_rebinding_host_is_421_and_stores_nothing(open_server, host):
    headers = {"Host": host.format(port=open_server.port)}
    assert open_server.post("/api/events", EVENT, headers=headers)[0] == 421
    assert open_server.get("/api/events/stats", headers=headers)[0] == 421
    assert raw_total(open_server) == 0


def test_allowed_hosts_are_served(make_server):
    served = make_server("--no-auth", "--allow-host", "eventdesk.lan")
    for host in ("localhost", f"localhost:{served.port}", "127.0.0.1", "eventdesk.lan", f"eventdesk.lan:{served.port}"):
        assert served.get("/healthz", headers={"Host": host})[0] == 200, host


def test_a_foreign_origin_is_403_and_no_cors_headers_are_sent(open_server):
    status, hdrs, _ = open_server.post("/api/events", EVENT, headers={"Origin": "https://evil.example"})
    assert status == 403 and raw_total(open_server) == 0
    status, hdrs, _ = open_server.get("/api/events/stats")
    assert status == 200 and "access-control-allow-origin" not in hdrs


def test_a_text_plain_simple_request_from_a_page_is_refused(open_server):
    # what a browser sends for a form or fetch without preflight: no Origin check can be relied on
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        status, _, _ = open_server.post("/api/events", json.dumps(EVENT), content_type=kind)
        assert status == 415, kind
    assert raw_total(open_server) == 0


def test_cors_only_for_the_origin_given(make_server):
    served = make_server("--no-auth", "--cors", "https://dash.example")
    status, hdrs, _ = served.post("/api/events", EVENT, headers={"Origin": "https://dash.example"})
    assert status == 201 and hdrs["access-control-allow-origin"] == "https://dash.example"
    status, hdrs, _ = served.request("OPTIONS", "/api/events", headers={
        "Origin": "https://dash.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and "Idempotency-Key" in hdrs["access-control-allow-headers"]
    assert served.post("/api/events", EVENT, headers={"Origin": "https://other.example"})[0] == 403


def test_bodies_over_the_limit_are_413_and_store_nothing(open_server):
    big = {"source": "client_A", "payload": {"note": "x" * (1024 * 1024)}}
    assert open_server.post("/api/events", big)[0] == 413
    assert open_server.post("/api/events/batch", [big])[0] == 200  # the batch limit is 16 MiB
    too_big = json.dumps([{"source": "client_A", "payload": {"n": n, "note": "x" * 1024}}
                          for n in range(17 * 1024)])
    assert open_server.post("/api/events/batch", too_big)[0] == 413
    assert raw_total(open_server) == 1


def test_a_body_just_at_the_limit_is_read(open_server):
    head = '{"source": "client_A", "payload": {"metric": "m", "note": "'
    tail = '"}}'
    body = head + "x" * (1024 * 1024 - len(head) - len(tail)) + tail
    assert len(body) == 1024 * 1024
    assert open_server.post("/api/events", body)[0] == 201


def test_more_than_10000_events_in_a_batch_is_413(open_server):
    lines = "\n".join(json.dumps({"source": "c", "payload": {"n": n}}) for n in range(10_001))
    assert open_server.post("/api/events/batch", lines, content_type="application/x-ndjson")[0] == 413
    assert raw_total(open_server) == 0


@pytest.mark.parametrize("depth", [201, 5000])
def test_json_nested_over_200_levels_is_a_rejected_event(open_server, depth):
    body = '{"source": "client_A", "payload": {"deep": ' + "[" * depth + "]" * depth + "}}"
    status, _, result = open_server.post("/api/events", body)
    assert status == 422 and result["outcome"] == "rejected"
    assert raw_total(open_server) == 1


def test_simulation_is_refused_without_allow_simulation_and_stores_nothing(make_server):
    served = make_server("--no-auth")
    assert served.post("/api/events", {**EVENT, "simulateFailure": True})[0] == 400
    assert served.post("/api/events?simulate=before_write", EVENT)[0] == 400
    assert served.post("/api/events/batch", [EVENT, {**EVENT, "simulateFailure": True}])[0] == 400
    # the key spelt with an escape is the same key: the batch's fast path must not miss it
    escaped = '[{"source": "client_A", "payload": {}}, {"source": "client_A", "payload": {}, "simulate\\u0046ailure": true}]'
    assert served.post("/api/events/batch", escaped)[0] == 400
    assert raw_total(served) == 0


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=100000", "after=%%%", "status=bogus",
                                   "from=notadate"])
def test_unreadable_query_parameters_are_400(open_server, query):
    path = "/api/events/normalized?" if query.startswith("from") else "/api/events/raw?"
    status, _, body = open_server.get(path + query)
    assert status == 400 and "error" in body


def test_no_response_holds_a_stack_trace(open_server):
    probes = [("POST", "/api/events", b"\xff\xfe"), ("POST", "/api/events/batch", b"{"), ("GET", "/nope", None),
              ("DELETE", "/api/events", None), ("POST", "/api/events/retry", b"[]"),
              ("GET", "/api/aggregates?startDate=2024-02-01&endDate=2024-01-01", None)]
    for method, path, body in probes:
        status, _, text = open_server.request(method, path, body)
        assert status < 500 and "Traceback" not in json.dumps(text), (method, path)


def test_tokens_never_reach_the_servers_output(secured):
    secret = "edk_" + "s" * 43
    for headers in (bearer(secured.tokens["a"]), bearer(secret), bearer(secured.tokens["admin"])):
        secured.post("/api/events", EVENT, headers=headers)
        secured.post("/api/events", b"{broken", headers=headers)
        secured.get("/api/events/stats", headers=headers)
    assert secured.stop() == 0
    assert "edk_" not in "".join(secured.stderr_lines)  # stop() read all of stderr and stdout
