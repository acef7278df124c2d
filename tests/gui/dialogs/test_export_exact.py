"""File › Export raw events and Copy as JSON keep every payload exactly as received: no number is
re-read as a binary float, none becomes Infinity, and every line is strict JSON."""
from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtWidgets import QFileDialog

# numbers a float would change: beyond 2^53, beyond float range, trailing zeros, exponents, -0
PAYLOADS = [
    '{"amount": 12345678901234567.5, "metric": "sales"}',
    '{"amount": 1e400, "big": -1E+999}',
    '{"amount": 1.10, "n": [0.1e1, -0.0, 123456789012345678901234567890]}',
    '{"nested": {"x": 0.30000000000000004444}, "s": "é ✓"}',
]


def _strict(text: str):
    def refuse(name: str):
        raise ValueError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def _submit_all(qtbot, window, idle):
    tab = window.submit_tab
    for payload in PAYLOADS:
        tab.editor.setPlainText(f'{{"source": "client_A", "payload": {payload}}}')
        with qtbot.waitSignal(tab.submitted, timeout=10_000):
            tab.submit()
    idle(window)


def _export_through_the_menu(qtbot, window, idle, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    window.actions_.export_raw.trigger()
    idle(window)
    qtbot.waitUntil(lambda: window.message_area.text.startswith("Exported"), timeout=10_000)


def test_raw_export_from_the_menu_keeps_payloads_as_received(qtbot, window, idle, monkeypatch, tmp_path):
    _submit_all(qtbot, window, idle)
    path = tmp_path / "raw.jsonl"
    _export_through_the_menu(qtbot, window, idle, monkeypatch, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(PAYLOADS)
    for line in lines:
        _strict(line)  # no Infinity, no NaN
    received = sorted(PAYLOADS)
    exported = sorted(line[line.index('"payload": ') + 11:line.index(', "status"')] for line in lines)
    assert exported == received


def test_raw_csv_export_from_the_menu_keeps_payloads_as_received(qtbot, window, idle, monkeypatch, tmp_path):
    _submit_all(qtbot, window, idle)
    path = tmp_path / "raw.csv"
    _export_through_the_menu(qtbot, window, idle, monkeypatch, path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["payload"] for r in rows) == sorted(PAYLOADS)
    for row in rows:
        _strict(row["payload"])


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_copy_as_json_keeps_the_payload_as_received(qtbot, window, idle, index):
    tab = window.submit_tab
    tab.editor.setPlainText(f'{{"source": "client_A", "payload": {PAYLOADS[index]}}}')
    with qtbot.waitSignal(tab.submitted, timeout=10_000):
        tab.submit()
    idle(window)
    raw = window.raw_tab
    window.tabs.setCurrentWidget(raw)
    raw.refresh()
    idle(window)
    qtbot.waitUntil(lambda: raw.model.rowCount() == 1, timeout=10_000)
    raw.table.selectRow(0)
    text = raw.copy_selected()
    assert PAYLOADS[index] in text
    assert _strict(text)["status"] == "normalized"
