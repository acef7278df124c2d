"""A debouncer: many quick calls to ``poke`` become one ``fired`` after a pause."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

FILTER_PAUSE_MS = 300


class Debouncer(QObject):
    """Emits ``fired`` once ``interval_ms`` after the last ``poke``."""

    #: The pause has passed since the last poke.
    fired = Signal()

    def __init__(self, parent: QObject, interval_ms: int = FILTER_PAUSE_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self.fired)

    def poke(self, *_ignored: object) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Fire now if a poke is waiting (used when the user presses Enter or F5)."""
        if self._timer.isActive():
            self._timer.stop()
            self.fired.emit()

    def stop(self) -> None:
        """Forget a waiting poke (the caller is about to do the work itself)."""
        self._timer.stop()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()
