"""The Submit tab's history: numbered rows, "resend of #N", warnings, scrolling, switching stores;
and rejected events keep a readable source (history, raw tab filter, per-client statistics)."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt

from eventdesk.gui.tabs.submit_history import NOTES


def event(amount, **payload):
    return json.dumps({"source": "client_A", "payload": {"value": "sales", "price": amount,
                                                         "date": "2024-01-01T00:00:00Z", **payload}})


def submit(qtbot, tab, text):
    tab.editor.setPlainText(text)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def resend_row(qtbot, tab, row):
    history = tab.history
    rect = history.table.visualItemRect(history.table.item(row, 0))
    qtbot.mouseClick(history.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.mouseClick(history.resend_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def row_label(table, row):
    return table.verticalHeaderItem(row).text()


def test_a_resend_names_the_submission_it_repeats(qtbot, window):
    tab, table = window.submit_tab, window.submit_tab.history.table
    submit(qtbot, tab, event(1))
    submit(qtbot, tab, event(2))
    again = resend_row(qtbot, tab, 1)  # the first submission, one row down
    assert again.resend_of == 1 and again.result.outcome.value == "duplicate"
    assert [row_label(table, r) for r in range(3)] == ["#3", "#2", "#1"]
    assert table.item(0, NOTES).text() == "resend of #1"
    assert table.item(1, NOTES).text() == "" and table.item(2, NOTES).text() == ""
    once_more = resend_row(qtbot, tab, 0)  # a resend of the resend still names the first
    assert once_more.resend_of == 1 and table.item(0, NOTES).text() == "resend of #1"
    assert row_label(table, 0) == "#4"


def test_warnings_of_an_accepted_event_show_in_its_row(qtbot, window):
    tab, table = window.submit_tab, window.submit_tab.history.table
    warned = submit(qtbot, tab, json.dumps({"source": "client_A", "payload": {"value": "sales", "price": 5}}))
    assert warned.result.outcome.value == "accepted" and warned.warnings
    assert all(f"⚠ {w}" in table.item(0, NOTES).text() for w in warned.warnings)
    assert "timestamp" in table.item(0, NOTES).text()
    clean = submit(qtbot, tab, event(6))
    assert clean.warnings == [] and table.item(0, NOTES).text() == ""
    resent = resend_row(qtbot, tab, 1)
    assert table.item(0, NOTES).text().startswith("resend of #1 · ⚠ ")
    assert resent.result.outcome.value == "duplicate"


def test_the_newest_row_is_scrolled_into_view(qtbot, window):
    tab, table = window.submit_tab, window.submit_tab.history.table
    for amount in range(40):
        submit(qtbot, tab, event(amount))
    bar = table.verticalScrollBar()
    assert bar.maximum() > 0  # more rows than the table shows
    bar.setValue(bar.maximum())  # the user scrolled down to the oldest
    newest = submit(qtbot, tab, event(1000))
    assert row_label(table, 0) == f"#{newest.number}" == "#41"
    rect = table.visualItemRect(table.item(0, 0))
    assert table.viewport().rect().contains(rect.center())


def reopen(qtbot, window, uri):
    with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
        window.open_store(uri)


def test_history_is_kept_for_the_same_store_only(qtbot, window, store_path, tmp_path, idle):
    tab = window.submit_tab
    first = submit(qtbot, tab, event(1))
    reopen(qtbot, window, store_path)
    reopen(qtbot, window, f"sqlite:///{store_path}")  # the same file, named another way
    idle(window)
    assert tab.history.table.rowCount() == 1 and tab.history.submissions == [first]
    assert tab.result_panel.outcome == "accepted"

    reopen(qtbot, window, str(tmp_path / "other.db"))
    idle(window)
    assert tab.history.table.rowCount() == 0 and tab.history.submissions == []
    assert tab.result_panel.outcome == "" and tab.result_panel.values["raw_id"].text() == "—"
    assert submit(qtbot, tab, event(1)).number == 1  # numbering starts again for this store

    reopen(qtbot, window, store_path)  # back to the first store: a different store than the last
    idle(window)
    assert tab.history.table.rowCount() == 0


def test_a_rejected_event_keeps_its_source_in_history_filters_and_statistics(qtbot, window, idle):
    tab = window.submit_tab
    for text in ('{"source": " client_Z ", "payload": 5}', '{"source": "client_Z"}',
                 '{"source": 7, "payload": {}}', '[1, 2]'):
        assert submit(qtbot, tab, text).result.outcome.value == "rejected"
    sources = [tab.history.table.item(r, 2).text() for r in range(4)]
    assert sources == ["—", "—", "client_Z", "client_Z"]  # newest first
    assert window.session.app.store.per_client()["client_Z"] == {"rejected": 2}
    window.tabs.setCurrentWidget(window.raw_tab)
    window.raw_tab.refresh()
    idle(window)
    assert window.raw_tab.source.findData("client_Z") >= 0
