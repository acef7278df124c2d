"""Building the ASGI app, and running it: in the foreground for ``eventdesk serve``, or in a
background thread of another process (the desktop app's "Listen for clients")."""
from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse

from eventdesk.app import App, queries
from eventdesk.app.http_state import HttpState
from eventdesk.http.config import PortInUse, ServerConfig
from eventdesk.http.metrics import Metrics
from eventdesk.http.routes import Api
from eventdesk.http.security import Guard

log = logging.getLogger("eventdesk.http")


def build_asgi(app: App, state: HttpState, config: ServerConfig) -> Guard:
    """The whole HTTP API as one ASGI callable (the Guard wraps the Starlette routes)."""
    metrics = Metrics(lambda: queries.stats(app))
    api = Api(app, state, config, metrics)

    async def not_found(request: Any, exc: Any) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, exc.status_code, getattr(exc, "headers", None))

    async def defect(request: Any, exc: Exception) -> JSONResponse:  # the Guard logs the traceback
        return JSONResponse({"error": "internal error; see the server's log"}, 500)

    starlette = Starlette(routes=api.routes(),
                          exception_handlers={404: not_found, 405: not_found, Exception: defect})
    return Guard(starlette, config, metrics)


def bind(host: str, port: int) -> socket.socket:
    """Bind now, so that a taken port is reported at once, not after a hang."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it a keep-alive
    # reply's body waits 40 ms for the client's delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(errno.EADDRINUSE, f"{host}:{port} is already in use by another program") from None
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, telling when it is ready, and ending with exit status 0 on a signal."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # unlike uvicorn's own, do not re-raise the signal after the drain: that would end with 130/143
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def uvicorn_config(asgi: Any) -> uvicorn.Config:
    # no access log: it would be the slowest part of a request; credentials are never in it anyway.
    # http and loop "auto": httptools and uvloop (dependencies) when installed, else h11 and asyncio.
    # One process: the group commit, rate limits and Idempotency-Key in-flight set are per process
    return uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="off",
                          timeout_graceful_shutdown=30, server_header=False)


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


def serve_forever(app: App, state: HttpState, config: ServerConfig,
                  on_ready: Callable[[str], None]) -> None:
    """Run in this (main) thread until SIGINT/SIGTERM; in-flight requests finish first."""
    config.check()
    sock = bind(config.host, config.port)
    asgi = build_asgi(app, state, config)
    asgi.port = sock.getsockname()[1]
    server = _Server(uvicorn_config(asgi), lambda: on_ready(address(config.host, asgi.port)))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class BackgroundServer:
    """The same server in a thread of the calling process: start(), stop(), address,
    requests_per_second(). start() raises PortInUse at once when the port is taken."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 5000, *, auth: bool = True,
                 allow_simulation: bool = False, allow_hosts: tuple[str, ...] = (),
                 cors_origins: tuple[str, ...] = ()) -> None:
        self.config = ServerConfig(host, port, auth, allow_simulation, allow_hosts, cors_origins)
        self._app = app
        self._state: HttpState | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._asgi: Guard | None = None
        self.address: str | None = None

    @property
    def allow_simulation(self) -> bool:
        return self.config.allow_simulation

    @allow_simulation.setter
    def allow_simulation(self, value: bool) -> None:  # follows the GUI's simulation switch
        self.config.allow_simulation = value

    def start(self, timeout: float = 10.0) -> str:
        self.config.check()
        sock = bind(self.config.host, self.config.port)
        try:
            self._state = HttpState.of(self._app)
            self._asgi = build_asgi(self._app, self._state, self.config)
        except BaseException:
            sock.close()
            raise
        self._asgi.port = sock.getsockname()[1]
        ready = threading.Event()
        self._server = _Server(uvicorn_config(self._asgi), ready.set)
        self._thread = threading.Thread(target=self._run, args=(sock,), name="eventdesk-http", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError("the HTTP server did not start in time")
        self.address = address(self.config.host, self._asgi.port)
        return self.address

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        try:
            self._server.run(sockets=[sock])
        except Exception:
            log.exception("the HTTP server stopped on an error")
        finally:
            sock.close()

    def requests_per_second(self) -> int:
        return self._asgi.metrics.requests_per_second() if self._asgi is not None else 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop accepting, let the requests in flight finish, and return."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._state is not None:
            self._state.close()
        self._server = self._thread = self._state = None
        self.address = None


def ready_line(url: str) -> None:
    sys.stderr.write(f"eventdesk: listening on {url}\n")
    sys.stderr.flush()
