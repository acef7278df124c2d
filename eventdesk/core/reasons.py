"""Stable reason codes (design section 12): one per rejection, failure and normalization warning.

The catalogue with meanings and fixes is docs/reasons.md; a test keeps it and ``CODES`` equal.
A ``Problem`` is a warning or rejection text that also carries its code: it compares and
serializes as the plain text it always was, so ``warnings`` keep their meaning.
"""
from __future__ import annotations

from eventdesk.core.errors import (
    ReplyLost,
    SimulatedFailure,
    StoreBug,
    StoreCorrupt,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
)
from eventdesk.core.model import Envelope, Reason

# input as a whole (rejections)
INPUT_TOO_LARGE = "input.too_large"
INPUT_NOT_UTF8 = "input.not_utf8"
INPUT_LONE_SURROGATE = "input.lone_surrogate"
INPUT_NOT_OBJECT = "input.not_object"
INPUT_NOT_AN_EVENT = "input.not_an_event"  # text outside or after a JSON array, parts of a huge element
JSON_INVALID = "json.invalid"
JSON_TOO_DEEP = "json.too_deep"
SOURCE_MISSING = "source.missing"
SOURCE_NOT_TEXT = "source.not_text"
SOURCE_EMPTY = "source.empty"
PAYLOAD_MISSING = "payload.missing"
PAYLOAD_NOT_OBJECT = "payload.not_object"
PAYLOAD_UNREADABLE = "payload.unreadable"
# fields (normalization warnings)
METRIC_MISSING = "metric.missing"
METRIC_NOT_TEXT = "metric.not_text"
METRIC_EMPTY = "metric.empty"
METRIC_TOO_LONG = "metric.too_long"
AMOUNT_MISSING = "amount.missing"
AMOUNT_NOT_NUMBER = "amount.not_number"      # a boolean, an object, an array
AMOUNT_EMPTY = "amount.empty"
AMOUNT_TOO_LONG = "amount.too_long"
AMOUNT_UNPARSEABLE = "amount.unparseable"
AMOUNT_NOT_FINITE = "amount.not_finite"
AMOUNT_OUT_OF_RANGE = "amount.out_of_range"
TIMESTAMP_MISSING = "timestamp.missing"
TIMESTAMP_NOT_TIME = "timestamp.not_time"    # a boolean, an object, an array
TIMESTAMP_EMPTY = "timestamp.empty"
TIMESTAMP_TOO_LONG = "timestamp.too_long"
TIMESTAMP_UNPARSEABLE = "timestamp.unparseable"
TIMESTAMP_NO_DAY = "timestamp.no_day"
TIMESTAMP_IMPOSSIBLE = "timestamp.impossible"
TIMESTAMP_OUT_OF_RANGE = "timestamp.out_of_range"
TIMESTAMP_ZONE_ABBREVIATION = "timestamp.zone_abbreviation"
TIMESTAMP_OFFSET_AFTER_NAME = "timestamp.offset_after_name"
TIMESTAMP_AMBIGUOUS = "timestamp.ambiguous"      # kept, with a warning: a wall time that happened twice
TIMESTAMP_NONEXISTENT = "timestamp.nonexistent"  # kept, with a warning: a wall time a clock change skipped
# failures (a retry may fix them)
STORE_UNAVAILABLE = "store.unavailable"
STORE_READ_ONLY = "store.read_only"
STORE_FULL = "store.full"
STORE_CORRUPT = "store.corrupt"
STORE_ERROR = "store.error"
SIMULATED_BEFORE_WRITE = "simulated.before_write"
SIMULATED_MID_TRANSACTION = "simulated.mid_transaction"
SIMULATED_AFTER_COMMIT = "simulated.after_commit"

CODES: frozenset[str] = frozenset(value for name, value in globals().items()
                                  if name.isupper() and isinstance(value, str) and "." in value)


class Problem(str):
    """A warning or rejection text that knows its reason code."""

    code: str

    def __new__(cls, code: str, text: str) -> "Problem":
        problem = super().__new__(cls, text)
        problem.code = code
        return problem

    def __reduce__(self) -> tuple:  # worker processes pickle prepared events
        return (Problem, (self.code, str(self)))


def code_of(text: str, default: str) -> str:
    """The code a problem text carries, or ``default`` for a plain text."""
    return text.code if isinstance(text, Problem) else default


def rejection_reason(envelope: Envelope) -> Reason:
    """The reason of a rejected input, with the envelope field at fault where there is one."""
    code = code_of(envelope.rejection or "", JSON_INVALID)
    field = code.split(".")[0]
    return Reason(code, field, field) if field in ("source", "payload") else Reason(code)


def failure_reason(exc: BaseException) -> Reason:
    """The reason of a failure the processor records (design section 7 and the store errors)."""
    if isinstance(exc, ReplyLost):
        return Reason(SIMULATED_AFTER_COMMIT)
    if isinstance(exc, SimulatedFailure):
        return Reason(SIMULATED_MID_TRANSACTION)
    for kind, code in ((StoreUnavailable, STORE_UNAVAILABLE), (StoreReadOnly, STORE_READ_ONLY),
                       (StoreFull, STORE_FULL), (StoreCorrupt, STORE_CORRUPT), (StoreBug, STORE_ERROR)):
        if isinstance(exc, kind):
            return Reason(code)
    return Reason(STORE_ERROR)
