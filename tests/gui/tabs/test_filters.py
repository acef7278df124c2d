"""Filters narrow the tables to exactly the matching rows (checked against the generator's truth)."""
from __future__ import annotations

from datetime import date


def apply_filters(qtbot, tab):
    """Filters apply after the debounce pause; wait for it and for the first page."""
    qtbot.waitUntil(lambda: not tab.debounce.pending, timeout=5_000)
    qtbot.waitUntil(lambda: not tab.model.loading and tab.model.total is not None, timeout=10_000)


def test_status_filter_shows_exactly_the_rejected_events(qtbot, imported, load_all):
    window, truth = imported
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    tab.statuses.buttons["rejected"].click()
    apply_filters(qtbot, tab)
    rows = load_all(tab.model)
    assert len(rows) == truth["rejected"] == tab.model.total
    assert {r.status for r in rows} == {"rejected"}
    assert "Raw events (" in window.tabs.tabText(1)


def test_status_mix_and_source_filter(qtbot, imported, load_all):
    window, truth = imported
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.source.findData("client_C") >= 0, timeout=5_000)
    tab.statuses.set_selected(["normalized", "duplicate"])
    tab.source.setCurrentIndex(tab.source.findData("client_C"))
    apply_filters(qtbot, tab)
    rows = load_all(tab.model)
    expected = sum(v["count"] for k, v in truth["by_client_metric"].items() if k.startswith("client_C|"))
    normalized = [r for r in rows if r.status == "normalized"]
    assert len(normalized) == expected
    assert {r.source for r in rows} == {"client_C"} and {r.status for r in rows} <= {"normalized", "duplicate"}
    assert len(rows) == tab.model.total


def test_text_search_by_full_hash_finds_one_event(qtbot, imported, load_all):
    window, _truth = imported
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    target = load_all(tab.model)[17]
    qtbot.keyClicks(tab.search, target.content_hash)
    apply_filters(qtbot, tab)
    assert [r.id for r in tab.model.rows] == [target.id]


def test_time_range_in_the_future_matches_nothing(qtbot, imported):
    window, _truth = imported
    tab = window.raw_tab
    tab.time_range.set_range(date(2999, 1, 1), None)
    apply_filters(qtbot, tab)
    assert tab.model.rows == [] and tab.model.total == 0


def test_normalized_client_metric_and_time_filters(qtbot, imported, load_all):
    window, truth = imported
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.metric.findData("sales") >= 0, timeout=5_000)
    tab.client.setCurrentIndex(tab.client.findData("client_B"))
    tab.metric.setCurrentIndex(tab.metric.findData("sales"))
    apply_filters(qtbot, tab)
    rows = load_all(tab.model)
    assert len(rows) == truth["by_client_metric"]["client_B|sales"]["count"] == tab.model.total
    assert {(r.client_id, r.metric) for r in rows} == {("client_B", "sales")}

    tab.metric.setCurrentIndex(0)  # any metric
    tab.client.setCurrentIndex(tab.client.findData("client_A"))
    tab.time_range.set_range(date(2024, 1, 1), date(2024, 1, 31))
    apply_filters(qtbot, tab)
    rows = load_all(tab.model)
    january = sum(n for k, n in truth["by_client_day"].items() if k.startswith("client_A|2024-01-"))
    assert len(rows) == january == tab.model.total
    assert all(r.timestamp.startswith("2024-01-") for r in rows)


def test_filters_are_remembered_by_the_next_window(qtbot, imported, open_window, store_path):
    window, _truth = imported
    window.raw_tab.statuses.set_selected(["failed", "dead_letter"])
    window.raw_tab.search.setText("sales")
    apply_filters(qtbot, window.raw_tab)
    window.close()
    again = open_window(store_path)
    assert again.raw_tab.statuses.selected() == ("failed", "dead_letter")
    assert again.raw_tab.search.text() == "sales"
    assert again.prefs.last_store == store_path and store_path in again.prefs.recent_stores
