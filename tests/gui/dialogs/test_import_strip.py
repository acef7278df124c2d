"""Issue 12.7: the import's progress is a strip in the status bar whose text and bar agree, with
elapsed time, events/s and time left; it covers nothing and leaves the keys to the window."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt

from eventdesk.gui.dialogs.import_dialog import ImportProgress, progress_text


def test_strip_text_and_bar_agree_and_keys_still_switch_tabs(qtbot, window, generate, idle):
    events, truth, _mappings = generate(40_000, seed=3)
    window.tabs.setCurrentWidget(window.submit_tab)
    run = window.start_import(str(events))
    seen = []
    run.strip.bar.valueChanged.connect(lambda v: seen.append((v, run.strip.label_text())))
    qtbot.waitUntil(lambda: run.last is not None, timeout=30_000)
    strip = run.strip
    assert not strip.isWindow() and strip.parent() is not None
    assert window.statusBar().isAncestorOf(strip)  # below the tabs, covering none of them
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.raw_tab  # the keys still reach the window
    with qtbot.waitSignal(run.finished, timeout=120_000):
        pass
    assert seen
    for value, text in seen:
        shown = re.search(r": (\d+) % ·", text)
        if shown:  # the label is set before the bar: both show the same percent
            assert int(shown.group(1)) == value, (value, text)
    assert "the tables are refreshed" in window.message_area.text
    idle(window)
    assert window.raw_tab.model.total == truth["lines"] - truth["exact_duplicates"]  # refreshed on its own


def test_progress_text_has_elapsed_rate_and_remaining():
    progress = ImportProgress(lines=1000, bytes_read=996, seconds=2.0, accepted=990, duplicates=5, rejected=5)
    text = progress_text("events.jsonl", 9, progress, size=10_000)
    assert text.startswith("events.jsonl: 9 % · 1000 events · 500 events/s · 2 s elapsed")
    assert "about 18 s left" in text
