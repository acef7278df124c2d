"""Streaming ingest of JSON-lines and JSON-array input, in batches.

Memory stays flat in the size of the input: lines are read one at a time and processed in
batches of ``batch_size``; each batch is one unit of work. Every non-blank line (or array
element) is recorded, whatever it holds.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterable, Iterator, Optional

from eventdesk.core.model import Outcome, Prepared, SubmitResult

DEFAULT_BATCH_SIZE = 5000
_SPECIAL = re.compile(rb'["\[\]{}]')
_TOKEN = re.compile(rb'["\[\]{},]')
_STRING_END = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass
class IngestSummary:
    lines: int = 0
    accepted: int = 0
    duplicate: int = 0
    semantic_duplicate: int = 0
    rejected: int = 0
    failed: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    stopped: bool = False      # the store failed so that not even failures could be recorded
    errors: list[str] = field(default_factory=list)   # first store error of each failing batch

    def count(self, results: Iterable[SubmitResult]) -> None:
        for result in results:
            self.lines += 1
            name = result.outcome.value
            setattr(self, name, getattr(self, name) + 1)

    def to_json(self) -> dict[str, object]:
        return {"lines": self.lines, "accepted": self.accepted, "duplicate": self.duplicate,
                "semantic_duplicate": self.semantic_duplicate, "rejected": self.rejected,
                "failed": self.failed, "seconds": round(self.seconds, 3)}


def read_events(stream: BinaryIO, fmt: str = "auto") -> Iterator[bytes]:
    """Yield each event's bytes as received: one per non-blank line, or per array element."""
    first = _peek_first_line(stream)
    if fmt == "auto":
        fmt = "array" if _looks_like_array(first, stream) else "jsonl"
    if fmt == "array":
        yield from _array_elements(first, stream)
    else:
        for line in _chain_first(first, stream):
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield stripped


def _peek_first_line(stream: BinaryIO) -> bytes:
    while True:
        line = stream.readline()
        if not line or line.strip():
            return line


def _chain_first(first: bytes, stream: BinaryIO) -> Iterator[bytes]:
    if first:
        yield first
    yield from stream


def _looks_like_array(first: bytes, stream: BinaryIO) -> bool:
    """An array file starts with '[' and its first line is not a whole JSON value of its own."""
    text = first.strip()
    if not text.startswith(b"["):
        return False
    depth = _depth_after(text)
    if depth != 0:
        return True  # the array goes on past the first line
    # one complete array on the first line: a file of events only if nothing else follows
    position = stream.tell() if stream.seekable() else None
    rest = stream.read(1) if position is not None else b"x"
    if position is not None:
        stream.seek(position)
    return not rest and text.startswith(b"[{")


def _depth_after(text: bytes) -> int:
    depth, index = 0, 0
    while True:
        match = _SPECIAL.search(text, index)
        if match is None:
            return depth
        char = match.group()
        if char == b'"':
            end = _STRING_END.match(text, match.end())
            if end is None:
                return depth + 1
            index = end.end()
            continue
        depth += 1 if char in b"[{" else -1
        index = match.end()


def _array_elements(first: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """Elements of a top-level JSON array, each as its own bytes, read chunk by chunk."""
    buffer = first.lstrip()[1:]  # after the opening '['
    chunks = iter(lambda: stream.read(1 << 16), b"")
    depth, index, element_start = 0, 0, 0
    while True:
        match = _TOKEN.search(buffer, index)
        if match is not None and match.group() == b'"':
            end = _STRING_END.match(buffer, match.end())
            if end is not None:
                index = end.end()
                continue
            match = None  # the string goes on in the next chunk
        if match is None:
            more = next(chunks, None)
            if more is None:
                tail = buffer[element_start:].strip()
                if tail:
                    yield tail  # unterminated array: the rest is recorded as it is
                return
            buffer, index = buffer[element_start:] + more, index - element_start
            element_start = 0
            continue
        char = match.group()
        if char in b"[{":
            depth += 1
        elif char in b"]}":
            if depth == 0:  # the array's closing bracket
                tail = buffer[element_start:match.start()].strip()
                if tail:
                    yield tail
                return
            depth -= 1
        elif depth == 0:  # a comma between elements
            element = buffer[element_start:match.start()].strip()
            if element:
                yield element
            element_start = match.end()
        index = match.end()


def batches(events: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


ProgressCallback = Callable[[IngestSummary, int], None]  # summary so far, bytes read
PrepareBatches = Callable[[Iterable[list[bytes]]], Iterator[list[Prepared]]]
ApplyBatch = Callable[[list[Prepared]], list[SubmitResult]]


def ingest_stream(stream: BinaryIO, prepare: PrepareBatches, apply: ApplyBatch,
                  summary: Optional[IngestSummary] = None, batch_size: int = DEFAULT_BATCH_SIZE,
                  fmt: str = "auto", progress: Optional[ProgressCallback] = None,
                  cancel: Optional[threading.Event] = None) -> IngestSummary:
    """Read, prepare and apply a stream batch by batch; cancel stops at a batch boundary,
    with every batch before it committed and nothing of the batches after it."""
    summary = summary or IngestSummary()
    started = time.perf_counter() - summary.seconds
    prepared_batches = prepare(batches(read_events(stream, fmt), batch_size))
    try:
        for prepared in prepared_batches:
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                break
            results = apply(prepared)
            summary.count(results)
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary, _position(stream))
            unrecorded = [r for r in results if r.outcome is Outcome.FAILED and r.raw_id is None]
            if unrecorded:
                summary.errors.append(unrecorded[0].error or "the store failed")
                if len(unrecorded) == len(results):  # not even the failure could be stored: stop
                    summary.stopped = True
                    break
    finally:
        close = getattr(prepared_batches, "close", None)
        if close is not None:
            close()
    summary.seconds = time.perf_counter() - started
    return summary


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


__all__ = ["IngestSummary", "read_events", "ingest_stream", "batches", "Outcome"]
