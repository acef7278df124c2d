"""Turns a client's payload into the canonical event (design section 5).

Never raises for anything a client can send: a field that is missing or unreadable becomes
None and adds one warning. Unknown fields are ignored. See docs/normalization.md.
"""
from __future__ import annotations

import re
from typing import Any

from eventdesk.core.amounts import parse_amount
from eventdesk.core.canonical import json_type, normalized_hash
from eventdesk.core.mappings import ClientMapping, Mappings
from eventdesk.core.model import Canonical, Envelope, Prepared, Reason
from eventdesk.core.reasons import (
    AMOUNT_MISSING,
    AMOUNT_UNPARSEABLE,
    METRIC_EMPTY,
    METRIC_MISSING,
    METRIC_NOT_TEXT,
    METRIC_TOO_LONG,
    TIMESTAMP_MISSING,
    TIMESTAMP_UNPARSEABLE,
    Problem,
    code_of,
)
from eventdesk.core.timestamps import TimestampParser

MAX_METRIC = 200  # characters; a longer metric is not a metric name but a mistake
_BLANKS = re.compile(r"\s+")
_PLAIN_METRIC = re.compile(rf"[a-z0-9_.:/-]{{1,{MAX_METRIC}}}")
_MISSING = object()
_CACHE_LIMIT = 10_000  # clients remembered by name; hostile input may invent any number


def lookup(payload: dict[str, Any], candidates: tuple[tuple[str, ...], ...]) -> tuple[Any, str | None]:
    """The first candidate present and non-null, with the name it was found under."""
    for path in candidates:
        value: Any = payload.get(path[0]) if len(path) == 1 else _walk(payload, path)
        if value is not None and value is not _MISSING:
            return value, ".".join(path)
    return None, None


def _walk(payload: dict[str, Any], path: tuple[str, ...]) -> Any:
    literal = payload.get(".".join(path))
    if literal is not None:  # a key that itself contains the dots wins over the nested reading
        return literal
    node: Any = payload
    for part in path:
        if not isinstance(node, dict):
            return _MISSING
        node = node.get(part, _MISSING)
        if node is _MISSING:
            return _MISSING
    return node


def client_id_of(source: str) -> str:
    """The client id of a source: the source, trimmed (also used for query filters)."""
    return source.strip()


def read_metric(value: Any) -> tuple[str | None, str | None]:
    """Metric text trimmed, lower-cased, inner runs of blanks collapsed to one space (also for filters)."""
    if not isinstance(value, str):
        return None, Problem(METRIC_NOT_TEXT, f"metric is {json_type(value)}, not text")
    if _PLAIN_METRIC.fullmatch(value):  # the usual case: nothing to trim, collapse or lower
        return value, None
    metric = _BLANKS.sub(" ", value.strip()).lower()
    if not metric:
        return None, Problem(METRIC_EMPTY, "metric is empty text")
    if len(metric) > MAX_METRIC:
        return None, Problem(METRIC_TOO_LONG, f"metric is longer than {MAX_METRIC} characters")
    return metric, None


class Normalizer:
    """Normalizes payloads with one mappings document; keeps a timestamp parser per client."""

    def __init__(self, mappings: Mappings, version: int | None = None) -> None:
        self.mappings = mappings
        self.version = version  # the mappings' stored version, stamped on what this prepares
        self._clients: dict[str, tuple[ClientMapping, TimestampParser]] = {}
        self._by_mapping: dict[int, tuple[ClientMapping, TimestampParser]] = {}

    def _client(self, client_id: str) -> tuple[ClientMapping, TimestampParser]:
        entry = self._clients.get(client_id)
        if entry is None:
            mapping = self.mappings.for_client(client_id)
            entry = self._by_mapping.get(id(mapping))
            if entry is None:
                entry = (mapping, TimestampParser(mapping.dayfirst, mapping.zone))
                self._by_mapping[id(mapping)] = entry  # the mappings hold each mapping alive
            if len(self._clients) < _CACHE_LIMIT:
                self._clients[client_id] = entry
        return entry

    def canonical(self, source: str, payload: dict[str, Any]) -> Canonical:
        """The canonical event of one client's payload, with one warning and reason per field problem."""
        client_id = client_id_of(source)
        mapping, parser = self._client(client_id)
        warnings: list[str] = []
        reasons: list[Reason] = []
        fields = mapping.fields

        metric = amount = moment = None
        value, key = lookup(payload, fields["metric"])
        if value is None:
            warnings.append(_missing("metric", fields["metric"]))
            reasons.append(Reason(METRIC_MISSING, "metric"))
        else:
            metric, problem = read_metric(value)
            if problem:
                warnings.append(str(problem))  # plain text: the code travels in the reason
                reasons.append(Reason(code_of(problem, METRIC_NOT_TEXT), "metric", key))

        value, key = lookup(payload, fields["amount"])
        if value is None:
            warnings.append(_missing("amount", fields["amount"]))
            reasons.append(Reason(AMOUNT_MISSING, "amount"))
        else:
            amount, problem = parse_amount(value, mapping.decimal_comma)
            if problem:
                warnings.append(str(problem))
                reasons.append(Reason(code_of(problem, AMOUNT_UNPARSEABLE), "amount", key))

        value, key = lookup(payload, fields["timestamp"])
        if value is None:
            warnings.append(_missing("timestamp", fields["timestamp"]))
            reasons.append(Reason(TIMESTAMP_MISSING, "timestamp"))
        else:
            moment, problem = parser.parse(value)
            if problem:
                warnings.append(str(problem))
                reasons.append(Reason(code_of(problem, TIMESTAMP_UNPARSEABLE), "timestamp", key))
        if not warnings:
            return Canonical(client_id, metric, amount, moment)
        return Canonical(client_id, metric, amount, moment, tuple(warnings), tuple(reasons))

    def prepare(self, envelope: Envelope) -> Prepared:
        """Attach the canonical form and normalized hash to a valid envelope."""
        if envelope.rejection is not None or envelope.payload is None or envelope.source is None:
            return Prepared(envelope)
        canonical = self.canonical(envelope.source, envelope.payload)
        digest = normalized_hash(canonical.client_id, canonical.metric, canonical.amount,
                                 canonical.timestamp, envelope.content_hash)
        return Prepared(envelope, canonical, digest, mapping_version=self.version)


def _missing(field: str, candidates: tuple[tuple[str, ...], ...]) -> str:
    return f"{field}: missing (looked for {_names(candidates)})"


def _names(candidates: tuple[tuple[str, ...], ...]) -> str:
    return ", ".join(".".join(c) for c in candidates)
