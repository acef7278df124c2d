"""First run: an empty store offers the shipped sample data (not modal) and says where it lives."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from eventdesk.app import Settings, build_app, events
from eventdesk.app.paths import resource_path
from eventdesk.gui.widgets.empty_store import SAMPLE_FILE


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_sample_is_a_data_file_of_300_events():
    path = resource_path(SAMPLE_FILE)
    assert path is not None and path.suffix == ".jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    sources = set()
    for line in lines:
        try:
            sources.add(json.loads(line).get("source"))
        except (ValueError, AttributeError):
            pass  # a few broken lines on purpose: the sample shows rejections too
    assert {"client_A", "client_B", "client_C", "client_D", "client_E"} <= sources


def test_an_empty_store_offers_the_sample_and_says_where_it_lives(qtbot, window, store_path, idle):
    banner = window.empty_banner
    qtbot.waitUntil(banner.isVisible, timeout=5_000)
    assert store_path in banner.text.text() and banner.load_button.isEnabled()
    with qtbot.waitSignal(window.session.data_changed, timeout=30_000):
        click(qtbot, banner.load_button)
    idle(window)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5_000)
    window.tabs.setCurrentWidget(window.stats_tab)
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None
                    and window.stats_tab.snapshot.stats.raw_total > 0, timeout=10_000)
    stats = window.stats_tab.snapshot.stats
    # the generator's ground truth for --n 300 --seed 7: 44 exact duplicates, 4 broken lines
    assert stats.raw_total + stats.exact_duplicates == 300 and stats.exact_duplicates == 44
    assert stats.by_status.get("rejected", 0) == 4 and stats.normalized == 235 and stats.semantic_duplicates == 17
    assert "Imported 300 events from sample-events.jsonl" in window.message_area.text


def test_a_store_with_events_shows_no_banner(qtbot, open_window, tmp_path, idle):
    path = str(tmp_path / "full.db")
    app = build_app(Settings(store_uri=path))
    events.submit(app, '{"source": "client_A", "payload": {"amount": 1}}')
    app.close()
    window = open_window(path)
    idle(window)
    assert not window.empty_banner.isVisible()


def test_the_banner_can_be_dismissed_or_lead_to_import(qtbot, window, monkeypatch, idle):
    banner = window.empty_banner
    qtbot.waitUntil(banner.isVisible, timeout=5_000)
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    click(qtbot, banner.import_button)
    assert asked and banner.isVisible()
    click(qtbot, banner.close_button)
    assert not banner.isVisible()
    window.session.data_changed.emit()
    idle(window)
    assert not banner.isVisible()  # dismissed stays dismissed
