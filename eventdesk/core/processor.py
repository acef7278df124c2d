"""The processor: statuses, outcomes, two-level deduplication, faults and retries.

One path serves single submissions, bulk ingest, retries and recovery: ``apply`` takes a batch
of prepared inputs and writes it in one unit of work. The unique indexes decide what is new;
the processor only reads back what they decided.
"""
from __future__ import annotations

import dataclasses
import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar, cast

from eventdesk.core.conflicts import run_again_on_conflict
from eventdesk.core.errors import ReplyLost, SimulatedFailure, StoreConflict, StoreError
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.faults import FaultPoint
from eventdesk.core.group_commit import GroupCommit
from eventdesk.core.model import (
    SETTLED_STATUSES,
    BatchOutcome,
    EventId,
    Outcome,
    Prepared,
    Reason,
    Status,
    SubmitResult,
    reasons_json,
)
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.ports.events import (
    BulkCounts,
    BulkUnitOfWork,
    EventWrites,
    NewNormalized,
    NewRaw,
    RawRef,
    RawUpdate,
    UnitOfWork,
)
from eventdesk.core.reasons import (
    SIMULATED_AFTER_COMMIT,
    SIMULATED_BEFORE_WRITE,
    failure_reason,
    rejection_reason,
)
from eventdesk.core.row_results import results_of_rows
from eventdesk.core.rows import Batch, Row, count_of, prepared_of, rows_in

DEFAULT_MAX_ATTEMPTS = 5
CONFLICT_RETRIES = 5
_T = TypeVar("_T")


def utc_now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class _Pending:
    """A lead input of a batch (first of its content hash) on its way through ``apply``."""

    index: int
    prepared: Prepared
    raw_id: Optional[EventId] = None
    attempts: int = 1
    is_new: bool = True


@dataclass(frozen=True)
class RetrySummary:
    selected: int
    normalized: int
    duplicate: int
    failed: int

    def to_json(self) -> dict[str, int]:
        return {"selected": self.selected, "normalized": self.normalized,
                "duplicate": self.duplicate, "failed": self.failed}


class Processor:
    """Turns inputs into stored raw and normalized events through the store's write port."""

    def __init__(self, store: EventWrites, normalizer: Normalizer,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                 clock: Callable[[], str] = utc_now_text, group_commit: bool = True,
                 mapping_version: Optional[int] = None) -> None:
        self.store = store
        self.normalizer = normalizer
        self.mapping_version = mapping_version  # stamped on every normalized event written
        self.max_attempts = max_attempts
        self.clock = clock
        # concurrent submitters share durable commits; each still waits for its own
        self._group = GroupCommit(self.apply) if group_commit else None

    # -- entry points

    def prepare(self, received: str | bytes) -> Prepared:
        """Parse, hash and normalize one input. Pure: touches no store."""
        return self.normalizer.prepare(read_envelope_fast(received))

    def submit(self, received: str | bytes, fault: Optional[FaultPoint] = None) -> SubmitResult:
        """Process one input end to end and say what came of it."""
        return self.submit_prepared(self.prepare(received), fault)

    def submit_prepared(self, prepared: Prepared, fault: Optional[FaultPoint] = None) -> SubmitResult:
        """``submit`` of an input already prepared (a caller that parsed it to check it first)."""
        if fault is None and prepared.envelope.simulate_failure:
            fault = FaultPoint.MID_TRANSACTION
        if fault is None and self._group is not None:
            return self._group.submit(prepared)
        return self.apply([prepared], fault)[0]

    def apply(self, batch: Sequence[Prepared], fault: Optional[FaultPoint] = None,
              resend: bool = True) -> list[SubmitResult]:
        """Write a batch in one unit of work; every input gets its own result.

        ``resend`` is True for inputs that arrived from a client (each counts a receipt) and
        False for reprocessing of stored raw events (retry, recovery).
        """
        if not batch:
            return []
        if fault is FaultPoint.BEFORE_WRITE:
            error = "simulated failure: the store was unreachable before anything was written"
            return _with_reason([self._unacknowledged(p, error) for p in batch], Reason(SIMULATED_BEFORE_WRITE))
        try:
            results = self._apply_with_retries(batch, fault, resend)
        except _CommitUncertain as unsure:
            return _with_reason(self._settle_uncertain_commit(batch, unsure, resend), failure_reason(unsure.error))
        except (SimulatedFailure, StoreError) as exc:
            return _with_reason(self._record_failures(batch, exc, resend), failure_reason(exc))
        if fault is FaultPoint.AFTER_COMMIT:
            error = str(ReplyLost("simulated failure: committed, but the reply was lost"))
            return [SubmitResult(Outcome.FAILED, error=error, content_hash=p.envelope.content_hash,
                                 reasons=(Reason(SIMULATED_AFTER_COMMIT),)) for p in batch]
        return results

    def apply_rows(self, batch: Batch, mapping_version: Optional[int] = None) -> BatchOutcome:
        """Write a batch of rows received from clients (bulk ingest) and count what came of it;
        ``mapping_version``: of the mappings that made the rows (None: the processor's).

        Stores that offer it take the batch whole (``BulkUnitOfWork.ingest_rows``), also as
        staged chunks (``core.rows.StagedRows``); a batch it declines, and every store without
        it, goes the general way (``apply``). Failures are handled exactly as ``apply`` handles
        them: recorded as ``failed``, or, when the commit's fate is unknown, settled by its mark.
        """
        if not batch:
            return BatchOutcome()
        if getattr(self.store, "bulk_rows", False):
            try:
                counts = run_again_on_conflict(lambda: self._write_rows_once(batch, _counted, mapping_version),
                                               CONFLICT_RETRIES)
            except _CommitUncertain as unsure:
                return self._settle_uncertain_rows(batch, unsure)
            except (SimulatedFailure, StoreError) as exc:
                return BatchOutcome.of_results(self._failed_rows(batch, exc))
            if counts is not None:
                return counts
        return BatchOutcome.of_results(self.apply(self._prepared(rows_in(batch))))

    def submit_rows(self, rows: Sequence[Row], mapping_version: Optional[int] = None) -> list[SubmitResult]:
        """``apply`` of rows received from clients, with one result per row (HTTP batches): the
        bulk write where the store offers it and takes the batch, else the general path; the
        results are the general path's, failures included (ids may leave other gaps: a bulk
        write numbers every row)."""
        if not rows:
            return []
        if getattr(self.store, "bulk_rows", False):
            try:
                results = run_again_on_conflict(
                    lambda: self._write_rows_once(rows, functools.partial(_per_row, rows), mapping_version, True),
                    CONFLICT_RETRIES)
            except _CommitUncertain as unsure:
                settled = self._settle_uncertain_commit(self._prepared(rows), unsure, True)
                return _with_reason(settled, failure_reason(unsure.error))
            except (SimulatedFailure, StoreError) as exc:
                return self._failed_rows(rows, exc)
            if results is not None:
                return results
        return self.apply(self._prepared(rows))

    def _write_rows_once(self, batch: Batch, answer: Callable[[BulkCounts], _T], mapping_version: Optional[int],
                         details: bool = False) -> Optional[_T]:
        """One bulk unit of work, answered while it is open; None: the store declined the batch."""
        version = self.mapping_version if mapping_version is None else mapping_version
        with self.store.unit_of_work() as uow:
            counts = cast(BulkUnitOfWork, uow).ingest_rows(batch, self.clock(), version, details)
            if counts is None:
                return None  # rolled back as the unit of work ends
            outcome = answer(counts)
            token = uuid.uuid4().hex
            uow.mark(token)
            try:
                uow.commit()
            except StoreConflict:
                raise
            except StoreError as exc:
                raise _CommitUncertain(exc, token, outcome) from exc
        return outcome

    def _prepared(self, rows: Sequence[Row]) -> list[Prepared]:
        return [prepared_of(row, self.normalizer) for row in rows]

    def _settle_uncertain_rows(self, batch: Batch, unsure: "_CommitUncertain") -> BatchOutcome:
        try:
            landed = self.store.has_mark(unsure.token)
        except StoreError as exc:
            error = f"{unsure.error}; whether it was stored is unknown ({exc}): send it again"
            return BatchOutcome({Outcome.FAILED.value: count_of(batch)}, count_of(batch), error)
        if landed:
            return cast(BatchOutcome, unsure.results)
        return BatchOutcome.of_results(self._failed_rows(batch, unsure.error))

    def _failed_rows(self, batch: Batch, exc: Exception) -> list[SubmitResult]:
        return _with_reason(self._record_failures(self._prepared(rows_in(batch)), exc, True), failure_reason(exc))

    def _apply_with_retries(self, batch: Sequence[Prepared], fault: Optional[FaultPoint],
                            resend: bool) -> list[SubmitResult]:
        """Run the unit of work again when the store says a concurrent writer won a race.

        Safe because the unit of work rolled back and everything is derived anew from the
        unique indexes; any other error is final for this attempt.
        """
        return run_again_on_conflict(lambda: self._apply_once(batch, fault, resend), CONFLICT_RETRIES)

    def retry(self, statuses: Iterable[str] = ("failed",), batch_size: int = 500,
              updated_before: Optional[str] = None) -> RetrySummary:
        """Reprocess stored raw events in the given statuses with the current mappings."""
        wanted = tuple(statuses)
        selected = normalized = duplicate = failed = 0
        after: Optional[EventId] = None
        while True:
            raws = self.store.raw_ids_by_status(wanted, after, batch_size, updated_before)
            if not raws:
                break
            after = raws[-1].id
            prepared = [self.prepare(raw.text) for raw in raws]
            for result in self.apply(prepared, resend=False):
                if _settled_elsewhere(result):  # a concurrent run fixed it: not ours to report
                    continue
                selected += 1
                if result.status == Status.NORMALIZED:
                    normalized += 1
                elif result.status == Status.DUPLICATE:
                    duplicate += 1
                else:
                    failed += 1
        return RetrySummary(selected, normalized, duplicate, failed)

    def recover(self, updated_before: Optional[str] = None) -> RetrySummary:
        """Finish or fail what a crash left ``pending`` or ``processing``."""
        return self.retry((Status.PENDING.value, Status.PROCESSING.value), updated_before=updated_before)

    # -- the write path

    def _apply_once(self, batch: Sequence[Prepared], fault: Optional[FaultPoint],
                    resend: bool) -> list[SubmitResult]:
        results: list[Optional[SubmitResult]] = [None] * len(batch)
        leads, repeats = _split_repeats(batch)
        now = self.clock()
        with self.store.unit_of_work() as uow:
            tentative = Status.NORMALIZED.value if uow.atomic else Status.PROCESSING.value
            ids = uow.insert_raws([_new_raw(p, tentative, now) for _, p in leads.values()])
            receipts: dict[EventId, int] = {}
            work: list[_Pending] = []
            known = [h for h, raw_id in zip(leads, ids) if raw_id is None]
            existing = uow.find_raws(known) if known else {}
            for (digest, (index, prepared)), raw_id in zip(leads.items(), ids):
                if raw_id is not None:
                    if prepared.canonical is None:
                        results[index] = SubmitResult(Outcome.REJECTED, raw_id, None, Status.REJECTED.value,
                                                      prepared.envelope.rejection, digest,
                                                      reasons=(rejection_reason(prepared.envelope),))
                    else:
                        work.append(_Pending(index, prepared, raw_id))
                    continue
                ref = existing[digest]
                if resend:
                    receipts[ref.id] = receipts.get(ref.id, 0) + 1
                if ref.status in SETTLED_STATUSES or prepared.canonical is None:
                    results[index] = _exact_duplicate(ref, digest)
                else:
                    work.append(_Pending(index, prepared, ref.id, ref.attempts + 1, is_new=False))
            self._normalize(uow, work, results, now)
            for index, lead_index in repeats:
                lead = results[lead_index]
                assert lead is not None and lead.raw_id is not None
                if resend:
                    receipts[lead.raw_id] = receipts.get(lead.raw_id, 0) + 1
                results[index] = SubmitResult(
                    Outcome.DUPLICATE, lead.raw_id, lead.normalized_id, lead.status, lead.error,
                    lead.content_hash, lead.normalized_hash, lead.canonical)
            if receipts:
                uow.add_receipts(receipts)
            if fault is FaultPoint.MID_TRANSACTION:
                raise SimulatedFailure("simulated failure in the middle of the transaction (rolled back)")
            token = uuid.uuid4().hex
            uow.mark(token)
            done = [r for r in results if r is not None]
            try:
                uow.commit()
            except StoreConflict:
                raise  # the store says it did not commit: run it again
            except StoreError as exc:  # did it land? only the mark can tell
                raise _CommitUncertain(exc, token, done) from exc
        return done

    def _normalize(self, uow: UnitOfWork, work: list[_Pending],
                   results: list[Optional[SubmitResult]], now: str) -> None:
        if not work:
            return
        rows = [_new_normalized(item, self.mapping_version) for item in work]
        ids = uow.insert_normalized(rows)
        taken = [row.normalized_hash for row, nid in zip(rows, ids) if nid is None]
        holders = uow.find_normalized(taken) if taken else {}
        updates: list[RawUpdate] = []
        for item, row, nid in zip(work, rows, ids):
            canonical, digest = item.prepared.canonical, item.prepared.envelope.content_hash
            raw_id = row.raw_id
            if nid is None:
                holder_id, holder_raw = holders[row.normalized_hash]
                if holder_raw == raw_id:  # recovery: this raw's own event was written before
                    nid = holder_id
            if nid is not None:
                result = SubmitResult(Outcome.ACCEPTED, raw_id, nid, Status.NORMALIZED.value, None, digest,
                                      row.normalized_hash, canonical)
                if not (item.is_new and uow.atomic):
                    updates.append(RawUpdate(raw_id, Status.NORMALIZED.value, item.attempts, None, None, now))
            else:
                result = SubmitResult(Outcome.SEMANTIC_DUPLICATE, raw_id, holder_id,
                                      Status.DUPLICATE.value, None, digest, row.normalized_hash, canonical)
                updates.append(RawUpdate(raw_id, Status.DUPLICATE.value, item.attempts, None, holder_id, now))
            results[item.index] = result
        if updates:
            uow.update_raws(updates)

    # -- when the write path fails

    def _settle_uncertain_commit(self, batch: Sequence[Prepared], unsure: "_CommitUncertain",
                                 resend: bool) -> list[SubmitResult]:
        """The commit raised: if its mark is there it landed and its results stand; if not,
        record the failure; if the store cannot say, acknowledge nothing (a retry is safe)."""
        try:
            landed = self.store.has_mark(unsure.token)
        except StoreError as exc:
            error = f"{unsure.error}; whether it was stored is unknown ({exc}): send it again"
            return [self._unacknowledged(p, error) for p in batch]
        if landed:
            return unsure.results
        return self._record_failures(batch, unsure.error, resend)

    def _record_failures(self, batch: Sequence[Prepared], exc: Exception, resend: bool) -> list[SubmitResult]:
        """After a rollback: keep each raw event, as failed, in a transaction of its own."""
        error = str(exc) or type(exc).__name__
        now = self.clock()
        try:
            return self._write_failures(batch, error, reasons_json([failure_reason(exc)]), resend, now)
        except StoreError as second:
            message = f"{error}; recording the failure also failed: {second}"
            return [self._unacknowledged(p, message) for p in batch]

    def _write_failures(self, batch: Sequence[Prepared], error: str, reasons: Optional[str], resend: bool,
                        now: str) -> list[SubmitResult]:
        leads, repeats = _split_repeats(batch)
        results: list[Optional[SubmitResult]] = [None] * len(batch)
        with self.store.unit_of_work() as uow:
            first = self._failed_status(1)  # with max_attempts 1 the first failure is the last
            rows = [_new_raw(p, first, now, error, reasons) for _, p in leads.values()]
            ids = uow.insert_raws(rows)
            known = [h for h, raw_id in zip(leads, ids) if raw_id is None]
            existing = uow.find_raws(known) if known else {}
            updates: list[RawUpdate] = []
            receipts: dict[EventId, int] = {}
            for (digest, (index, prepared)), raw_id in zip(leads.items(), ids):
                if raw_id is not None:
                    status = Status.REJECTED.value if prepared.canonical is None else first
                    results[index] = SubmitResult(
                        Outcome.REJECTED if prepared.canonical is None else Outcome.FAILED,
                        raw_id, None, status, prepared.envelope.rejection or error, digest,
                        reasons=(rejection_reason(prepared.envelope),) if prepared.canonical is None else ())
                    continue
                ref = existing[digest]
                if resend:  # the line was received: it counts, whatever became of its batch
                    receipts[ref.id] = receipts.get(ref.id, 0) + 1
                if ref.status in SETTLED_STATUSES:
                    results[index] = SubmitResult(Outcome.FAILED, ref.id, None, ref.status, error, digest)
                    continue
                attempts = ref.attempts + 1
                status = self._failed_status(attempts)
                updates.append(RawUpdate(ref.id, status, attempts, error, None, now, reasons))
                results[index] = SubmitResult(Outcome.FAILED, ref.id, None, status, error, digest)
            if resend:
                for _, lead_index in repeats:
                    lead = results[lead_index]
                    if lead is not None and lead.raw_id is not None:
                        receipts[lead.raw_id] = receipts.get(lead.raw_id, 0) + 1
            if updates:
                uow.update_raws(updates)
            if receipts:
                uow.add_receipts(receipts)
            uow.commit()
        for index, lead_index in repeats:
            lead = results[lead_index]
            assert lead is not None
            results[index] = SubmitResult(lead.outcome, lead.raw_id, None, lead.status, lead.error,
                                          lead.content_hash)
        return [r for r in results if r is not None]

    def _failed_status(self, attempts: int) -> str:
        return Status.DEAD_LETTER.value if attempts >= self.max_attempts else Status.FAILED.value

    @staticmethod
    def _unacknowledged(prepared: Prepared, error: str) -> SubmitResult:
        return SubmitResult(Outcome.FAILED, error=error, content_hash=prepared.envelope.content_hash)


class _CommitUncertain(Exception):
    """The store raised from commit: the unit of work may or may not have landed."""

    def __init__(self, error: StoreError, token: str, results: Any) -> None:  # results or a BatchOutcome
        super().__init__(str(error))
        self.error, self.token, self.results = error, token, results


def _per_row(rows: Sequence[Row], counts: BulkCounts) -> list[SubmitResult]:
    assert counts.details is not None, "a bulk write asked for details gives them"
    return results_of_rows(rows, counts.details)


def _counted(counts: BulkCounts) -> BatchOutcome:
    return BatchOutcome({name: n for name, n in (
        (Outcome.ACCEPTED.value, counts.accepted), (Outcome.DUPLICATE.value, counts.duplicate),
        (Outcome.SEMANTIC_DUPLICATE.value, counts.semantic_duplicate), (Outcome.REJECTED.value, counts.rejected))
        if n})


def _split_repeats(batch: Sequence[Prepared]) -> tuple[dict[str, tuple[int, Prepared]], list[tuple[int, int]]]:
    """Leads (content hash -> first index and input, in order) and (index, lead index) of repeats."""
    leads: dict[str, tuple[int, Prepared]] = {}
    repeats: list[tuple[int, int]] = []
    for index, prepared in enumerate(batch):
        lead = leads.get(prepared.envelope.content_hash)
        if lead is None:
            leads[prepared.envelope.content_hash] = (index, prepared)
        else:
            repeats.append((index, lead[0]))
    return leads, repeats


def _new_raw(prepared: Prepared, tentative: str, now: str, error: Optional[str] = None,
             reasons: Optional[str] = None) -> NewRaw:
    envelope = prepared.envelope
    if prepared.canonical is None:
        return NewRaw(envelope.source if isinstance(envelope.source, str) else None, envelope.text,
                      Status.REJECTED.value, envelope.content_hash, envelope.rejection, 1, now,
                      reasons_json([rejection_reason(envelope)]))
    return NewRaw(envelope.source, envelope.text, tentative, envelope.content_hash, error, 1, now, reasons)


def _new_normalized(item: _Pending, mapping_version: Optional[int]) -> NewNormalized:
    """``mapping_version``: the writer's, for an input prepared without one."""
    prepared = item.prepared
    canonical = prepared.canonical
    assert canonical is not None and item.raw_id is not None and prepared.normalized_hash
    made_by = mapping_version if prepared.mapping_version is None else prepared.mapping_version
    return NewNormalized(item.raw_id, canonical.client_id, canonical.metric, canonical.amount,
                         canonical.timestamp, prepared.normalized_hash, canonical.warnings,
                         prepared.stored, canonical.reasons, made_by)


def _with_reason(results: list[SubmitResult], reason: Reason) -> list[SubmitResult]:
    """Failed results carry the failure's reason (rejections keep their own)."""
    return [dataclasses.replace(r, reasons=(reason,)) if r.outcome is Outcome.FAILED and not r.reasons else r
            for r in results]


def _settled_elsewhere(result: SubmitResult) -> bool:
    """In a reprocessing, the raw event was already settled when this unit of work read it."""
    if result.outcome is Outcome.DUPLICATE:
        return True
    return result.outcome is Outcome.FAILED and result.status in SETTLED_STATUSES


def _exact_duplicate(ref: RawRef, digest: str) -> SubmitResult:
    return SubmitResult(Outcome.DUPLICATE, ref.id, ref.normalized_id or ref.duplicate_of,
                        ref.status, None, digest)
