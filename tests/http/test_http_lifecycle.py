"""Starting and stopping `eventdesk serve`, and the in-process BackgroundServer."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from eventdesk.app import Settings, build_app
from eventdesk.http.config import PortInUse
from eventdesk.http.server import BackgroundServer

EVENT = {"source": "client_A", "payload": {"metric": "sale", "amount": "5", "timestamp": "2024-01-01"}}


def test_ready_line_is_the_only_stderr_line_and_the_url_it_names_serves(open_server):
    assert open_server.stderr_lines == [f"eventdesk: listening on http://127.0.0.1:{open_server.port}\n"]
    assert open_server.get("/healthz")[:1] == (200,)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_drains_in_flight_requests_and_exits_0(open_server, sig):
    results = []

    def post(n):
        body = {"source": "client_A", "payload": {"metric": "m", "amount": n, "timestamp": "2024-01-01"}}
        results.append(open_server.post("/api/events", body)[0])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    code = open_server.stop(sig)
    for t in threads:
        t.join()
    assert code == 0
    assert "Traceback" not in "".join(open_server.stderr_lines)
    acknowledged = results.count(201)
    stats = json.loads(subprocess.run([sys.executable, "-m", "eventdesk", "stats", "--json", "--store",
                                       str(open_server.store)], capture_output=True, text=True).stdout)
    assert stats["normalized"] >= acknowledged  # every acknowledged event is committed


def test_a_taken_port_is_reported_at_once_with_one_line(make_server, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "eventdesk", "serve", "--no-auth", "--port", str(port),
                              "--store", str(tmp_path / "p.db")], capture_output=True, text=True, timeout=30)
    assert time.monotonic() - started < 10
    assert out.returncode != 0
    assert out.stderr.strip().splitlines() == [f"eventdesk: error: 127.0.0.1:{port} is already in use by another program"]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_no_auth_is_refused_off_loopback(tmp_path, host):
    out = subprocess.run([sys.executable, "-m", "eventdesk", "serve", "--no-auth", "--host", host,
                          "--store", str(tmp_path / "n.db")], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "loopback" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_no_auth_is_allowed_on_ipv6_loopback(make_server):
    served = make_server("--no-auth", "--host", "::1", start=False)
    served.url = f"http://[::1]:{served.port}"
    served.start()
    assert served.stderr_lines[-1] == f"eventdesk: listening on http://[::1]:{served.port}\n"
    assert served.get("/healthz")[0] == 200


@pytest.fixture
def app(tmp_path):
    app = build_app(Settings(store_uri=str(tmp_path / "bg.db")))
    yield app
    app.close()


def _post(url, body):
    request = urllib.request.Request(url + "/api/events", json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_background_server_serves_counts_requests_and_stops(app):
    server = BackgroundServer(app, "127.0.0.1", 0, auth=False)
    url = server.start()
    try:
        assert url.startswith("http://127.0.0.1:") and server.address == url and server.running
        assert _post(url, EVENT) == 201
        assert server.requests_per_second() >= 1
        assert app.store.stats().normalized == 1  # the same store as the caller's app
    finally:
        server.stop()
    assert not server.running and server.address is None
    with pytest.raises(OSError):
        _post(url, EVENT)


def test_background_server_reports_a_taken_port_at_once(app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        started = time.monotonic()
        with pytest.raises(PortInUse, match="already in use"):
            BackgroundServer(app, "127.0.0.1", taken.getsockname()[1], auth=False).start()
        assert time.monotonic() - started < 1


def test_background_server_simulation_follows_its_switch(app):
    server = BackgroundServer(app, "127.0.0.1", 0, auth=False)
    url = server.start()
    failing = {**EVENT, "simulateFailure": True}
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            _post(url, failing)
        assert refused.value.code == 400 and app.store.stats().raw_total == 0
        server.allow_simulation = True
        with pytest.raises(urllib.error.HTTPError) as failed:
            _post(url, failing)
        assert failed.value.code == 503
    finally:
        server.stop()


def test_a_defect_of_ours_is_a_plain_json_500_without_a_traceback(app, monkeypatch, caplog):
    server = BackgroundServer(app, "127.0.0.1", 0, auth=False)
    url = server.start()
    monkeypatch.setattr(app.store, "stats", lambda: (_ for _ in ()).throw(RuntimeError("secret detail")))
    try:
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(url + "/api/events/stats", timeout=10)
        body = failed.value.read().decode()
    finally:
        server.stop()
    assert failed.value.code == 500 and json.loads(body) == {"error": "internal error; see the server's log"}
    assert "secret detail" not in body and "Traceback" not in body
    assert "secret detail" in caplog.text  # the log has it


def test_keep_alive_replies_are_not_held_back_by_nagle(app):
    # the signature of a listening socket without TCP_NODELAY: every reply after the first on a
    # keep-alive connection waits ~40 ms for the client's delayed ACK
    import http.client
    server = BackgroundServer(app, "127.0.0.1", 0, auth=False)
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", int(server.address.rsplit(":", 1)[1]), timeout=10)
        times = []
        for _ in range(7):
            started = time.perf_counter()
            conn.request("GET", "/openapi.json", headers={"Host": "localhost"})
            conn.getresponse().read()
            times.append(time.perf_counter() - started)
        conn.close()
    finally:
        server.stop()
    assert sorted(times[1:])[3] < 0.025, times
