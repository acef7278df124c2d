"""The outer ASGI layer: Host allow-list (421), Origin check (403), CORS only when asked,
request metrics, and a plain JSON 500 in place of any stack trace."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from eventdesk.http.config import ServerConfig
from eventdesk.http.metrics import Metrics

log = logging.getLogger("eventdesk.http")
ROUTES = ("/api/events", "/api/events/batch", "/api/events/raw", "/api/events/normalized",
          "/api/aggregates", "/api/events/stats", "/api/events/retry", "/healthz", "/metrics",
          "/openapi.json", "/api/triage")
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def json_bytes(status_body: dict[str, Any]) -> bytes:
    return json.dumps(status_body, ensure_ascii=False).encode("utf-8")


async def send_json(send: Send, status: int, body: dict[str, Any],
                    headers: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
    data = json_bytes(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *headers]})
    await send({"type": "http.response.body", "body": data})


class Guard:
    def __init__(self, inner: Any, config: ServerConfig, metrics: Metrics) -> None:
        self.inner = inner
        self.config = config
        self.metrics = metrics
        self.port = config.port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in ROUTES else "other"
        started = time.perf_counter()
        code = 500
        response_started = observed = False

        async def send_observed(message: dict[str, Any]) -> None:
            nonlocal code, response_started, observed
            if message["type"] == "http.response.start":
                code = message["status"]
                response_started = True
                cors = self._cors_headers(scope)
                if cors:
                    message = {**message, "headers": [*message.get("headers", []), *cors]}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                observed = True  # counted before the client can read the reply
                self.metrics.observe_request(route, code, time.perf_counter() - started)
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await send_json(send_observed, *refusal)
            elif scope["method"] == "OPTIONS" and self._cors_origin(scope):
                await send_observed({"type": "http.response.start", "status": 204, "headers": [
                    (b"access-control-allow-methods", CORS_METHODS.encode()),
                    (b"access-control-allow-headers", CORS_HEADERS.encode()),
                    (b"access-control-max-age", b"600")]})
                await send_observed({"type": "http.response.body", "body": b""})
            else:
                await self.inner(scope, receive, send_observed)
        except Exception:  # a defect of ours: the log has the traceback, the client a plain line
            log.exception("request to %s failed", route)
            if not response_started:
                await send_json(send_observed, 500, {"error": "internal error; see the server's log"})
        finally:
            if not observed:
                self.metrics.observe_request(route, code, time.perf_counter() - started)

    def _refusal(self, scope: Scope) -> tuple[int, dict[str, Any]] | None:
        headers = _headers(scope)
        host = headers.get("host", "").lower()
        if host not in self.config.host_names(self.port):
            return 421, {"error": f"Host {host!r} is not served here (allow it with --allow-host)"}
        origin = headers.get("origin")
        if origin is not None and not self._same_origin(origin, host) and origin not in self.config.cors_origins:
            return 403, {"error": f"requests from the web page at {origin!r} are not allowed"}
        return None

    @staticmethod
    def _same_origin(origin: str, host: str) -> bool:
        return origin.lower() in (f"http://{host}", f"https://{host}")

    def _cors_origin(self, scope: Scope) -> str | None:
        origin = _headers(scope).get("origin")
        return origin if origin is not None and origin in self.config.cors_origins else None

    def _cors_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        origin = self._cors_origin(scope)
        if origin is None:
            return []
        return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
