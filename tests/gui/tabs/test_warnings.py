"""Issue 12.5: normalization warnings wherever an event is shown, the client's key highlighted,
"with warnings" filters, a Statistics count, sortable Warnings and Error columns, elided hashes."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt

from eventdesk.gui.models.raw_model import ERROR_COLUMN, HASH_COLUMN

WARNED = {"source": "client_D", "payload": {"event": "sales", "betrag": "zwölf", "zeit": "05.01.2024 10:00"}}
CLEAN = {"source": "client_D", "payload": {"event": "sales", "betrag": "12,50", "zeit": "05.01.2024 10:00"}}
NO_DATE = {"source": "client_B", "payload": {"metric": "visits", "amount": 3}}


@pytest.fixture
def warned_window(window, qtbot, idle):
    app = window.session.app  # the shipped mappings read client_D's "betrag" and "zeit"
    for event in (CLEAN, WARNED, NO_DATE):
        app.submit(json.dumps(event))
    app.submit("{not json")
    for tab in (window.raw_tab, window.normalized_tab):
        tab.refresh()
    idle(window)
    return window


def click_row(qtbot, tab, row, column=0):
    qtbot.waitUntil(lambda: tab.model.rowCount() > row, timeout=10_000)
    rect = tab.table.visualRect(tab.model.index(row, column))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_of(tab, predicate):
    return next(r for r in range(tab.model.rowCount()) if predicate(tab.model.row_at(r)))


def test_raw_details_of_a_normalized_event_with_warnings_say_so(qtbot, warned_window, idle):
    window, tab = warned_window, warned_window.raw_tab
    window.tabs.setCurrentWidget(tab)
    click_row(qtbot, tab, row_of(tab, lambda r: 'betrag' in str(r.text) and '12,50' not in str(r.text)))
    idle(window)
    details = tab.details
    assert details.badge.text() == "normalized ⚠ with warnings" and "#2e7d32" not in details.badge.styleSheet()
    assert "normalized with 1 warning" in details.title.text()
    assert details.warnings.text().startswith("⚠ amount (key betrag): ")
    marks = details.payload.extraSelections()
    assert [m.cursor.selectedText() for m in marks if m.format.fontWeight() > 500] == ['"betrag":']
    assert {m.cursor.selectedText() for m in marks} == {'"betrag":', '"event":', '"zeit":'}


def test_raw_details_of_a_clean_event_show_no_warning(qtbot, warned_window, idle):
    window, tab = warned_window, warned_window.raw_tab
    window.tabs.setCurrentWidget(tab)
    click_row(qtbot, tab, row_of(tab, lambda r: '"12,50"' in r.text))
    idle(window)
    assert tab.details.badge.text() == "normalized" and tab.details.warnings.text() == "—"


@pytest.mark.parametrize("which", ["raw_tab", "normalized_tab"])
def test_with_warnings_filter_in_both_tables(qtbot, warned_window, idle, which):
    window = warned_window
    tab = getattr(window, which)
    window.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.with_warnings, Qt.MouseButton.LeftButton)
    tab.debounce.flush()
    idle(window)
    assert tab.model.total == 2  # the unreadable amount and the missing timestamp
    rows = [tab.model.row_at(r) for r in range(tab.model.rowCount())]
    texts = [r.text if which == "raw_tab" else json.dumps(r.warnings) for r in rows]
    assert len(texts) == 2 and not any("12,50" in t for t in texts)


def test_normalized_details_list_the_warnings(qtbot, warned_window, idle):
    window, tab = warned_window, warned_window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    click_row(qtbot, tab, row_of(tab, lambda r: r.timestamp is None))
    idle(window)
    assert tab.details.warnings.text().startswith("⚠ timestamp: missing")


def test_statistics_count_normalized_with_warnings(qtbot, warned_window, idle):
    window = warned_window
    window.tabs.setCurrentWidget(window.stats_tab)
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None, timeout=10_000)
    card = window.stats_tab.cards["warned"]
    assert card.value.text() == "2" and card.caption.text() == "normalized with warnings"


def test_warnings_and_error_columns_sort_in_the_store(qtbot, warned_window, idle):
    window = warned_window
    normalized = window.normalized_tab
    window.tabs.setCurrentWidget(normalized)
    header = normalized.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(6) + 5, 5))
    idle(window)
    assert normalized.model.sort_key == "warnings"
    firsts = [normalized.model.row_at(r).warnings[:1] for r in range(normalized.model.rowCount())]
    assert len(firsts) == 3 and sorted(firsts) in (firsts, firsts[::-1])
    raw = window.raw_tab
    window.tabs.setCurrentWidget(raw)
    header = raw.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(ERROR_COLUMN) + 5, 5))
    idle(window)
    assert raw.model.sort_key == "error" and raw.model.rowCount() == 4


def test_columns_wide_enough_and_hashes_elided_with_the_whole_in_the_tooltip(qtbot, warned_window):
    raw, normalized = warned_window.raw_tab, warned_window.normalized_tab
    metrics = raw.table.fontMetrics()
    assert raw.table.columnWidth(ERROR_COLUMN) >= metrics.horizontalAdvance("amount 'abc' is not a number")
    assert normalized.table.columnWidth(6) >= metrics.horizontalAdvance("⚠ amount 'abc' is not a number")
    index = raw.model.index(0, HASH_COLUMN)
    assert index.data().endswith("…") and len(index.data()) < 64
    assert index.data(Qt.ItemDataRole.ToolTipRole) == raw.model.row_at(0).content_hash
    warned_index = normalized.model.index(row_of(normalized, lambda r: len(r.warnings) > 0), 6)
    warnings = normalized.model.row_at(warned_index.row()).warnings
    assert warned_index.data(Qt.ItemDataRole.ToolTipRole) == "\n".join(warnings)
