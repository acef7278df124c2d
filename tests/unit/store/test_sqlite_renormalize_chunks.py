"""Issue 13: each renormalize chunk is a walk along the raw primary key, so a run is linear.

The chunk query once used the status index for its OR and sorted every later row in a temporary
B-tree for each chunk of 2,000: a run over 1M events sorted ~250 billion rows' worth.
"""
from __future__ import annotations

import json

from eventdesk.app import App, shipped_mappings
from eventdesk.core.ports.renormalize import RenormalizeScope
from eventdesk.store.sqlite import SqliteStore
from eventdesk.store.sqlite.renormalize import chunk_sql


def test_the_chunk_query_walks_the_primary_key_and_never_sorts(tmp_path):
    store = SqliteStore(str(tmp_path / "s.db"))
    mappings = shipped_mappings()
    app = App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))
    for i in range(50):
        app.submit(json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": i % 7, "seq": i,
                                                                  "timestamp": "2024-01-01"}}))
    with store.renormalize_unit() as unit:
        conn = unit._conn
        conn.execute("ANALYZE")
        for scope in (RenormalizeScope(), RenormalizeScope("client_B"),
                      RenormalizeScope(None, "2024-01-01T00:00:00.000000Z", "2030-01-01T00:00:00.000000Z")):
            captured = []
            real = conn.execute
            # the unit's own query, as it runs for this scope
            unit._conn = type("Spy", (), {"execute": lambda self, sql, p=(): captured.append((sql, p)) or real(sql, p)})()
            items = unit.scope_chunk(scope, None, 10)
            unit._conn = conn
            assert len(items) == 10
            sql, params = next((s, p) for s, p in captured if s.startswith("SELECT r.id"))
            text = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert "USING INTEGER PRIMARY KEY (rowid>?)" in text and "TEMP B-TREE" not in text, text
    store.close()


def test_the_old_query_did_sort_negative_control(tmp_path):
    """The same check sees the old form's sort, so it can fail."""
    import sqlite3
    SqliteStore(str(tmp_path / "s.db")).close()
    conn = sqlite3.connect(str(tmp_path / "s.db"))
    old = chunk_sql(["r.id > ?", "((r.status = 'normalized' AND n.id IS NOT NULL)"
                                 " OR (r.status = 'duplicate' AND h.id IS NOT NULL))"]).replace(" NOT INDEXED", "")
    text = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + old, [0, 10]))
    assert "TEMP B-TREE" in text
