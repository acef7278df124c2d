"""Numbers in the Aggregates table are never elided, at any window width; text columns give way."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.tabs.test_aggregates import run_query


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000), (800, 600)])
def test_numeric_columns_show_their_widest_value_in_full(qtbot, imported, idle, size):
    window, _truth = imported
    window.resize(*size)
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    tab.bucket.setCurrentText("month")
    run_query(qtbot, tab)
    idle(window)
    table, model = tab.table, tab.table_model
    header, metrics = table.horizontalHeader(), table.fontMetrics()
    assert model.rowCount() > 0
    for column in range(3, 8):
        widest = max(metrics.horizontalAdvance(str(model.index(r, column).data(Qt.ItemDataRole.DisplayRole)))
                     for r in range(model.rowCount()))
        assert header.sectionSize(column) >= widest + 8, (size, column)  # margins + padding
    numbers = sum(header.sectionSize(c) for c in range(3, 8))
    if numbers < table.viewport().width():
        assert sum(header.sectionSize(c) for c in range(8)) <= table.viewport().width() + 1  # no scrolling


@pytest.mark.parametrize("amount", ["123456789012345678.123456", "-9999999999999999999.99", "0.000000000000000001"])
def test_the_normalized_amount_column_grows_to_a_long_amount(qtbot, window, idle, amount):
    window.resize(1024, 700)
    tab = window.submit_tab
    tab.editor.setPlainText(f'{{"source": "client_B", "payload": {{"metric": "sales", "amount": {amount}, '
                            f'"timestamp": "2024-01-01T00:00:00Z"}}}}')
    with qtbot.waitSignal(tab.submitted, timeout=10_000):
        tab.submit()
    normalized = window.normalized_tab
    window.tabs.setCurrentWidget(normalized)
    normalized.refresh()
    idle(window)
    model, table = normalized.model, normalized.table
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    column = next(i for i, c in enumerate(model.columns) if c.key == "amount")
    shown = str(model.index(0, column).data())
    assert shown.replace(",", "").lstrip("-").startswith(amount.lstrip("-")[:6])
    assert table.columnWidth(column) >= table.fontMetrics().horizontalAdvance(shown) + 8
