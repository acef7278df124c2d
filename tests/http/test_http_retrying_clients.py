"""16 retrying clients through a proxy that loses replies after the request was delivered: the
store ends exactly equal to the distinct events sent; again across a kill -9 of the server; and
a negative control with the dedup guard off, which double counts."""
from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
from decimal import Decimal

import pytest
from http_served import cli, free_port

CLIENTS, EVENTS_PER_CLIENT = 16, 25


class LossyProxy:
    """Forwards one request per connection; drops a share of the replies after delivery."""

    def __init__(self, upstream_port: int, drop: float, seed: int = 7) -> None:
        self.upstream_port, self.drop = upstream_port, drop
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.dropped = self.forwarded = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client:
            try:
                request = _read_request(client)
                with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as upstream:
                    upstream.sendall(request)
                    reply = b"".join(iter(lambda: upstream.recv(65536), b""))
            except OSError:
                return  # the server is down: the client sees a closed connection
            with self.lock:
                lose = self.random.random() < self.drop
                self.dropped += lose
                self.forwarded += 1
            if not lose:
                client.sendall(reply)

    def close(self) -> None:
        self.closed = True
        self.sock.close()


def _read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("client went away")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("client went away")
        body += chunk
    return head + b"\r\n\r\n" + body


def event(client: int, n: int, sent_at: int) -> dict:
    amount = Decimal(client * 1000 + n) / 100
    return {"source": f"client_{client % 4}",
            "payload": {"metric": "sale", "amount": str(amount), "timestamp": f"2024-01-{1 + n % 28:02d}T10:00:00Z",
                        **({"sent_at": sent_at} if client % 2 else {})}}


ACKNOWLEDGED: list = []  # one entry per event a client saw acknowledged


def run_client(port: int, client: int, use_keys: bool, failures: list) -> None:
    """Send each event until it is acknowledged; odd clients change ``sent_at`` on every retry."""
    for n in range(EVENTS_PER_CLIENT):
        for attempt in range(200):
            body = json.dumps(event(client, n, attempt if use_keys else 0))
            headers = {"Content-Type": "application/json", "Connection": "close", "Host": "localhost"}
            if use_keys:
                headers["Idempotency-Key"] = f"c{client}-e{n}"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/events", body, headers)
                response = conn.getresponse()
                status, reply = response.status, json.loads(response.read())
                conn.close()
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.02)
                continue  # timeout, reset, or a lost reply: send again
            if status in (200, 201):
                ACKNOWLEDGED.append(1)
                break
            if status == 422 and "another body" in reply.get("error", ""):
                ACKNOWLEDGED.append(1)
                break  # the first attempt with this key was stored
            if status in (409, 503):
                time.sleep(0.02)
                continue
            failures.append((client, n, status, reply))
            break
        else:
            failures.append((client, n, "gave up"))


def run_clients(port: int, keys_for=lambda client: client % 2 == 1, during=None) -> list:
    failures: list = []
    threads = [threading.Thread(target=run_client, args=(port, c, keys_for(c), failures)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    if during is not None:
        during()
    for t in threads:
        t.join(300)
    return failures


def expected_sum() -> Decimal:
    return sum((Decimal(c * 1000 + n) / 100 for c in range(CLIENTS) for n in range(EVENTS_PER_CLIENT)), Decimal(0))


def store_numbers(store) -> tuple[int, int, Decimal]:
    stats = json.loads(cli(store, "stats", "--json").stdout)
    rows = json.loads(cli(store, "aggregates", "--json").stdout)["rows"]
    total = sum((Decimal(r["sum"]) for r in rows), Decimal(0))
    return stats["raw"]["total"], stats["normalized"], total


DISTINCT = CLIENTS * EVENTS_PER_CLIENT


@pytest.mark.slow
def test_retrying_clients_through_a_lossy_proxy_count_every_event_once(open_server):
    proxy = LossyProxy(open_server.port, drop=0.25)
    try:
        failures = run_clients(proxy.port)
    finally:
        proxy.close()
    assert failures == []
    assert proxy.dropped > 20  # the proxy did lose replies
    assert store_numbers(open_server.store) == (DISTINCT, DISTINCT, expected_sum())


@pytest.mark.slow
def test_kill_9_in_the_middle_then_restart_clients_retry_with_the_same_keys(make_server, tmp_path):
    port = free_port()
    first = make_server("--no-auth", "--port", str(port), start=False)
    first.port, first.url = port, f"http://127.0.0.1:{port}"
    first.args = ["--no-auth"]
    first.start()
    proxy = LossyProxy(port, drop=0.1)
    restarted = {}
    ACKNOWLEDGED.clear()

    def crash_and_restart():
        deadline = time.monotonic() + 60
        while len(ACKNOWLEDGED) < DISTINCT // 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        restarted["acknowledged_at_kill"] = len(ACKNOWLEDGED)
        first.kill9()
        time.sleep(0.5)
        second = make_server("--no-auth", start=False)
        second.port, second.url = port, f"http://127.0.0.1:{port}"
        restarted["server"] = second.start()

    try:
        failures = run_clients(proxy.port, keys_for=lambda client: True, during=crash_and_restart)
    finally:
        proxy.close()
    assert failures == []
    assert "server" in restarted and 0 < restarted["acknowledged_at_kill"] < DISTINCT  # killed mid-run
    raw, normalized, total = store_numbers(first.store)
    assert (normalized, total) == (DISTINCT, expected_sum())
    # a raw event per distinct event, plus at most one per request cut off by the kill in flight
    # (its reply never came, its key's claim was taken over): those are semantic duplicates
    assert DISTINCT <= raw <= DISTINCT + CLIENTS


@pytest.mark.slow
def test_negative_control_without_the_dedup_guard_the_retries_double_count(make_server, server_env):
    env = {**server_env, "EVENTDESK_UNSAFE_DISABLE_DEDUP_GUARD": "1"}
    served = make_server("--no-auth", env=env)
    proxy = LossyProxy(served.port, drop=0.25)
    try:
        failures = run_clients(proxy.port, keys_for=lambda client: False)
    finally:
        proxy.close()
    assert failures == []
    raw, normalized, total = store_numbers(served.store)
    assert normalized > DISTINCT and total > expected_sum()
