"""The data a MemoryStore keeps: what a database file holds, as plain dicts."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Optional

from eventdesk.core.model import EventId, Reason
from fakes.memory_records import MemoryHttpRecords

SCHEMA_VERSION = 3  # as the SQLite store: 3 added reasons and mapping_version


@dataclass
class Raw:
    id: int
    source: Optional[str]
    text: str | bytes
    status: str
    content_hash: str
    error: Optional[str]
    attempts: int
    receipts: int
    received_at: str
    updated_at: str
    duplicate_of: Optional[EventId] = None
    reasons: Optional[str] = None   # JSON text, as the port hands it over


@dataclass(frozen=True)
class Normalized:
    id: int
    raw_id: EventId
    client_id: str
    metric: Optional[str]
    amount: Optional[Decimal]       # exact, never a float
    moment: Optional[datetime]      # UTC
    normalized_hash: str
    warnings: tuple[str, ...]
    reasons: tuple[Reason, ...] = ()
    mapping_version: Optional[int] = None


@dataclass
class MemoryData:
    """What a database file holds; two MemoryStores over one MemoryData are two connections."""

    raws: dict[int, Raw] = field(default_factory=dict)
    raw_by_hash: dict[str, int] = field(default_factory=dict)
    normalized: dict[int, Normalized] = field(default_factory=dict)
    normalized_by_hash: dict[str, int] = field(default_factory=dict)
    normalized_of_raw: dict[EventId, int] = field(default_factory=dict)  # the first one
    marks: set[str] = field(default_factory=set)
    mappings: list[tuple[int, str, str]] = field(default_factory=list)
    mapping_notes: dict[int, tuple[Optional[str], Optional[str]]] = field(default_factory=dict)  # saved_by, note
    renormalize_runs: list = field(default_factory=list)  # core.ports.renormalize.RenormalizeRun
    schema_version: int = SCHEMA_VERSION
    records: MemoryHttpRecords = field(default_factory=MemoryHttpRecords)
    write_lock: threading.Lock = field(default_factory=threading.Lock)  # one unit of work at a time
    apply_lock: threading.Lock = field(default_factory=threading.Lock)  # held only while a commit applies
