"""The one invariant every reliability test checks, as a Jepsen-style checker.

A test records the history it produced (what it sent, what it was told) and describes the end
state that history must lead to as an ``Expected``; ``check(store, expected)`` reads the store
back through the ``EventStore`` port alone and returns every violation it finds:

    lost          an acknowledged event, a fact or a raw line that the store does not hold
    duplicated    a content or a fact stored more than once (counted twice)
    unexpected    a fact, a client or a metric that nobody sent
    stuck         a raw event left ``pending`` or ``processing``
    unfinished    a raw event left ``failed``/``dead_letter`` where the history allows none
    unaccounted   receipts that do not add up to the input lines
    broken_link   raw and normalized events that do not point at each other as section 3 says
    sum_mismatch  a count or an exact sum that differs from the history's
    integrity     SQLite's own ``PRAGMA integrity_check`` is not ``ok``

Tests assert the list is empty; negative controls assert it is not.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Mapping, Optional, Sequence

from eventdesk.core.queries import AggregateQuery, NormalizedQuery, Page, RawQuery

PAGE = 5000
SHOWN_PER_KIND = 12  # detail lines kept per kind of violation; the count is always exact
ACKNOWLEDGED = ("accepted", "duplicate", "semantic_duplicate", "rejected", "counted")
#: "counted": bulk ingest counted the line in a batch that committed (it tells counts, not ids)


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str
    events: int = 0  # events concerned, where the violation is a count of lost or doubled events

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class Ack:
    """What a client was told about one submission (``eventdesk submit --json``)."""

    content_hash: str
    outcome: str
    raw_id: Any = None
    normalized_id: Any = None


@dataclass
class Expected:
    """The end state a history must lead to. Keys of the dicts are ``client|metric`` and
    ``client|YYYY-MM-DD`` (UTC), as in the generator's truth file."""

    raw_total: int
    normalized: int
    rejected: int
    semantic: int
    by_client_metric: dict[str, tuple[int, Decimal]]
    by_client_day: Optional[dict[str, int]] = None
    total_sum: Optional[Decimal] = None
    lines: Optional[int] = None         # receipts must add up to exactly this many inputs
    min_lines: Optional[int] = None     # ... or to at least this many (re-sends after a crash)
    acknowledged: Sequence[Ack] = ()
    failed: int = 0                     # raw events the history leaves failed or dead_letter
    statuses: Optional[dict[str, int]] = None  # exact counts by status, where the history knows them

    @classmethod
    def from_truth(cls, truth: Mapping[str, Any], resent: bool = False,
                   acknowledged: Sequence[Ack] = ()) -> "Expected":
        """The generator's truth file; ``resent``: some lines were sent more than once."""
        lines = truth["lines"]
        return cls(
            raw_total=lines - truth["exact_duplicates"], normalized=truth["normalized"],
            rejected=truth["rejected"], semantic=truth["semantic_duplicates"],
            by_client_metric={k: (v["count"], Decimal(v["sum"])) for k, v in truth["by_client_metric"].items()},
            by_client_day=dict(truth["by_client_day"]), total_sum=Decimal(truth["total_sum"]),
            lines=None if resent else lines, min_lines=lines if resent else None,
            acknowledged=acknowledged)


@dataclass
class Snapshot:
    """Everything the checker read from the store."""

    raws: list = field(default_factory=list)
    normalized: list = field(default_factory=list)


def read_all(store) -> Snapshot:
    return Snapshot(list(_pages(store.query_raw, RawQuery())),
                    list(_pages(store.query_normalized, NormalizedQuery())))


def _pages(query, what) -> Iterator[Any]:
    after = None
    while True:
        rows = query(what, Page("id", False, after, PAGE))
        yield from rows
        if len(rows) < PAGE:
            return
        after = (rows[-1].id, rows[-1].id)


class _Report:
    def __init__(self) -> None:
        self.items: list[Violation] = []
        self._seen: Counter = Counter()
        self._hidden: Counter = Counter()
        self._events: Counter = Counter()

    def add(self, kind: str, detail: str, events: int = 0) -> None:
        self._seen[kind] += 1
        self._events[kind] += events
        if self._seen[kind] <= SHOWN_PER_KIND:
            self.items.append(Violation(kind, detail))
        else:
            self._hidden[kind] += 1

    def result(self) -> list[Violation]:
        hidden = [Violation(k, f"... and {n} more") for k, n in self._hidden.items()]
        totals = [Violation(k, f"{n} events in all", n) for k, n in self._events.items() if n]
        return self.items + hidden + totals


def check(store, expected: Optional[Expected] = None, integrity: bool = True) -> list[Violation]:
    """Every violation of the invariant; ``expected=None`` checks the structure alone."""
    report = _Report()
    snap = read_all(store)
    _check_structure(snap, report)
    stats = store.stats()
    _check_stats(snap, stats, report)
    if expected is not None:
        _check_counts(snap, expected, report)
        _check_sums(store, snap, expected, report)
        _check_acks(snap, expected.acknowledged, report)
    if integrity and hasattr(store, "integrity_check"):
        verdict = store.integrity_check()
        if verdict != "ok":
            report.add("integrity", f"PRAGMA integrity_check: {verdict}")
    return report.result()


def count_kinds(violations: Sequence[Violation]) -> Counter:
    """Violations by kind, those left out of the list included."""
    counts: Counter = Counter()
    for v in violations:
        if v.detail.startswith("... and "):
            counts[v.kind] += int(v.detail.split()[2])
        elif not v.events:
            counts[v.kind] += 1
    return counts


def lost_and_doubled(violations: Sequence[Violation]) -> tuple[int, int]:
    """Events lost and events counted twice, for the figures of a run."""
    return (sum(v.events for v in violations if v.kind == "lost"),
            sum(v.events for v in violations if v.kind == "duplicated"))


# -- structure: contents once, facts once, links as section 3 says

def _check_structure(snap: Snapshot, report: _Report) -> None:
    by_hash = defaultdict(list)
    for raw in snap.raws:
        by_hash[raw.content_hash].append(raw.id)
    for digest, ids in by_hash.items():
        if len(ids) > 1:
            report.add("duplicated", f"content {digest[:12]} stored as {len(ids)} raw events {ids[:5]}")
    facts = defaultdict(list)
    by_normalized_hash = defaultdict(list)
    for event in snap.normalized:
        by_normalized_hash[event.normalized_hash].append(event.id)
        if None not in (event.metric, event.amount, event.timestamp):
            facts[(event.client_id, event.metric, Decimal(event.amount), event.timestamp)].append(event.id)
    for digest, ids in by_normalized_hash.items():
        if len(ids) > 1:
            report.add("duplicated", f"normalized hash {digest[:12]} counted {len(ids)} times {ids[:5]}")
    hash_of = {event.id: event.normalized_hash for event in snap.normalized}
    for key, ids in facts.items():
        if len(ids) > 1 and len({hash_of[i] for i in ids}) > 1:
            report.add("duplicated", f"fact {key} counted {len(ids)} times under different hashes")
    _check_links(snap, report)


def _check_links(snap: Snapshot, report: _Report) -> None:
    raws = {raw.id: raw for raw in snap.raws}
    normalized_ids = {event.id for event in snap.normalized}
    owners = defaultdict(list)
    for event in snap.normalized:
        owners[event.raw_id].append(event.id)
        raw = raws.get(event.raw_id)
        if raw is None:
            report.add("broken_link", f"normalized {event.id} points at missing raw {event.raw_id}")
        elif raw.status != "normalized":
            report.add("broken_link", f"normalized {event.id} belongs to raw {raw.id} in status {raw.status}")
    for raw in snap.raws:
        mine = owners.get(raw.id, [])
        if raw.status == "normalized" and len(mine) != 1:
            kind = "lost" if not mine else "duplicated"
            report.add(kind, f"raw {raw.id} is normalized but has {len(mine)} normalized events")
        if raw.status == "duplicate" and raw.duplicate_of not in normalized_ids:
            report.add("broken_link", f"raw {raw.id} is a duplicate of missing normalized {raw.duplicate_of}")
        if raw.status in ("pending", "processing"):
            report.add("stuck", f"raw {raw.id} left {raw.status}")


def _check_stats(snap: Snapshot, stats, report: _Report) -> None:
    statuses = Counter(raw.status for raw in snap.raws)
    for status, count in stats.by_status.items():
        if statuses.get(status, 0) != count:
            report.add("sum_mismatch", f"stats say {count} {status}, the table holds {statuses.get(status, 0)}")
    if stats.normalized != len(snap.normalized):
        report.add("sum_mismatch", f"stats say {stats.normalized} normalized, the table holds {len(snap.normalized)}")
    exact = sum(raw.receipts - 1 for raw in snap.raws)
    if stats.exact_duplicates != exact:
        report.add("sum_mismatch", f"stats say {stats.exact_duplicates} exact duplicates, receipts say {exact}")


# -- against the history

def _check_counts(snap: Snapshot, expected: Expected, report: _Report) -> None:
    statuses = Counter(raw.status for raw in snap.raws)
    _compare(report, "raw events", len(snap.raws), expected.raw_total)
    _compare(report, "normalized events", len(snap.normalized), expected.normalized, events=True)
    _compare(report, "rejected raw events", statuses["rejected"], expected.rejected)
    _compare(report, "semantic duplicates", statuses["duplicate"], expected.semantic)
    left = statuses["failed"] + statuses["dead_letter"]
    if left != expected.failed:
        report.add("unfinished", f"{left} raw events failed or dead_letter, the history leaves {expected.failed}")
    if expected.statuses is not None:
        for status, count in expected.statuses.items():
            if statuses.get(status, 0) != count:
                report.add("sum_mismatch", f"{statuses.get(status, 0)} raw events {status}, expected {count}")
    receipts = sum(raw.receipts for raw in snap.raws)
    if expected.lines is not None and receipts != expected.lines:
        report.add("unaccounted", f"receipts add up to {receipts}, {expected.lines} lines were received")
    if expected.min_lines is not None and receipts < expected.min_lines:
        report.add("unaccounted", f"receipts add up to {receipts}, at least {expected.min_lines} lines were received")


def _compare(report: _Report, what: str, actual: int, wanted: int, events: bool = False) -> None:
    if actual < wanted:
        report.add("lost", f"{wanted - actual} of {wanted} {what} missing ({actual} stored)",
                   wanted - actual if events else 0)
    elif actual > wanted:
        report.add("duplicated", f"{actual - wanted} {what} too many ({actual} stored, {wanted} expected)",
                   actual - wanted if events else 0)


def _check_sums(store, snap: Snapshot, expected: Expected, report: _Report) -> None:
    from_rows: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    days_from_rows: Counter = Counter()
    for event in snap.normalized:
        cell = from_rows[f"{event.client_id}|{event.metric}"]
        cell[0] += 1
        cell[1] += Decimal(event.amount) if event.amount is not None else 0
        if event.timestamp is not None:
            days_from_rows[f"{event.client_id}|{event.timestamp[:10]}"] += 1
    from_aggregates: dict[str, list] = {}
    for row in store.aggregates(AggregateQuery()):
        from_aggregates[f"{row.client_id}|{row.metric}"] = [row.count, Decimal(row.sum)]
    for source, table in (("rows", from_rows), ("aggregates", from_aggregates)):
        _compare_groups(report, source, {k: tuple(v) for k, v in table.items()}, expected.by_client_metric)
        if expected.total_sum is not None:
            total = sum((v[1] for v in table.values()), Decimal(0))
            if total != expected.total_sum:
                report.add("sum_mismatch", f"{source}: total sum {total}, expected {expected.total_sum}")
    if expected.by_client_day is not None:
        days_from_aggregates: Counter = Counter()
        for row in store.aggregates(AggregateQuery(bucket="day")):
            if row.bucket is not None:
                days_from_aggregates[f"{row.client_id}|{row.bucket[:10]}"] += row.count
        for source, days in (("rows", days_from_rows), ("aggregates", days_from_aggregates)):
            for key in sorted(set(days) | set(expected.by_client_day)):
                got, wanted = days.get(key, 0), expected.by_client_day.get(key, 0)
                if got != wanted:
                    kind = "lost" if got < wanted else ("unexpected" if not wanted else "duplicated")
                    report.add(kind, f"{source}: {key} has {got} events, expected {wanted}")


def _compare_groups(report: _Report, source: str, actual: dict, wanted: dict) -> None:
    for key in sorted(set(actual) | set(wanted)):
        if key not in wanted:
            report.add("unexpected", f"{source}: {key} holds {actual[key][0]} events nobody sent")
            continue
        count, total = actual.get(key, (0, Decimal(0)))
        want_count, want_total = wanted[key]
        if count != want_count:
            kind = "lost" if count < want_count else "duplicated"
            report.add(kind, f"{source}: {key} counts {count}, expected {want_count}")
        if total != want_total:
            report.add("sum_mismatch", f"{source}: {key} sums to {total}, expected {want_total}")


def _check_acks(snap: Snapshot, acks: Sequence[Ack], report: _Report) -> None:
    """Every acknowledged submission is stored, under the ids the client was told, for good."""
    raws = {raw.content_hash: raw for raw in snap.raws}
    normalized = {event.id: event for event in snap.normalized}
    told: dict[str, set] = defaultdict(set)
    for ack in acks:
        if ack.outcome not in ACKNOWLEDGED:
            continue
        told[ack.content_hash].add(ack.raw_id)
        raw = raws.get(ack.content_hash)
        if raw is None:
            report.add("lost", f"acknowledged {ack.outcome} of content {ack.content_hash[:12]} is not stored", 1)
            continue
        if ack.raw_id is None:  # told no ids: being stored is all it was promised
            continue
        if raw.id != ack.raw_id:
            report.add("broken_link", f"content {ack.content_hash[:12]} was acknowledged as raw {ack.raw_id},"
                                      f" the store holds it as raw {raw.id}")
        if ack.normalized_id is not None and ack.normalized_id not in normalized:
            report.add("lost", f"acknowledged normalized {ack.normalized_id} (raw {ack.raw_id}) is not stored")
        if ack.outcome == "accepted" and raw.normalized_id != ack.normalized_id:
            report.add("broken_link", f"raw {raw.id} was accepted as normalized {ack.normalized_id},"
                                      f" the store links it to {raw.normalized_id}")
    for digest, ids in told.items():
        if len(ids) > 1:
            report.add("duplicated", f"content {digest[:12]} was acknowledged under raw ids {sorted(map(str, ids))}")
