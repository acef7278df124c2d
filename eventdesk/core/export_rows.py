"""The row shapes of `eventdesk export` (design section 8), shared by the CLI and the GUI."""
from __future__ import annotations

from typing import Any

from eventdesk.core.model import NormalizedEvent, RawEvent

RAW_FIELDS = ("id", "source", "payload", "status", "content_hash", "error", "attempts", "receipts",
              "received_at")
NORMALIZED_FIELDS = ("id", "raw_id", "client_id", "metric", "amount", "timestamp", "normalized_hash",
                     "warnings")


def received_text(text: str | bytes) -> str:
    """The text as received, readable even when it was not UTF-8."""
    return text if isinstance(text, str) else text.decode("utf-8", "backslashreplace")


def raw_row(event: RawEvent) -> dict[str, Any]:
    """A raw event as exported: its payload, or the text as received when it has none."""
    payload = event.payload() if event.status != "rejected" else None
    if payload is None:
        payload = received_text(event.text)
    return {"id": event.id, "source": event.source, "payload": payload, "status": event.status,
            "content_hash": event.content_hash, "error": event.error, "attempts": event.attempts,
            "receipts": event.receipts, "received_at": event.received_at}


def normalized_row(event: NormalizedEvent) -> dict[str, Any]:
    return {"id": event.id, "raw_id": event.raw_id, "client_id": event.client_id,
            "metric": event.metric, "amount": event.amount, "timestamp": event.timestamp,
            "normalized_hash": event.normalized_hash, "warnings": event.warnings}
