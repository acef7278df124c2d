"""Documents to and from the domain's events.

Hashes are stored as lower-case hex text; amounts as canonical text plus exact integer units
of 10**-4 (``amount_units``, null where the amount has finer digits or is too large) for sums in
the server; timestamps as text plus integer microseconds since the epoch (``ts``) for ranges.
A body that is not valid UTF-8 is kept as BSON binary and comes back as bytes.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from bson.binary import Binary

from eventdesk.core.aggregation import amount_units, epoch_micros
from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent, reasons_from_json, reasons_from_list
from eventdesk.core.ports import NewNormalized, NewRaw

Doc = Mapping[str, Any]


def raw_doc(row: NewRaw, raw_id: int) -> dict[str, Any]:
    body: Any = Binary(row.text) if isinstance(row.text, bytes) else row.text
    return {"_id": raw_id, "source": row.source, "body": body, "status": row.status,
            "content_hash": row.content_hash.lower(), "error": row.error, "attempts": row.attempts,
            "receipts": 1, "received_at": row.received_at, "updated_at": row.received_at,
            "duplicate_of": None, "reasons": reasons_doc(row.reasons)}


def normalized_doc(row: NewNormalized, normalized_id: int) -> dict[str, Any]:
    return {"_id": normalized_id, "raw_id": row.raw_id, "client_id": row.client_id,
            "metric": row.metric,
            "amount": None if row.amount is None else amount_text(row.amount),
            "amount_units": row.stored.amount_units if row.stored is not None else amount_units(row.amount),
            "ts": epoch_micros(row.timestamp),
            "timestamp": None if row.timestamp is None else timestamp_text(row.timestamp),
            "normalized_hash": row.normalized_hash.lower(), "warnings": list(row.warnings),
            "reasons": [r.to_json() for r in row.reasons], "mapping_version": row.mapping_version}


def reasons_doc(text: Optional[str]) -> list[dict[str, Any]]:
    """The reasons of a raw event as documents, from their port form (JSON text or None)."""
    return [r.to_json() for r in reasons_from_json(text)]


def raw_from_doc(doc: Doc, normalized_id: Optional[EventId]) -> RawEvent:
    body = doc["body"]
    return RawEvent(id=doc["_id"], source=doc.get("source"),
                    text=bytes(body) if isinstance(body, bytes) else body,
                    status=doc["status"], content_hash=doc["content_hash"], error=doc.get("error"),
                    attempts=doc.get("attempts", 0), receipts=doc.get("receipts", 1),
                    received_at=doc.get("received_at", ""), updated_at=doc.get("updated_at", ""),
                    duplicate_of=doc.get("duplicate_of"), normalized_id=normalized_id,
                    reasons=reasons_from_list(doc.get("reasons")))


def normalized_from_doc(doc: Doc) -> NormalizedEvent:
    return NormalizedEvent(id=doc["_id"], raw_id=doc["raw_id"], client_id=doc["client_id"],
                           metric=doc.get("metric"), amount=doc.get("amount"),
                           timestamp=doc.get("timestamp"), normalized_hash=doc["normalized_hash"],
                           warnings=list(doc.get("warnings") or []),
                           reasons=reasons_from_list(doc.get("reasons")),
                           mapping_version=doc.get("mapping_version"))


def as_id(value: Any) -> Optional[int]:
    """An event id as stored (int), or None when ``value`` cannot be one (never an operator)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
