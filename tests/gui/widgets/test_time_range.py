"""Issue 12.3: time filters start at the span of the data (shown), offer presets of the data's
own dates, and typing a date works and switches that bound on."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_ticking_from_in_normalized_starts_at_the_data_not_at_today(qtbot, imported, idle):
    window, truth = imported
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.time_range.span is not None, timeout=10_000)
    first, last = tab.time_range.span
    assert first.year == 2024 and last.year == 2024
    assert tab.time_range.span_label.text() == (f"data spans {first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M}")
    total = tab.model.total
    qtbot.mouseClick(tab.time_range.from_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.time_range.to_box, Qt.MouseButton.LeftButton)
    tab.debounce.flush()
    idle(window)
    assert tab.time_range.bounds()[0] == first.replace(second=0, microsecond=0)
    assert tab.model.total == total  # the whole span: every dated event, not an empty table


def test_raw_tab_spans_the_received_times(qtbot, imported):
    window, _truth = imported
    tab = window.raw_tab
    qtbot.waitUntil(lambda: tab.time_range.span is not None, timeout=10_000)
    assert tab.time_range.span_label.text().startswith(f"data spans {datetime.now(timezone.utc):%Y-%m-%d}")


def choose_preset(qtbot, time_range, text):
    combo = time_range.preset
    combo.setFocus()
    index = combo.findText(text)
    assert index > 0, [combo.itemText(i) for i in range(combo.count())]
    for _ in range(index):  # the keyboard, as a user would: each step is a choice
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    return index


def test_year_and_last_days_presets_use_the_data(qtbot, imported):
    window, _truth = imported
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.time_range.span is not None, timeout=10_000)
    last = tab.time_range.span[1]
    choose_preset(qtbot, tab.time_range, "2024")
    assert tab.time_range.bounds() == (utc(2024, 1, 1), utc(2025, 1, 1))
    assert tab.time_range.preset.currentText() == "2024"  # the choice stays named
    tab.time_range.preset.setCurrentIndex(0)
    choose_preset(qtbot, tab.time_range, "Last 7 days of the data")
    end = utc(last.year, last.month, last.day) + timedelta(days=1)
    assert tab.time_range.bounds() == (end - timedelta(days=7), end)
    qtbot.waitUntil(lambda: tab.last_query is not None and tab.last_query.time_to == end, timeout=10_000)


def test_all_preset_clears_both_bounds(qtbot, window):
    time_range = window.raw_tab.time_range
    time_range.set_range(utc(2024, 1, 1), utc(2024, 2, 1))
    choose_preset(qtbot, time_range, "All")
    assert time_range.bounds() == (None, None)


def test_typing_a_date_switches_the_bound_on(qtbot, window, idle):
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    edit = tab.time_range.from_edit
    assert edit.isEnabled() and not tab.time_range.from_box.isChecked()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClicks(edit, "2023-03-04 05:06")
    assert tab.time_range.from_box.isChecked()
    assert tab.time_range.bounds()[0] == utc(2023, 3, 4, 5, 6)
    tab.debounce.flush()
    assert tab.model.query.time_from == utc(2023, 3, 4, 5, 6)


def test_an_impossible_typed_date_keeps_the_last_good_one(qtbot, window):
    edit = window.normalized_tab.time_range.to_edit
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClicks(edit, "2024-02-28 10:00")
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    qtbot.keyClicks(edit, "2024-02-30")
    assert window.normalized_tab.time_range.bounds()[1] == utc(2024, 2, 28, 10, 1)  # To includes its minute
    assert "color" in edit.styleSheet()  # shown as not (yet) a date
