"""Submitting over HTTP: source binding, the simulation switch, batches; no HTTP types here.

``Refused`` carries the status code of a refusal that stores nothing (400, 403, 413).
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventdesk.app import events
from eventdesk.app.composition import App
from eventdesk.app.http_state import result_json
from eventdesk.core.faults import FaultPoint, parse_fault_point
from eventdesk.core.ingest import read_events
from eventdesk.core.model import Outcome, Prepared, SubmitResult
from eventdesk.core.normalizer import client_id_of
from eventdesk.core.ports import TokenRecord
from eventdesk.core.rows import SOURCE

STATUS_OF = {Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 200, Outcome.SEMANTIC_DUPLICATE: 200,
             Outcome.REJECTED: 422, Outcome.FAILED: 503}
OUTCOMES = ("accepted", "duplicate", "semantic_duplicate", "rejected", "failed")
_DECODER = json.JSONDecoder()  # strict: a raw control character in a string is not JSON
_BLANK = re.compile(r"[ \t\r\n]*")  # JSON's whitespace, as the general reader strips it


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Posted:
    status: int
    body: dict[str, Any]
    sources: tuple[Any, ...]           # per event, for the metrics
    outcomes: tuple[str, ...]
    reason_codes: tuple[str, ...] = ()  # every reason of every event, for the metrics


def simulation_fault(query_value: str | None, allowed: bool) -> FaultPoint | None:
    if query_value is None:
        return None
    if not allowed:
        raise Refused(400, "failure simulation is off on this server (start it with --allow-simulation)")
    try:
        return parse_fault_point(query_value)
    except ValueError as exc:
        raise Refused(400, f"simulate: {exc}") from None


def _check(prepared: Sequence[Prepared], token: TokenRecord | None, allow_simulation: bool) -> None:
    for index, item in enumerate(prepared):
        where = f"event {index + 1}: " if len(prepared) > 1 else ""
        _check_source(item.envelope.source, token, where)
        if item.envelope.simulate_failure and not allow_simulation:
            raise Refused(400, f"{where}simulateFailure is off on this server (start it with --allow-simulation)")


def _check_sources(sources: Sequence[Any], token: TokenRecord | None) -> None:
    if token is not None and not token.admin:
        for index, source in enumerate(sources):
            _check_source(source, token, f"event {index + 1}: " if len(sources) > 1 else "")


def _check_source(source: Any, token: TokenRecord | None, where: str) -> None:
    """A token names clients: a source is theirs when its client id (the source trimmed) is,
    whether the event is valid or rejected."""
    if token is not None and not token.admin and (not isinstance(source, str) or client_id_of(source)
                                                  not in token.sources):
        shown = repr(source) if isinstance(source, str) else "an event without a readable source"
        raise Refused(403, f"{where}the token {token.name!r} may not post for {shown}")


def prepare_event(app: App, body: bytes, token: TokenRecord | None, allow_simulation: bool) -> Prepared:
    """Parse one event once, and refuse it (storing nothing) when the token or switch forbid it."""
    prepared = app.processor.prepare(body)
    _check([prepared], token, allow_simulation)
    return prepared


def posted_event(prepared: Prepared, result: SubmitResult) -> Posted:
    return Posted(STATUS_OF[result.outcome], result_json(result), (prepared.envelope.source,),
                  (result.outcome.value,), tuple(r.code for r in result.all_reasons()))


def post_event(app: App, body: bytes, token: TokenRecord | None, allow_simulation: bool,
               fault: FaultPoint | None) -> Posted:
    prepared = prepare_event(app, body, token, allow_simulation)
    # through the group commit when there is no fault
    return posted_event(prepared, events.submit_prepared(app, prepared, fault))


def split_batch(body: bytes, ndjson: bool, most: int) -> list[bytes]:
    if not ndjson and not body.lstrip().startswith(b"["):
        raise Refused(400, "a batch is a JSON array (application/json) or JSON lines (application/x-ndjson)")
    fast = None if ndjson else array_elements(body)
    if fast is not None:
        if len(fast) > most:
            raise Refused(413, f"a batch holds at most {most:,} events")
        return fast
    events = []
    for event in read_events(io.BytesIO(body), "jsonl" if ndjson else "array"):
        events.append(event)
        if len(events) > most:
            raise Refused(413, f"a batch holds at most {most:,} events")
    return events


def array_elements(body: bytes) -> list[bytes] | None:
    """The exact bytes of each element of a well-formed JSON array of objects, found by the C
    decoder (the general reader scans byte by byte in Python, 30 times slower); None for
    anything else, which the general reader then splits as ``ingest`` does."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    index = _skip_blank(text, 0)
    if text[index:index + 1] != "[":
        return None
    index = _skip_blank(text, index + 1)
    elements: list[bytes] = []
    if text[index:index + 1] == "]":
        return elements if _skip_blank(text, index + 1) == len(text) else None
    while text[index:index + 1] == "{":
        try:
            _, end = _DECODER.raw_decode(text, index)
        except (ValueError, RecursionError):
            return None
        elements.append(text[index:end].encode("utf-8"))
        index = _skip_blank(text, end)
        if text[index:index + 1] == "]":
            return elements if _skip_blank(text, index + 1) == len(text) else None
        if text[index:index + 1] != ",":
            return None
        index = _skip_blank(text, index + 1)
    return None


def _skip_blank(text: str, index: int) -> int:
    return _BLANK.match(text, index).end()  # type: ignore[union-attr]  # matches the empty string too


def post_batch(app: App, body: bytes, ndjson: bool, most: int, token: TokenRecord | None,
               allow_simulation: bool, fault: FaultPoint | None) -> Posted:
    events = split_batch(body, ndjson, most)
    if fault is None and bulk_ready(app, events):
        preparer, version = app.row_preparer()
        rows = preparer.rows(events)
        sources: tuple[Any, ...] = tuple(row[SOURCE] for row in rows)
        _check_sources(sources, token)
        results = app.processor.submit_rows(rows, version)
    else:
        prepared = [app.processor.prepare(event) for event in events]
        _check(prepared, token, allow_simulation)
        sources = tuple(p.envelope.source for p in prepared)
        results = _apply(app, prepared, fault)
    counts = {name: 0 for name in OUTCOMES}
    for result in results:
        counts[result.outcome.value] += 1
    summary: dict[str, Any] = {"lines": len(results), **counts, "results": [result_json(r) for r in results]}
    status = 503 if counts["failed"] else 200  # a failed event was not acknowledged: send again
    return Posted(status, summary, sources, tuple(r.outcome.value for r in results),
                  tuple(reason.code for r in results for reason in r.all_reasons()))


def bulk_ready(app: App, events: Sequence[bytes]) -> bool:
    """True when the batch can take the store's bulk write (SQLite): compiled rows, a few
    statements for the batch. Not when an event may ask for a simulated failure: its key spelt
    out, or any ``\\u`` escape (which could spell it), sends the batch the general way."""
    return bool(getattr(app.store, "bulk_rows", False)) and not any(
        b"simulateFailure" in event or b"\\u" in event for event in events)


def _apply(app: App, prepared: list[Prepared], fault: FaultPoint | None) -> list[SubmitResult]:
    """One unit of work for the batch; events asking for a simulated failure get theirs apart."""
    if fault is not None:
        return app.processor.apply(prepared, fault)
    flagged = [i for i, p in enumerate(prepared) if p.envelope.simulate_failure]
    if not flagged:
        return app.processor.apply(prepared)
    chosen = set(flagged)
    plain = [i for i in range(len(prepared)) if i not in chosen]
    results: list[SubmitResult | None] = [None] * len(prepared)
    for indexes, point in ((plain, None), (flagged, FaultPoint.MID_TRANSACTION)):
        for index, result in zip(indexes, app.processor.apply([prepared[i] for i in indexes], point)):
            results[index] = result
    return [r for r in results if r is not None]
