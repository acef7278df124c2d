"""Listen for clients: the HTTP server of ``eventdesk serve`` in the window's process.

Started and stopped from Tools › Listen for clients or the status bar's button (both follow
``changed``). A taken port is refused at once by ``BackgroundServer.start`` and said in the
message area. While it listens, a light timer shows requests per second and, when requests
arrived, tells the tabs that data changed (they reload in the pool). Simulation requests are
honoured only while the Submit tab's failure simulation is on.

The server comes from ``eventdesk.http`` (``BackgroundServer``), handed in by the entry point
(``eventdesk.cli``): the GUI and the HTTP API are sibling layers and never import each other.
"""
from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import Callable, Optional, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from eventdesk.app import App, listening
from eventdesk.app.listening import AdminToken
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.session import Session
from eventdesk.gui.simulation import FailureSimulation

TICK_MS = 500           # a request is seen by the next tick: requests_per_second looks back 1 s
REFRESH_EVERY_S = 1.0   # at most one table and statistics reload per second while requests arrive


class Server(Protocol):
    """What the listener needs of ``eventdesk.http.server.BackgroundServer``."""

    address: Optional[str]
    allow_simulation: bool

    def start(self) -> str: ...
    def stop(self) -> None: ...
    def requests_per_second(self) -> int: ...


#: ``(app, host, port, allow_simulation=...) -> Server``: ``BackgroundServer`` itself.
ServerFactory = Callable[..., Server]


class ClientListener(QObject):
    """Owns the BackgroundServer while listening; ``changed`` on start, stop and every tick."""

    changed = Signal()

    def __init__(self, session: Session, simulation: FailureSimulation, prefs: Preferences,
                 server_factory: Optional[ServerFactory] = None, token_folder: Optional[Path] = None) -> None:
        super().__init__()
        self.session, self.simulation, self.prefs = session, simulation, prefs
        self.server_factory = server_factory
        self.token_folder = token_folder
        self.server: Optional[Server] = None
        self.token: Optional[AdminToken] = None
        self.rate = 0
        self._dirty = False
        self._last_refresh = 0.0
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        simulation.changed.connect(self._follow_simulation)
        session.store_opened.connect(self._on_store_opened)

    @property
    def listening(self) -> bool:
        return self.server is not None

    @property
    def address(self) -> Optional[str]:
        return self.server.address if self.server is not None else None

    def set_listening(self, on: bool) -> None:
        if on and not self.listening:
            self.start()
        elif not on and self.listening:
            self.stop()

    def start(self) -> bool:
        """Listen on the host and port of the settings; False (and a message) when that fails."""
        app = self.session.app
        if self.server_factory is None:
            self.session.messages.warning("Listening for clients needs the HTTP server: start the app with "
                                          "`eventdesk` from its command line")
            self.changed.emit()
            return False
        if app is None:
            self.session.messages.warning("Listening for clients needs an open store")
            self.changed.emit()
            return False
        ok = self._start_on(app)
        self.changed.emit()
        return ok

    def _start_on(self, app: App) -> bool:
        host, port = self.prefs.listen_host, self.prefs.listen_port
        assert self.server_factory is not None
        server = self.server_factory(app, host, port, allow_simulation=self.simulation.enabled)
        try:
            address = server.start()  # binds first: a taken port fails here, at once
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                self.session.messages.report(exc, "Listening for clients")
                return False
            self.session.messages.error(f"Cannot listen for clients: {exc.strerror} "
                                        "(choose another port in Tools › Settings)")
            return False
        except ValueError as exc:  # the server refuses the settings (a port out of range)
            self.session.messages.error(f"Cannot listen for clients: {exc}")
            return False
        except Exception as exc:  # noqa: BLE001 - the server did not start in time
            self.session.messages.report(exc, "Listening for clients")
            return False
        self.server, self.rate, self.token = server, 0, None
        self.timer.start()
        self.session.messages.info(f"Listening for clients on {address}")
        self.session.run(listening.admin_token, self.token_folder, doing="Reading the admin token",
                         on_result=self._on_token)
        return True

    def stop(self, quiet: bool = False) -> None:
        """Stop accepting, let requests in flight finish, free the port."""
        server, self.server = self.server, None
        self.timer.stop()
        self.rate = 0
        if server is None:
            return
        server.stop()
        self.session.data_changed.emit()  # the last requests' events
        if not quiet:
            self.session.messages.info("Stopped listening for clients")
        self.changed.emit()

    def copy_token(self) -> Optional[str]:
        """Put the admin token on the clipboard (None, with the reason said, when there is none)."""
        token = self.token
        if token is None:
            self.session.messages.warning("The admin token is not read yet: start listening first")
            return None
        if token.token is None:
            self.session.messages.warning(f"No admin token to copy: {token.why}")
            return None
        QGuiApplication.clipboard().setText(token.token)
        self.session.messages.info(f"Copied the admin token (it is also in {token.path}); "
                                   "clients send it as 'Authorization: Bearer …'")
        return token.token

    def _on_token(self, token: AdminToken) -> None:
        self.token = token
        if token.created:
            self.session.messages.info(f"Created an admin token for clients, readable only by you, in {token.path}")
        self.changed.emit()

    def _follow_simulation(self) -> None:
        if self.server is not None:
            self.server.allow_simulation = self.simulation.enabled

    def _on_store_opened(self, app: App) -> None:
        """The listener serves the open store: it moves to the new one."""
        if self.server is not None:
            self.stop(quiet=True)
            if self._start_on(app):
                self.session.messages.info(f"Listening for clients on {self.address}, now for the newly opened store")
            self.changed.emit()

    def _tick(self) -> None:
        if self.server is None:
            return
        self.rate = self.server.requests_per_second()
        self._dirty = self._dirty or self.rate > 0
        now = time.monotonic()
        if self._dirty and now - self._last_refresh >= REFRESH_EVERY_S:
            self._dirty, self._last_refresh = False, now
            self.session.data_changed.emit()
        self.changed.emit()


class ListenerStatus(QWidget):
    """The status bar's part: a Listen button that shows the address and requests per second,
    and Copy token."""

    def __init__(self, listener: ClientListener, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.listener = listener
        self.button = QToolButton(checkable=True, autoRaise=True)
        self.button.setToolTip("start or stop the HTTP API for clients (Tools › Listen for clients)")
        self.button.clicked.connect(listener.set_listening)
        self.rate = QLabel("")
        self.copy = QToolButton(text="Copy token", autoRaise=True)
        self.copy.setToolTip("copy the admin token clients send as 'Authorization: Bearer …'")
        self.copy.clicked.connect(lambda _checked=False: listener.copy_token())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.button, self.rate, self.copy):
            layout.addWidget(widget)
        listener.changed.connect(self.show_state)
        self.show_state()

    def show_state(self) -> None:
        listener = self.listener
        on = listener.listening
        self.button.setChecked(on)
        self.button.setText(f"● {listener.address}" if on else "Listen")
        self.rate.setText(f"{listener.rate:,} req/s" if on else "")
        self.rate.setVisible(on)
        self.copy.setVisible(on)
        self.copy.setEnabled(on and listener.token is not None and listener.token.token is not None)
