"""Workbench fixtures: a store whose client_F writes keys the shipped mappings do not read.

client_F sends ``{"metric", "montant": "12.50", "quand": ISO}``: under the shipped mappings its
amount and timestamp are missing (null with a warning); adding ``montant`` and ``quand`` fixes them.
"""
from __future__ import annotations

import io
import json

import pytest

from eventdesk.app import Settings, build_app

F_EVENTS = 12


def client_f_line(i: int) -> str:
    payload = {"metric": "sales", "montant": f"{10 + i}.50", "quand": f"2024-03-{i % 28 + 1:02d}T10:00:00Z"}
    return json.dumps({"source": "client_F", "payload": payload})


def client_a_line(i: int) -> str:
    payload = {"value": "visits", "price": str(100 + i), "date": f"2024/02/{i % 28 + 1:02d}"}
    return json.dumps({"source": "client_A", "payload": payload})


def fill(path: str, f_events: int = F_EVENTS, a_events: int = 5) -> None:
    lines = [client_a_line(i) for i in range(a_events)] + [client_f_line(i) for i in range(f_events)]
    app = build_app(Settings(store_uri=path))
    try:
        app.ingest(io.BytesIO(("\n".join(lines) + "\n").encode()))
    finally:
        app.close()


@pytest.fixture
def f_window(open_window, store_path):
    """The window over a store of 5 client_A and 12 client_F events (raw ids 6..17 are client_F)."""
    fill(store_path)
    return open_window(store_path, size=(1024, 700))


@pytest.fixture
def workbench(qtbot, f_window, idle):
    """open(raw_id=None): the workbench of ``f_window``, its published version loaded."""
    def open_(raw_id=None):
        dialog = f_window.open_mapping_editor(raw_id)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.version == 1, timeout=10_000)
        if raw_id is not None:
            qtbot.waitUntil(lambda: dialog.result_pane.explanation is not None, timeout=10_000)
        return dialog
    return open_
