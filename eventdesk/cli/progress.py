"""A one-line progress bar for terminals: percent, events, events/s and ETA."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from eventdesk.core.ingest import IngestSummary


class ProgressBar:
    """Redraws at most ten times a second; prints nothing when ``enabled`` is False."""

    def __init__(self, total_bytes: int, enabled: bool, stream: TextIO = sys.stderr,
                 label: str = "") -> None:
        self.total = total_bytes
        self.enabled = enabled
        self.stream = stream
        self.label = label
        self._last = 0.0
        self.base_bytes = 0  # bytes of files finished before the current one

    def __call__(self, summary: IngestSummary, position: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        self.draw(summary, self.base_bytes + position)

    def draw(self, summary: IngestSummary, done_bytes: int) -> None:
        rate = summary.lines / summary.seconds if summary.seconds > 0 else 0.0
        line = f"{self.label}{summary.lines:,} events  {rate:,.0f} ev/s"
        if self.total > 0:
            fraction = min(done_bytes / self.total, 1.0)
            filled = int(fraction * 30)
            eta = (summary.seconds / fraction - summary.seconds) if fraction > 0 else 0.0
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}  {line}  ETA {eta:,.0f}s"
        self.stream.write("\r" + line + "\033[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()
