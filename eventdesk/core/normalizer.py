"""Turns a client's payload into the canonical event (design section 5).

Never raises for anything a client can send: a field that is missing or unreadable becomes
None and adds one warning. Unknown fields are ignored.
"""
from __future__ import annotations

import re
from typing import Any

from eventdesk.core.amounts import parse_amount
from eventdesk.core.canonical import normalized_hash
from eventdesk.core.mappings import ClientMapping, Mappings
from eventdesk.core.model import Canonical, Envelope, Prepared
from eventdesk.core.timestamps import TimestampParser

_BLANKS = re.compile(r"\s+")
_MISSING = object()


def lookup(payload: dict[str, Any], candidates: tuple[tuple[str, ...], ...]) -> tuple[Any, str | None]:
    """The first candidate present and non-null, with the name it was found under."""
    for path in candidates:
        value: Any = payload.get(path[0], _MISSING) if len(path) == 1 else _walk(payload, path)
        if value is not _MISSING and value is not None:
            return value, ".".join(path)
    return None, None


def _walk(payload: dict[str, Any], path: tuple[str, ...]) -> Any:
    dotted = ".".join(path)
    if dotted in payload:  # a literal key with dots wins over the nested reading
        return payload[dotted]
    node: Any = payload
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def read_metric(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str):
        return None, f"metric has type {type(value).__name__}, not text"
    metric = _BLANKS.sub(" ", value.strip()).lower()
    if not metric:
        return None, "metric is empty text"
    return metric, None


class Normalizer:
    """Normalizes payloads with one mappings document; keeps a timestamp parser per client."""

    def __init__(self, mappings: Mappings) -> None:
        self.mappings = mappings
        self._parsers: dict[str, tuple[ClientMapping, TimestampParser]] = {}

    def _client(self, client_id: str) -> tuple[ClientMapping, TimestampParser]:
        entry = self._parsers.get(client_id)
        if entry is None:
            mapping = self.mappings.for_client(client_id)
            entry = (mapping, TimestampParser(mapping.dayfirst, mapping.zone))
            if len(self._parsers) < 10_000:  # bounded: clients are few, hostile input is not
                self._parsers[client_id] = entry
        return entry

    def canonical(self, source: str, payload: dict[str, Any]) -> Canonical:
        client_id = source.strip()
        mapping, parser = self._client(client_id)
        warnings: list[str] = []
        fields = mapping.fields

        raw_metric, _ = lookup(payload, fields["metric"])
        metric = None
        if raw_metric is None:
            warnings.append(f"metric: missing (looked for {_names(fields['metric'])})")
        else:
            metric, problem = read_metric(raw_metric)
            if problem:
                warnings.append(problem)

        raw_amount, _ = lookup(payload, fields["amount"])
        amount = None
        if raw_amount is None:
            warnings.append(f"amount: missing (looked for {_names(fields['amount'])})")
        else:
            amount, problem = parse_amount(raw_amount, mapping.decimal_comma)
            if problem:
                warnings.append(problem)

        raw_time, _ = lookup(payload, fields["timestamp"])
        moment = None
        if raw_time is None:
            warnings.append(f"timestamp: missing (looked for {_names(fields['timestamp'])})")
        else:
            moment, problem = parser.parse(raw_time)
            if problem:
                warnings.append(problem)
        return Canonical(client_id, metric, amount, moment, tuple(warnings))

    def prepare(self, envelope: Envelope) -> Prepared:
        """Attach the canonical form and normalized hash to a valid envelope."""
        if envelope.rejection is not None or envelope.payload is None or envelope.source is None:
            return Prepared(envelope)
        canonical = self.canonical(envelope.source, envelope.payload)
        digest = normalized_hash(canonical.client_id, canonical.metric, canonical.amount,
                                 canonical.timestamp, envelope.content_hash)
        return Prepared(envelope, canonical, digest)


def _names(candidates: tuple[tuple[str, ...], ...]) -> str:
    return ", ".join(".".join(c) for c in candidates)
