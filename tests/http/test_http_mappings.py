"""A running server takes up mappings made current by another process (``eventdesk mappings
--set``) within a second or two, for single events and batches alike."""
from __future__ import annotations

import json
import sqlite3
import time

from http_served import cli

NEW = {"clients": {"client_Z": {"fields": {"metric": ["metric"], "amount": ["betrag"], "timestamp": ["ts"]}}}}


def event(n: int) -> dict:
    return {"source": "client_Z", "payload": {"metric": "sale", "betrag": f"{n}.75", "ts": "2024-03-01T10:00:00Z"}}


def stamped(store) -> dict[int, tuple]:
    conn = sqlite3.connect(store)
    rows = conn.execute("SELECT raw_id, amount, mapping_version FROM normalized_events").fetchall()
    conn.close()
    return {raw_id: (amount, version) for raw_id, amount, version in rows}


def test_mappings_set_by_the_command_line_reach_a_running_server(open_server, tmp_path):
    status, _, first = open_server.post("/api/events", event(1))
    assert status == 201 and stamped(open_server.store)[first["raw_id"]][0] is None  # no mapping for betrag yet
    path = tmp_path / "new.json"
    path.write_text(json.dumps(NEW))
    done = cli(open_server.store, "mappings", "--set", str(path))
    assert done.returncode == 0, done.stderr
    deadline, n = time.monotonic() + 10, 1
    while True:  # within about a second (MAPPINGS_LOOK_S); each try is a new event
        n += 1
        result = open_server.post("/api/events", event(n))[2]
        amount, version = stamped(open_server.store)[result["raw_id"]]
        if amount is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert amount == f"{n}.75" and version == 2
    batch = open_server.post("/api/events/batch", [event(100), event(101)])[2]
    assert [stamped(open_server.store)[r["raw_id"]] for r in batch["results"]] == [("100.75", 2), ("101.75", 2)]
