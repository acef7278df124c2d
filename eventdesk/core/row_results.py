"""One ``SubmitResult`` per row of a bulk write, from the rows and what the store says became of
them (``BulkDetails``): what the general path (``Processor.apply``) answers for the same inputs.

Field for field as the general path; the ids name the same events, though the numbers may
differ: a bulk write fixes a row's ids by its place in the batch, so every row (a repeat too) takes
one, and the general path numbers only new events. One difference inside: a result's reasons (for the metrics' reason codes) are read from
the row into ``reasons``, where the general path keeps a valid event's warnings in its
``canonical``; ``all_reasons()`` gives the same codes either way.
"""
from __future__ import annotations

from typing import Sequence

from eventdesk.core.model import Outcome, Reason, Status, SubmitResult, reasons_from_json
from eventdesk.core.ports.events import BulkDetails
from eventdesk.core.rows import CONTENT_HASH, ERROR, NHASH, NREASONS, REASONS, STATUS, Row

_REJECTED = Status.REJECTED.value


def results_of_rows(rows: Sequence[Row], details: BulkDetails) -> list[SubmitResult]:
    results = []
    first_raw = details.first_raw
    for index, row in enumerate(rows):
        digest = row[CONTENT_HASH].hex()
        nhash = None if row[NHASH] is None else row[NHASH].hex()
        holder = details.refused.get(index)
        if holder is not None:
            # a repeat: of an earlier row of this batch (its error and warnings come along, as
            # the general path copies its lead's result), or of an event stored before
            status, normalized_id = details.holders[holder]
            lead = holder - first_raw
            if 0 <= lead < index:
                results.append(SubmitResult(Outcome.DUPLICATE, holder, normalized_id, status, rows[lead][ERROR],
                                            digest, nhash, reasons=_warnings(row)))
            else:
                results.append(SubmitResult(Outcome.DUPLICATE, holder, normalized_id, status, None, digest))
            continue
        raw_id = first_raw + index
        if row[STATUS] == _REJECTED:
            results.append(SubmitResult(Outcome.REJECTED, raw_id, None, _REJECTED, row[ERROR], digest,
                                        reasons=tuple(reasons_from_json(row[REASONS]))))
            continue
        equal = details.semantic.get(index)
        if equal is None:
            results.append(SubmitResult(Outcome.ACCEPTED, raw_id, details.first_normalized + index,
                                        Status.NORMALIZED.value, None, digest, nhash, reasons=_warnings(row)))
        else:
            results.append(SubmitResult(Outcome.SEMANTIC_DUPLICATE, raw_id, equal, Status.DUPLICATE.value, None,
                                        digest, nhash, reasons=_warnings(row)))
    return results


def _warnings(row: Row) -> tuple[Reason, ...]:
    return tuple(reasons_from_json(row[NREASONS])) if row[STATUS] != _REJECTED else ()
