"""Issue 12.4: every tab usable at 1024x700 (nothing forces the window wider, nothing overlaps,
the Error column is on screen, the chart's axis title fits) and the space of 1920x1080 used."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from eventdesk.gui.models.raw_model import ERROR_COLUMN


@pytest.fixture
def small(imported, qtbot):
    window, _truth = imported
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5_000)
    return window


def visit(qtbot, window, number):
    qtbot.keyClick(window.tabs.currentWidget(), getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    return window.tabs.currentWidget()


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_no_tab_forces_the_window_wider_or_taller(qtbot, small, number):
    tab = visit(qtbot, small, number)
    hint = small.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, (tab, hint)
    assert small.size().width() == 1024 and small.size().height() == 700


def test_raw_tab_status_toggles_do_not_overlap_or_clip(qtbot, small):
    visit(qtbot, small, 2)
    buttons = list(small.raw_tab.statuses.buttons.values())
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), button.text()
    for left, right in zip(buttons, buttons[1:]):
        assert left.geometry().right() < right.geometry().left()
    last = buttons[-1]
    assert last.mapTo(small, last.rect().topRight()).x() < 1024


def test_raw_tab_error_column_is_on_screen(qtbot, small):
    tab = visit(qtbot, small, 2)
    table = tab.table
    start = table.columnViewportPosition(ERROR_COLUMN)
    assert 0 <= start and start + 100 <= table.viewport().width()  # at least the start of every error


def test_aggregates_lists_show_every_client(qtbot, small):
    tab = visit(qtbot, small, 4)
    clients = tab.clients
    assert clients.count() == 5
    last = clients.visualItemRect(clients.item(4))
    assert last.bottom() <= clients.viewport().height()


def test_statistics_axis_title_fits(qtbot, small):
    tab = visit(qtbot, small, 5)
    qtbot.waitUntil(lambda: tab.snapshot is not None, timeout=10_000)
    axis = tab.chart.plot.getPlotItem().getAxis("left")
    title = axis.label.boundingRect().width()  # drawn rotated: its width runs along the axis
    assert title <= axis.geometry().height()


def test_large_window_gives_the_tables_the_room(qtbot, imported):
    window, _truth = imported
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=5_000)
    visit(qtbot, window, 2)
    assert window.raw_tab.table.width() > 1100
