"""Tables over a big store load one page at a time; sorting and counting happen in the store."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from eventdesk.gui import numbers
from eventdesk.gui.models.paged_model import PAGE_SIZE

pytestmark = pytest.mark.slow


def test_raw_table_over_200k_events_opens_its_first_page_only(qtbot, open_window, big_store):
    started = time.perf_counter()
    window = open_window(big_store)
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and tab.model.total is not None, timeout=20_000)
    opened = time.perf_counter() - started
    assert tab.model.total >= 200_000  # counted in the background
    assert tab.model.pages_fetched == 1 and tab.model.rowCount() == PAGE_SIZE
    assert f"({numbers.integer(tab.model.total)})" in window.tabs.tabText(1)  # in the user's locale
    ids = [r.id for r in tab.model.rows]
    assert ids == sorted(ids, reverse=True)  # newest first
    print(f"first page of {tab.model.total:,} after {opened * 1000:.0f} ms")

    started = time.perf_counter()
    tab.model.reload()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=20_000)
    print(f"reload shows its first rows after {(time.perf_counter() - started) * 1000:.0f} ms")

    tab.table.scrollToBottom()  # the view asks for the next page, and only that
    qtbot.waitUntil(lambda: tab.model.pages_fetched == 2 and not tab.model.loading, timeout=10_000)
    assert tab.model.rowCount() == 2 * PAGE_SIZE
    more = [r.id for r in tab.model.rows]
    assert more == sorted(set(more), reverse=True)  # keyset paging: no gap, no repeat


def test_sorting_by_a_column_sorts_in_the_store(qtbot, open_window, big_store):
    window = open_window(big_store)
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=20_000)
    header = tab.table.horizontalHeader()
    source_column = [c.key for c in tab.model.columns].index("source")
    header.setSortIndicator(source_column, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: tab.model.sort_key == "source" and tab.model.pages_fetched >= 1
                    and not tab.model.loading, timeout=20_000)
    tab.table.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.pages_fetched == 2 and not tab.model.loading, timeout=20_000)
    keys = [((r.source or ""), r.id) for r in tab.model.rows]
    assert keys == sorted(keys) and len({r.id for r in tab.model.rows}) == 2 * PAGE_SIZE

    error_column = [c.key for c in tab.model.columns].index("error")  # sortable since issue 12
    header.setSortIndicator(error_column, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: tab.model.sort_key == "error" and tab.model.pages_fetched >= 1
                    and not tab.model.loading, timeout=20_000)
    errors = [r.error for r in tab.model.rows]
    assert errors[0] is not None and [e for e in errors if e] == sorted((e for e in errors if e), reverse=True)


def test_normalized_table_over_the_big_store(qtbot, open_window, big_store):
    window = open_window(big_store)
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0 and tab.model.total is not None, timeout=20_000)
    assert tab.model.pages_fetched == 1 and tab.model.rowCount() == PAGE_SIZE
    assert tab.model.total > 150_000
