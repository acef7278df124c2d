"""The exceptions of eventdesk, in one small tree.

    EventdeskError                 base of everything eventdesk raises on purpose
    ├── MappingsError              a mappings file is invalid; the message names the entry
    ├── BadStoreUri                a store URI names nothing, or nothing we support (a user's mistake)
    ├── SimulatedFailure           a fault point fired (design section 7)
    │   └── ReplyLost              the `after_commit` point: the commit happened, the reply did not
    └── StoreError                 the store could not do what was asked
        ├── StoreUnavailable       unreachable, locked, or refused the connection: try again later
        │   └── StoreConflict      a concurrent writer won a race; the same unit of work may run again
        ├── StoreReadOnly          the store cannot be written (file permissions, read-only media)
        ├── StoreFull              no space left for the write
        ├── StoreCorrupt           the store's file is damaged or not an eventdesk store
        └── StoreBug               the store said something that points at a defect of ours

Adapters map driver errors at their edge (``raise StoreUnavailable(...) from exc``); everything
above them sees only these types. All but ``StoreBug`` are "known" errors: a one-line message
is enough for the user. ``StoreBug`` deserves a traceback in the log.
"""
from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool


class EventdeskError(Exception):
    """Base class of all errors eventdesk raises on purpose."""


class MappingsError(EventdeskError):
    """The mappings file is invalid. The message names the entry at fault."""


class BadStoreUri(EventdeskError):
    """A store URI that names no store, an in-memory one, a folder, or an unsupported scheme."""


class SimulatedFailure(EventdeskError):
    """A fault point chosen by the user fired."""


class ReplyLost(SimulatedFailure):
    """The commit succeeded but the caller never heard of it (fault point `after_commit`)."""


class WorkerLost(EventdeskError, BrokenProcessPool):
    """A worker process of an ingest ended before its work was done (killed, out of memory):
    not a defect of ours, and every batch committed before it stays committed."""


class StoreError(EventdeskError):
    """The store could not do what was asked."""

    known = True


class StoreUnavailable(StoreError):
    """The store cannot be reached or is busy beyond the timeout."""


class StoreConflict(StoreUnavailable):
    """A concurrent writer won a race the store's transaction could not settle (MongoDB's
    TransientTransactionError); running the same unit of work again is safe."""


class StoreReadOnly(StoreError):
    """The store refuses writes."""


class StoreFull(StoreError):
    """The disk or the database is full."""


class StoreCorrupt(StoreError):
    """The store's data is damaged or is not an eventdesk store."""


class StoreBug(StoreError):
    """An error that points at a defect in eventdesk rather than at the environment."""

    known = False
