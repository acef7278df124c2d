"""Prepared inputs as plain tuples: what worker processes hand the writer during bulk ingest.

A tuple of str, bytes, int and None pickles about eight times faster than the dataclasses of
``Prepared`` and binds straight into the store's staging table: the writer does no per-event
work in Python. ``row_of`` is the reference (it is made from ``Prepared``); any faster way of
making rows must give the same tuples. ``prepared_of`` goes back, for the general write path.

Layout, in the order of the SQLite staging table's columns:

    0 content_hash  bytes(32)        SHA-256 of the received bytes (design 4)
    1 body          str | bytes      the input exactly as received (bytes when not UTF-8)
    2 source        str | None
    3 status        "normalized" | "rejected"  the status a new raw event starts with
    4 error         str | None       the rejection, with its position in the input
    5 reasons       str | None       JSON reasons of the rejection
    6 nhash         bytes(32) | None normalized hash (None: rejected)
    7 client_id .. 14 nreasons       the stored form of the canonical event (``core.stored``)
"""
from __future__ import annotations

from typing import Optional, Protocol, Sequence, Union, cast

from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.input_reader import Item, Piece, envelope_of
from eventdesk.core.model import Envelope, Prepared, Status, reasons_from_json, reasons_json
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.reasons import Problem, rejection_reason
from eventdesk.core.stored import stored_form

Row = tuple  # the layout above; a plain tuple on purpose (see the module's text)

CONTENT_HASH, BODY, SOURCE, STATUS, ERROR, REASONS, NHASH = range(7)
WARNINGS, NREASONS = 13, 14
COLUMNS = ("content_hash", "body", "source", "status", "error", "reasons", "nhash", "client_id", "metric",
           "amount", "amount_units", "ts", "timestamp", "warnings", "nreasons")
_NORMALIZED, _REJECTED = Status.NORMALIZED.value, Status.REJECTED.value
_NO_CANONICAL = (None,) * 9


class StagedRows(Protocol):
    """Rows a worker put where the store can read them itself (a SQLite chunk file): the
    writer copies them without binding a value; ``rows()`` reads them back when it must."""

    count: int

    def rows(self) -> list[Row]: ...
    def discard(self) -> None: ...


class PendingRows(Protocol):
    """Staged rows a worker is still making: how many is known at once, the rows when done."""

    count: int

    def get(self) -> StagedRows: ...  # waits for the worker

    def discard(self) -> None: ...    # now, or as soon as the worker is done


class StreamedBatch(Sequence[StagedRows]):
    """A batch of staged chunks that become ready one after another. A store that takes staged
    rows writes each chunk as it comes, inside the batch's one unit of work, so that the writer
    starts on a batch when its first chunk is ready and ends it soon after the last (it never
    waits for a whole batch to be prepared, nor leaves one to do alone at the end)."""

    def __init__(self, pending: Sequence[PendingRows]) -> None:
        self._pending = list(pending)
        self.size = sum(p.count for p in self._pending)  # inputs (``count`` is Sequence's)

    def __len__(self) -> int:
        return len(self._pending)

    def __getitem__(self, index: int) -> StagedRows:  # type: ignore[override]
        return self._pending[index].get()

    def discard(self) -> None:
        for pending in self._pending:
            pending.discard()


#: What the writer applies at once: rows, or staged chunks of them (never both).
Batch = Union[Sequence[Row], Sequence[StagedRows]]


def is_staged(batch: Batch) -> bool:
    return isinstance(batch, StreamedBatch) or (bool(batch) and not isinstance(batch[0], tuple))


def count_of(batch: Batch) -> int:
    if isinstance(batch, StreamedBatch):
        return batch.size
    return sum(c.count for c in cast(Sequence[StagedRows], batch)) if is_staged(batch) else len(batch)


def rows_in(batch: Batch) -> list[Row]:
    """The rows of a batch, read back from staged chunks where it holds those."""
    if not is_staged(batch):
        return list(cast(Sequence[Row], batch))
    return [row for chunk in cast(Sequence[StagedRows], batch) for row in chunk.rows()]


def discard(batch: Batch) -> None:
    if isinstance(batch, StreamedBatch):
        batch.discard()
    elif is_staged(batch):
        for chunk in cast(Sequence[StagedRows], batch):
            chunk.discard()


def row_of(prepared: Prepared) -> Row:
    """The row of one prepared input (the reference every faster path must agree with)."""
    envelope = prepared.envelope
    digest = bytes.fromhex(envelope.content_hash)
    canonical = prepared.canonical
    if canonical is None or prepared.normalized_hash is None:
        source = envelope.source if isinstance(envelope.source, str) else None
        return (digest, envelope.text, source, _REJECTED, envelope.rejection,
                reasons_json([rejection_reason(envelope)])) + _NO_CANONICAL
    stored = prepared.stored or stored_form(canonical)
    return (digest, envelope.text, envelope.source, _NORMALIZED, None, None,
            bytes.fromhex(prepared.normalized_hash), canonical.client_id, canonical.metric) + tuple(stored)


def envelope_of_item(item: Item) -> Envelope:
    return envelope_of(item) if isinstance(item, Piece) else read_envelope_fast(item)


def rows_of(normalizer: Normalizer, items: Sequence[Item]) -> list[Row]:
    """Rows of a batch of inputs, by the exact path (the reference)."""
    return [row_of(normalizer.prepare(envelope_of_item(item))) for item in items]


def prepared_of(row: Row, normalizer: Normalizer) -> Prepared:
    """The ``Prepared`` a row was made from, for the general write path (rare: failures, retries
    of stored events). A valid input is prepared again from its text, which gives the same."""
    text: Union[str, bytes] = row[BODY]
    content_hash = row[CONTENT_HASH].hex()
    if row[STATUS] == _REJECTED:
        return Prepared(Envelope(text, content_hash, row[SOURCE], None, _rejection(row)))
    return normalizer.prepare(read_envelope_fast(text))


def _rejection(row: Row) -> Optional[str]:
    """The rejection text as a ``Problem`` again, so that its reason code survives."""
    if row[ERROR] is None:
        return None
    for reason in reasons_from_json(row[REASONS]):
        code = reason.code
        return Problem(code, row[ERROR])
    return row[ERROR]
