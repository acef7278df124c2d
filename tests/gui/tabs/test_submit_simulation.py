"""The Submit tab's "Simulate failure at" selector, chosen as a user would, and uncaught slot errors."""
from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton

from eventdesk.core.faults import FaultPoint
from eventdesk.gui.examples import SEED_EXAMPLE
from eventdesk.gui.messages import MessageRouter


def choose_by_popup(qtbot, combo, row):
    """Open the combo's list with a click and click the row, as a user does."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    # the item's middle, within the viewport (an item's rect may be wider than a narrow popup)
    at = QPoint(view.viewport().rect().center().x(), view.visualRect(view.model().index(row, 0)).center().y())
    assert view.indexAt(at).row() == row
    # the pointer travels over the list first: Qt ignores a release over the combo's own rect
    # until the mouse has moved in the open list
    qtbot.mouseMove(view.viewport(), QPoint(at.x(), view.viewport().height() - 3))
    qtbot.mouseMove(view.viewport(), at)
    # Qt ignores a release that comes within a double-click interval of the list opening
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at,
                     delay=QApplication.doubleClickInterval() + 50)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5_000)


def choose_by_keyboard(qtbot, combo, row):
    combo.setFocus()
    key = Qt.Key.Key_Down if row > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(row - combo.currentIndex())):
        qtbot.keyClick(combo, key)


def submit_by_click(qtbot, tab):
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


POPUP_WARNINGS = ("This plugin does not support raise", "This plugin does not support grabbing")


@pytest.mark.qt_log_ignore(*POPUP_WARNINGS)  # the offscreen platform, when the combo's list opens
@pytest.mark.parametrize("choose", [choose_by_popup, choose_by_keyboard], ids=["popup", "keyboard"])
@pytest.mark.parametrize("point", list(FaultPoint), ids=[p.value for p in FaultPoint])
def test_choosing_a_fault_point_drives_banner_menu_and_the_next_submission(qtbot, window, choose, point):
    tab = window.submit_tab
    tab.editor.setPlainText(SEED_EXAMPLE)
    qtbot.mouseClick(tab.simulate, Qt.MouseButton.LeftButton)
    assert window.simulation.enabled
    other = next(p for p in FaultPoint if p is not point)
    for wanted in (other, point):  # there and back: every change goes through the combo
        choose(qtbot, tab.fault_point, list(FaultPoint).index(wanted))
        assert window.simulation.point is wanted and isinstance(window.simulation.point, FaultPoint)
        assert f"({wanted.value})" in tab.banner.text() and wanted.description in tab.banner.text()
        assert window.actions_.fault_points[wanted].isChecked()
    assert tab.fault_point.currentText() == point.value

    submission = submit_by_click(qtbot, tab)
    assert submission.fault == point.value and submission.result.outcome.value == "failed"
    assert tab.history.table.rowCount() == 1 and tab.history.table.item(0, 4).text() == point.value
    assert tab.result_panel.outcome == "failed"
    assert window.message_area.level != "error"


@pytest.mark.qt_log_ignore(*POPUP_WARNINGS)
def test_the_menu_and_the_combo_agree_both_ways(qtbot, window):
    tab = window.submit_tab
    window.actions_.fault_points[FaultPoint.AFTER_COMMIT].trigger()
    assert tab.fault_point.currentText() == "after_commit"
    choose_by_popup(qtbot, tab.fault_point, list(FaultPoint).index(FaultPoint.BEFORE_WRITE))
    assert window.actions_.fault_points[FaultPoint.BEFORE_WRITE].isChecked()
    assert window.simulation.fault is None  # choosing a point does not switch the simulation on


def test_a_fault_point_given_as_text_is_read_as_the_enum(window):
    window.simulation.set_point("after_commit")
    assert window.simulation.point is FaultPoint.AFTER_COMMIT
    with pytest.raises(ValueError):
        window.simulation.set_point("sideways")
    assert window.simulation.point is FaultPoint.AFTER_COMMIT


@pytest.fixture
def own_excepthook(monkeypatch):
    """pytest-qt's capture is off for these tests: put back whatever hook was there before."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


@pytest.mark.qt_no_exception_capture
@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), OSError(28, "No space left on device")],
                         ids=["defect", "environment"])
def test_an_exception_in_any_slot_reaches_the_message_area_and_the_log(qtbot, prefs, caplog, own_excepthook,
                                                                      error):
    from eventdesk.gui.main_window import MainWindow
    window = MainWindow(prefs)
    qtbot.addWidget(window)
    window.show()
    button = QPushButton("fail", window)

    def failing_slot():
        raise error
    button.clicked.connect(failing_slot)
    button.show()
    with qtbot.waitSignal(window.messages.posted, timeout=5_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    level, text = blocker.args
    assert level == "error" and type(error).__name__ not in ("",) and str(error.args[-1]) in text
    assert "Traceback" not in text
    assert window.message_area.level == "error" and window.message_area.text == text
    logged = [r for r in caplog.records if r.name.startswith("eventdesk") and r.exc_info]
    assert logged and logged[-1].exc_info[1] is error
    assert "failing_slot" in caplog.text  # the traceback is in the log


@pytest.mark.qt_no_exception_capture
def test_only_the_newest_router_reports_an_uncaught_exception(qtbot, caplog, own_excepthook):
    first, second = MessageRouter(), MessageRouter()
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert first.history == [] and len(second.history) == 1
    assert "internal error (RuntimeError: boom)" in second.history[0][1]
    assert len([r for r in caplog.records if r.exc_info]) == 1


@pytest.mark.qt_no_exception_capture
def test_a_defect_while_showing_a_result_is_reported_and_the_tab_stays_usable(qtbot, window, caplog,
                                                                             monkeypatch, own_excepthook, idle):
    tab = window.submit_tab
    real_add = tab.history.add

    def broken_add(_submission):
        raise KeyError("no such column")
    monkeypatch.setattr(tab.history, "add", broken_add)
    tab.editor.setPlainText(SEED_EXAMPLE)
    with qtbot.waitSignal(window.messages.posted, timeout=10_000,
                          check_params_cb=lambda level, _text: level == "error") as blocker:
        qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    assert "internal error (KeyError" in blocker.args[1] and "Traceback" not in blocker.args[1]
    assert "broken_add" in caplog.text
    idle(window)
    assert tab.in_flight == 0
    monkeypatch.setattr(tab.history, "add", real_add)
    submission = submit_by_click(qtbot, tab)
    assert submission.result.outcome.value == "duplicate" and tab.history.table.rowCount() == 1
