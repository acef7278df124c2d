"""The domain's words: statuses, outcomes, raw and normalized events, submission results."""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, Union

EventId = Union[int, str]


class Status(str, enum.Enum):
    """Status of a raw event (design section 3)."""

    PENDING = "pending"
    PROCESSING = "processing"
    NORMALIZED = "normalized"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    REJECTED = "rejected"
    DEAD_LETTER = "dead_letter"

    def __str__(self) -> str:
        return self.value


ALL_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
#: A raw event in one of these statuses is finished: a re-send only counts a receipt. In any
#: other status (failed, dead_letter, pending, processing) a re-send reprocesses it.
SETTLED_STATUSES = frozenset({"normalized", "duplicate", "rejected"})


class Outcome(str, enum.Enum):
    """What one submission came to."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    SEMANTIC_DUPLICATE = "semantic_duplicate"
    REJECTED = "rejected"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class Reason(NamedTuple):  # a tuple: cheap to make and hash in the normalizer's hot path
    """A stable reason code (docs/reasons.md) with the canonical field and the client's own key.

    ``field`` and ``key`` are None where no field is involved (e.g. ``json.invalid``); ``key`` is
    None where no candidate key was found (e.g. ``amount.missing``).
    """

    code: str
    field: str | None = None
    key: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "key": self.key}


_REASONS_TEXT: dict[tuple, str] = {}  # streams repeat the same few reasons: their text is kept


def reasons_json(reasons: "tuple[Reason, ...] | list[Reason]") -> str | None:
    """The stored text of reasons: a JSON list of {code, field, key}, None when there are none."""
    if not reasons:
        return None
    key = tuple(reasons)
    text = _REASONS_TEXT.get(key)
    if text is None:
        text = json.dumps([r.to_json() for r in reasons], ensure_ascii=False)
        if len(_REASONS_TEXT) >= 4096:  # client keys are the client's: bound what is kept
            _REASONS_TEXT.clear()
        _REASONS_TEXT[key] = text
    return text


def reasons_from_json(text: str | None) -> list[Reason]:
    """Reasons read back from their stored text (None or unreadable text: none)."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    return reasons_from_list(items)


def reasons_from_list(items: Any) -> list[Reason]:
    """Reasons from stored dicts (MongoDB keeps them as a list of documents)."""
    if not isinstance(items, list):
        return []
    return [Reason(i["code"], i.get("field"), i.get("key")) for i in items
            if isinstance(i, dict) and isinstance(i.get("code"), str)]


@dataclass(frozen=True, slots=True)
class Canonical:
    """The canonical form of one event, before it is stored (design section 5)."""

    client_id: str
    metric: str | None
    amount: Decimal | None
    timestamp: datetime | None
    warnings: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()  # one per warning, in the same order


@dataclass(frozen=True, slots=True)
class Envelope:
    """One input as received, parsed as far as it goes.

    ``rejection`` is set when the input is structurally invalid (a ``core.reasons.Problem``,
    which carries its reason code); then ``source`` and ``payload`` may be missing. ``text`` is exactly what was received.
    """

    text: str | bytes
    content_hash: str
    source: str | None = None
    payload: dict[str, Any] | None = None
    rejection: str | None = None
    simulate_failure: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """An envelope with its canonical form and normalized hash, ready for the store."""

    envelope: Envelope
    canonical: Canonical | None = None
    normalized_hash: str | None = None
    stored: Any = None  # core.stored.StoredForm, precomputed for the writer when available
    mapping_version: int | None = None  # of the mappings that made ``canonical`` (None: the writer's)


@dataclass(slots=True)
class RawEvent:
    """A raw event as stored."""

    id: EventId
    source: str | None
    text: str | bytes
    status: str
    content_hash: str
    error: str | None = None
    attempts: int = 0
    receipts: int = 1
    received_at: str = ""
    updated_at: str = ""
    duplicate_of: EventId | None = None
    normalized_id: EventId | None = None
    reasons: list[Reason] = field(default_factory=list)  # of a rejection or the last failure

    def payload(self) -> Any:
        """The payload parsed from the text as received, or None when it cannot be read."""
        return payload_of(self.text)


@dataclass(slots=True)
class NormalizedEvent:
    """A normalized event as stored."""

    id: EventId
    raw_id: EventId
    client_id: str
    metric: str | None
    amount: str | None
    timestamp: str | None
    normalized_hash: str
    warnings: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    mapping_version: int | None = None  # the mappings version that made it; None before schema v3


@dataclass(slots=True)
class SubmitResult:
    """The outcome of one submission, as the CLI, the GUI and the HTTP API report it."""

    outcome: Outcome
    raw_id: EventId | None = None
    normalized_id: EventId | None = None
    status: str | None = None
    error: str | None = None
    content_hash: str | None = None
    normalized_hash: str | None = None
    canonical: Canonical | None = None
    reasons: tuple[Reason, ...] = ()  # of a rejection or failure; warnings' are in ``canonical``

    def all_reasons(self) -> tuple[Reason, ...]:
        """The reasons of a rejection or failure, else those of the normalization warnings."""
        if self.reasons or self.canonical is None:
            return self.reasons
        return self.canonical.reasons

    def to_json(self) -> dict[str, Any]:
        """The contract shape of ``eventdesk submit --json``."""
        return {
            "outcome": self.outcome.value,
            "raw_id": self.raw_id,
            "normalized_id": self.normalized_id,
            "status": self.status,
            "error": self.error,
        }


def payload_of(text: str | bytes) -> Any:
    """For display and export: the payload of a stored event, the whole JSON value, or None.

    Numbers come back as Python floats and ints (JSON's own meaning); the exact text as
    received stays in the raw event.
    """
    try:
        value = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("payload"), dict):
        return value["payload"]
    return value


@dataclass
class BatchOutcome:
    """What a batch of inputs came to, counted per outcome (bulk ingest reports no more)."""

    counts: dict[str, int] = field(default_factory=dict)  # Outcome value -> inputs
    unrecorded: int = 0           # failed inputs that not even a failure record could keep
    error: str | None = None      # the first error of a failed one

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of_results(cls, results: "list[SubmitResult]") -> "BatchOutcome":
        outcome = cls()
        for result in results:
            name = result.outcome.value
            outcome.counts[name] = outcome.counts.get(name, 0) + 1
            if result.outcome is Outcome.FAILED:
                outcome.unrecorded += result.raw_id is None
                if outcome.error is None:
                    outcome.error = result.error or "the store failed"
        return outcome
