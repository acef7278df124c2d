"""Named fault points for failure simulation (design section 7)."""
from __future__ import annotations

import enum


class FaultPoint(str, enum.Enum):
    """Where a simulated failure strikes in the processing of a submission."""

    BEFORE_WRITE = "before_write"        # the store is unreachable before anything is written
    MID_TRANSACTION = "mid_transaction"  # after the normalized insert, before the commit
    AFTER_COMMIT = "after_commit"        # the commit succeeds, the reply is lost

    def __str__(self) -> str:
        return self.value

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    FaultPoint.BEFORE_WRITE: "store unreachable before anything is written: nothing is stored",
    FaultPoint.MID_TRANSACTION: "failure after the normalized insert, before commit: rolled back, raw kept as failed",
    FaultPoint.AFTER_COMMIT: "commit succeeds but the reply is lost: a retry is an exact duplicate",
}


def parse_fault_point(text: str) -> FaultPoint:
    """The fault point named by `text`; ValueError listing the choices otherwise."""
    try:
        return FaultPoint(text.strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(p.value for p in FaultPoint)
        raise ValueError(f"unknown fault point {text!r} (choose one of: {choices})") from None
