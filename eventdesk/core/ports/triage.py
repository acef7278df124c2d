"""The triage read port: problem events grouped by reason (design section 12), read-only."""
from __future__ import annotations

from typing import Protocol

from eventdesk.core.triage import TriageGroup, TriageQuery


class TriageReads(Protocol):
    def triage(self, query: TriageQuery) -> list[TriageGroup]:
        """Groups by (code, client, field) with exact counts, first/last seen and sample raw ids,
        largest first (``core.triage.merge_groups``)."""
        ...
