"""How one raw event is normalized, field by field (the workbench's "explain"; docs/workbench.md).

``explain`` reads the input exactly as ingest does (``fastjson.read_envelope_fast``) and lets the
real ``Normalizer`` make the canonical form and hash, so the explanation cannot disagree with
ingest; beside it, each field's trace names the candidate keys, the one that matched, the value
found, and the rule that read it (``amounts.amount_rule``, ``timestamps.timestamp_rule``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from eventdesk.core.amounts import amount_rule
from eventdesk.core.canonical import amount_text, canonical_json, timestamp_text
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.mappings import CANONICAL_FIELDS, ClientMapping, Mappings
from eventdesk.core.model import Canonical, Reason
from eventdesk.core.normalizer import Normalizer, client_id_of, lookup
from eventdesk.core.reasons import rejection_reason
from eventdesk.core.timestamps import TimestampParser, timestamp_rule


@dataclass(frozen=True)
class FieldTrace:
    """How one canonical field was read: where it was looked for, what was found, what it became."""

    field: str                      # "metric" | "amount" | "timestamp"
    candidates: tuple[str, ...]     # the client's candidate keys in order, dotted
    matched: Optional[str]          # the candidate that matched, None when none did
    found: Any                      # the value found under it (as parsed JSON), None when none
    value: Optional[str]            # the result as text (metric, canonical amount, ISO UTC); None
    rule: Optional[str]             # which rule read it, in words; None when nothing was read
    problem: Optional[str]          # the warning text, None when fine
    reason: Optional[str]           # the reason code (core/reasons.py), None when fine

    def to_json(self) -> dict[str, Any]:
        """JSON-ready; ``found_json`` is the found value's exact canonical JSON text."""
        return {"field": self.field, "candidates": list(self.candidates), "matched": self.matched,
                "found": _plain(self.found), "found_json": None if self.matched is None else _exact(self.found),
                "value": self.value, "rule": self.rule, "problem": self.problem, "reason": self.reason}


@dataclass(frozen=True)
class Explanation:
    """One input explained: its rejection, or its canonical form, hash and field traces."""

    client_id: Optional[str]
    rejection: Optional[str]        # why the input would be rejected (then fields is empty)
    canonical: Optional[Canonical]
    normalized_hash: Optional[str]
    fields: tuple[FieldTrace, ...]
    mapping_entry: str              # "clients.<id>" or "defaults": which mappings entry applied
    rejection_reason: Optional[str] = None  # the rejection's reason code
    content_hash: Optional[str] = None      # the raw content hash (design 4)

    def to_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "rejection": self.rejection,
                "rejection_reason": self.rejection_reason,
                "canonical": None if self.canonical is None else canonical_to_json(self.canonical),
                "normalized_hash": self.normalized_hash, "content_hash": self.content_hash,
                "mapping_entry": self.mapping_entry, "fields": [f.to_json() for f in self.fields]}


def canonical_to_json(canonical: Canonical) -> dict[str, Any]:
    """A canonical form with the amount and timestamp as their canonical text."""
    return {"client_id": canonical.client_id, "metric": canonical.metric,
            "amount": None if canonical.amount is None else amount_text(canonical.amount),
            "timestamp": None if canonical.timestamp is None else timestamp_text(canonical.timestamp),
            "warnings": list(canonical.warnings), "reasons": [r.to_json() for r in canonical.reasons]}


def mapping_entry(mappings: Mappings, client_id: Optional[str]) -> str:
    """The mappings entry a client's events are read with: ``clients.<id>`` or ``defaults``."""
    clients = mappings.document.get("clients", {})
    return f"clients.{client_id}" if client_id is not None and client_id in clients else "defaults"


def explain(mappings: Mappings, received: str | bytes) -> Explanation:
    """Explain how ``received`` is normalized with ``mappings``, exactly as ingest would do it."""
    envelope = read_envelope_fast(received)
    client_id = client_id_of(envelope.source) if envelope.source is not None else None
    entry = mapping_entry(mappings, client_id)
    normalizer = Normalizer(mappings)
    prepared = normalizer.prepare(envelope)
    canonical = prepared.canonical
    if envelope.rejection is not None or canonical is None or envelope.payload is None:
        return Explanation(client_id, envelope.rejection or "not an event", None, None, (), entry,
                           rejection_reason(envelope).code, envelope.content_hash)
    mapping = mappings.for_client(canonical.client_id)
    parser = TimestampParser(mapping.dayfirst, mapping.zone)
    traces = tuple(_trace(name, envelope.payload, mapping, parser, canonical) for name in CANONICAL_FIELDS)
    return Explanation(canonical.client_id, None, canonical, prepared.normalized_hash, traces, entry,
                       None, envelope.content_hash)


def _trace(name: str, payload: dict[str, Any], mapping: ClientMapping, parser: TimestampParser,
           canonical: Canonical) -> FieldTrace:
    candidates = mapping.fields[name]
    found, matched = lookup(payload, candidates)
    problem, reason = _problem_of(canonical, name)
    value = _value_text(canonical, name)
    rule = None if value is None else _rule(name, found, mapping, parser)
    return FieldTrace(name, tuple(".".join(c) for c in candidates), matched, found, value, rule, problem, reason)


def _problem_of(canonical: Canonical, name: str) -> tuple[Optional[str], Optional[str]]:
    """The normalizer's own warning and reason code for this field (one at most per field)."""
    for warning, reason in zip(canonical.warnings, canonical.reasons):
        if isinstance(reason, Reason) and reason.field == name:
            return str(warning), reason.code
    return None, None


def _value_text(canonical: Canonical, name: str) -> Optional[str]:
    if name == "metric":
        return canonical.metric
    if name == "amount":
        return None if canonical.amount is None else amount_text(canonical.amount)
    return None if canonical.timestamp is None else timestamp_text(canonical.timestamp)


def _rule(name: str, found: Any, mapping: ClientMapping, parser: TimestampParser) -> str:
    if name == "metric":
        return "text, trimmed, lower-cased, blanks collapsed"
    if name == "amount":
        return amount_rule(found, mapping.decimal_comma)
    return timestamp_rule(parser, found)


def _plain(value: Any) -> Any:
    """The found value for JSON: exact decimals as numbers where a float holds them, else as text."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _exact(value: Any) -> Optional[str]:
    try:
        return canonical_json(value)
    except ValueError:  # pragma: no cover - a parsed event is always canonicalizable
        return None
