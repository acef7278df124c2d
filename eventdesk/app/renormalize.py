"""Re-normalization services (design 12): apply the current mappings to past events, and the audit.

The scope is a client and a range of *received* time (``--from``/``--to``): every raw event has
one, also those whose event time a wrong mapping left null, which are the ones to fix.
"""
from __future__ import annotations

import contextlib
import threading
from datetime import datetime, timezone
from typing import Optional, cast

from eventdesk.app.composition import App
from eventdesk.app.errors import UsageError
from eventdesk.app.mapping_sources import os_user
from eventdesk.core.filters import client_filter, time_bound
from eventdesk.core.parallel import ParallelPreparer, default_workers
from eventdesk.core.ports.renormalize import RenormalizeRun, RenormalizeScope, RenormalizeWrites
from eventdesk.core.renormalize import DEFAULT_CHUNK, ProgressCallback, Renormalizer, RenormalizeSummary

#: Raw events a store holds before ``renormalize(workers=None)`` starts worker processes: below
#: it, starting them costs about what they save.
POOL_MIN_EVENTS = 50_000

__all__ = ["RenormalizeRun", "RenormalizeSummary", "renormalize", "renormalize_history", "scope_of"]


def scope_of(client: Optional[str] = None, time_from: Optional[str] = None,
             time_to: Optional[str] = None) -> RenormalizeScope:
    """The scope a user's filters name; UsageError for text no event could match."""
    try:
        client_id = client_filter(client) if client is not None else None
        start, end = time_bound(time_from), time_bound(time_to, end=True)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if start is not None and end is not None and end <= start:
        raise UsageError("--to must be later than --from")
    return RenormalizeScope(client_id, _received_text(start), _received_text(end))


def renormalize(app: App, scope: RenormalizeScope, dry_run: bool = False,
                cancel: Optional[threading.Event] = None, progress: Optional[ProgressCallback] = None,
                chunk_size: int = DEFAULT_CHUNK, workers: Optional[int] = 0) -> RenormalizeSummary:
    """Re-normalize the raw events in scope with this App's mappings (the store's current ones).

    ``workers``: processes that read every event in scope again to tell which changed (most do
    not), while this one waits; None: one per core, for a store of ``POOL_MIN_EVENTS`` or more;
    0 or 1: none (the desktop app: its one spare core would only move the work, not share it).
    """
    writes = _writes(app)
    app.follow_store_mappings()  # an App kept open (the desktop app): the store's current ones
    normalizer = app.processor.normalizer  # and the version that goes with it, read as one
    version = normalizer.version if normalizer.version is not None else app.mappings_version
    size = _pool_size(app, workers)
    with ParallelPreparer(normalizer.mappings, size) if size else contextlib.nullcontext() as pool:
        engine = Renormalizer(writes, normalizer, version, os_user(), chunk_size,
                              hashes=pool.plain_hashes if pool is not None else None)
        return engine.run(scope, dry_run, cancel, progress)


def _pool_size(app: App, workers: Optional[int]) -> int:
    if workers is not None:
        return workers if workers >= 2 else 0
    cores = default_workers()
    return cores if cores >= 2 and app.store.stats().raw_total >= POOL_MIN_EVENTS else 0


def renormalize_history(app: App) -> list[RenormalizeRun]:
    """Every run recorded on this store, oldest first (a crashed one shows as ``running``)."""
    return _writes(app).renormalize_runs()


def _writes(app: App) -> RenormalizeWrites:
    if not hasattr(app.store, "renormalize_unit"):
        raise UsageError(f"renormalize is not available on the store {app.store.description} yet")
    return cast(RenormalizeWrites, app.store)


def _received_text(moment: Optional[datetime]) -> Optional[str]:
    """A bound in the form ``received_at`` is stored in (UTC, microseconds, Z): text order is time order."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
