"""Tools › Listen for clients and the status bar's Listen button: the HTTP API in the window's
process, real requests over loopback, a taken port, stop and quit."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def server_threads() -> list[str]:
    """The server's thread and the threads it starts (request workers, group commit)."""
    return [t.name for t in threading.enumerate() if t.name in ("eventdesk-http", "AnyIO worker thread")]


def post(address: str, body: dict, token: str | None, query: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{address}/api/events{query}", json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture
def listening(qtbot, window, prefs):
    """The window listening on a free loopback port (started from the Tools menu), with its token."""
    prefs.listen_port = free_port()
    window.actions_.listen.trigger()
    assert window.listener.listening and window.actions_.listen.isChecked()
    qtbot.waitUntil(lambda: window.listener.token is not None, timeout=10_000)
    yield window
    window.listener.stop(quiet=True)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_posted_event_shows_up_in_the_raw_and_statistics_tabs(qtbot, listening, prefs, idle):
    window = listening
    status = window.listener_status
    address = f"http://127.0.0.1:{prefs.listen_port}"
    assert status.button.isChecked() and address in status.button.text()
    assert status.copy.isVisible() and status.copy.isEnabled()
    click(qtbot, status.copy)
    token = QGuiApplication.clipboard().text()
    assert token.startswith("edk_") and "admin token" in window.message_area.text
    window.tabs.setCurrentWidget(window.raw_tab)
    idle(window)
    assert window.raw_tab.model.rowCount() == 0
    code, reply = post(address, {"source": "client_A", "payload": {"amount": 12.5, "metric": "sales"}}, token)
    assert code in (200, 201) and reply["outcome"] == "accepted", reply
    started = time.monotonic()
    qtbot.waitUntil(lambda: window.raw_tab.model.rowCount() == 1, timeout=3_000)
    assert time.monotonic() - started < 2.5
    qtbot.waitUntil(lambda: "req/s" in status.rate.text(), timeout=2_000)
    window.tabs.setCurrentWidget(window.stats_tab)
    code, _ = post(address, {"source": "client_B", "payload": {"amount": 1}}, token)
    assert code in (200, 201)
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None
                    and window.stats_tab.snapshot.stats.raw_total == 2, timeout=3_000)


def test_without_the_token_nothing_is_stored(qtbot, listening, prefs, idle):
    code, _ = post(f"http://127.0.0.1:{prefs.listen_port}", {"source": "a", "payload": {}}, None)
    assert code == 401
    idle(listening)
    assert listening.raw_tab.model.total in (0, None)


def test_a_taken_port_is_reported_at_once(qtbot, window, prefs):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        prefs.listen_port = taken.getsockname()[1]
        started = time.monotonic()
        click(qtbot, window.listener_status.button)
        assert time.monotonic() - started < 1.0
    finally:
        taken.close()
    assert not window.listener.listening
    assert not window.listener_status.button.isChecked() and not window.actions_.listen.isChecked()
    assert "Cannot listen for clients" in window.message_area.text
    assert "already in use" in window.message_area.text
    assert server_threads() == []


def test_stopping_frees_the_port_and_ends_the_thread(qtbot, window, prefs):
    port = prefs.listen_port = free_port()
    click(qtbot, window.listener_status.button)
    assert window.listener.listening and not port_is_free(port) and server_threads()
    click(qtbot, window.listener_status.button)
    assert not window.listener.listening and not window.actions_.listen.isChecked()
    assert server_threads() == [] and port_is_free(port)
    assert window.message_area.text == "Stopped listening for clients"
    window.actions_.listen.trigger()  # and again, from the menu
    assert window.listener.listening
    window.actions_.listen.trigger()
    assert server_threads() == [] and port_is_free(port)


def test_quitting_while_listening_ends_the_server(qtbot, listening, prefs):
    port = prefs.listen_port
    code, _ = post(f"http://127.0.0.1:{port}", {"source": "a", "payload": {}}, listening.listener.token.token)
    assert code in (200, 201) and "AnyIO worker thread" in server_threads()
    listening.actions_.quit.trigger()
    assert server_threads() == [] and port_is_free(port)


def test_simulation_requests_follow_the_submit_tabs_switch(qtbot, listening, prefs, idle):
    window = listening
    address, token = f"http://127.0.0.1:{prefs.listen_port}", window.listener.token.token
    event = {"source": "client_A", "payload": {"amount": 3}}
    code, _ = post(address, event, token, "?simulate=mid_transaction")
    assert code == 400  # simulation is off: refused, nothing stored
    window.submit_tab.simulate.click()
    assert window.simulation.enabled
    code, reply = post(address, event, token, "?simulate=mid_transaction")
    assert reply.get("outcome") == "failed", (code, reply)
    window.submit_tab.simulate.click()
    assert not window.simulation.enabled
    code, _ = post(address, {"source": "client_A", "payload": {"amount": 4}}, token, "?simulate=mid_transaction")
    assert code == 400


def test_the_new_store_is_served_after_opening_another(qtbot, listening, prefs, tmp_path, idle):
    window = listening
    with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
        window.open_store(str(tmp_path / "other.db"))
    assert window.listener.listening and server_threads().count("eventdesk-http") == 1
    qtbot.waitUntil(lambda: window.listener.token is not None, timeout=10_000)
    assert window.listener.token.token  # the other store got its own admin token
