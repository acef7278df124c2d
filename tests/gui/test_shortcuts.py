"""Keyboard: Ctrl+PgDown/PgUp switch tabs from anywhere (also inside the JSON editor),
Ctrl+Enter submits, Ctrl+F focuses the current filter, F5 refreshes."""
from __future__ import annotations

from PySide6.QtCore import Qt

from eventdesk.gui.examples import SEED_EXAMPLE


def focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2_000)


def test_ctrl_pgdown_switches_tab_from_inside_the_json_editor(qtbot, window):
    editor = window.submit_tab.editor
    window.tabs.setCurrentIndex(0)
    focus(qtbot, editor)
    before = editor.toPlainText()
    qtbot.keyClick(editor, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    assert editor.toPlainText() == before


def test_ctrl_pgup_wraps_around_and_works_from_a_table(qtbot, window):
    window.tabs.setCurrentIndex(0)
    focus(qtbot, window.submit_tab.editor)
    qtbot.keyClick(window.submit_tab.editor, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == window.tabs.count() - 1
    window.tabs.setCurrentWidget(window.raw_tab)
    focus(qtbot, window.raw_tab.table)
    qtbot.keyClick(window.raw_tab.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.normalized_tab


def test_ctrl_enter_submits_from_the_editor(qtbot, window):
    tab = window.submit_tab
    tab.editor.setPlainText(SEED_EXAMPLE)
    focus(qtbot, tab.editor)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.keyClick(tab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].result.outcome.value == "accepted"
    assert tab.editor.toPlainText() == SEED_EXAMPLE  # no newline typed into the event
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.keyClick(tab.editor, Qt.Key.Key_Enter,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier)
    assert blocker.args[0].result.outcome.value == "duplicate"


def test_ctrl_f_focuses_the_filter_and_f5_refreshes(qtbot, window):
    window.tabs.setCurrentWidget(window.raw_tab)
    focus(qtbot, window.raw_tab.table)
    qtbot.keyClick(window.raw_tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.raw_tab.search.hasFocus()
    generation = window.raw_tab.model._generation
    qtbot.keyClick(window.raw_tab.search, Qt.Key.Key_F5)
    assert window.raw_tab.model._generation == generation + 1
