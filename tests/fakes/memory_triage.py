"""Triage over the fake's dicts: every problem event looked at, one by one."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from eventdesk.core.model import reasons_from_json
from eventdesk.core.triage import TriageGroup, TriageQuery, hour_key, merge_groups

if TYPE_CHECKING:
    from fakes.memory_data import MemoryData


def triage(data: "MemoryData", query: TriageQuery) -> list[TriageGroup]:
    events: dict[tuple, list[tuple[int, int, str]]] = {}  # key -> (rank id, raw id, received_at)
    for raw in data.raws.values():
        if raw.status in query.raw_statuses:
            for code, field in {(r.code, r.field) for r in reasons_from_json(raw.reasons)}:
                events.setdefault((code, raw.source, field), []).append((raw.id, raw.id, raw.received_at))
    if query.warnings:
        for row in data.normalized.values():
            raw = data.raws[row.raw_id]  # type: ignore[index]
            for code, field in {(r.code, r.field) for r in row.reasons}:
                events.setdefault((code, row.client_id, field), []).append((row.id, raw.id, raw.received_at))
    parts = []
    for (code, client, field), found in events.items():
        newest = [raw_id for _, raw_id in sorted(((rank, raw_id) for rank, raw_id, _ in found), reverse=True)]
        seen = [when for _, _, when in found]
        hourly = dict(Counter(hour_key(when) for when in seen))
        parts.append(TriageGroup(code, client, field, len(found), min(seen), max(seen), newest, hourly))
    return merge_groups(parts, query)
