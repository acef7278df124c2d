"""The JSON editor points at the line and column of a syntax error, live."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from eventdesk.gui.widgets.json_editor import JsonEditor, find_problem


def test_find_problem_names_line_and_column():
    text = '{\n  "source": "client_A",\n  "payload": {"value": "sales" "price": 1}\n}'
    problem = find_problem(text)
    assert (problem.line, problem.column) == (3, 32)
    assert str(problem).startswith("Line 3, column 32: Expecting ','")
    assert find_problem('{"a": 1}') is None


def test_editor_validates_as_you_type(qtbot):
    editor = JsonEditor()
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.validated, timeout=2_000) as blocker:
        editor.setPlainText('{"source": "client_A",\n "payload": {]}')
    assert (blocker.args[0].line, blocker.args[0].column) == (2, 14)
    assert len(editor.extraSelections()) == 2  # the line and the character are marked
    with qtbot.waitSignal(editor.validated, timeout=2_000) as blocker:
        editor.setPlainText('{"source": "client_A", "payload": {}}')
    assert blocker.args[0] is None and editor.extraSelections() == []


def test_submit_tab_validation_message(qtbot, window):
    tab = window.submit_tab
    with qtbot.waitSignal(tab.editor.validated, timeout=2_000):
        tab.editor.setPlainText('{"source": "client_A",\n  "payload": {"price": 12,}}')
    assert tab.validation.text().startswith("✗ Line 2, column")
    with qtbot.waitSignal(tab.editor.validated, timeout=2_000):
        tab.editor.setPlainText('{"payload": {}}')
    assert "will be rejected: source is missing" in tab.validation.text()


def test_examples_cover_every_sample_client(window):
    combo = window.submit_tab.examples
    labels = [combo.itemText(i) for i in range(combo.count())]
    for client in ("client_A", "client_B", "client_C", "client_D", "client_E"):
        assert any(label.startswith(client) for label in labels)
    combo.activated.emit(1)
    assert '"price": "1200"' in window.submit_tab.editor.toPlainText()


def test_highlighting_follows_a_dark_palette(qtbot):
    editor = JsonEditor()
    qtbot.addWidget(editor)
    editor.setPlainText('{"key": "value"}')
    light_key = editor._highlighter._formats["key"].foreground().color().name()
    old = QApplication.palette()
    dark = QPalette(old)
    for role, colour in ((QPalette.ColorRole.Base, "#1e1e1e"), (QPalette.ColorRole.Text, "#e0e0e0"),
                         (QPalette.ColorRole.Window, "#2b2b2b")):
        dark.setColor(role, QColor(colour))
    try:
        QApplication.setPalette(dark)
        qtbot.waitUntil(lambda: editor._highlighter._formats["key"].foreground().color().name() != light_key,
                        timeout=2_000)
    finally:
        QApplication.setPalette(old)


@pytest.mark.parametrize("text, words", [
    ('{"source": "a", "payload": 1}', "payload must be an object, not a number"),
    ('{"source": "  ", "payload": {}}', "source is empty"),
    ('[{"source": "a", "payload": {}}]', "event is an array, not an object"),
    ('{"source": "a"}', "payload is missing"),
])
def test_submit_tab_says_why_in_intakes_own_words(qtbot, window, text, words):
    """The warning before sending is the reason the event would be stored with (one wording)."""
    tab = window.submit_tab
    with qtbot.waitSignal(tab.editor.validated, timeout=2_000):
        tab.editor.setPlainText(text)
    assert tab.validation.text() == f"⚠ Valid JSON, but it will be rejected: {words}"
