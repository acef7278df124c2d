"""The mapping versions port: the append-only history of the mappings a store keeps.

``MappingVersion`` is one saved version; ``MappingHistory`` is what ``mappings --history``,
``--show`` and ``--rollback`` read. Every store that implements ``MappingsStore`` offers it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Protocol


@dataclass(frozen=True, slots=True)
class MappingVersion:
    version: int
    text: str                       # the JSON document exactly as saved
    saved_at: str
    saved_by: Optional[str] = None  # the OS user who saved it, when known
    note: Optional[str] = None      # e.g. "rollback to 3"


class MappingHistory(Protocol):
    def mappings_history(self) -> list[MappingVersion]:
        """Every saved version, oldest first."""
        ...
    def mappings_version(self, version: int) -> Optional[MappingVersion]: ...
