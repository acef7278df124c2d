"""Import with progress and Cancel, export of the filtered table, settings that apply at once."""
from __future__ import annotations

import csv
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from eventdesk.gui.dialogs.settings_dialog import SettingsDialog
from eventdesk.gui.examples import SEED_EXAMPLE
from eventdesk.gui.ingest_process import use_child_process


def test_import_can_be_cancelled_at_a_batch_boundary(qtbot, window, generate, idle):
    events, _truth, _mappings = generate(40_000, seed=3)
    assert use_child_process(window.session.uri, {}, str(events))  # big enough for its own process
    window.tabs.setCurrentWidget(window.stats_tab)
    run = window.start_import(str(events))
    assert window.stats_tab.timer.isActive()  # statistics refresh on their own meanwhile
    qtbot.waitUntil(lambda: run.last is not None, timeout=30_000)
    assert "events/s" in run.strip.label_text()
    with qtbot.waitSignal(run.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(run.strip.findChild(QPushButton), Qt.MouseButton.LeftButton)
    summary = blocker.args[0]
    assert summary.cancelled and 0 < summary.lines < 40_000
    assert "cancelled after" in window.message_area.text and "everything before it is kept" in window.message_area.text
    idle(window)
    assert not window.stats_tab.timer.isActive()
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None
                    and window.stats_tab.snapshot.stats.raw_total > 0, timeout=10_000)
    stats = window.stats_tab.snapshot.stats
    assert stats.raw_total + stats.exact_duplicates == summary.lines  # what was read is committed


def test_export_writes_the_rows_the_filters_select(qtbot, imported, tmp_path, idle):
    window, truth = imported
    window.raw_tab.statuses.set_selected(["rejected"])
    window.raw_tab.debounce.flush()
    for name in ("rejected.csv", "rejected.jsonl"):
        path = tmp_path / name
        window.start_export("raw", str(path))
        idle(window)
        if name.endswith(".csv"):
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        else:
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == truth["rejected"] and {r["status"] for r in rows} == {"rejected"}
    assert window.message_area.text.startswith(f"Exported {truth['rejected']} raw events")


def test_settings_apply_at_once_and_are_remembered(qtbot, window, prefs):
    dialog = SettingsDialog(window.session, prefs, window)
    qtbot.addWidget(dialog)
    dialog.workers.setValue(2)
    dialog.max_attempts.setValue(2)
    dialog.accept()
    assert window.session.pool.maxThreadCount() == 2
    assert window.session.app.processor.max_attempts == 2
    assert (prefs.worker_count, prefs.max_attempts) == (2, 2)

    window.simulation.set_enabled(True)
    tab = window.submit_tab
    tab.editor.setPlainText(SEED_EXAMPLE)
    outcomes = []
    for _ in range(2):
        with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
            tab.submit()
        outcomes.append(blocker.args[0].result.status)
    assert outcomes == ["failed", "dead_letter"]


def test_importing_a_missing_file_says_so(qtbot, window, tmp_path, idle):
    missing = tmp_path / "gone.jsonl"  # e.g. removed between choosing it and reading it
    run = window.start_import(str(missing))
    with qtbot.waitSignal(run.finished, timeout=20_000) as blocker:
        pass
    assert blocker.args[0] is None and not run.strip.isVisible()
    assert window.message_area.text == f"Importing gone.jsonl failed: cannot use {missing}: No such file or directory"
