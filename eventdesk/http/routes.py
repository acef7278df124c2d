"""The endpoints of design section 10. A small single event is parsed in the event loop and
awaits the shared commit of ``HttpState.commits``; other blocking store work runs in the thread
pool, where concurrent requests meet in the processor's group commit."""
from __future__ import annotations

import json
import re
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from eventdesk.app import App, events, http_events, queries
from eventdesk.app.http_events import Posted, Refused
from eventdesk.app.http_state import (
    ALL_STATUSES,
    BUCKETS,
    AggregateQuery,
    HttpState,
    NormalizedQuery,
    Page,
    QueryError,
    RawQuery,
    StoreError,
    TokenRecord,
    client_param,
    decode_cursor,
    encode_cursor,
    metric_param,
    normalized_item,
    parse_limit,
    parse_when,
    raw_item,
)
from eventdesk.http.config import MAX_BATCH_EVENTS, ServerConfig
from eventdesk.http.metrics import CONTENT_TYPE as METRICS_TYPE
from eventdesk.http.metrics import Metrics
from eventdesk.http.openapi import openapi_document

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/jsonlines")
DRAIN_AT_MOST = 64 * 1024 * 1024
PARSE_IN_LOOP_MAX = 64 * 1024  # larger single bodies are parsed in the pool, not stalling the loop
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as the draft's sf-string


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    try:  # orjson: a batch's 1,000 results in a tenth of the time
        data = orjson.dumps(body, default=str)
    except (orjson.JSONEncodeError, TypeError):  # a number over 64 bits, a key not a string
        data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    return Response(data, status, headers, media_type="application/json")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _json(status, {"error": message}, headers)


class Api:
    def __init__(self, app: App, state: HttpState, config: ServerConfig, metrics: Metrics) -> None:
        self.app, self.state, self.config, self.metrics = app, state, config, metrics

    def routes(self) -> list[Route]:
        return [
            Route("/api/events", self._guarded(self.post_event), methods=["POST"]),
            Route("/api/events/batch", self._guarded(self.post_batch), methods=["POST"]),
            Route("/api/events/raw", self._guarded(self.get_raw), methods=["GET"]),
            Route("/api/events/normalized", self._guarded(self.get_normalized), methods=["GET"]),
            Route("/api/aggregates", self._guarded(self.get_aggregates), methods=["GET"]),
            Route("/api/events/stats", self._guarded(self.get_stats), methods=["GET"]),
            Route("/api/triage", self._guarded(self.get_triage), methods=["GET"]),
            Route("/api/events/retry", self._guarded(self.post_retry), methods=["POST"]),
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/metrics", self._guarded(self.get_metrics), methods=["GET"]),
            Route("/openapi.json", self.openapi, methods=["GET"]),
        ]

    def _guarded(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except (Refused, QueryError) as exc:
                status = exc.status if isinstance(exc, Refused) else 400
                return _error(status, str(exc))
            except StoreError as exc:
                return _error(503, f"the store is unavailable: {exc}", {"Retry-After": "1"})
        return endpoint

    # -- checks shared by the endpoints

    async def _token(self, request: Request, admin: bool) -> TokenRecord | None:
        if not self.config.auth:
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _Unauthorized("a bearer token is needed (Authorization: Bearer ...)")
        seen, record = self.state.tokens.recently_seen(token.strip())
        if not seen:  # the store is asked at most every TOKEN_CACHE_S per token
            record = await run_in_threadpool(self.state.tokens.authenticate, token.strip())
        if record is None:
            raise _Unauthorized("the token is unknown or revoked")
        if admin and not record.admin:
            raise Refused(403, f"the token {record.name!r} may only post events; this needs a token for *")
        wait = self.state.rates.check(record.name, record.rate)
        if wait > 0:
            raise _TooMany(wait)
        return record

    def _content_type(self, request: Request, allowed: tuple[str, ...]) -> str:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in allowed:
            shown = kind or "none"
            raise Refused(415, f"content type {shown} is not accepted here; send {' or '.join(allowed)}")
        return kind

    async def _body(self, request: Request, limit: int) -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > DRAIN_AT_MOST:
                break  # stop reading; the connection closes after the 413
            if size <= limit:
                chunks.append(chunk)
        if size > limit:  # read to the end (bounded), so the client sees the 413, not a broken pipe
            raise Refused(413, f"the body is over the limit of {limit:,} bytes")
        return b"".join(chunks)

    # -- writing

    async def post_event(self, request: Request) -> Response:
        return await self._post(request, JSON_TYPES, self.config.max_body, batch=False)

    async def post_batch(self, request: Request) -> Response:
        return await self._post(request, JSON_TYPES + NDJSON_TYPES, self.config.max_batch_body, batch=True)

    async def _post(self, request: Request, types: tuple[str, ...], limit: int, batch: bool) -> Response:
        try:
            token = await self._token(request, admin=False)
        except _Unauthorized as exc:
            return _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
        except _TooMany as exc:
            return _error(429, "over this token's rate; wait and send again", {"Retry-After": exc.after})
        kind = self._content_type(request, types)
        body = await self._body(request, limit)
        fault = http_events.simulation_fault(request.query_params.get("simulate"), self.config.allow_simulation)
        key = request.headers.get("idempotency-key")
        if key is None:
            return self._respond(await self._submit(body, kind, batch, token, fault))
        if not KEY_PATTERN.match(key):
            raise Refused(400, "Idempotency-Key must be 1 to 255 visible ASCII characters")
        scope = token.name if token is not None else ""
        decision = await run_in_threadpool(self.state.keys.begin, scope, key, body)
        if decision.action == "replay":
            return Response(decision.body, decision.status, {"Idempotent-Replayed": "true"},
                            media_type="application/json")
        if decision.action == "mismatch":
            return _error(422, "this Idempotency-Key was used before with another body")
        if decision.action == "in_flight":
            return _error(409, "a request with this Idempotency-Key is still being processed", {"Retry-After": "1"})
        try:
            posted = await self._submit(body, kind, batch, token, fault)
        except BaseException:
            await run_in_threadpool(self.state.keys.release, scope, key)
            raise
        response = self._respond(posted)
        if posted.status == 503:  # not acknowledged: a retry must run again, not replay a failure
            await run_in_threadpool(self.state.keys.release, scope, key)
        else:
            await run_in_threadpool(self.state.keys.finish, scope, key, posted.status, response.body)
        return response

    async def _submit(self, body: bytes, kind: str, batch: bool, token: TokenRecord | None, fault: Any) -> Posted:
        """A small single event is parsed once, here in the loop, and awaits the shared commit
        without holding a thread; batches, large bodies and simulated failures use the pool."""
        commits = self.state.commits
        if batch or fault is not None or len(body) > PARSE_IN_LOOP_MAX or commits is None:
            return await run_in_threadpool(self._process, body, kind, batch, token, fault)
        prepared = http_events.prepare_event(self.app, body, token, self.config.allow_simulation)
        if prepared.envelope.simulate_failure:
            result = await run_in_threadpool(events.submit_prepared, self.app, prepared, None)
        else:
            result = await commits.submit(prepared)
        return self._observed(http_events.posted_event(prepared, result))

    def _process(self, body: bytes, kind: str, batch: bool, token: TokenRecord | None, fault: Any) -> Posted:
        allow = self.config.allow_simulation
        if batch:
            posted = http_events.post_batch(self.app, body, kind in NDJSON_TYPES, MAX_BATCH_EVENTS,
                                            token, allow, fault)
        else:
            posted = http_events.post_event(self.app, body, token, allow, fault)
        return self._observed(posted)

    def _observed(self, posted: Posted) -> Posted:
        for outcome, source in zip(posted.outcomes, posted.sources):
            self.metrics.observe_event(outcome, source)
        self.metrics.observe_reasons(posted.reason_codes)
        return posted

    @staticmethod
    def _respond(posted: Posted) -> Response:
        headers = {"Retry-After": "1"} if posted.status == 503 else None
        return _json(posted.status, posted.body, headers)

    async def post_retry(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        self._content_type(request, JSON_TYPES)
        body = await self._body(request, self.config.max_body)
        statuses = _retry_statuses(body)
        summary = await run_in_threadpool(events.retry, self.app, statuses)
        return _json(200, summary.to_json())

    # -- reading

    async def _reader(self, request: Request) -> Response | None:
        try:
            await self._token(request, admin=True)
        except _Unauthorized as exc:
            return _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
        except _TooMany as exc:
            return _error(429, "over this token's rate; wait and send again", {"Retry-After": exc.after})
        return None

    async def get_raw(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        q = request.query_params
        statuses = tuple(s for value in q.getlist("status") for s in value.split(",") if s)
        for status in statuses:
            if status not in ALL_STATUSES:
                raise QueryError(f"status: {status!r} is not one of {', '.join(ALL_STATUSES)}")
        query = RawQuery(statuses=statuses, source=q.get("source"))
        return await self._page(request, lambda page: queries.raw_page(self.app, query, page), raw_item)

    async def get_normalized(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        q = request.query_params
        query = NormalizedQuery(client_id=client_param("client_id", q.get("client_id")),
                                metric=metric_param("metric", q.get("metric")),
                                time_from=parse_when("from", q.get("from")),
                                time_to=parse_when("to", q.get("to"), end=True))
        return await self._page(request, lambda page: queries.normalized_page(self.app, query, page),
                                normalized_item)

    async def _page(self, request: Request, fetch: Any, shape: Any) -> Response:
        limit = parse_limit(request.query_params.get("limit"))
        after = decode_cursor(request.query_params.get("after"))
        page = Page("id", False, (after, after) if after is not None else None, limit + 1)
        events = await run_in_threadpool(fetch, page)
        more = len(events) > limit
        events = events[:limit]
        return _json(200, {"items": [shape(e) for e in events],
                           "next": encode_cursor(events[-1].id) if more else None})

    async def get_aggregates(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        q = request.query_params
        bucket = q.get("bucket") or "none"
        if bucket not in BUCKETS:
            raise QueryError(f"bucket: {bucket!r} is not one of {', '.join(BUCKETS)}")
        query = AggregateQuery(clients=tuple(client_param("client_id", c) for c in q.getlist("client_id")),
                               metrics=tuple(metric_param("metric", m) for m in q.getlist("metric")),
                               time_from=parse_when("startDate", q.get("startDate")),
                               time_to=parse_when("endDate", q.get("endDate"), end=True), bucket=bucket)
        if query.time_from and query.time_to and query.time_from >= query.time_to:
            raise QueryError("startDate must come before endDate")
        rows = await run_in_threadpool(queries.aggregates, self.app, query)
        return _json(200, {"rows": [row.to_json() for row in rows]})

    async def get_stats(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        stats = await run_in_threadpool(queries.stats, self.app)
        return _json(200, stats.to_json())

    async def get_triage(self, request: Request) -> Response:
        """As `eventdesk triage --status S --client C --json` (design 12); read-only."""
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        q = request.query_params
        for name in ("status", "client"):
            if len(q.getlist(name)) > 1:  # the CLI takes one of each; never guess which one was meant
                raise QueryError(f"{name}: give it once, not {len(q.getlist(name))} times")
        status, client = q.get("status") or None, q.get("client") or None
        if status is not None and status not in ALL_STATUSES:
            raise QueryError(f"status: {status!r} is not one of {', '.join(ALL_STATUSES)}")
        groups = await run_in_threadpool(queries.triage, self.app, status, client)
        return _json(200, {"groups": [group.to_json() for group in groups]})

    async def healthz(self, request: Request) -> Response:
        try:
            await run_in_threadpool(queries.stats, self.app)
        except StoreError:
            return _json(503, {"status": "unavailable"}, {"Retry-After": "1"})
        return _json(200, {"status": "ok"})

    async def get_metrics(self, request: Request) -> Response:
        refusal = await self._reader(request)
        if refusal is not None:
            return refusal
        data = await run_in_threadpool(self.metrics.render)
        return Response(data, 200, media_type=METRICS_TYPE)

    async def openapi(self, request: Request) -> Response:
        return _json(200, openapi_document())


class _Unauthorized(Exception):
    pass


class _TooMany(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__()
        self.after = str(max(1, int(wait + 0.999)))


def _retry_statuses(body: bytes) -> list[str]:
    allowed = ("failed", "dead_letter", "pending", "processing")
    if not body.strip():
        return ["failed"]
    try:
        value = json.loads(body)
    except ValueError:
        raise Refused(400, "the body is not JSON; send {\"status\": \"failed\"}") from None
    status = value.get("status", "failed") if isinstance(value, dict) else None
    statuses = [status] if isinstance(status, str) else status
    if not isinstance(statuses, list) or not statuses or any(s not in allowed for s in statuses):
        raise Refused(400, f"status must be one of {', '.join(allowed)} (or a list of them)")
    return statuses
