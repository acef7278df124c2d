"""Issue 12.2: numbers in the user's locale, fixed decimals per column, exact values in the
tooltip and in copy; timestamps one way, UTC labelled."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QGuiApplication

from eventdesk.gui import numbers

AMOUNTS = ("1235.5", "45605", "48144.088545", "-0.5")


@pytest.fixture
def locale():
    def use(language, country):
        QLocale.setDefault(QLocale(language, country))
    yield use
    QLocale.setDefault(QLocale.c())


def submit_amounts(window):
    for i, amount in enumerate(AMOUNTS):
        window.session.app.submit(json.dumps({"source": "client_B", "payload": {
            "metric": "sales", "amount": amount, "timestamp": f"2024-03-0{i + 1}T10:00:00Z"}}))


def normalized_cells(qtbot, window, column, role=Qt.ItemDataRole.DisplayRole):
    tab = window.normalized_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.keyClick(tab.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(AMOUNTS) and not tab.model.loading, timeout=10_000)
    model = tab.model
    return {model.row_at(r).amount: model.index(r, column).data(role) for r in range(model.rowCount())}


@pytest.mark.parametrize("language, country, shown", [
    (QLocale.Language.English, QLocale.Country.UnitedStates, ("1,235.50", "45,605.00", "48,144.088545", "-0.50")),
    (QLocale.Language.German, QLocale.Country.Germany, ("1.235,50", "45.605,00", "48.144,088545", "-0,50")),
])
def test_amounts_in_the_locale_with_entered_precision_exact_in_tooltip(qtbot, window, locale, language,
                                                                       country, shown):
    locale(language, country)
    submit_amounts(window)
    display = normalized_cells(qtbot, window, 3)
    assert [display[a] for a in AMOUNTS] == list(shown)
    assert normalized_cells(qtbot, window, 3, Qt.ItemDataRole.ToolTipRole) == {a: a for a in AMOUNTS}
    alignment = window.normalized_tab.model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight


def test_ctrl_c_copies_exact_values(qtbot, window, locale):
    locale(QLocale.Language.English, QLocale.Country.UnitedStates)
    submit_amounts(window)
    normalized_cells(qtbot, window, 3)
    table = window.normalized_tab.table
    table.selectAll()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().text()
    for amount in AMOUNTS:
        assert f"\t{amount}\t" in copied
    assert "1,235.50" not in copied


def test_aggregate_columns_share_decimals_and_average_has_two(qtbot, window, locale):
    locale(QLocale.Language.English, QLocale.Country.UnitedStates)
    submit_amounts(window)
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    tab.bucket.setCurrentText("none")
    qtbot.keyClick(tab, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: tab.table_model.rowCount() == 1, timeout=10_000)
    row = [tab.table_model.index(0, c).data() for c in range(8)]
    assert row[3] == "4"
    assert row[4] == "94,984.088545"  # sum: the most decimals entered in that column (6)
    assert row[5] == "23,746.02"      # average: 2 decimals
    assert row[6] == "-0.50" and row[7] == "48,144.088545"  # each column its own decimals
    assert tab.table_model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole) == tab.table_model.rows[0].avg


def test_statistics_and_chart_readout_use_the_locale(qtbot, window, locale):
    locale(QLocale.Language.German, QLocale.Country.Germany)
    submit_amounts(window)
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    tab.bucket.setCurrentText("month")
    qtbot.keyClick(tab, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: tab.table_model.rowCount() == 1, timeout=10_000)
    x = tab.chart.series_names and next(iter(tab.chart._series.values()))[0][0]
    assert "94.984,09" in tab.chart.readout_at(x)
    window.tabs.setCurrentWidget(window.stats_tab)
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None, timeout=10_000)
    assert window.stats_tab.cards["normalized"].detail.text() == "100,00 % of raw events"


def test_timestamps_one_way_in_tables_and_details(qtbot, window):
    submit_amounts(window)
    tab = window.raw_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.keyClick(tab.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(AMOUNTS), timeout=10_000)
    cell = tab.model.index(0, 1)
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=tab.table.visualRect(cell).center())
    qtbot.waitUntil(lambda: tab.details.raw is not None, timeout=5_000)
    shown = cell.data()
    assert tab.details.fields["received"].text() == f"{shown} UTC"
    assert "Received (UTC)" == tab.model.headerData(1, Qt.Orientation.Horizontal)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == tab.details.raw.received_at  # exact, with microseconds


def test_decimal_formatting_never_goes_through_float():
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        assert numbers.decimal("12345678901234567890.123456789") == "12,345,678,901,234,567,890.123456789"
        assert numbers.decimal("2.675", 2) == "2.68" and numbers.decimal("2.665", 2) == "2.66"  # half-even
        assert numbers.decimal(None) == "—" and numbers.decimal("NaN") == "NaN"
    finally:
        QLocale.setDefault(QLocale.c())
