"""What one submission did, in words: from its reply (the CLI's ``submit --json`` fields) and the
raw event as stored before and after it, so that a simulated failure is told as it happened.

``story(result, fault, before, after)``: ``fault`` is the fault point's name or None; ``before``
and ``after`` are the raw event with the submission's content hash (None when there is none).
"""
from __future__ import annotations

from typing import Optional

from eventdesk.core.model import Outcome, RawEvent, SubmitResult


def raw_state(raw: RawEvent) -> str:
    """``normalized (normalized #3)``, ``failed (attempt 2)``, ``duplicate (of normalized #1)``..."""
    if raw.status == "normalized" and raw.normalized_id is not None:
        return f"normalized (normalized #{raw.normalized_id})"
    if raw.status == "duplicate" and raw.duplicate_of is not None:
        return f"duplicate (of normalized #{raw.duplicate_of})"
    if raw.status in ("failed", "dead_letter"):
        return f"{raw.status} (attempt {raw.attempts})"
    return raw.status


def stored_line(raw: Optional[RawEvent]) -> str:
    """The result panel's "Stored now" row."""
    if raw is None:
        return "nothing stored with this content"
    receipts = "1 receipt" if raw.receipts == 1 else f"{raw.receipts} receipts"
    return f"raw #{raw.id}: {raw_state(raw)}, {receipts}"


def story(result: SubmitResult, fault: Optional[str], before: Optional[RawEvent],
          after: Optional[RawEvent]) -> str:
    head = _headline(result, fault, after)
    tail = _what_became_of_the_raw(result, fault, before, after)
    return f"{head}; {tail}" if tail else head


def _headline(result: SubmitResult, fault: Optional[str], after: Optional[RawEvent]) -> str:
    outcome = result.outcome
    if outcome is Outcome.FAILED:
        if fault == "after_commit" and after is not None:
            return f"committed as raw #{after.id}; the reply was lost on purpose (a retry is an exact duplicate)"
        if fault == "before_write":
            return "failed on purpose before anything was written: nothing was stored or counted"
        if fault == "mid_transaction":
            return "failed on purpose in the middle of the transaction: rolled back"
        return "failed: not acknowledged (a retry may succeed)"
    if outcome is Outcome.ACCEPTED:
        return f"accepted as raw #{result.raw_id}: new normalized event #{result.normalized_id}"
    if outcome is Outcome.DUPLICATE:
        return (f"duplicate: already stored as raw #{result.raw_id} ({result.status}): "
                "this re-send counted one more receipt")
    if outcome is Outcome.SEMANTIC_DUPLICATE:
        return (f"semantic duplicate: stored as raw #{result.raw_id}, "
                f"the same fact as normalized event #{result.normalized_id}")
    return f"rejected: stored as raw #{result.raw_id} as received, not an event"


def _what_became_of_the_raw(result: SubmitResult, fault: Optional[str], before: Optional[RawEvent],
                            after: Optional[RawEvent]) -> str:
    if after is None:
        return "" if fault == "before_write" or result.outcome is not Outcome.FAILED else "nothing was stored"
    if before is None:
        return f"raw #{after.id} is now {raw_state(after)}" if result.outcome is Outcome.FAILED else ""
    if after.receipts == before.receipts:
        return f"raw #{after.id} stays as it was: {raw_state(after)}"
    if result.outcome is Outcome.DUPLICATE:
        return ""  # the headline says it all
    said = f"raw #{after.id} was already stored ({before.status}): this re-send counted one more receipt"
    if raw_state(after) == raw_state(before):
        return f"{said}; it stays {after.status}"
    return f"{said}; now {raw_state(after)}"
