"""The composition root: builds the store, normalizer and processor from settings.

The GUI, the command line and the tests all get their services from ``build_app``; nothing else
chooses an adapter.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
import threading
from typing import BinaryIO, Iterable, Iterator, Optional, Sequence

from eventdesk.core.errors import MappingsError
from eventdesk.core.faults import FaultPoint
from eventdesk.core.ingest import DEFAULT_BATCH_SIZE, IngestSummary, ProgressCallback, ingest_stream
from eventdesk.core.mappings import Mappings
from eventdesk.core.model import Prepared, SubmitResult
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.parallel import ParallelPreparer, prepare_batch
from eventdesk.core.processor import DEFAULT_MAX_ATTEMPTS, Processor, utc_now_text
from eventdesk.settings import default_store_uri, resource_path
from eventdesk.store import EventStore, open_store

SHIPPED_MAPPINGS = "mappings.json"
#: Test-only switch for negative controls: stores are opened without their unique indexes.
UNSAFE_NO_DEDUP_ENV = "EVENTDESK_UNSAFE_DISABLE_DEDUP_GUARD"
_FALLBACK_MAPPINGS = {  # used only when resources/ is missing from an installation
    "clients": {"client_A": {"fields": {"metric": ["value", "metric"], "amount": ["price", "amount"],
                                        "timestamp": ["date", "timestamp"]}}}}


@dataclass
class Settings:
    store_uri: Optional[str] = None          # None: $EVENTDESK_STORE or the user data folder
    mappings_file: Optional[str] = None      # None: the store's current mappings
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    store_options: dict = field(default_factory=dict)
    read_only: bool = False                  # stats, export, aggregates: no write lock, nothing saved


class App:
    """The services one store offers: submit, ingest, retry, query; built by ``build_app``."""

    def __init__(self, store: EventStore, mappings: Mappings, mappings_version: int,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.store = store
        self.mappings = mappings
        self.mappings_version = mappings_version
        self.processor = Processor(store, Normalizer(mappings), max_attempts)

    def submit(self, received: str | bytes, fault: Optional[FaultPoint] = None) -> SubmitResult:
        return self.processor.submit(received, fault)

    def apply_raw_batch(self, batch: Sequence[bytes]) -> list[SubmitResult]:
        return self.processor.apply(prepare_batch(self.processor.normalizer, list(batch)))

    def _prepare_here(self, batches: Iterable[list[bytes]]) -> Iterator[list[Prepared]]:
        for batch in batches:
            yield prepare_batch(self.processor.normalizer, batch)

    def parallel_preparer(self, workers: int) -> ParallelPreparer:
        """Worker processes that prepare batches with this app's mappings (close it after use)."""
        return ParallelPreparer(self.mappings, workers)

    def ingest(self, stream: BinaryIO, summary: Optional[IngestSummary] = None,
               batch_size: int = DEFAULT_BATCH_SIZE, fmt: str = "auto",
               progress: Optional[ProgressCallback] = None, cancel: Optional[threading.Event] = None,
               preparer: Optional[ParallelPreparer] = None) -> IngestSummary:
        """Import a JSON-lines or JSON-array stream; with a ``preparer``, parsing runs in parallel."""
        prepare = preparer.prepare if preparer is not None else self._prepare_here
        return ingest_stream(stream, prepare, self.processor.apply, summary, batch_size, fmt,
                             progress, cancel)

    def set_mappings(self, mappings: Mappings) -> int:
        """Make ``mappings`` current for this store (a new version) and for this app."""
        self.mappings_version = self.store.save_mappings(mappings.to_json(), utc_now_text())
        self.mappings = mappings
        self.processor.normalizer = Normalizer(mappings)
        return self.mappings_version

    def close(self) -> None:
        self.store.close()


def load_mappings_file(path: str | Path) -> Mappings:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingsError(f"cannot read mappings file {path}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return Mappings.from_json(text)


def shipped_mappings() -> Mappings:
    path = resource_path(SHIPPED_MAPPINGS)
    return load_mappings_file(path) if path else Mappings(_FALLBACK_MAPPINGS)


def current_mappings(store: EventStore, mappings_file: Optional[str]) -> tuple[Mappings, int]:
    """The mappings to use: a given file (saved as a new version when it differs), else the
    store's current version, seeded from the shipped file on first use."""
    stored = store.current_mappings()
    if mappings_file is not None:
        mappings = load_mappings_file(mappings_file)
        if stored is not None and _same(stored[1], mappings):
            return mappings, stored[0]
        return mappings, store.save_mappings(mappings.to_json(), utc_now_text())
    if stored is not None:
        return Mappings.from_json(stored[1]), stored[0]
    mappings = shipped_mappings()
    return mappings, store.save_mappings(mappings.to_json(), utc_now_text())


def readable_mappings(store: EventStore, mappings_file: Optional[str]) -> tuple[Mappings, int]:
    """The mappings ``current_mappings`` would use, without saving anything (version 0: unsaved)."""
    stored = store.current_mappings()
    if mappings_file is not None:
        mappings = load_mappings_file(mappings_file)
        return mappings, stored[0] if stored is not None and _same(stored[1], mappings) else 0
    if stored is not None:
        return Mappings.from_json(stored[1]), stored[0]
    return shipped_mappings(), 0


def _same(text: str, mappings: Mappings) -> bool:
    try:
        return json.loads(text) == mappings.document
    except ValueError:
        return False


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
