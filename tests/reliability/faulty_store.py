"""A fault-injecting wrapper around a real store, in the manner of SQLite's own fault tests.

``FaultyStore`` passes every call through to the store it wraps (and every unit-of-work call to
that store's unit of work), numbering the calls 1, 2, 3, ... across all of them. A ``FaultPlan``
makes call N raise ``StoreUnavailable`` instead of running:

    transient   call N fails, the calls after it succeed
    persistent  call N and every call after it fail, until ``heal()``
    lost_reply  the N-th ``commit`` runs, then raises: the data is committed, the reply is lost
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from eventdesk.core.errors import StoreUnavailable

MODES = ("transient", "persistent", "lost_reply")


@dataclass
class FaultPlan:
    fail_at: Optional[int] = None   # None: no fault
    mode: str = "transient"
    calls: int = 0                  # store and unit-of-work calls seen so far
    commits: int = 0
    fired: int = 0                  # faults raised
    fired_at: list[str] = field(default_factory=list)  # "N:name" of each fault
    log: list[str] = field(default_factory=list)       # every call's name, in order

    def arm(self, fail_at: int, mode: str = "transient") -> None:
        assert mode in MODES, mode
        self.fail_at, self.mode = fail_at, mode
        self.calls = self.commits = self.fired = 0
        self.fired_at.clear()
        self.log.clear()

    def heal(self) -> None:
        self.fail_at = None

    def before(self, name: str) -> None:
        self.calls += 1
        self.log.append(name)
        if name == "uow.commit":
            self.commits += 1
        if self.fail_at is None or self.mode == "lost_reply":
            return
        if self.calls == self.fail_at or (self.mode == "persistent" and self.calls > self.fail_at):
            self._fire(name)

    def after(self, name: str) -> None:
        if self.mode == "lost_reply" and self.fail_at is not None and name == "uow.commit" \
                and self.commits == self.fail_at:
            self._fire(name)

    def _fire(self, name: str) -> None:
        self.fired += 1
        self.fired_at.append(f"{self.calls}:{name}")
        raise StoreUnavailable(f"injected fault at store call {self.calls} ({name})")


class FaultyUnitOfWork:
    def __init__(self, inner: Any, plan: FaultPlan) -> None:
        self._inner = inner
        self._plan = plan
        self.atomic = inner.atomic

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self._plan.before(f"uow.{name}")
            result = target(*args, **kwargs)
            self._plan.after(f"uow.{name}")
            return result
        return call


class FaultyStore:
    """An ``EventStore`` that fails where its plan says; everything else is the real store's."""

    def __init__(self, inner: Any, plan: Optional[FaultPlan] = None) -> None:
        self.inner = inner
        self.plan = plan or FaultPlan()
        self.description = inner.description
        self.transactions = inner.transactions

    @contextmanager
    def unit_of_work(self) -> Iterator[FaultyUnitOfWork]:
        self.plan.before("store.unit_of_work")
        with self.inner.unit_of_work() as uow:
            yield FaultyUnitOfWork(uow, self.plan)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.plan.before(f"store.{name}")
            return target(*args, **kwargs)
        return call
