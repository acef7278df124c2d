"""Issue 12.6: week labels that do not collide, partial buckets marked, a PNG export with its
context and without the hover line, a CSV name from the query, one metric charted by default,
and sums that mix clients saying so."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from eventdesk.gui.tabs import aggregates_tab


def run(qtbot, tab):
    tab.debounce.flush()
    with qtbot.waitSignal(tab.session.busy_changed, timeout=10_000, check_params_cb=lambda n, _l: n == 0):
        qtbot.keyClick(tab, Qt.Key.Key_F5)


@pytest.fixture
def tab(imported, qtbot):
    window, _truth = imported
    window.resize(1024, 700)
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.clients.count() == 5 and tab.time_range.span is not None, timeout=10_000)
    return tab


def test_week_labels_never_collide(qtbot, tab):
    tab.bucket.setCurrentText("week")
    run(qtbot, tab)
    chart = tab.chart
    labels = chart.tick_labels
    assert 20 < len(chart._ticks) and len(labels) < len(chart._ticks)  # thinned
    widest = max(chart.fontMetrics().horizontalAdvance(t) for _x, t in labels)
    assert len(labels) * widest < chart.plot.width()


def test_partial_first_and_last_buckets_are_marked(qtbot, tab):
    tab.bucket.setCurrentText("month")
    tab.time_range.set_range(date(2024, 2, 10), date(2024, 6, 19))
    run(qtbot, tab)
    assert tab.partial and all(b[:7] in ("2024-02", "2024-06") for b in tab.partial)
    shown = {tab.table_model.index(r, 2).data() for r in range(tab.table_model.rowCount())}
    assert {"2024-02 (partial)", "2024-06 (partial)", "2024-03"} <= shown
    assert len(tab.chart.partial) == 2
    assert "2 partial buckets (marked)" in tab.summary.text()


def test_whole_months_are_not_partial(qtbot, tab):
    tab.bucket.setCurrentText("month")
    tab.time_range.set_range(date(2024, 2, 1), date(2024, 6, 30))
    run(qtbot, tab)
    assert tab.partial == [] and tab.chart.partial == set()


def test_chart_defaults_to_one_metric(qtbot, tab):
    tab.bucket.setCurrentText("month")
    run(qtbot, tab)
    metric = tab.chart_metric.currentText()
    assert metric == sorted({r.metric for r in tab.rows})[0]
    assert {r.metric for r in tab.charted_rows()} == {metric}
    assert tab.chart.plot.getPlotItem().getAxis("left").labelText.startswith(f"sum of {metric}")


def test_series_per_metric_says_it_mixes_clients(qtbot, tab):
    tab.series_by.setCurrentText("metric")
    run(qtbot, tab)
    assert "different currencies" in tab.chart.readout.text()
    assert any("different currencies" in line for line in tab.chart.title_lines)


def test_csv_and_png_names_come_from_the_query_and_png_has_context(qtbot, tab, tmp_path, monkeypatch):
    tab.clients.set_checked(["client_A"])
    tab.metrics.set_checked(["sales"])
    tab.time_range.set_range(date(2024, 2, 1), date(2024, 6, 30))
    tab.bucket.setCurrentText("month")
    run(qtbot, tab)
    asked = []

    def save_as(_parent, _title, name, _filter):
        asked.append(name)
        return str(tmp_path / name), ""
    monkeypatch.setattr(aggregates_tab.QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(tab.csv_button, Qt.MouseButton.LeftButton)
    assert asked[-1] == "aggregates-client_A-sales-2024-02-01..2024-06-30-month.csv"
    qtbot.mouseClick(tab.png_button, Qt.MouseButton.LeftButton)
    assert asked[-1] == "aggregates-client_A-sales-2024-02-01..2024-06-30-month-sum.png"
    plain = QImage(str(tmp_path / asked[-1]))
    xs = sorted({x for points in tab.chart._series.values() for x, _y in points})
    tab.chart.readout_at(xs[1])  # as hovering does: the dashed line shows
    assert tab.chart.cursor.isVisible()
    qtbot.mouseClick(tab.png_button, Qt.MouseButton.LeftButton)
    hovered = QImage(str(tmp_path / asked[-1]))
    assert hovered == plain  # the hover line is not baked into the export
    assert tab.chart.cursor.isVisible()  # and is back on screen afterwards
    assert tab.chart.title_lines[0] == "eventdesk aggregates: sum of sales per month"
    assert "clients: client_A · metrics: sales · 2024-02-01 .. 2024-06-30 (UTC)" in tab.chart.title_lines[1]
