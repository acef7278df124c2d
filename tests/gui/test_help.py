"""Issue 12.9: Help › About, the documentation, and the list of keyboard shortcuts."""
from __future__ import annotations

import platform
from importlib import metadata

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QKeySequence

from eventdesk.gui import main_window


def test_about_names_versions_store_and_licences(qtbot, window):
    window.menuBar()  # Help › About, as the menu would trigger it
    window.actions_.about.trigger()
    dialog = window._dialogs["about"]
    text = dialog.text()
    for needed in (metadata.version("eventdesk"), qVersion(), platform.python_version(),
                   window.session.app.store.description, "LGPL-3.0", "MIT", "Licences"):
        assert needed in text, needed
    assert not dialog.isModal()


def test_f1_opens_the_documentation(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(main_window.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert len(opened) == 1 and opened[0].toString().endswith("docs/gui.md")
    assert opened[0].isLocalFile()


def test_shortcut_list_comes_from_the_actions(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    rows = dict(window._dialogs["shortcuts"].rows())
    native = QKeySequence.SequenceFormat.NativeText
    for action in window.findChildren(type(window.actions_.about)):
        for shortcut in action.shortcuts():
            assert any(shortcut.toString(native) in keys for keys in rows), action.text()
    assert rows[QKeySequence("Ctrl+3").toString(native)] == "Normalized events tab"


def test_ctrl_digit_goes_to_each_tab(qtbot, window):
    for number in range(5, 0, -1):
        qtbot.keyClick(window.tabs.currentWidget(), getattr(Qt.Key, f"Key_{number}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == number - 1
