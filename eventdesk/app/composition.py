"""The composition root: builds the store, normalizer and processor from settings.

The GUI, the command line, the HTTP API and the tests all get their services from
``build_app``; nothing else chooses an adapter.
"""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterable, Iterator, Optional, Sequence

from eventdesk.app.mapping_sources import current_mappings, os_user, readable_mappings
from eventdesk.app.paths import default_store_uri
from eventdesk.core.compiled import FastPreparer
from eventdesk.core.errors import MappingsError, StoreError
from eventdesk.core.faults import FaultPoint
from eventdesk.core.ingest import (
    DEFAULT_BATCH_SIZE,
    IngestSummary,
    PrepareBatches,
    ProgressCallback,
    chunk_size,
    ingest_stream,
)
from eventdesk.core.input_reader import Item
from eventdesk.core.mappings import Mappings
from eventdesk.core.model import SubmitResult
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.parallel import ParallelPreparer, prepare_batch
from eventdesk.core.ports import EventStore
from eventdesk.core.processor import DEFAULT_MAX_ATTEMPTS, Processor, utc_now_text
from eventdesk.core.rows import Row
from eventdesk.store import open_store

#: Test-only switch for negative controls: stores are opened without their unique indexes.
UNSAFE_NO_DEDUP_ENV = "EVENTDESK_UNSAFE_DISABLE_DEDUP_GUARD"


@dataclass
class Settings:
    store_uri: Optional[str] = None          # None: $EVENTDESK_STORE or the user data folder
    mappings_file: Optional[str] = None      # None: the store's current mappings
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    store_options: dict[str, Any] = field(default_factory=dict)
    read_only: bool = False                  # stats, export, aggregates: no write lock, nothing saved


class App:
    """The services one store offers: submit, ingest, retry, query; built by ``build_app``.

    ``store`` and ``processor`` are the engine's; front ends use the functions of
    ``eventdesk.app`` (events, queries, exporting, mappings), never these attributes.
    """

    def __init__(self, store: EventStore, mappings: Mappings, mappings_version: int,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.store = store
        # the mappings and their version, read and replaced as one (a server follows the store's)
        self._current = (mappings, mappings_version)
        self.processor = Processor(store, Normalizer(mappings, mappings_version), max_attempts,
                                   mapping_version=mappings_version)
        self._row_preparer: Optional[tuple[tuple[Mappings, int], FastPreparer]] = None

    @property
    def mappings(self) -> Mappings:
        return self._current[0]

    @property
    def mappings_version(self) -> int:
        return self._current[1]

    def submit(self, received: str | bytes, fault: Optional[FaultPoint] = None) -> SubmitResult:
        return self.processor.submit(received, fault)

    def apply_raw_batch(self, batch: Sequence[bytes]) -> list[SubmitResult]:
        return self.processor.apply(prepare_batch(self.processor.normalizer, list(batch)))

    def row_preparer(self) -> tuple[FastPreparer, int]:
        """The compiled preparer of the current mappings, made once for them, and their version
        (HTTP batches: the rows are written with the version that made them)."""
        current, made = self._current, self._row_preparer
        if made is None or made[0] is not current:
            made = self._row_preparer = (current, FastPreparer(current[0]))
        return made[1], current[1]

    def parallel_preparer(self, workers: int) -> ParallelPreparer:
        """Worker processes that prepare batches with this app's mappings (close it after use),
        staging their rows the store's way where it has one (SQLite: chunk files)."""
        stager = getattr(self.store, "row_stager", None)
        stage, most = stager() if stager is not None else (None, 0)
        left = getattr(self.store, "discard_staged_rows", None) if stage is not None else None
        mappings, version = self._current
        return ParallelPreparer(mappings, workers, stage, most, left, mapping_version=version)

    def ingest(self, stream: BinaryIO, summary: Optional[IngestSummary] = None,
               batch_size: int = DEFAULT_BATCH_SIZE, fmt: str = "auto",
               progress: Optional[ProgressCallback] = None, cancel: Optional[threading.Event] = None,
               preparer: Optional[ParallelPreparer] = None) -> IngestSummary:
        """Import one JSON-lines or JSON-array stream; with a ``preparer``, parsing runs in parallel.

        Front ends call ``eventdesk.app.events.ingest_files``, which decides on the worker pool."""
        version: Optional[int]
        if preparer is None:
            mappings, version = self._current
            here = FastPreparer(mappings)  # the workers' way, in this process
            prepare: PrepareBatches = functools.partial(_rows_of_batches, here)
        else:
            prepare, version = preparer.prepare, preparer.mapping_version
        chunk = chunk_size(batch_size)
        if preparer is not None and preparer.staged_per_batch:
            staged_chunk = chunk_size(batch_size, preparer.staged_per_batch)
            if batch_size % staged_chunk == 0:  # staged chunks are whole: only then exact batches
                chunk = staged_chunk
                prepare = functools.partial(preparer.prepare, staged=True, per_batch=batch_size // chunk)
        write = functools.partial(self.processor.apply_rows, mapping_version=version)
        return ingest_stream(stream, prepare, write, summary, batch_size, fmt, progress, cancel, chunk)

    def set_mappings(self, mappings: Mappings, text: Optional[str] = None, note: Optional[str] = None) -> int:
        """Make ``mappings`` current for this store (a new version, saved as ``text`` when given)
        and for this app; the OS user is recorded as who saved it."""
        saved = mappings.to_json() if text is None else text
        version = self.store.save_mappings(saved, utc_now_text(), os_user(), note)
        self._use(mappings, version)
        return version

    def follow_store_mappings(self) -> bool:
        """Take up the store's current mappings when another process made another version
        current (``eventdesk mappings --set``, a rollback); True when they changed. Each input
        keeps the version of the mappings that prepared it, whenever the change comes. A store
        that cannot be read, or a version that cannot (never saved so), leaves the mappings in
        use: False, and the write that follows meets the store's trouble its own way. Mappings
        that are no stored version (version 0: a draft a read-only run previews) are kept."""
        if not self.mappings_version:
            return False
        try:
            stored = self.store.current_mappings()
            # versions only ever append, so the current one is the newest: an older one was read
            # before this App saved its own (a look racing the desktop app's editor), never taken
            if stored is None or stored[0] <= self.mappings_version:
                return False
            mappings = Mappings.from_json(stored[1])
        except (StoreError, MappingsError):
            return False
        self._use(mappings, stored[0])
        return True

    def _use(self, mappings: Mappings, version: int) -> None:
        self.processor.normalizer = Normalizer(mappings, version)  # stamps what it prepares
        self.processor.mapping_version = version
        self._current = (mappings, version)

    @property
    def max_attempts(self) -> int:
        return self.processor.max_attempts

    def set_max_attempts(self, attempts: int) -> None:
        """Failures after which an event becomes dead_letter, from now on (a GUI preference)."""
        self.processor.max_attempts = attempts

    def close(self) -> None:
        self.store.close()


def build_app(settings: Settings) -> App:
    """Open the store the settings name and wire the services over it."""
    options = dict(settings.store_options)
    if os.environ.get(UNSAFE_NO_DEDUP_ENV) == "1":
        options["unique_indexes"] = False
    if settings.read_only:
        options["read_only"] = True
    store = open_store(settings.store_uri if settings.store_uri is not None else default_store_uri(), **options)
    choose = readable_mappings if settings.read_only else current_mappings
    try:
        mappings, version = choose(store, settings.mappings_file)
    except BaseException:
        store.close()
        raise
    return App(store, mappings, version, settings.max_attempts)


def _rows_of_batches(preparer: FastPreparer, batches: Iterable[list[Item]]) -> Iterator[list[Row]]:
    for batch in batches:
        yield preparer.rows(batch)
