"""Issue 12.1: messages never move the content; their history stays reachable from a menu."""
from __future__ import annotations

import re

from PySide6.QtCore import QPoint, Qt


def content_geometry(window):
    return window.tabs.mapTo(window, QPoint(0, 0)), window.tabs.size(), window.statusBar().height()


def test_a_notice_appearing_and_fading_never_moves_the_tabs(qtbot, window):
    window.message_area._fade.setInterval(200)
    window.tabs.setCurrentWidget(window.raw_tab)
    before = content_geometry(window)
    qtbot.mouseClick(window.raw_tab.retry_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message_area.text.startswith("Retry finished"), timeout=10_000)
    assert content_geometry(window) == before
    qtbot.waitUntil(lambda: window.message_area.text == "", timeout=5_000)  # faded
    assert content_geometry(window) == before


def test_a_long_error_stays_on_one_line_and_moves_nothing(qtbot, window, tmp_path):
    before = content_geometry(window)
    window.open_store(str(tmp_path / "no" / "such" / "folder" / ("x" * 200)) + ".db")
    qtbot.waitUntil(lambda: window.message_area.level == "error", timeout=10_000)
    assert content_geometry(window) == before
    area = window.message_area
    assert area.label.toolTip() == area.text and len(area.label.text()) < len(area.text)  # elided, whole in the tip
    qtbot.mouseClick(area.close_button, Qt.MouseButton.LeftButton)
    assert area.text == "" and content_geometry(window) == before


def test_history_from_the_view_menu_has_times_and_readable_text(qtbot, window):
    window.message_area._fade.setInterval(50)
    qtbot.mouseClick(window.raw_tab.retry_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message_area.text.startswith("Retry finished"), timeout=10_000)
    qtbot.waitUntil(lambda: window.message_area.text == "", timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)  # View › Message history
    dialog = window._dialogs["history"]
    assert dialog.isVisible() and not dialog.isModal()
    rows = [[dialog.table.item(r, c).text() for c in range(3)] for r in range(dialog.table.rowCount())]
    assert rows[0][2].startswith("Retry finished") and rows[0][1] == "info"
    assert any(row[2].startswith("Opened ") for row in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[0]) for row in rows)
    item = dialog.table.item(0, 2)
    assert item.flags() & Qt.ItemFlag.ItemIsEnabled  # not greyed out like a disabled menu entry
