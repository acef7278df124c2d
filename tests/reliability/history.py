"""Histories the tests can predict: facts written in several ways, and a model of the store.

A ``Fact`` is one (client, metric, amount, instant). ``render`` writes it as one of four
*variants* (different content, same fact: semantic duplicates of each other) in one of two
*layouts* (key order and blanks: the same content, an exact duplicate). The ``Model`` knows,
from section 3 and 7 of the design alone, what each submission must come to and what the
store must then hold; it never asks the engine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Optional

from reliability.invariants import Expected

VARIANTS = 4
LAYOUTS = 2
REJECTS = ('{"source":"shop_1","payload":{"metric":"sales"',  # truncated
           '[1,"not","an","object"]', '{"payload":{"metric":"sales"}}', '{"source":"  ","payload":{}}',
           '{"source":"shop_2","payload":"metric=sales;amount=1"}')
SETTLED = ("normalized", "duplicate", "rejected")
MAX_ATTEMPTS = 5


@dataclass(frozen=True, order=True)
class Fact:
    client: str
    metric: str
    amount: Decimal
    ts: datetime  # UTC, whole seconds

    @property
    def group(self) -> str:
        return f"{self.client}|{self.metric}"

    @property
    def day(self) -> str:
        return f"{self.client}|{self.ts:%Y-%m-%d}"


@dataclass(frozen=True)
class _JsonNumber:
    """A Decimal to be written as a JSON number with exactly its digits."""

    value: Decimal


def render(fact: Fact, variant: int, layout: int = 0, simulate_failure: bool = False) -> str:
    """One input line for ``fact``; every variant normalizes to the same canonical event."""
    m, a, ts = fact.metric, fact.amount, fact.ts
    if variant == 0:
        payload = {"metric": m, "amount": f"{a:f}", "timestamp": f"{ts:%Y-%m-%dT%H:%M:%SZ}"}
    elif variant == 1:
        local = ts.astimezone(timezone(timedelta(hours=2)))
        payload = {"metric": m.upper(), "amount": _JsonNumber(a), "timestamp": local.isoformat()}
    elif variant == 2:
        shown = f"({-a:,f})" if a < 0 else f"${a:,f}"
        payload = {"type": f"  {m.title().replace(' ', '  ')} ", "total": shown, "ts": int(ts.timestamp())}
    else:
        payload = {"kind": m, "price": f"USD {a:f}", "created_at": f"{ts:%a, %d %b %Y %H:%M:%S} GMT",
                   "extra": {"sdk": "3.1"}}
    event = {"source": fact.client, "payload": payload}
    if simulate_failure:
        event["simulateFailure"] = True  # not part of the content: the same content hash
    if layout == 0:
        return _json(event, sort=True, blank="")
    return _json(event, sort=False, blank=" ")


def _json(value, sort: bool, blank: str) -> str:
    """Compact sorted JSON (layout 0), or keys reversed with blanks (layout 1)."""
    if isinstance(value, dict):
        keys = sorted(value) if sort else list(reversed(list(value)))
        inner = ("," + blank).join(f"{json.dumps(k)}{blank}:{blank}{_json(value[k], sort, blank)}" for k in keys)
        return "{" + blank + inner + blank + "}"
    if isinstance(value, _JsonNumber):
        return str(value.value)
    return json.dumps(value, ensure_ascii=False)


# -- the model

@dataclass
class Content:
    fact: Optional[Fact]          # None: a rejected input
    status: str
    attempts: int = 1
    receipts: int = 1
    order: int = 0                # commit order of its first write: raw ids grow with it


@dataclass
class Model:
    """What the store must hold after a history of submissions, faults and retries."""

    contents: dict = field(default_factory=dict)   # content key -> Content
    holders: dict = field(default_factory=dict)    # Fact -> content key holding its normalized event
    _next: int = 0

    def submit(self, key, fact: Optional[Fact], fault: Optional[str] = None) -> str:
        """Apply one submission; returns the outcome the engine must report.

        ``fault``: None, "before_write" (or a persistent store fault: nothing written),
        "mid_transaction" (or a transient store fault: rolled back, failure recorded),
        "after_commit" (committed, the reply lost).
        """
        if fault == "before_write":
            return "failed"
        if fault == "mid_transaction":
            return self._record_failure(key, fact)
        outcome = self._process(key, fact, resend=True)
        return "failed" if fault == "after_commit" else outcome

    def _process(self, key, fact: Optional[Fact], resend: bool) -> str:
        known = self.contents.get(key)
        if known is None:
            if fact is None:
                self._add(key, None, "rejected")
                return "rejected"
            status = self._normalize(key, fact)
            self._add(key, fact, status)
            return "accepted" if status == "normalized" else "semantic_duplicate"
        if resend:
            known.receipts += 1
        if known.status in SETTLED:
            return "duplicate"
        known.attempts += 1
        known.status = self._normalize(key, fact)
        return "accepted" if known.status == "normalized" else "semantic_duplicate"

    def _normalize(self, key, fact: Fact) -> str:
        if fact in self.holders:
            return "duplicate"
        self.holders[fact] = key
        return "normalized"

    def _add(self, key, fact: Optional[Fact], status: str) -> None:
        self.contents[key] = Content(fact, status, order=self._next)
        self._next += 1

    def _record_failure(self, key, fact: Optional[Fact], resend: bool = True) -> str:
        known = self.contents.get(key)
        if known is None:
            self._add(key, fact, "failed" if fact is not None else "rejected")
            return "failed" if fact is not None else "rejected"
        if resend:  # the line was received: it counts, whatever became of its batch
            known.receipts += 1
        if known.status in SETTLED:
            return "failed"
        known.attempts += 1
        known.status = "dead_letter" if known.attempts >= MAX_ATTEMPTS else "failed"
        return "failed"

    def failed_keys(self) -> list:
        """Contents ``retry`` selects, in raw id order."""
        found = [(c.order, k) for k, c in self.contents.items() if c.status == "failed"]
        return [k for _, k in sorted(found)]

    def retry(self, fault: bool = False) -> None:
        """``Processor.retry()``: failed contents reprocessed in one batch (no receipts)."""
        for key in self.failed_keys():
            if fault:
                self._record_failure(key, self.contents[key].fact, resend=False)
            else:
                self._process(key, self.contents[key].fact, resend=False)

    def expected(self) -> Expected:
        groups: dict[str, tuple[int, Decimal]] = {}
        days: dict[str, int] = {}
        for fact in self.holders:
            count, total = groups.get(fact.group, (0, Decimal(0)))
            groups[fact.group] = (count + 1, total + fact.amount)
            days[fact.day] = days.get(fact.day, 0) + 1
        statuses: dict[str, int] = {}
        for content in self.contents.values():
            statuses[content.status] = statuses.get(content.status, 0) + 1
        return Expected(
            raw_total=len(self.contents), normalized=len(self.holders), rejected=statuses.get("rejected", 0),
            semantic=statuses.get("duplicate", 0), by_client_metric=groups, by_client_day=days,
            total_sum=sum((f.amount for f in self.holders), Decimal(0)),
            lines=sum(c.receipts for c in self.contents.values()),
            failed=statuses.get("failed", 0) + statuses.get("dead_letter", 0), statuses=statuses)
