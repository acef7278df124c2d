"""Shared checks of the re-normalization tests: what a store holds, as comparable values."""
from __future__ import annotations

import json
from typing import Any

from eventdesk.app import App
from eventdesk.core.mappings import Mappings
from eventdesk.core.queries import AggregateQuery, NormalizedQuery, Page, RawQuery

EVERYTHING = Page(limit=1_000_000)


def holdings(store: Any) -> dict[str, Any]:
    """Stats, day aggregates, the normalized facts, and the fact each raw event leads to."""
    normalized = store.query_normalized(NormalizedQuery(), EVERYTHING)
    by_id = {n.id: n for n in normalized}
    leads_to = []
    for raw in store.query_raw(RawQuery(), EVERYTHING):
        target = raw.normalized_id if raw.status == "normalized" else raw.duplicate_of
        fact = by_id[target].normalized_hash if target is not None else None
        leads_to.append((raw.content_hash, raw.status if raw.status not in ("normalized", "duplicate") else "fact",
                         fact))
    stats = store.stats()
    return {
        "stats": (stats.raw_total, stats.by_status, stats.normalized, stats.exact_duplicates,
                  stats.semantic_duplicates),
        "aggregates": store.aggregates(AggregateQuery(bucket="day")),
        "totals": store.aggregates(AggregateQuery()),
        "facts": sorted((n.client_id, n.metric or "", n.amount or "", n.timestamp or "", n.normalized_hash,
                         tuple(n.warnings)) for n in normalized),
        "leads_to": sorted(leads_to, key=repr),
        "one_row_per_fact": len({n.normalized_hash for n in normalized}) == len(normalized),
    }


def ingest_lines(app: App, lines: list[str]) -> None:
    for line in lines:
        app.submit(line)


def mappings_of(document: dict[str, Any]) -> Mappings:
    return Mappings.from_json(json.dumps(document))
