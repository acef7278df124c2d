"""`eventdesk ingest`: files and standard input through the batch path, with progress."""
from __future__ import annotations

import os
import sys
from typing import BinaryIO, Optional, Sequence

from eventdesk.app import App
from eventdesk.cli.progress import ProgressBar
from eventdesk.core.ingest import DEFAULT_BATCH_SIZE, IngestSummary
from eventdesk.core.parallel import default_workers

PARALLEL_MIN_BYTES = 4 * 1024 * 1024


def _open_all(paths: Sequence[str]) -> list[tuple[str, BinaryIO, int]]:
    """Open every input before the first is read, so a typo fails before anything is stored."""
    opened: list[tuple[str, BinaryIO, int]] = []
    try:
        for path in paths:
            if path == "-":
                opened.append(("-", sys.stdin.buffer, 0))
            else:
                stream = open(path, "rb")
                opened.append((path, stream, os.fstat(stream.fileno()).st_size))
    except OSError:
        for name, stream, _ in opened:
            if name != "-":
                stream.close()
        raise
    return opened


def ingest_files(app: App, paths: Sequence[str], workers: Optional[int] = None,
                 batch_size: Optional[int] = None, fmt: str = "auto",
                 show_progress: bool = False) -> IngestSummary:
    opened = _open_all(paths)
    total = sum(size for _, _, size in opened)
    bar = ProgressBar(total, show_progress)
    summary = IngestSummary()
    workers = default_workers() if workers is None else workers
    # worker processes pay for themselves only on inputs of some size (or of unknown size)
    use_pool = workers > 1 and (total >= PARALLEL_MIN_BYTES or any(n == "-" for n, _, _ in opened))
    preparer = app.parallel_preparer(workers) if use_pool else None
    try:
        for name, stream, size in opened:
            app.ingest(stream, summary, batch_size or DEFAULT_BATCH_SIZE, fmt, bar, preparer=preparer)
            bar.base_bytes += size
    finally:
        if preparer is not None:
            preparer.close()
        bar.finish()
        for name, stream, _ in opened:
            if name != "-":
                stream.close()
    return summary
