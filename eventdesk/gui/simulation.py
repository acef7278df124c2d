"""Failure simulation: off by default; the Submit tab's switch and the Simulation menu share it."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, Signal

from eventdesk.core.faults import FaultPoint


class FailureSimulation(QObject):
    """Whether submissions should fail on purpose, and where (a ``FaultPoint``)."""

    #: On/off or the fault point changed.
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._enabled = False
        self._point = FaultPoint.MID_TRANSACTION

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def point(self) -> FaultPoint:
        return self._point

    def set_enabled(self, enabled: bool) -> None:
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit()

    def set_point(self, point: FaultPoint | str) -> None:
        """Strike at ``point``; its name as text is read too (Qt gives str-enum item data back as str)."""
        point = FaultPoint(point)  # ValueError for a name that is not a fault point
        if point is not self._point:
            self._point = point
            self.changed.emit()

    @property
    def fault(self) -> Optional[FaultPoint]:
        """The fault to pass to ``App.submit``: None when the simulation is off."""
        return self._point if self._enabled else None
