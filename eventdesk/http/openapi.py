"""The OpenAPI 3.1 document served at /openapi.json; it describes exactly the routes in routes.py."""
from __future__ import annotations

from typing import Any

_ID = {"type": ["integer", "string", "null"]}
_TEXT = {"type": ["string", "null"]}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_RESULT = {"type": "object", "required": ["outcome", "raw_id", "normalized_id", "status", "error", "duplicate_of"],
           "properties": {"outcome": {"enum": ["accepted", "duplicate", "semantic_duplicate", "rejected", "failed"]},
                          "raw_id": _ID, "normalized_id": _ID, "status": _TEXT, "error": _TEXT,
                          "duplicate_of": _ID}}
_COUNTS = {name: {"type": "integer"} for name in
           ("lines", "accepted", "duplicate", "semantic_duplicate", "rejected", "failed")}
_BATCH = {"type": "object", "required": [*_COUNTS, "results"],
          "properties": {**_COUNTS, "results": {"type": "array", "items": _RESULT}}}
_REASONS = {"type": "array", "items": {"type": "object", "required": ["code", "field", "key"], "properties": {
    "code": {"type": "string"}, "field": _TEXT, "key": _TEXT}}}  # docs/reasons.md
_RAW = {"type": "object", "required": ["id", "source", "payload", "status", "content_hash", "error", "attempts",
                                       "receipts", "received_at"],
        "properties": {"id": _ID, "source": _TEXT, "payload": {}, "status": {"type": "string"},
                       "content_hash": {"type": "string"}, "error": _TEXT, "attempts": {"type": "integer"},
                       "receipts": {"type": "integer"}, "received_at": {"type": "string"},
                       "reasons": _REASONS}}
_NORMALIZED = {"type": "object", "required": ["id", "raw_id", "client_id", "metric", "amount", "timestamp",
                                              "normalized_hash", "warnings"],
               "properties": {"id": _ID, "raw_id": _ID, "client_id": {"type": "string"}, "metric": _TEXT,
                              "amount": _TEXT, "timestamp": _TEXT, "normalized_hash": {"type": "string"},
                              "warnings": {"type": "array", "items": {"type": "string"}},
                              "reasons": _REASONS}}
_AGGREGATES = {"type": "object", "required": ["rows"], "properties": {"rows": {"type": "array", "items": {
    "type": "object", "required": ["client_id", "metric", "bucket", "count", "sum", "avg", "min", "max"],
    "properties": {"client_id": {"type": "string"}, "metric": _TEXT, "bucket": _TEXT,
                   "count": {"type": "integer"}, "sum": _TEXT, "avg": _TEXT, "min": _TEXT, "max": _TEXT}}}}}
_STATS = {"type": "object", "required": ["raw", "normalized", "duplicates"], "properties": {
    "raw": {"type": "object", "required": ["total", "by_status"],
            "properties": {"total": {"type": "integer"},
                           "by_status": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    "normalized": {"type": "integer"},
    "duplicates": {"type": "object", "required": ["exact", "semantic"],
                   "properties": {"exact": {"type": "integer"}, "semantic": {"type": "integer"}}}}}
_RETRY = {"type": "object", "required": ["selected", "normalized", "duplicate", "failed"],
          "properties": {k: {"type": "integer"} for k in ("selected", "normalized", "duplicate", "failed")}}
_TRIAGE = {"type": "object", "required": ["groups"], "properties": {"groups": {"type": "array", "items": {
    "type": "object", "required": ["code", "client_id", "field", "count", "first_seen", "last_seen",
                                   "sample_raw_ids", "timeline"],
    "properties": {"code": {"type": "string"}, "client_id": _TEXT, "field": _TEXT, "count": {"type": "integer"},
                   "first_seen": {"type": "string"}, "last_seen": {"type": "string"},
                   "sample_raw_ids": {"type": "array", "items": _ID},
                   "timeline": {"type": "object", "required": ["unit", "start", "counts"], "properties": {
                       "unit": {"enum": ["hour", "day"]}, "start": _TEXT,
                       "counts": {"type": "array", "items": {"type": "integer"}}}}}}}}}
# what is accepted; anything else is still received, and stored as a rejected event (422)
_EVENT_IN = {"type": "object", "required": ["source", "payload"],
             "properties": {"source": {"type": "string", "pattern": "\\S"}, "payload": {"type": "object"},
                            "simulateFailure": {"type": "boolean"}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*codes: int) -> dict[str, Any]:
    text = {400: "a parameter or body that cannot be read", 401: "no or unknown token",
            403: "token not allowed, or a foreign Origin", 409: "same Idempotency-Key still in flight",
            413: "body over the limit", 415: "content type other than JSON", 421: "Host not allowed",
            429: "over the token's rate", 503: "store unavailable"}
    return {str(c): _json(_ERROR, text[c]) for c in codes}


def _query(name: str, description: str, array: bool = False, schema: Any = None) -> dict[str, Any]:
    schema = schema or {"type": "string"}
    if array:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
            **({"style": "form", "explode": True} if array else {})}


_WHEN = {"type": "string", "format": "date-time"}
_STATUS = {"enum": ["pending", "processing", "normalized", "duplicate", "failed", "rejected", "dead_letter"]}
_PAGING = [_query("limit", "1 to 1000, default 100", schema={"type": "integer", "minimum": 1, "maximum": 1000}),
           _query("after", "the `next` cursor of the previous page", schema={"type": "string", "pattern": "^aTo[A-Za-z0-9_-]+$"})]
_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"}}
_SIMULATE = _query("simulate", "a fault point (with --allow-simulation)",
                   schema={"enum": ["before_write", "mid_transaction", "after_commit"]})
_READ_REFUSALS = (400, 401, 403, 421, 429, 503)
_WRITE_REFUSALS = (400, 401, 403, 409, 413, 415, 421, 429)


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "next"],
            "properties": {"items": {"type": "array", "items": item}, "next": _TEXT}}


def openapi_document() -> dict[str, Any]:
    from eventdesk import __version__
    post_event = {"summary": "Submit one event", "parameters": [_KEY, _SIMULATE],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": _EVENT_IN}}},
                  "responses": {"201": _json(_RESULT, "accepted"), "200": _json(_RESULT, "a duplicate"),
                                "422": _json({"anyOf": [_RESULT, _ERROR]}, "rejected (stored), or a key reused"),
                                "503": _json({"anyOf": [_RESULT, _ERROR]}, "failed: send again"),
                                **_refusals(*_WRITE_REFUSALS)}}
    post_batch = {"summary": "Submit up to 10,000 events", "parameters": [_KEY, _SIMULATE],
                  "requestBody": {"required": True, "content": {
                      "application/json": {"schema": {"type": "array", "items": _EVENT_IN}},
                      "application/x-ndjson": {"schema": {"type": "string"}}}},
                  "responses": {"200": _json(_BATCH, "every event acknowledged"),
                                "503": _json({"anyOf": [_BATCH, _ERROR]}, "some events failed: send again"),
                                "422": _json(_ERROR, "an Idempotency-Key reused with another body"),
                                **_refusals(*_WRITE_REFUSALS)}}
    raw = {"summary": "Raw events", "parameters": [_query("status", "a status (repeatable)", True, _STATUS),
                                                  _query("source", "exact source"), *_PAGING],
           "responses": {"200": _json(_page(_RAW), "a page"), **_refusals(*_READ_REFUSALS)}}
    normalized = {"summary": "Normalized events",
                  "parameters": [_query("client_id", "exact client"), _query("metric", "metric"),
                                 _query("from", "from this instant", schema=_WHEN),
                                 _query("to", "up to this instant", schema=_WHEN), *_PAGING],
                  "responses": {"200": _json(_page(_NORMALIZED), "a page"), **_refusals(*_READ_REFUSALS)}}
    aggregates = {"summary": "Count, sum, avg, min, max",
                  "parameters": [_query("client_id", "repeatable", True), _query("metric", "repeatable", True),
                                 _query("startDate", "from", schema=_WHEN),
                                 _query("endDate", "to (a date includes that day)", schema=_WHEN),
                                 {"name": "bucket", "in": "query", "required": False,
                                  "schema": {"enum": ["none", "day", "week", "month"]}}],
                  "responses": {"200": _json(_AGGREGATES, "rows"), **_refusals(*_READ_REFUSALS)}}
    retry = {"summary": "Reprocess failed events (a token for *)",
             "requestBody": {"required": False, "content": {"application/json": {"schema": {
                 "type": "object", "properties": {"status": {"enum": ["failed", "dead_letter", "pending",
                                                                      "processing"]}}}}}},
             "responses": {"200": _json(_RETRY, "what was reprocessed"),
                           **_refusals(400, 401, 403, 413, 415, 421, 429, 503)}}
    triage = {"summary": "Problem events grouped by reason code, client and field (as triage --json)",
              "parameters": [_query("status", "one raw status; normalized: the events with warnings",
                                    schema=_STATUS),
                             _query("client", "exact client id (the source, trimmed)")],
              "responses": {"200": _json(_TRIAGE, "groups, largest first"), **_refusals(*_READ_REFUSALS)}}
    health = {"summary": "Is the store reachable", "security": [],
              "responses": {"200": _json({"type": "object", "properties": {"status": {"enum": ["ok"]}}}, "ok"),
                            "503": _json({"type": "object", "properties": {"status": {"enum": ["unavailable"]}}},
                                         "the store is unavailable"), **_refusals(421)}}
    metrics = {"summary": "Prometheus metrics", "responses": {
        "200": {"description": "Prometheus text", "content": {"text/plain": {"schema": {"type": "string"}}}},
        **_refusals(401, 403, 421, 429)}}
    spec = {"summary": "This document", "security": [], "responses": {
        "200": _json({"type": "object"}, "OpenAPI 3.1"), **_refusals(421)}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "eventdesk", "version": __version__,
                 "description": "Post unreliable events; read them back normalized and counted once."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {"/api/events": {"post": post_event}, "/api/events/batch": {"post": post_batch},
                  "/api/events/raw": {"get": raw}, "/api/events/normalized": {"get": normalized},
                  "/api/aggregates": {"get": aggregates}, "/api/events/stats": {"get": {
                      "summary": "Counts by status and duplicates",
                      "responses": {"200": _json(_STATS, "as stats --json"), **_refusals(*_READ_REFUSALS)}}},
                  "/api/events/retry": {"post": retry}, "/api/triage": {"get": triage}, "/healthz": {"get": health},
                  "/metrics": {"get": metrics}, "/openapi.json": {"get": spec}},
    }
