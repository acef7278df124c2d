"""Selecting rows: raw details with their link, the normalized event beside its raw event,
Copy as JSON."""
from __future__ import annotations

import json

from PySide6.QtGui import QGuiApplication

from eventdesk.gui.examples import SEED_EXAMPLE


def submit(qtbot, window, text):
    tab = window.submit_tab
    tab.editor.setPlainText(text)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        tab.submit()
    return blocker.args[0].result


def show_raw_tab(qtbot, window, idle):
    idle(window)
    window.tabs.setCurrentWidget(window.raw_tab)
    qtbot.waitUntil(lambda: window.raw_tab.model.rowCount() > 0, timeout=10_000)


def test_raw_details_link_to_the_normalized_event(qtbot, window, idle):
    accepted = submit(qtbot, window, SEED_EXAMPLE)
    other = submit(qtbot, window, '{"source":"client_A","payload":{"metric":"sales","amount":"1200.00",'
                                  '"timestamp":"2024-01-01"}}')
    assert other.outcome.value == "semantic_duplicate"
    show_raw_tab(qtbot, window, idle)
    raw = window.raw_tab
    raw.table.selectRow(0)  # newest first: the semantic duplicate
    qtbot.waitUntil(lambda: "from raw event" in raw.details.link.text(), timeout=10_000)  # details loaded
    assert raw.details.link.text().startswith(f'duplicate of <a href="{accepted.normalized_id}">')
    assert f"(from raw event #{accepted.raw_id})" in raw.details.link.text()
    assert '"amount": "1200.00"' in raw.details.payload.toPlainText()  # exactly as received

    raw.details.link.linkActivated.emit(str(accepted.normalized_id))
    assert window.tabs.currentWidget() is window.normalized_tab
    details = window.normalized_tab.details
    qtbot.waitUntil(lambda: f"#{accepted.normalized_id}" in details.normalized_box.title(), timeout=10_000)
    assert json.loads(details.normalized.toPlainText())["raw_id"] == accepted.raw_id
    assert f"Raw event #{accepted.raw_id}" in details.raw_box.title()
    assert '"price": "1200"' in details.raw.toPlainText()


def test_selecting_a_normalized_row_shows_its_raw_event(qtbot, window, idle):
    accepted = submit(qtbot, window, SEED_EXAMPLE)
    idle(window)
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10_000)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.details.raw.toPlainText() != "", timeout=10_000)
    assert "client_A · normalized" in tab.details.raw_status.text()
    assert json.loads(tab.details.normalized.toPlainText())["id"] == accepted.normalized_id


def test_copy_as_json(qtbot, window, idle):
    submit(qtbot, window, SEED_EXAMPLE)
    submit(qtbot, window, "not json at all")
    show_raw_tab(qtbot, window, idle)
    raw = window.raw_tab
    qtbot.waitUntil(lambda: raw.model.rowCount() == 2, timeout=10_000)
    raw.table.selectAll()
    assert raw.copy_button.isEnabled() and not raw.retry_button.isEnabled()
    raw.copy_button.click()
    rows = json.loads(QGuiApplication.clipboard().text())
    assert [r["status"] for r in rows] == ["rejected", "normalized"]
    assert rows[0]["payload"] == "not json at all"
    assert rows[1]["payload"] == {"value": "sales", "price": "1200", "date": "2024/01/01"}
