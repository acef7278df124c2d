"""Pure arithmetic for aggregates: exact units, buckets, and merging partial results.

Stores compute partial aggregates per (client, metric, day) in their own query language;
these helpers turn them into the contract's rows (design section 8, ``aggregates``).
Amounts travel as integer units of 10**-4 where they fit (exact, fast in SQL); amounts that do
not fit are summed exactly as Decimal by the store's slow path.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Iterable, Optional

from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.queries import AggregateRow

MICROS = 1_000_000
DAY_US = 86_400 * MICROS
UNIT_PLACES = 4  # amounts are summed in SQL as integers of 10**-4 where exact
INT64_MAX = 2**63 - 1
AVG_PLACES = Decimal("0.000001")  # averages are rounded half-even to 6 decimal places
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# amounts in range have up to 43 significant digits; sums of millions of them need more than
# the default 28, and must never round
EXACT = Context(prec=120, rounding=ROUND_HALF_EVEN)


def amount_units(amount: Optional[Decimal]) -> Optional[int]:
    """The amount in exact units of 10**-4, or None when it has finer digits or is too large."""
    if amount is None:
        return None
    scaled = amount.scaleb(UNIT_PLACES)
    if scaled != scaled.to_integral_value():
        return None
    units = int(scaled)
    # headroom: a day's sum of up to 10**6 such amounts stays inside int64 (below 922 million each)
    return units if abs(units) <= INT64_MAX // 1_000_000 else None


def epoch_micros(moment: Optional[datetime]) -> Optional[int]:
    if moment is None:
        return None
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds


@functools.lru_cache(maxsize=65536)
def day_start_text(day: int) -> str:
    return timestamp_text(_EPOCH + timedelta(days=day))


def bucket_of_day(day: int, bucket: str) -> Optional[int]:
    """The epoch day on which the bucket containing ``day`` starts (ISO weeks start Monday)."""
    if bucket == "none":
        return None
    if bucket == "day":
        return day
    if bucket == "week":
        return day - (day + 3) % 7  # 1970-01-01 was a Thursday
    first = date(1970, 1, 1) + timedelta(days=day)
    return (first.replace(day=1) - date(1970, 1, 1)).days


@dataclass
class Partial:
    """Count and exact sum/min/max of one group; merged across days and sources."""

    count: int = 0
    amounts: int = 0
    total: Decimal = Decimal(0)
    low: Optional[Decimal] = None
    high: Optional[Decimal] = None

    def add(self, count: int, amounts: int, total: Decimal, low: Optional[Decimal],
            high: Optional[Decimal]) -> None:
        self.count += count
        self.amounts += amounts
        self.total = EXACT.add(self.total, total)
        if low is not None:
            self.low = low if self.low is None else min(self.low, low)
        if high is not None:
            self.high = high if self.high is None else max(self.high, high)


GroupKey = tuple[str, Optional[str], Optional[int]]  # client, metric, epoch day (None: no time)


def rows_from_partials(partials: dict[GroupKey, Partial], bucket: str) -> list[AggregateRow]:
    """Roll day-level partials up to the bucket and write them as contract rows, sorted."""
    merged: dict[tuple[str, Optional[str], Optional[int]], Partial] = {}
    for (client, metric, day), part in partials.items():
        key = (client, metric, None if day is None else bucket_of_day(day, bucket))
        target = merged.setdefault(key, Partial())
        target.add(part.count, part.amounts, part.total, part.low, part.high)
    rows = []
    for (client, metric, start), part in sorted(merged.items(), key=_sort_key):
        rows.append(AggregateRow(
            client_id=client, metric=metric,
            bucket=None if start is None else day_start_text(start),
            count=part.count,
            sum=amount_text(part.total),
            avg=amount_text(EXACT.divide(part.total, part.amounts).quantize(AVG_PLACES, ROUND_HALF_EVEN, EXACT))
            if part.amounts else "0",
            min=amount_text(part.low) if part.low is not None else "0",
            max=amount_text(part.high) if part.high is not None else "0"))
    return rows


def _sort_key(item: tuple[tuple[str, Optional[str], Optional[int]], Partial]) -> tuple:
    (client, metric, start), _ = item
    return (client, metric is None, metric or "", start is None, start or 0)


def units_text(units: int) -> str:
    """Canonical decimal text of an amount in units of 10**-4, with integer arithmetic only."""
    whole, part = divmod(abs(units), 10**UNIT_PLACES)
    text = f"{whole}.{part:0{UNIT_PLACES}d}".rstrip("0").rstrip(".") if part else str(whole)
    return "-" + text if units < 0 and text != "0" else text


def average_text(total_units: int, count: int) -> str:
    """sum / count rounded half-even to 6 decimal places (AVG_PLACES), as canonical text."""
    if count == 0:
        return "0"
    scaled = total_units * 10 ** (6 - UNIT_PLACES)  # in millionths
    quotient, remainder = divmod(abs(scaled), count)
    if 2 * remainder > count or (2 * remainder == count and quotient % 2):
        quotient += 1
    whole, part = divmod(quotient, 10**6)
    text = f"{whole}.{part:06d}".rstrip("0").rstrip(".") if part else str(whole)
    return "-" + text if scaled < 0 and text != "0" else text


def row_from_units(client: str, metric: Optional[str], start: Optional[int], count: int, amounts: int,
                   total: int, low: Optional[int], high: Optional[int]) -> AggregateRow:
    """A contract row straight from integer units: the fast path when nothing needs Decimal."""
    return AggregateRow(client, metric, None if start is None else day_start_text(start), count,
                        units_text(total), average_text(total, amounts),
                        "0" if low is None else units_text(low), "0" if high is None else units_text(high))


def from_units(units: Optional[int]) -> Optional[Decimal]:
    return None if units is None else Decimal(units).scaleb(-UNIT_PLACES)


def day_range(time_from: Optional[datetime], time_to: Optional[datetime]) -> tuple[
        Optional[int], Optional[int], list[tuple[Optional[int], Optional[int]]]]:
    """Split [from, to) into whole days (first, end) served by day totals, and edge spans in µs.

    Returns (first_day, end_day, edges); days in [first_day, end_day) are whole. When there are
    no whole days, first_day == end_day and the single edge is the whole range.
    """
    lo = epoch_micros(time_from)
    hi = epoch_micros(time_to)
    first = None if lo is None else -((-lo) // DAY_US)   # ceil
    end = None if hi is None else hi // DAY_US           # floor
    if first is not None and end is not None and first >= end:
        return 0, 0, [(lo, hi)]
    edges: list[tuple[Optional[int], Optional[int]]] = []
    if lo is not None and first is not None and lo < first * DAY_US:
        edges.append((lo, first * DAY_US))
    if hi is not None and end is not None and hi > end * DAY_US:
        edges.append((end * DAY_US, hi))
    return first, end, edges


def merge_rows(target: dict[GroupKey, Partial], rows: Iterable[tuple]) -> None:
    """Add rows of (client, metric, day, count, amounts, sum, min, max) with Decimal amounts."""
    for client, metric, day, count, amounts, total, low, high in rows:
        target.setdefault((client, metric, day), Partial()).add(count, amounts, total, low, high)
