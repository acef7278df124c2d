"""A one-line progress bar for terminals: percent, events, events/s and ETA."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from eventdesk.core.ingest import IngestSummary


class ProgressBar:
    """An ``events.IngestProgress`` callback; redraws at most ten times a second, nothing when
    ``enabled`` is False."""

    def __init__(self, enabled: bool, stream: TextIO = sys.stderr, label: str = "") -> None:
        self.enabled = enabled
        self.stream = stream
        self.label = label
        self._last = 0.0

    def __call__(self, summary: IngestSummary, done_bytes: int, total_bytes: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1:
            return
        self._last = now
        self.draw(summary, done_bytes, total_bytes)

    def draw(self, summary: IngestSummary, done_bytes: int, total_bytes: int) -> None:
        rate = summary.lines / summary.seconds if summary.seconds > 0 else 0.0
        line = f"{self.label}{summary.lines:,} events  {rate:,.0f} ev/s"
        if total_bytes > 0:
            fraction = min(done_bytes / total_bytes, 1.0)
            filled = int(fraction * 30)
            eta = (summary.seconds / fraction - summary.seconds) if fraction > 0 else 0.0
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}  {line}  ETA {eta:,.0f}s"
        self.stream.write("\r" + line + "\033[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()
