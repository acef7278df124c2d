"""Triage in SQL (design section 12): one GROUP BY over the stored reasons of each side.

Raw events are found through the ``raw_status`` index, normalized events with reasons through
the partial index ``normalized_with_reasons``; samples are the newest ids of each group. Rows
are first counted per hour of receipt (the sparkline's series), then summed per group.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from eventdesk.core.model import EventId
from eventdesk.core.triage import HOUR_KEY, SAMPLES, TriageGroup, TriageQuery, merge_groups

_RAW_SIDE = """
WITH items AS (
    SELECT DISTINCT r.id AS raw_id, r.id AS rank_id, r.source AS client, r.received_at AS seen,
           json_extract(j.value, '$.code') AS code, json_extract(j.value, '$.field') AS field
    FROM raw_events r, json_each(r.reasons) j
    WHERE r.status IN ({marks}) AND r.reasons IS NOT NULL
)"""
_NORMALIZED_SIDE = """
WITH items AS (
    SELECT DISTINCT n.raw_id AS raw_id, n.id AS rank_id, n.client_id AS client, r.received_at AS seen,
           json_extract(j.value, '$.code') AS code, json_extract(j.value, '$.field') AS field
    FROM normalized_events n INDEXED BY normalized_with_reasons
    JOIN raw_events r ON r.id = n.raw_id, json_each(n.reasons) j
    WHERE n.reasons IS NOT NULL
)"""
_GROUPS = """,
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY code, client, field ORDER BY rank_id DESC) AS place
    FROM items
),
hours AS (
    SELECT code, client, field, substr(seen, 1, {hour}) AS hour, count(*) AS n, min(seen) AS first,
           max(seen) AS last, group_concat(CASE WHEN place <= {samples} THEN raw_id END) AS samples
    FROM ranked GROUP BY code, client, field, hour
)
SELECT code, client, field, sum(n), min(first), max(last), group_concat(samples),
       group_concat(hour || '=' || n)
FROM hours GROUP BY code, client, field
"""


def triage(conn: sqlite3.Connection, query: TriageQuery) -> list[TriageGroup]:
    parts: list[TriageGroup] = []
    statuses = query.raw_statuses
    groups = _GROUPS.format(samples=SAMPLES, hour=HOUR_KEY)
    if statuses:
        sql = _RAW_SIDE.format(marks=",".join("?" * len(statuses))) + groups
        parts.extend(_group(row) for row in conn.execute(sql, statuses))
    if query.warnings:
        parts.extend(_group(row) for row in conn.execute(_NORMALIZED_SIDE + groups))
    return merge_groups(parts, query)


def _group(row: Any) -> TriageGroup:
    code, client, field, count, first, last, samples, hours = row
    ids: list[EventId] = [int(i) for i in samples.split(",")] if samples else []
    hourly = {hour: int(n) for hour, _, n in (item.rpartition("=") for item in hours.split(","))}
    return TriageGroup(code, client, field, count, first, last, ids, hourly)
